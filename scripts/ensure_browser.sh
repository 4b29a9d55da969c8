#!/usr/bin/env bash
# Browser tests need Debian's chromium and CJK fonts (so Chinese renders in screenshots).
# Installs what is missing when we may (root with apt-get); otherwise says what to install.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if command -v dpkg-query >/dev/null; then
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || missing+=(fonts-noto-cjk)
else
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
fi
[ ${#missing[@]} -eq 0 ] && { echo "browser: chromium and CJK fonts present"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "browser: installing ${missing[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "make test: browser tests need: ${missing[*]} — run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
