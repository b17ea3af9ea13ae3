#!/usr/bin/env bash
# newsextract beside spaCy's rule pipeline on the same corpus, in the same run.
#   scripts/bench_peers.sh [CORPUS_DIR]   (default ../shared/corpora/bbc, else corpus/)
# Installs spaCy 3.8 in scripts/.venv-peers (git-ignored) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-}
if [ -z "$corpus" ]; then
    if [ -d ../shared/corpora/bbc ]; then corpus=../shared/corpora/bbc; else corpus=corpus; fi
fi
venv=scripts/.venv-peers
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'spacy==3.8.*'
fi
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== newsextract (1 thread, then 2)"
/usr/bin/time -f "%U user s" target/release/newsextract run -q --threads 1 -o "$out/1" "$corpus" 2> "$out/t1"
ours1=$(python3 -c "import json,sys; r=json.load(open('$out/1/run.json')); print(r['bytes']/1e6/float(open('$out/t1').read().split()[0]) if float(open('$out/t1').read().split()[0])>0 else r['mb_per_second'])")
target/release/newsextract run -q --threads 2 -o "$out/2" "$corpus"
python3 -c "import json; r=json.load(open('$out/1/run.json')); print(f\"1 thread: {r['mb_per_second']:.1f} MB/s wall\")"
python3 -c "import json; r=json.load(open('$out/2/run.json')); print(f\"2 threads: {r['mb_per_second']:.1f} MB/s wall\")"
echo "== spaCy rule pipeline (one process, one core)"
"$venv/bin/python" scripts/bench_peers.py "$corpus" rules | tee "$out/spacy.txt"
theirs=$(grep '^MBPS' "$out/spacy.txt" | cut -d' ' -f2)
python3 -c "print(f'newsextract {float(\"$ours1\"):.1f} MB/s per core (user CPU) vs spaCy {float(\"$theirs\"):.3f} MB/s per core: {float(\"$ours1\")/float(\"$theirs\"):.0f}x')"
