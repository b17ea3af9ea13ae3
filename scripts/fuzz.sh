#!/usr/bin/env bash
# Fuzz the document entry point for N minutes (default 30) with seeds from corpus/.
# Findings land in fuzz/artifacts/document/; turn each into a regression test in tests/.
# usage: scripts/fuzz.sh [MINUTES] [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
jobs=${2:-1}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
mkdir -p fuzz/corpus/document
find corpus -type f \( -name '*.txt' -o -name '*.md' \) -exec cp {} fuzz/corpus/document/ \;
# The machine has the stable toolchain only: RUSTC_BOOTSTRAP lets it take the sanitizer flags.
export RUSTC_BOOTSTRAP=1
cargo fuzz run document fuzz/corpus/document -j "$jobs" -- \
    -max_total_time=$((minutes * 60)) -max_len=65536 -timeout=10 -print_final_stats=1
