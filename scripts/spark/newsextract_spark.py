#!/usr/bin/env python3
"""Run newsextract over a corpus on Apache Spark.

    spark-submit scripts/spark/newsextract_spark.py INPUT OUTPUT [options]

INPUT is a folder of articles (read recursively as raw bytes) or JSONL files of
{"doc_id", "text", "published"?} lines (--format jsonl). Each partition is streamed through one
`newsextract run - --stdout` subprocess; the records come back one line per document, in order.

OUTPUT gets:
    OUTPUT/jsonl/articles/part-*    the records, byte for byte as the binary wrote them
    OUTPUT/jsonl/errors/part-*      inline error records ({"doc_id", "error": {"kind", "message"}})
    OUTPUT/parquet/articles/        the records as typed columns (schema from `newsextract schema`)
    OUTPUT/parquet/errors/          doc_id, source, line, kind, message

How bytes travel. The stdin contract is JSON Lines, and JSON text cannot hold invalid UTF-8. A
file from a folder is therefore sent as {"doc_id": REL_PATH, "raw_b64": BASE64(raw bytes)}: the
binary decodes those bytes exactly as it decodes a file it reads from a folder (BOM, UTF-16,
UTF-8, Windows-1252 fallback with a warning, NUL bytes -> "binary" error, Markdown front matter),
so `source.bytes`, `source.blake3`, `source.encoding`, the text, every offset and every warning
equal those of `newsextract run FOLDER`. Decoding in Python instead would duplicate those rules,
lose the warning and front matter, and hash other bytes. Base64 costs a third more bytes on a
pipe, which is nothing next to the extraction. JSONL input lines are passed through unchanged.

What differs from a plain run: `source.path` is "-" (the binary read stdin) and `source.line` is
the line in that partition's stream. The doc_id (the path relative to INPUT) identifies the file.

Checks, per partition: the binary must exit 0 (all documents fine) or 2 (some became error
records); 1 or a signal fails the task with the tail of its stderr. Exactly one answer must come
back per document, with the doc_id that was sent, in order: anything else fails the task (Spark
then retries it, and the job fails if it keeps failing) rather than losing documents silently.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import posixpath
import subprocess
import sys
import threading
from typing import Iterable, Iterator

ARTICLE_EXTENSIONS = {"txt", "md", "markdown", "text"}


# --------------------------------------------------------------------------------------------
# The subprocess, one per partition.


class NewsextractError(RuntimeError):
    pass


def _no_constants(name):
    raise ValueError(f"{name} is not JSON")


def _expected_id(line: str):
    """The doc_id the binary must answer a JSONL line with, or None when any id will do (the line
    is not an object with a string doc_id: it comes back as an error record or a numeric id)."""
    try:
        v = json.loads(line, parse_constant=_no_constants)
    except ValueError:
        return None
    if isinstance(v, dict) and isinstance(v.get("doc_id"), str):
        return v["doc_id"]
    return None


def run_partition(
    lines: Iterable[str], binary: str, args: list[str], stderr_tail: int = 64 * 1024
) -> Iterator[tuple[str, str, str]]:
    """Stream JSONL document lines through `binary run - --stdout ARGS`.

    Yields (kind, doc_id, line) per input line, in input order; kind is "record" or "error";
    line is the binary's output without its newline. Raises NewsextractError when the binary
    fails, or when an answer is missing, extra, or for another doc_id.
    """
    cmd = [binary, "run", "-", "--stdout", "--quiet", *args]
    try:
        # env=None: the child inherits the executor's environment (RDD.pipe passes an empty one).
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=None,
            bufsize=1 << 16,
        )
    except OSError as e:
        raise NewsextractError(f"cannot start {cmd[0]!r}: {e} (cwd {os.getcwd()})") from e

    expected: collections.deque = collections.deque()
    writer_error: list[BaseException] = []
    sent = [0]
    stderr_buf = collections.deque()
    stderr_len = [0]

    def write() -> None:
        # Consume the partition in this thread and always close stdin, so the binary sees EOF
        # and exits even when the input iterator or the pipe fails.
        try:
            for line in lines:
                if not line.strip():
                    continue  # blank lines are not documents; the binary would not answer them
                if "\n" in line:
                    raise NewsextractError("a document line contains a newline")
                expected.append(_expected_id(line))
                sent[0] += 1
                proc.stdin.write(line.encode("utf-8") + b"\n")
        except BaseException as e:  # noqa: BLE001 - reported by the reading side
            writer_error.append(e)
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    def drain_stderr() -> None:
        # Logs only; keep the tail for the error message and pass it on to the executor's log.
        for chunk in iter(lambda: proc.stderr.read(4096), b""):
            sys.stderr.buffer.write(chunk)
            stderr_buf.append(chunk)
            stderr_len[0] += len(chunk)
            while stderr_len[0] > stderr_tail and len(stderr_buf) > 1:
                stderr_len[0] -= len(stderr_buf.popleft())

    def fail(msg: str) -> NewsextractError:
        proc.kill()
        proc.wait()
        tail = b"".join(stderr_buf).decode("utf-8", "replace").strip()
        return NewsextractError(f"{msg}; command {cmd!r}" + (f"; stderr: {tail}" if tail else ""))

    writer = threading.Thread(target=write, name="newsextract-stdin", daemon=True)
    drainer = threading.Thread(target=drain_stderr, name="newsextract-stderr", daemon=True)
    writer.start()
    drainer.start()

    received = 0
    done = False
    try:
        for raw in proc.stdout:
            received += 1
            line = raw.decode("utf-8").rstrip("\n")
            try:
                rec = json.loads(line)
            except ValueError:
                raise fail(f"answer {received} is not JSON: {line[:200]!r}") from None
            if not expected:
                raise fail(f"answer {received} has no document: {line[:200]!r}")
            want = expected.popleft()
            got = rec.get("doc_id") if isinstance(rec, dict) else None
            kind = "error" if isinstance(rec, dict) and "error" in rec else "record"
            # An error record for a line whose id the binary could not read says "-:LINE" instead
            # (Python's JSON reader takes a few lines serde refuses: duplicate keys, lone surrogates).
            fallback = kind == "error" and isinstance(got, str) and got.startswith("-:")
            if want is not None and got != want and not fallback:
                raise fail(f"answer {received} is for doc_id {got!r}, expected {want!r}")
            yield kind, got if isinstance(got, str) else "", line
        done = True
    finally:
        # The consumer stopped early (a failed check, or Spark needed no more rows): do not
        # leave the binary blocked on a full pipe.
        if not done and proc.poll() is None:
            proc.kill()
            proc.wait()

    writer.join()
    code = proc.wait()
    drainer.join()
    if writer_error:
        err = writer_error[0]
        if not isinstance(err, BrokenPipeError):
            raise err
    if code not in (0, 2):
        raise fail(f"newsextract exited with {code}")
    if received != sent[0] or writer_error:
        raise fail(f"{sent[0]} documents sent but {received} answers came back")


# --------------------------------------------------------------------------------------------
# Inputs.


def relative_id(root: str, path: str) -> str | None:
    """The doc_id of `path` under `root` (both as Spark reports them), `/`-separated."""
    root = root.rstrip("/")
    if path == root:
        return posixpath.basename(path)
    if not path.startswith(root + "/"):
        return None
    return path[len(root) + 1 :]


def is_article(rel: str) -> bool:
    """The binary's folder rule: no hidden component, an article extension."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):
        return False
    name = parts[-1]
    ext = name.rsplit(".", 1)[1].lower() if "." in name else ""
    return ext in ARTICLE_EXTENSIONS


