#!/usr/bin/env python3
"""The adapter's subprocess handling, without Spark: python3 test_adapter.py BINARY.
Runs in a second; scripts/spark/test.sh runs it before the Spark jobs."""
import json
import os
import stat
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from newsextract_spark import NewsextractError, run_partition  # noqa: E402

BIN = os.path.abspath(sys.argv[1])
tmp = tempfile.mkdtemp(prefix="nx-adapter-")
passed = 0


def fake(name, body):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body + "\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


def expect_error(what, fn, needle):
    global passed
    try:
        list(fn())
    except NewsextractError as e:
        assert needle in str(e), f"{what}: {e}"
        passed += 1
        print(f"ok   {what}: {str(e)[:110]}")
        return
    raise AssertionError(f"{what}: no error")


docs = [json.dumps({"doc_id": f"d{i}", "text": f"Note {i}. The mayor spoke on Monday."}) for i in range(300)]
docs[10] = "{broken"
docs[20] = '{"doc_id": "d20", "text": 1}'
docs[30] = ""  # blank: not a document, not sent
out = list(run_partition(iter(docs), BIN, ["--threads", "2"]))
assert len(out) == 299, len(out)
kinds = [k for k, _, _ in out]
assert kinds.count("error") == 2, kinds.count("error")
ids = [d for _, d, _ in out]
assert ids[20] == "d20" and ids[29] == "d29" and ids[30] == "d31", ids[28:32]
passed += 1
print("ok   300 lines (1 blank, 2 malformed): 299 answers in order, 2 error records")

expect_error("exit code 1 fails", lambda: run_partition(iter(docs[:3]), BIN, ["--default-dollar", "DOLLARS"]),
             "stderr: newsextract: --default-dollar")
expect_error("a missing binary fails", lambda: run_partition(iter(docs[:3]), "/nonexistent/newsextract", []),
             "cannot start")
drop = fake("drop.sh", f'head -n 2 | "{BIN}" "$@"')
expect_error("lost answers fail", lambda: run_partition(iter(docs[:50]), drop, []), "answers came back")
swap = fake("swap.sh", f'"{BIN}" "$@" | sed "s/\\"doc_id\\":\\"d1\\"/\\"doc_id\\":\\"zz\\"/"')
expect_error("a foreign doc_id fails", lambda: run_partition(iter(docs[:5]), swap, []), "expected 'd1'")
noise = fake("noise.sh", f'echo "starting up"; exec "{BIN}" "$@"')
expect_error("non-JSON on stdout fails", lambda: run_partition(iter(docs[:5]), noise, []), "is not JSON")

# The environment is inherited (RDD.pipe would pass an empty one).
os.environ["NX_CANARY"] = "yes"
canary = fake("canary.sh", f'[ "$NX_CANARY" = yes ] || {{ echo "no NX_CANARY" >&2; exit 1; }}; exec "{BIN}" "$@"')
assert len(list(run_partition(iter(docs[:5]), canary, []))) == 5
passed += 1
print("ok   the binary sees the executor's environment")

# A consumer that stops early does not leave the binary running.
gen = run_partition(iter(docs), BIN, [])
next(gen)
gen.close()
passed += 1
print("ok   closing the answers early ends the binary")
import shutil  # noqa: E402

shutil.rmtree(tmp, ignore_errors=True)
print(f"{passed} passed, 0 failed")
