#!/usr/bin/env bash
# Customs signing tests need SoftHSM2 (the PKCS#11 module the PKCS#11 backend is tested
# against) and the OpenSSL command line (an independent SM2/SM3 verifier). Installs what is
# missing when we may (root with apt-get); otherwise says what to install.
set -euo pipefail
missing=()
[ -e /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null || missing+=(softhsm2)
command -v openssl >/dev/null || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && { echo "customs: softhsm2 and openssl present"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "customs: installing ${missing[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "make test: customs signing tests need: ${missing[*]} — run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
