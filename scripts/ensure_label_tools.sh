#!/usr/bin/env bash
# Shipping labels embed a font with Chinese glyphs (Debian fonts-wqy-zenhei); their tests read
# the PDF back with poppler (pdftoppm) and decode the Code 128 barcode with zbar (zbarimg).
# Installs what is missing when we may (root with apt-get); otherwise says what to install.
set -euo pipefail
missing=()
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ -n "${LABELS_CJK_FONT:-}" ] || missing+=(fonts-wqy-zenhei)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ ${#missing[@]} -eq 0 ] && { echo "labels: CJK font, pdftoppm and zbarimg present"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "labels: installing ${missing[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "labels need: ${missing[*]} — run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
