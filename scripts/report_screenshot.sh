#!/usr/bin/env bash
# Render DIR/report.html in headless Chromium with the network off, save a screenshot, and check
# in the rendered DOM that every chart is drawn: each <svg class="chart" data-bars="N"> holds N
# <rect class="bar"> elements and has content (a chart without data shows a text instead).
#
#   scripts/report_screenshot.sh [DIR] [PNG]
#
# Without DIR, runs the release binary on corpus/ into a temporary folder first. PNG defaults to
# DIR/report.png. Needs the Debian package `chromium` (apt-get install -y chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${NEWSEXTRACT_BIN:-target/release/newsextract}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
    echo "chromium not found: apt-get update && apt-get install -y chromium" >&2
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nx-shot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DIR=${1:-}
if [ -z "$DIR" ]; then
    [ -x "$BIN" ] || cargo build --release -q
    DIR=$TMP/out
    "$BIN" run corpus -o "$DIR" -q || [ $? -eq 2 ]
fi
PNG=${2:-$DIR/report.png}
"$BIN" report "$DIR"
PAGE=$(cd "$DIR" && pwd)/report.html

# Network off: a network namespace with no interface when we may create one (root), and in any
# case a proxy that does not exist, no DNS, and none of Chromium's background traffic.
NONET=()
if unshare --net true 2>/dev/null; then NONET=(unshare --net); fi
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --disable-extensions --disable-default-apps --mute-audio --hide-scrollbars
       --proxy-server=127.0.0.1:9 --host-resolver-rules="MAP * ~NOTFOUND"
       --user-data-dir="$TMP/profile" --window-size="${SHOT_SIZE:-1280,4200}")

"${NONET[@]}" "$CHROMIUM" "${FLAGS[@]}" --screenshot="$PNG" "file://$PAGE" 2> "$TMP/shot.log" \
    || { cat "$TMP/shot.log" >&2; exit 1; }
"${NONET[@]}" "$CHROMIUM" "${FLAGS[@]}" --dump-dom "file://$PAGE" > "$TMP/dom.html" 2> "$TMP/dom.log" \
    || { cat "$TMP/dom.log" >&2; exit 1; }

python3 - "$TMP/dom.html" "$PAGE" "$PNG" <<'PY'
import re, struct, sys
dom, page, png = (open(sys.argv[1], encoding="utf-8").read(),
                  open(sys.argv[2], encoding="utf-8").read(), sys.argv[3])
svgs = re.findall(r"<svg\b([^>]*)>(.*?)</svg>", dom, re.S)
expected = len(re.findall(r"<svg\b", page))
problems = []
if len(svgs) != expected:
    problems.append(f"{len(svgs)} charts in the rendered DOM, {expected} in the page")
for attrs, body in svgs:
    cid = re.search(r'id="([^"]*)"', attrs)
    cid = cid.group(1) if cid else "?"
    said = int(re.search(r'data-bars="(\d+)"', attrs).group(1))
    bars = len(re.findall(r'<rect\b[^>]*class="bar"', body))
    if not re.search(r"<(rect|text|line)\b", body):
        problems.append(f"{cid}: empty")
    elif bars != said:
        problems.append(f"{cid}: {bars} bars drawn, {said} expected")
    else:
        print(f"  {cid:<28} {bars:>3} bars" + ("" if bars else " (no data: says so)"))
with open(png, "rb") as f:
    head = f.read(24)
if head[:8] != b"\x89PNG\r\n\x1a\n":
    problems.append("the screenshot is not a PNG")
else:
    w, h = struct.unpack(">II", head[16:24])
    print(f"  screenshot {png}: {w}x{h}")
if problems:
    sys.exit("FAIL: " + "; ".join(problems))
print(f"ok: {len(svgs)} charts drawn, network off")
PY
