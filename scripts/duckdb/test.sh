#!/usr/bin/env bash
# Run newsextract on corpus/ into output/ (with --flat), load it through scripts/duckdb/views.sql,
# run scripts/duckdb/queries.sql and check the results. Needs PyPI access on first run (duckdb and
# jsonschema into scripts/.venv-duckdb). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=$PWD/scripts/.venv-duckdb
start=$(date +%s)
if ! "$VENV/bin/python" -c 'import duckdb, jsonschema' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q duckdb jsonschema
fi
cargo build --release -q
BIN=target/release/newsextract
"$BIN" run corpus -o output --flat
SCHEMA=$(mktemp "${TMPDIR:-/tmp}/nx-schema.XXXXXX.json")
trap 'rm -f "$SCHEMA"' EXIT
"$BIN" schema > "$SCHEMA"
"$VENV/bin/python" scripts/duckdb/check.py "$PWD" "$PWD/output" "$SCHEMA"
echo "duckdb test passed in $(( $(date +%s) - start )) s"
