#!/usr/bin/env bash
# Gatehouse against its peers on the token endpoint, in one run, on 127.0.0.1 (bounded:
# WARMUP + DURATION per server, mode and algorithm; 16 runs of 10 s by default):
#
#   gatehouse       the default build (pure Go crypto)
#   gatehouse-fast  scripts/build --fast (GOEXPERIMENT=boringcrypto)
#   reference       bench/token/reference, the least a Go token endpoint can do (pure Go)
#   oidc-provider   node-oidc-provider 9 (bench/token/oidc-provider.mjs; Node's OpenSSL)
#
# for RS256 and ES256, each "shared" (server and wrk on both cores) and "pinned" (server on
# core 0, wrk on core 1, with taskset). Then gatehouse-fast with --token-reuse 0.5 (RS256,
# shared): 16 connections of one client asking in a loop. Per run: tokens/s, p50/p99,
# non-2xx/total, tokens per server CPU-second (utime+stime of the server process during
# the measured window), its RSS at the end of the measured window (VmRSS) and its peak
# RSS over the run, warm-up included (VmHWM). Gatehouse starts on a prepared data
# directory (keys made, as on any restart): on a first start the next signing key is
# generated 5 s in, which would land in the measured window. The table is printed and, with
# WRITE=1, written into docs/performance.md between the peers markers.
#
#   bench/token/peers.sh
#   DURATION=8s WARMUP=2s CONNS=16 ALGS="RS256" MODES="pinned" SERVERS="gatehouse-fast oidc-provider" bench/token/peers.sh
#   GATEHOUSE_FAST_BIN=/path/to/binary ...   skip the (slow) boringcrypto build
#
# oidc-provider is installed with npm into OIDC_PROVIDER_DIR (default
# ~/.cache/gatehouse-bench/oidc-provider), outside the repository; wrk from Debian.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-8s}
WARMUP=${WARMUP:-2s}
CONNS=${CONNS:-16}
ALGS=${ALGS:-"RS256 ES256"}
MODES=${MODES:-"shared pinned"}
SERVERS=${SERVERS:-"gatehouse gatehouse-fast reference oidc-provider"}
REUSE=${REUSE:-0.5}
export OIDC_PROVIDER_DIR=${OIDC_PROVIDER_DIR:-$HOME/.cache/gatehouse-bench/oidc-provider}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
if [[ " $SERVERS " == *" oidc-provider "* && ! -d "$OIDC_PROVIDER_DIR/node_modules/oidc-provider" ]]; then
  mkdir -p "$OIDC_PROVIDER_DIR"
  (cd "$OIDC_PROVIDER_DIR" && { [[ -f package.json ]] || npm init -y >/dev/null; } && npm install --silent oidc-provider@9 >/dev/null)
fi
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
go build -o "$work/reference" ./bench/token/reference
if [[ " $SERVERS " == *" gatehouse-fast "* || "$REUSE" != 0 ]]; then
  if [[ -n "${GATEHOUSE_FAST_BIN:-}" ]]; then cp "$GATEHOUSE_FAST_BIN" "$work/gatehouse-fast"
  else scripts/build --fast -o "$work/gatehouse-fast" 2>/dev/null; fi
fi
export BENCH_CLIENT_ID=bench BENCH_CLIENT_SECRET=bench-secret
hz=$(getconf CLK_TCK)

wait_up() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# prepare ALG: a data directory whose first start is over (active and next key made).
prepare() {
  local alg=$1 port=$((30000 + RANDOM % 5000))
  GATEHOUSE_BOOTSTRAP_CLIENT_ID=bench GATEHOUSE_BOOTSTRAP_CLIENT_SECRET=bench-secret \
    "$work/gatehouse" serve --data-dir "$work/prepared-$alg" --identity-addr "127.0.0.1:$port" \
    --console-addr "" --modeler-addr "" --management-addr "" --signing-alg "$alg" --log-level warn >/dev/null 2>>"$work/server.log" &
  local p=$!
  for _ in $(seq 1 600); do
    [[ $(curl -s "http://127.0.0.1:$port/auth/realms/camunda-platform/protocol/openid-connect/certs" | grep -o '"kid"' | wc -l) -ge 2 ]] && break
    sleep 0.1
  done
  kill "$p"; wait "$p" 2>/dev/null || true
}

