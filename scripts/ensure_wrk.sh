#!/usr/bin/env bash
# The HTTP benchmark (bench/bench_catalog_http.py) loads the server with wrk (Debian package
# "wrk"). Installs it when we may (root with apt-get); otherwise says in one line what to do.
set -euo pipefail
command -v wrk >/dev/null && { echo "bench: wrk present"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
else
  echo "make bench: the HTTP benchmark needs wrk — run: sudo apt-get install wrk" >&2
  exit 1
fi
