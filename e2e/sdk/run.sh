#!/usr/bin/env bash
# End-to-end test of the Web Modeler API with the official JavaScript SDK: builds
# gatehouse, starts it on free loopback ports with a seeded M2M application that
# holds create/read/update/delete on the Web Modeler API, installs the SDK from the
# committed lockfile (npm ci), runs `node --test` and stops the server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

(cd "$root" && CGO_ENABLED=0 go build -o "$work/gatehouse" ./cmd/gatehouse)
id_port="$(free_port)"; modeler_port="$(free_port)"
secret="e2e-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

env -i PATH="$PATH" HOME="$work" \
	KEYCLOAK_CLIENTS_0_NAME=sdk-e2e KEYCLOAK_CLIENTS_0_ID=sdk-e2e KEYCLOAK_CLIENTS_0_SECRET="$secret" KEYCLOAK_CLIENTS_0_TYPE=M2M \
	KEYCLOAK_CLIENTS_0_PERMISSIONS_0_RESOURCE_SERVER_ID=web-modeler-public-api KEYCLOAK_CLIENTS_0_PERMISSIONS_0_DEFINITION='create:*' \
	KEYCLOAK_CLIENTS_0_PERMISSIONS_1_RESOURCE_SERVER_ID=web-modeler-public-api KEYCLOAK_CLIENTS_0_PERMISSIONS_1_DEFINITION='read:*' \
	KEYCLOAK_CLIENTS_0_PERMISSIONS_2_RESOURCE_SERVER_ID=web-modeler-public-api KEYCLOAK_CLIENTS_0_PERMISSIONS_2_DEFINITION='update:*' \
	KEYCLOAK_CLIENTS_0_PERMISSIONS_3_RESOURCE_SERVER_ID=web-modeler-public-api KEYCLOAK_CLIENTS_0_PERMISSIONS_3_DEFINITION='delete:*' \
	"$work/gatehouse" serve --data-dir "$work/data" --identity-addr "127.0.0.1:$id_port" --modeler-addr "127.0.0.1:$modeler_port" \
	--console-addr '' --management-addr '' >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	if curl -fs -o /dev/null "http://127.0.0.1:$modeler_port/api/v1/openapi.json"; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log"; exit 1; fi
	sleep 0.1
done

cd "$here"
[ -d node_modules/@camunda8/sdk ] || npm ci --no-audit --no-fund --ignore-scripts
mkdir -p "$work/token-cache"
status=0
env CAMUNDA_OAUTH_URL="http://localhost:$id_port/auth/realms/camunda-platform/protocol/openid-connect/token" \
	ZEEBE_CLIENT_ID=sdk-e2e ZEEBE_CLIENT_SECRET="$secret" \
	CAMUNDA_MODELER_BASE_URL="http://localhost:$modeler_port/api" \
	CAMUNDA_TOKEN_CACHE_DIR="$work/token-cache" \
	node --test --test-concurrency=1 modeler.test.mjs || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log"; tail -50 "$work/server.log"; fi
exit "$status"
