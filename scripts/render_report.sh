#!/bin/sh
# render_report.sh - screenshot a report page (the index.html of `rfmbench report`) with
# headless Chromium, e.g. for the README:
#   scripts/render_report.sh results/uci121-baselines/report/index.html docs/report.png
# PNG defaults to the page's name with .png; RENDER_WINDOW=WIDTH,HEIGHT sets the window
# [1200,2400]. Exit 0 when the PNG was written, 77 (the usual "skipped" code) when no Chromium
# is installed (apt-get install -y chromium), 1 when rendering failed, 2 on a usage error.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
    echo "usage: $0 INDEX.html [OUT.png]" >&2
    exit 2
fi
html=$1
png=${2:-${html%.html}.png}
size=${RENDER_WINDOW:-1200,2400}
if [ ! -f "$html" ]; then
    echo "render_report.sh: $html: no such file" >&2
    exit 1
fi

chrome=
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then
        chrome=$c
        break
    fi
done
if [ -z "$chrome" ]; then
    echo "render_report.sh: no Chromium found; install it with: apt-get install -y chromium" >&2
    exit 77
fi

# Absolute paths: Chromium resolves file:// URLs and --screenshot from its own directory.
html_abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
png_dir=$(dirname "$png")
mkdir -p "$png_dir"
png_abs=$(cd "$png_dir" && pwd)/$(basename "$png")
profile=$(mktemp -d "${TMPDIR:-/tmp}/render-report-XXXXXX")
trap 'rm -rf "$profile"' EXIT INT TERM
rm -f "$png_abs"

# A throwaway profile keeps runs independent; the time budget lets the SVG images load.
"$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$profile" --virtual-time-budget=5000 \
    --window-size="$size" --screenshot="$png_abs" "file://$html_abs" >/dev/null 2>&1 || true
if [ ! -s "$png_abs" ]; then
    echo "render_report.sh: $chrome did not write $png" >&2
    exit 1
fi
echo "$png"
