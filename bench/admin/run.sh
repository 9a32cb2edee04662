#!/usr/bin/env bash
# Administration API load run on 127.0.0.1 (bounded): seed an M2M app with read:* on
# console-api through KEYCLOAK_CLIENTS_0_*, get one token, then hammer
# GET /admin-api/clusters with it for DURATION with wrk, first on Gatehouse, then on the
# reference handler (bench/admin/reference: verifies the same JWT with golang-jwt on
# every request against the same JWKS and writes the same body). Prints requests/s,
# p50/p99 and errors of both, and the ratio (target: Gatehouse >= 90 % of the reference).
#
#   bench/admin/run.sh                    # RS256 and ES256, 10 s each
#   DURATION=20s CONNS=32 ALGS=ES256 bench/admin/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
ALGS=${ALGS:-"RS256 ES256"}
case "$DURATION" in *s) [ "${DURATION%s}" -le 20 ] || { echo "DURATION is capped at 20s" >&2; exit 2; } ;; *) echo "DURATION must be in seconds, e.g. 10s" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/reference" ./bench/admin/reference

wait_up() { for _ in $(seq 1 400); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }
load() { # url token
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $2" "$1" > "$work/wrk.txt"
  local rps p50 p99 errs total
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  errs=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt"); errs=${errs:-0}
  echo "$rps $p50 $p99 $errs $total"
}

printf '%-6s %-10s %10s %9s %9s %10s\n' alg server req/s p50 p99 errors
for alg in $ALGS; do
  port=$((20000 + RANDOM % 1000)); cport=$((port + 1000)); rport=$((port + 2000))
  KEYCLOAK_CLIENTS_0_NAME=bench KEYCLOAK_CLIENTS_0_ID=bench KEYCLOAK_CLIENTS_0_SECRET=bench-secret-123 KEYCLOAK_CLIENTS_0_TYPE=M2M \
  KEYCLOAK_CLIENTS_0_PERMISSIONS_0_RESOURCE_SERVER_ID=console-api KEYCLOAK_CLIENTS_0_PERMISSIONS_0_DEFINITION='read:*' \
  GATEHOUSE_BOOTSTRAP_CLIENT_ID=admin GATEHOUSE_BOOTSTRAP_CLIENT_SECRET=admin-secret-123 \
    "$work/gatehouse" serve --config bench/admin/clusters.yaml --data-dir "$work/data-$alg" \
    --identity-addr "127.0.0.1:$port" --console-addr "127.0.0.1:$cport" --modeler-addr "" --management-addr "" \
    --signing-alg "$alg" --log-level warn >/dev/null 2>"$work/gh.log" &
  gh=$!
  base="http://127.0.0.1:$port/auth/realms/camunda-platform"
  wait_up "$base/.well-known/openid-configuration"
  wait_up "http://127.0.0.1:$cport/admin-api/openapi/docs"
  token=$(curl -s -X POST "$base/protocol/openid-connect/token" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode client_id=bench --data-urlencode client_secret=bench-secret-123 --data-urlencode grant_type=client_credentials |
    sed -E 's/.*"access_token":"([^"]+)".*/\1/')
  curl -s -f -o "$work/body.json" -H "Authorization: Bearer $token" "http://127.0.0.1:$cport/admin-api/clusters"
  curl -s -f -o "$work/jwks.json" "$base/protocol/openid-connect/certs"
  read -r g_rps g_p50 g_p99 g_err g_n < <(load "http://127.0.0.1:$cport/admin-api/clusters" "$token")
  kill $gh; wait $gh 2>/dev/null || true
  "$work/reference" --addr "127.0.0.1:$rport" --jwks "$work/jwks.json" --body "$work/body.json" \
    --issuer "http://localhost:$port/auth/realms/camunda-platform" &
  ref=$!
  wait_up "http://127.0.0.1:$rport/"
  curl -s -f -o "$work/ref.json" -H "Authorization: Bearer $token" "http://127.0.0.1:$rport/admin-api/clusters"
  cmp -s "$work/body.json" "$work/ref.json" || { echo "reference body differs" >&2; exit 1; }
  read -r r_rps r_p50 r_p99 r_err r_n < <(load "http://127.0.0.1:$rport/admin-api/clusters" "$token")
  kill $ref; wait $ref 2>/dev/null || true
  printf '%-6s %-10s %10s %9s %9s %10s\n' "$alg" gatehouse "$g_rps" "$g_p50" "$g_p99" "$g_err/$g_n"
  printf '%-6s %-10s %10s %9s %9s %10s\n' "$alg" reference "$r_rps" "$r_p50" "$r_p99" "$r_err/$r_n"
  awk -v g="$g_rps" -v r="$r_rps" -v a="$alg" -v b="$(wc -c < "$work/body.json")" \
    'BEGIN { printf "%-6s gatehouse/reference = %.1f %% (body %d bytes)\n", a, 100*g/r, b }'
done
