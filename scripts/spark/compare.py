#!/usr/bin/env python3
"""Compare a plain `newsextract run` (DIR with articles.jsonl, errors.jsonl) with the Spark
adapter's output (SPARK_OUT/jsonl/…, SPARK_OUT/parquet/…).

Records must be equal byte for byte once sorted, except `source.path` and `source.line`: the
plain run read FOLDER/x.txt (or line N of a JSONL file), the adapter's binary read line M of its
stdin ("-"). Those two values are blanked in place, textually, so every other byte is compared.
Errors are compared as (doc_id, kind) pairs (the plain run writes them to errors.jsonl, the
stream inline); a line whose doc_id cannot be read is named after its place (FILE_STEM:LINE in a
plain run, -:LINE under Spark), so those ids are compared as "<unreadable>". Then the Parquet output is read back with pyarrow and checked against the JSONL."""
import glob
import json
import os
import re
import sys

plain, spark = sys.argv[1], sys.argv[2]
SOURCE = re.compile(r'"source":\{"path":"(?:[^"\\]|\\.)*","line":(?:null|[0-9]+),')


def norm(line):
    out, n = SOURCE.subn('"source":{"path":"","line":null,', line, count=1)
    assert n == 1, line[:200]
    return out


def lines(pattern):
    out = []
    for f in sorted(glob.glob(pattern)):
        with open(f, encoding="utf-8") as fh:
            out.extend(l.rstrip("\n") for l in fh if l.strip())
    return out


a = sorted(norm(l) for l in lines(f"{plain}/articles.jsonl"))
b = sorted(norm(l) for l in lines(f"{spark}/jsonl/articles/part-*"))
if a != b:
    for x, y in zip(a, b):
        if x != y:
            print("first difference:\n  plain:", x[:400], "\n  spark:", y[:400])
            break
    sys.exit(f"FAIL: records differ ({len(a)} plain, {len(b)} spark)")


def plain_id(e):
    # A JSONL line whose doc_id cannot be read is named after its place: FILE_STEM:LINE in a
    # plain run, -:LINE (the line in the task's stream) under Spark.
    stem = os.path.splitext(os.path.basename(e["source"]))[0]
    return "<unreadable>" if e["line"] is not None and e["doc_id"] == f"{stem}:{e['line']}" else e["doc_id"]


def spark_id(e):
    return "<unreadable>" if e["doc_id"].startswith("-:") else e["doc_id"]


ea = sorted((plain_id(e), e["kind"]) for e in map(json.loads, lines(f"{plain}/errors.jsonl")))
eb = sorted((spark_id(e), e["error"]["kind"]) for e in map(json.loads, lines(f"{spark}/jsonl/errors/part-*")))
if ea != eb:
    sys.exit(f"FAIL: errors differ:\n  plain {ea}\n  spark {eb}")

import pyarrow.parquet as pq  # noqa: E402

t = pq.read_table(f"{spark}/parquet/articles")
recs = [json.loads(l) for l in b]
assert t.num_rows == len(recs), (t.num_rows, len(recs))
cols = t.to_pydict()
assert sorted(cols["doc_id"]) == sorted(r["doc_id"] for r in recs)
for name in ["sentences", "entities", "money", "dates", "citations", "references", "targets"]:
    assert sum(len(x) for x in cols[name]) == sum(len(r[name]) for r in recs), name
by_id = {r["doc_id"]: r for r in recs}
for row in t.to_pylist():
    # Every field, nested lists included, equals the JSON record (source.path/line blanked there).
    r = by_id[row["doc_id"]]
    assert row.keys() == r.keys(), (row.keys() ^ r.keys())
    for k in r:
        if k == "source":
            assert {**row[k], "path": "", "line": None} == r[k], row["doc_id"]
        else:
            assert row[k] == r[k], (row["doc_id"], k)
sent = t.schema.field("sentences").type.value_type
assert str(sent.field("start").type) == "int64", sent
te = pq.read_table(f"{spark}/parquet/errors")
assert te.num_rows == len(eb)
print(f"ok: {len(a)} records and {len(ea)} errors equal the plain run "
      f"(source.path/line blanked); parquet: {t.num_rows} rows, {t.num_columns} columns, "
      f"{sum(len(x) for x in cols['sentences'])} sentences, every field equal to the JSONL")
