#!/usr/bin/env bash
# Token throughput with 50,000 applications, on 127.0.0.1 (bounded): one realm holds
# 50,000 M2M applications, either imported from a Keycloak export with secrets of the
# generated format (gh_cs_..., `gatehouse import keycloak`) or declared in a YAML file
# with chosen secrets (keycloak.clients[]). wrk drives the token endpoint with CONNS
# connections, WARMUP then DURATION, in two shapes: (a) one client repeatedly,
# (b) cycling over 1,000 different clients (rotate.lua). For chosen secrets (b) runs
# twice (first and second pass over the 1,000 clients). Prints tokens/s, p50/p99,
# non-2xx counts and the server's RSS.
#
#   bench/scale50k/run.sh                 # generated and chosen
#   KINDS=chosen N=50000 bench/scale50k/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-50000}
CONNS=${CONNS:-16}
WARMUP=${WARMUP:-2s}
DURATION=${DURATION:-8s}
KINDS=${KINDS:-"generated chosen"}
work=${WORK:-$(mktemp -d)}
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
go build -o "$work/gatehouse" ./cmd/gatehouse
port=$((19000 + RANDOM % 1000)); mport=$((port + 1))
url="http://127.0.0.1:$port/auth/realms/camunda-platform/protocol/openid-connect/token"

serve() { # data-dir [extra flags...]
  local dir=$1; shift
  "$work/gatehouse" serve --data-dir "$dir" --identity-addr "127.0.0.1:$port" --console-addr "" \
    --modeler-addr "" --management-addr "127.0.0.1:$mport" --log-level warn "$@" >"$work/serve.log" 2>&1 &
  gh=$!
  local t0=$(date +%s.%N)
  for _ in $(seq 1 3000); do curl -sf -o /dev/null "http://127.0.0.1:$mport/readyz" && break; sleep 0.05; done
  echo "ready after $(echo "$(date +%s.%N) - $t0" | bc) s, RSS $(rss) MiB"
}
stop() { kill "$gh"; wait "$gh" 2>/dev/null || true; }
rss() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$gh/status"; }
load() { # label lua-script [env]
  local label=$1 script=$2
  [ "$WARMUP" = 0 ] || wrk -t1 -c"$CONNS" -d"$WARMUP" -s "$script" "$url" >/dev/null
  wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$script" "$url" >"$work/wrk.txt"
  printf '%-28s %10s tokens/s  p50 %-9s p99 %-9s non-2xx %-6s RSS %s MiB\n' "$label" \
    "$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")" "$(awk '$1=="50%" {print $2}' "$work/wrk.txt")" \
    "$(awk '$1=="99%" {print $2}' "$work/wrk.txt")" "$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt" | grep . || echo 0)" "$(rss)"
}
measure() { # kind clients-file
  local kind=$1 file=$2
  export BENCH_CLIENT_ID BENCH_CLIENT_SECRET BENCH_CLIENTS=$file
  read -r BENCH_CLIENT_ID BENCH_CLIENT_SECRET < "$file"
  load "$kind (a) one client" bench/token/post.lua
  if [ "$kind" = chosen ]; then
    # no warm-up: the first pass over the 1,000 clients is inside the measured run (an argon2id-stored
    # secret would cost one argon2id per client there; declared ones are keyed digests)
    WARMUP=0 load "$kind (b) 1,000, no warm-up" bench/scale50k/rotate.lua
    load "$kind (b) 1,000 again" bench/scale50k/rotate.lua
  else
    load "$kind (b) 1,000 clients" bench/scale50k/rotate.lua
  fi
}

for kind in $KINDS; do
  dir="$work/data-$kind"
  case $kind in
  generated)
    go run ./bench/importgen -clients "$N" -secrets generated >"$work/gen.json"
    jq -r '.clients[:1000][] | "\(.clientId) \(.secret)"' "$work/gen.json" >"$work/gen1000.txt"
    serve "$dir"; stop   # the first start creates the realm
    /usr/bin/time -f "import: %e s" "$work/gatehouse" import keycloak "$work/gen.json" --data-dir "$dir" --output json >/dev/null
    serve "$dir"
    measure generated "$work/gen1000.txt"; stop ;;
  chosen)
    python3 - "$N" "$work" <<'PY'
import secrets, sys
n, work = int(sys.argv[1]), sys.argv[2]
with open(f"{work}/chosen.yaml", "w") as y, open(f"{work}/chosen1000.txt", "w") as f:
    y.write("keycloak:\n  clients:\n")
    for i in range(n):
        cid, s = f"chosen-{i:06d}", secrets.token_urlsafe(24)
        y.write(f"    - name: {cid}\n      id: {cid}\n      secret: {s}\n      type: M2M\n      permissions:\n"
                f"        - resource-server-id: operate-api\n          definition: \"read:*\"\n")
        if i < 1000:
            f.write(f"{cid} {s}\n")
PY
    echo -n "first start with $N declared clients: "; serve "$dir" --config "$work/chosen.yaml"; stop
    echo -n "restart: "; serve "$dir" --config "$work/chosen.yaml"
    measure chosen "$work/chosen1000.txt"; stop ;;
  esac
done