start() { # server alg mode port [extra gatehouse flags] → sets pid, url
  local who=$1 alg=$2 mode=$3 port=$4; shift 4
  local pin=(); [[ $mode == pinned ]] && pin=(taskset -c 0)
  case $who in
    gatehouse | gatehouse-fast)
      [[ -d "$work/prepared-$alg" ]] || prepare "$alg"
      cp -r "$work/prepared-$alg" "$work/data-$who-$alg-$mode-$port"
      GATEHOUSE_BOOTSTRAP_CLIENT_ID=bench GATEHOUSE_BOOTSTRAP_CLIENT_SECRET=bench-secret \
        "${pin[@]}" "$work/$who" serve --data-dir "$work/data-$who-$alg-$mode-$port" --identity-addr "127.0.0.1:$port" \
        --console-addr "" --modeler-addr "" --management-addr "" --signing-alg "$alg" --log-level warn "$@" \
        >/dev/null 2>>"$work/server.log" &
      pid=$!; url="http://127.0.0.1:$port/auth/realms/camunda-platform/protocol/openid-connect/token"
      wait_up "http://127.0.0.1:$port/auth/realms/camunda-platform/.well-known/openid-configuration" ;;
    reference)
      "${pin[@]}" "$work/reference" --addr "127.0.0.1:$port" --alg "$alg" 2>>"$work/server.log" &
      pid=$!; url="http://127.0.0.1:$port/token"; wait_up "http://127.0.0.1:$port/" ;;
    oidc-provider)
      "${pin[@]}" node bench/token/oidc-provider.mjs "$port" "$alg" >/dev/null 2>>"$work/server.log" &
      pid=$!; url="http://127.0.0.1:$port/token"; wait_up "http://127.0.0.1:$port/.well-known/openid-configuration" ;;
  esac
}

measure() { # label alg mode → one table row
  local label=$1 alg=$2 mode=$3
  local load=(); [[ $mode == pinned ]] && load=(taskset -c 1)
  "${load[@]}" wrk -t1 -c"$CONNS" -d"$WARMUP" -s bench/token/post.lua "$url" >/dev/null
  local c0; c0=$(cpu_ticks "$pid")
  "${load[@]}" wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s bench/token/post.lua "$url" >"$work/wrk.txt"
  local c1; c1=$(cpu_ticks "$pid")
  local rss; rss=$(awk '/VmRSS/ {r=$2} /VmHWM/ {h=$2} END {printf "%.0f / %.0f", r/1024, h/1024}' "/proc/$pid/status")
  awk -v label="$label" -v alg="$alg" -v mode="$mode" -v cpu="$(( c1 - c0 ))" -v hz="$hz" -v rss="$rss" '
    /requests in/ {total=$1}
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {errs=$5}
    $1=="50%" {p50=$2} $1=="99%" {p99=$2}
    END {
      per = (cpu > 0) ? total / (cpu / hz) : 0
      printf "| %s | %s | %s | %\047d | %\047d | %s / %s | %d / %\047d | %s MB |\n", alg, mode, label, rps, per, p50, p99, errs+0, total, rss
    }' "$work/wrk.txt"
}

{
  echo "| alg | mode | server | tokens/s | per server CPU-second | p50 / p99 | non-2xx / total | RSS at end / peak |"
  echo "|---|---|---|---|---|---|---|---|"
  port=$((20000 + RANDOM % 5000))
  for alg in $ALGS; do
    for mode in $MODES; do
      for who in $SERVERS; do
        port=$((port + 1))
        start "$who" "$alg" "$mode" "$port"
        measure "$who" "$alg" "$mode"
        kill "$pid"; wait "$pid" 2>/dev/null || true
      done
    done
  done
  if [[ "$REUSE" != 0 ]]; then
    port=$((port + 1))
    start gatehouse-fast RS256 shared "$port" --token-reuse "$REUSE"
    measure "gatehouse-fast, --token-reuse $REUSE" RS256 shared
    kill "$pid"; wait "$pid" 2>/dev/null || true
  fi
} | tee "$work/table.md"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo
echo "wrk -t1 -c$CONNS, $WARMUP warm-up + $DURATION measured per row; $(nproc) cores; load average at the end: $load; $(date -u +%F)"
if [[ "${WRITE:-0}" == 1 ]]; then
  {
    echo "<!-- peers:begin (bench/token/peers.sh WRITE=1 replaces this block) -->"
    cat "$work/table.md"
    echo
    echo "wrk -t1 -c$CONNS, $WARMUP warm-up + $DURATION measured per row; $(nproc) cores; load average at the end of the run: $load; $(date -u +%F)."
    echo "<!-- peers:end -->"
  } >"$work/block.md"
  awk -v block="$work/block.md" '
    /<!-- peers:begin/ {while ((getline l < block) > 0) print l; skip=1; next}
    /<!-- peers:end -->/ {skip=0; next}
    !skip {print}' docs/performance.md >"$work/perf.md"
  grep -q 'peers:begin' docs/performance.md || { echo "docs/performance.md has no peers markers" >&2; exit 1; }
  cp "$work/perf.md" docs/performance.md
  echo "written into docs/performance.md"
fi
