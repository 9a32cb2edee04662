#!/usr/bin/env bash
# Checklist A20 (timing) and A22 (flood) against a freshly built Gatehouse on 127.0.0.1.
#   bench/abuse/run.sh              SAMPLES=5000 FLOOD_RATE=1000 FLOOD_FOR=10s
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
port=$((20000 + RANDOM % 1000))
"$work/gatehouse" serve --data-dir "$work/data" --identity-addr "127.0.0.1:$port" --console-addr "" --modeler-addr "" \
  --management-addr "" --log-level warn >"$work/out" 2>"$work/log" &
for _ in $(seq 1 200); do grep -q GATEHOUSE_CLIENT_SECRET "$work/out" 2>/dev/null && break; sleep 0.05; done
id=$(awk -F= '/GATEHOUSE_CLIENT_ID/ {print $2}' "$work/out")
secret=$(awk -F= '/GATEHOUSE_CLIENT_SECRET/ {print $2}' "$work/out")
go run ./bench/abuse -url "http://127.0.0.1:$port/auth/realms/camunda-platform/protocol/openid-connect/token" \
  -client-id "$id" -client-secret "$secret" -samples "${SAMPLES:-5000}" -flood-rate "${FLOOD_RATE:-1000}" -flood-for "${FLOOD_FOR:-10s}" \
  ${DISABLED_ID:+-disabled-id "$DISABLED_ID" -disabled-secret "$DISABLED_SECRET"}
