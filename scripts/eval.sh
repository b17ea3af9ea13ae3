#!/usr/bin/env bash
# The project's scoreboard: `newsextract eval` over every set in ../shared/eval (when present),
# one summary table. usage: scripts/eval.sh [SHARED_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${1:-../shared}
if [ ! -d "$shared/eval" ]; then
    echo "no evaluation sets at $shared/eval: nothing to score"
    exit 0
fi
cargo build --release --quiet
bin=target/release/newsextract
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sets=$(find "$shared/eval" -name '*.jsonl' | sort)
for gold in $sets; do
    name=${gold#"$shared/eval/"}
    extra=()
    case "$name" in
        ner/*) extra=(--labels conll) ;;
        money/*) extra=(--null-currency-any) ;;
    esac
    "$bin" eval --json --gold "$gold" "${extra[@]}" > "$tmp/$(echo "$name" | tr / _).json"
done
python3 - "$tmp" $sets <<'PY'
import json, os, sys
tmp, sets = sys.argv[1], sys.argv[2:]
cols = [("sentences.doc_exact", "acc", "sent doc"), ("sentences.exact", "f1", "sent F1"),
        ("entities.strict", "f1", "ent strict"), ("entities.relaxed", "f1", "ent relax"),
        ("money.relaxed", "f1", "money F1"), ("money.value", "f1", "money val"),
        ("dates.relaxed", "f1", "date relax"), ("dates.strict", "f1", "date strict"),
        ("dates.value", "f1", "date val"), ("dates.type_acc", "acc", "date type"),
        ("citations.marker", "f1", "cite F1"), ("citations.sentence_acc", "acc", "cite sent"),
        ("targets", "f1", "targets")]
print(f"{'set':44} {'docs':>5} " + " ".join(f"{c[2]:>11}" for c in cols))
for gold in sets:
    name = gold.split("/eval/")[-1]
    r = json.load(open(os.path.join(tmp, name.replace("/", "_") + ".json")))
    cells = []
    for key, stat, _ in cols:
        v = r.get(key)
        cells.append(f"{v[stat]:>11.3f}" if v else f"{'-':>11}")
    print(f"{name:44} {r['docs_gold']:>5} " + " ".join(cells))
PY
