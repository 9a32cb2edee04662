#!/usr/bin/env bash
# Signing speed of the crypto backends Gatehouse can be built with (bounded: FOR per
# algorithm and mode, default 3 s): pure Go (the default build), GOEXPERIMENT=boringcrypto
# (scripts/build --fast) and, for reference, OpenSSL's own `openssl speed`, which is
# what Node's oidc-provider signs with.
#
#   bench/sign/run.sh
#   FOR=5s bench/sign/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
FOR=${FOR:-3s}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/pure" ./bench/sign
CGO_ENABLED=1 GOEXPERIMENT=boringcrypto go build -o "$work/boring" ./bench/sign
echo "== pure Go ($(go version | awk '{print $3}'))"
"$work/pure" -for "$FOR"
echo "== GOEXPERIMENT=boringcrypto"
"$work/boring" -for "$FOR"
if command -v openssl >/dev/null; then
  secs=${FOR%s}
  echo "== $(openssl version) (openssl speed, 1 process)"
  openssl speed -seconds "$secs" rsa2048 ecdsap256 ed25519 2>/dev/null | grep -E '^(rsa|[ ]*256 bits ecdsa|[ ]*253 bits EdDSA)' || true
fi
