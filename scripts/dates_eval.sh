#!/bin/sh
# Score the dates stage on the shared sets (skips when ../shared is absent).
# usage: scripts/dates_eval.sh [BIN]   (default target/release/newsextract)
BIN=${1:-target/release/newsextract}
E=${NX_EVAL:-/work/shared/eval}
[ -d "$E" ] || E=../shared/eval
[ -d "$E" ] || { echo "no shared eval sets; skipped"; exit 0; }
for s in seed/india_italy_partnership.gold dates/timebank dates/aquaint; do
  n=$(basename $s)
  "$BIN" run "$E/$s.jsonl" --stdout > /tmp/dates-$n.jsonl 2>/dev/null
  echo "== $n"
  python3 "$E/../tools/score.py" --gold "$E/$s.jsonl" --pred /tmp/dates-$n.jsonl | grep dates
  python3 "$(dirname "$0")/dates_notation.py" "$E/$s.jsonl" /tmp/dates-$n.jsonl | grep notation
done
