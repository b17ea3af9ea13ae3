#!/usr/bin/env bash
# Run the Spark adapter on local[2] over corpus/ (plus byte-level fixtures) and over a JSONL file,
# and check its records equal those of a plain `newsextract run`. Needs Java 17 and PyPI access
# (first run: pyspark + pyarrow into scripts/.venv-spark, about 400 MB). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
VENV=$REPO/scripts/.venv-spark
start=$(date +%s)
if [ ! -x "$VENV/bin/spark-submit" ] || ! "$VENV/bin/python" -c 'import pyarrow' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q pyspark pyarrow
fi
cargo build --release -q
BIN=$REPO/target/release/newsextract
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nx-spark.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" scripts/spark/make_fixtures.py "$REPO" "$WORK"

echo "== the adapter's subprocess handling, without Spark"
"$VENV/bin/python" scripts/spark/test_adapter.py "$BIN" 2>/dev/null

export PYSPARK_PYTHON=$VENV/bin/python PYSPARK_DRIVER_PYTHON=$VENV/bin/python
SUBMIT=("$VENV/bin/spark-submit" --master 'local[2]' --conf spark.ui.enabled=false
        --conf spark.sql.shuffle.partitions=4 --driver-java-options -Dlog4j2.level=WARN)

echo "== folder: corpus/ + fixtures, 3 partitions"
"$BIN" run "$WORK/folder" -o "$WORK/plain-folder" -q || [ $? -eq 2 ]
"${SUBMIT[@]}" scripts/spark/newsextract_spark.py "$WORK/folder" "$WORK/spark-folder" \
    --binary "$BIN" --partitions 3 2> "$WORK/spark-folder.log" || { tail -40 "$WORK/spark-folder.log"; exit 1; }
"$VENV/bin/python" scripts/spark/compare.py "$WORK/plain-folder" "$WORK/spark-folder"

echo "== jsonl: 40 lines (2 malformed), 2 partitions"
"$BIN" run "$WORK/docs.jsonl" -o "$WORK/plain-jsonl" -q || [ $? -eq 2 ]
"${SUBMIT[@]}" scripts/spark/newsextract_spark.py "$WORK/docs.jsonl" "$WORK/spark-jsonl" \
    --binary "$BIN" --partitions 2 2> "$WORK/spark-jsonl.log" || { tail -40 "$WORK/spark-jsonl.log"; exit 1; }
"$VENV/bin/python" scripts/spark/compare.py "$WORK/plain-jsonl" "$WORK/spark-jsonl"

echo "== a failing binary fails the job"
cat > "$WORK/fake.sh" <<'FAKE'
#!/bin/sh
[ "$1" = schema ] && exec "$NX_REAL" schema
head -n 1 | "$NX_REAL" "$@"   # answers the first document only, then exits 0
FAKE
chmod +x "$WORK/fake.sh"
if NX_REAL=$BIN "${SUBMIT[@]}" --conf spark.task.maxFailures=1 scripts/spark/newsextract_spark.py \
    "$WORK/folder" "$WORK/spark-fake" --binary "$WORK/fake.sh" --partitions 1 > "$WORK/fake.log" 2>&1; then
    echo "FAIL: a binary that lost documents did not fail the job"; exit 1
fi
grep -o 'documents sent but [0-9]* answers came back' "$WORK/fake.log" | head -1

echo "spark test passed in $(( $(date +%s) - start )) s"
