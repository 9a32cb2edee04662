#!/usr/bin/env bash
# Token endpoint load run on 127.0.0.1 (bounded): for each algorithm, drive Gatehouse's
# realm token endpoint and the reference handler (bench/token/reference) with wrk in
# ROUNDS alternating rounds of DURATION, and print the median round's tokens/s and its
# p50/p99 latency, and all errors, of both; then the start-up time and idle memory.
#
#   bench/token/run.sh                    # RS256 and ES256, 5 alternating rounds of 5 s per server
#   DURATION=10s ROUNDS=3 CONNS=32 ALGS="ES256 EdDSA" bench/token/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-5}
CONNS=${CONNS:-16}
ALGS=${ALGS:-"RS256 ES256"}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/reference" ./bench/token/reference
export BENCH_CLIENT_ID=bench BENCH_CLIENT_SECRET=bench-secret

wait_up() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }
load() { # url
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s bench/token/post.lua "$1" > "$work/wrk.txt"
  local rps p50 p99 errs total
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
  errs=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt"); errs=${errs:-0}
  echo "$rps $p50 $p99 $errs $total"
}

printf '%-6s %-10s %10s %9s %9s %8s\n' alg server tokens/s p50 p99 errors
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for alg in $ALGS; do
  port=$((19000 + RANDOM % 1000))
  rport=$((port + 1000))
  GATEHOUSE_BOOTSTRAP_CLIENT_ID=bench GATEHOUSE_BOOTSTRAP_CLIENT_SECRET=bench-secret \
    "$work/gatehouse" serve --data-dir "$work/data-$alg" --identity-addr "127.0.0.1:$port" --console-addr "" \
    --modeler-addr "" --management-addr "" --signing-alg "$alg" --log-level warn >/dev/null 2>"$work/gh.log" &
  gh=$!
  "$work/reference" --addr "127.0.0.1:$rport" --alg "$alg" &
  ref=$!
  wait_up "http://127.0.0.1:$port/auth/realms/camunda-platform/.well-known/openid-configuration"
  wait_up "http://127.0.0.1:$rport/"
  : > "$work/g.txt"; : > "$work/r.txt"
  # Alternate short rounds between the two servers, so drift of this shared machine
  # hits both alike; report each server's median round.
  for _ in $(seq 1 "$ROUNDS"); do
    load "http://127.0.0.1:$port/auth/realms/camunda-platform/protocol/openid-connect/token" >> "$work/g.txt"
    load "http://127.0.0.1:$rport/token" >> "$work/r.txt"
  done
  kill $gh $ref; wait $gh $ref 2>/dev/null || true
  for who in g r; do
    f="$work/$who.txt"
    rps=$(awk '{print $1}' "$f" | median)
    p50=$(awk -v r="$rps" '$1==r {print $2; exit}' "$f")
    p99=$(awk -v r="$rps" '$1==r {print $3; exit}' "$f")
    errs=$(awk '{e+=$4; n+=$5} END {print e "/" n}' "$f")
    name=gatehouse; [[ $who == r ]] && name=reference
    printf '%-6s %-10s %10s %9s %9s %8s\n' "$alg" "$name" "$rps" "$p50" "$p99" "$errs"
    eval "${who}_rps=$rps"
  done
  awk -v g="$g_rps" -v r="$r_rps" -v a="$alg" -v n="$ROUNDS" 'BEGIN { printf "%-6s gatehouse/reference = %.1f %% (median of %d alternating rounds)\n", a, 100*g/r, n }'
done
go run ./bench/startup -bin "$work/gatehouse" -runs "${RUNS:-20}"
