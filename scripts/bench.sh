#!/usr/bin/env bash
# Throughput and memory of the whole pipeline, one command.
#
#   scripts/bench.sh [SIZE_MB]        (default 500)
#
# Builds a corpus of SIZE_MB deterministically under bench-data/ (from corpus/ and, when present,
# ../shared/corpora; git-ignored), runs the release build on it with 1 and 2 threads, and prints
# MB/s, documents/s, peak RSS (/usr/bin/time -v) and seconds per stage. Then the small-file case
# (../shared/corpora/bbc as is, when present) and the one-big-JSONL case.
# NEWSEXTRACT_BIN=path uses that binary instead of building (the harness's own test does this).
# BENCH_OUT=dir writes the records there instead of under bench-data/ (BENCH_OUT=/dev/shm: the
# figures are the pipeline's, not the disk's; the run ends with an fsync of its output).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-500}
data=${BENCH_DATA:-bench-data}
if [ -n "${NEWSEXTRACT_BIN:-}" ]; then
    bin=$NEWSEXTRACT_BIN
else
    cargo build --release --quiet
    bin=target/release/newsextract
fi
[ -x /usr/bin/time ] || { echo "bench.sh needs /usr/bin/time (Debian package 'time')"; exit 1; }
sources=(corpus)
[ -d ../shared/corpora ] && sources+=(../shared/corpora)
big="$data/files-${size}mb"
jsonl="$data/one-${size}mb.jsonl"
if [ ! -d "$big" ]; then
    python3 scripts/bench/make_corpus.py "$big" "$size" "${sources[@]}"
fi
if [ ! -f "$jsonl" ]; then
    python3 scripts/bench/make_corpus.py "$big" "$size" "${sources[@]}" --jsonl "$jsonl"
fi

measure() { # label threads input...
    local label=$1 threads=$2
    shift 2
    # read the input once first: the figures are the pipeline's, not the disk's
    find "$@" -type f -print0 | xargs -0 cat > /dev/null
    local out="${BENCH_OUT:-$data}/out-$label-$threads"
    rm -rf "$out"
    /usr/bin/time -v "$bin" run -q --threads "$threads" -o "$out" "$@" 2> "$data/time.txt"
    python3 - "$label" "$threads" "$out/run.json" "$data/time.txt" <<'PY'
import json, re, sys
label, threads, run_json, time_txt = sys.argv[1:]
r = json.load(open(run_json))
t = open(time_txt).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
wall = r["wall_seconds"]
docs = r["counts"]["records"] + r["counts"]["errors"]
stages = "  ".join(f"{k} {v:.2f}s" for k, v in sorted(r["stage_seconds"].items(), key=lambda kv: -kv[1]))
print(f"{label:<14} threads {threads}: {r['bytes']/1e6:8.1f} MB {docs:>8} docs {wall:7.2f} s "
      f"{r['bytes']/1e6/wall:7.1f} MB/s {docs/wall:9.0f} docs/s  peak RSS {rss:6.1f} MB")
print(f"{'':<14} stages (summed over threads): {stages}")
PY
    rm -rf "$out" # records run ~3.5 times the input
}

echo "== start-up (rules compiled, nothing processed)"
empty=$(mktemp -d)
/usr/bin/time -f "%e s, peak RSS %M KB" "$bin" run -q -o "$empty/out" "$empty" 2>&1 | tail -1
rm -rf "$empty"
echo "== files: $big"
measure files 1 "$big"
measure files 2 "$big"
echo "== one big JSONL: $jsonl"
measure jsonl 2 "$jsonl"
if [ -d ../shared/corpora/bbc ]; then
    echo "== small files: ../shared/corpora/bbc"
    measure bbc 1 ../shared/corpora/bbc
    measure bbc 2 ../shared/corpora/bbc
fi
