#!/bin/bash
# Renders the extension's icon (scripts/icon.svg, drawn by hand) to the 128x128 PNG the marketplace shows, with
# Debian's headless chromium: bash scripts/render-icon.sh, then commit client/media/icon.png.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/scripts/icon.svg" "$work/icon.svg"
printf '<!doctype html><style>html,body{margin:0;background:transparent}img{display:block}</style><img src="icon.svg" width="128" height="128">' >"$work/page.html"
"${CHROMIUM_PATH:-chromium}" --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=128,128 --screenshot="$root/client/media/icon.png" "file://$work/page.html" 2>/dev/null
echo "client/media/icon.png written"