def folder_lines(spark, path: str, partitions: int):
    """(doc_id, JSONL line) per article file under `path`, with the raw bytes in base64.

    `SparkContext.binaryFiles` with a recursive listing, not the `binaryFile` DataFrame source:
    the DataFrame source drops empty files, which a plain run reports as (empty) records."""
    sc = spark.sparkContext
    conf = sc._jsc.hadoopConfiguration()
    conf.set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
    hpath = sc._jvm.org.apache.hadoop.fs.Path(path)
    root = hpath.getFileSystem(conf).makeQualified(hpath).toString()

    def to_line(item):
        file_path, content = item
        rel = relative_id(root, file_path)
        if rel is None or not is_article(rel):
            return None
        raw = base64.b64encode(bytes(content)).decode("ascii")
        return rel, json.dumps({"doc_id": rel, "raw_b64": raw})

    return sc.binaryFiles(path, minPartitions=partitions).map(to_line).filter(lambda x: x is not None)


def jsonl_lines(spark, path: str):
    lines = spark.sparkContext.textFile(path)
    return lines.filter(lambda l: l.strip() != "").map(lambda l: ("", l))


# --------------------------------------------------------------------------------------------
# Types: the Spark schema from `newsextract schema`.


def spark_type(node: dict, root: dict):
    from pyspark.sql import types as T

    if "$ref" in node:
        name = node["$ref"].split("/")[-1]
        return spark_type(root["$defs"][name], root)
    t = node.get("type")
    if t is None and "const" in node:
        t = {str: "string", int: "integer", float: "number", bool: "boolean"}[type(node["const"])]
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        if len(rest) != 1:
            raise ValueError(f"no single Spark type for {t}")
        t = rest[0]
    if t == "string":
        return T.StringType()
    if t == "integer":
        return T.LongType()
    if t == "number":
        return T.DoubleType()
    if t == "boolean":
        return T.BooleanType()
    if t == "array":
        return T.ArrayType(spark_type(node["items"], root), containsNull=False)
    if t == "object":
        required = set(node.get("required", []))
        return T.StructType(
            [
                T.StructField(name, spark_type(sub, root), nullable=not (
                    name in required and "null" not in _types(sub, root)
                ))
                for name, sub in node["properties"].items()
            ]
        )
    raise ValueError(f"unsupported JSON Schema node {node}")


def _types(node: dict, root: dict) -> list:
    if "$ref" in node:
        return _types(root["$defs"][node["$ref"].split("/")[-1]], root)
    t = node.get("type", [])
    return t if isinstance(t, list) else [t]


def record_schema(binary: str) -> dict:
    out = subprocess.run([binary, "schema"], check=True, capture_output=True)
    return json.loads(out.stdout)


# --------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("input", help="a folder of articles, or JSONL file(s) with --format jsonl")
    p.add_argument("output", help="output folder (must not exist, unless --overwrite)")
    p.add_argument("--format", choices=["auto", "folder", "jsonl"], default="auto",
                   help="auto: jsonl when INPUT ends in .jsonl/.ndjson, else folder")
    p.add_argument("--binary", default=os.environ.get("NEWSEXTRACT_BIN", "newsextract"),
                   help="the newsextract binary as executors see it: on PATH, absolute, or "
                        "relative to the executor's working folder (e.g. ./nx/newsextract "
                        "with --archives newsextract.tar.gz#nx)")
    p.add_argument("--driver-binary", default=None,
                   help="the binary on the driver, for `newsextract schema` (default: --binary)")
    p.add_argument("--partitions", type=int, default=0,
                   help="documents are spread over this many tasks (default: Spark's parallelism)")
    p.add_argument("--threads", type=int, default=1,
                   help="threads per binary (default 1: Spark runs one task per core)")
    p.add_argument("--arg", action="append", default=[], dest="extra",
                   help="an extra argument for `newsextract run`, e.g. --arg=--default-dollar=CAD")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--no-parquet", action="store_true")
    a = p.parse_args(argv)

    from pyspark import StorageLevel
    from pyspark.sql import SparkSession, functions as F

    spark = SparkSession.builder.appName("newsextract").getOrCreate()
    sc = spark.sparkContext
    fmt = a.format
    if fmt == "auto":
        fmt = "jsonl" if a.input.lower().endswith((".jsonl", ".ndjson")) else "folder"
    n = a.partitions or sc.defaultParallelism
    docs = folder_lines(spark, a.input, n) if fmt == "folder" else jsonl_lines(spark, a.input)
    if docs.getNumPartitions() != n:
        docs = docs.repartition(n)

    binary, run_args = a.binary, ["--threads", str(a.threads), *a.extra]

    def process(part):
        return run_partition((line for _, line in part), binary, run_args)

    out = spark.createDataFrame(
        docs.mapPartitions(process), "kind string, doc_id string, line string"
    ).persist(StorageLevel.MEMORY_AND_DISK)
    mode = "overwrite" if a.overwrite else "errorifexists"
    records = out.where(F.col("kind") == "record").select("line")
    errors = out.where(F.col("kind") == "error").select("line")
    records.write.mode(mode).text(os.path.join(a.output, "jsonl", "articles"))
    errors.write.mode(mode).text(os.path.join(a.output, "jsonl", "errors"))
    if not a.no_parquet:
        js = record_schema(a.driver_binary or a.binary)
        schema = spark_type(js, js)
        typed = records.select(F.from_json("line", schema, {"mode": "FAILFAST"}).alias("r")).select("r.*")
        typed.write.mode(mode).parquet(os.path.join(a.output, "parquet", "articles"))
        err_schema = "doc_id string, source string, line long, error struct<kind:string,message:string>"
        (errors.select(F.from_json("line", err_schema).alias("e"))
            .select("e.doc_id", "e.source", "e.line", "e.error.kind", "e.error.message")
            .write.mode(mode).parquet(os.path.join(a.output, "parquet", "errors")))
    counts = {r["kind"]: r["count"] for r in out.groupBy("kind").count().collect()}
    out.unpersist()
    print(json.dumps({"records": counts.get("record", 0), "errors": counts.get("error", 0),
                      "partitions": n, "format": fmt}), flush=True)
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
