#!/usr/bin/env bash
# End-to-end test with oauth2-proxy (a generic OpenID Connect relying party) in front of a
# test upstream, Gatehouse as its provider: builds gatehouse, builds oauth2-proxy from the
# tools module in tool/ (kept out of Gatehouse's go.mod; the binary is cached under
# ~/.cache/gatehouse-e2e keyed by its version, the Go version and tool/go.sum, so only
# the first run pays the build of a few minutes), starts Gatehouse with one user and
# oauth2-proxy's CONFIDENTIAL application, the upstream and oauth2-proxy on free loopback
# ports, and runs `node --test` with playwright-core driving Debian's /usr/bin/chromium.
# Stops everything it started.
#
#   e2e/oauth2proxy/run.sh [SCREENSHOT_DIR]     (screenshots only when a directory is given)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shots="${1:-${SCREENSHOT_DIR:-}}"
if [ -n "$shots" ]; then mkdir -p "$shots"; shots="$(cd "$shots" && pwd)"; fi
. "$here/../lib.sh" # work, pids (killed on exit), chromium, free_port, random_hex
# wait_http URL PID LOG: until URL answers 2xx, or the process has exited (then its log).
wait_http() {
	for _ in $(seq 1 100); do
		if curl -fs -o /dev/null "$1"; then return 0; fi
		if ! kill -0 "$2" 2>/dev/null; then echo "--- $3"; tail -50 "$3"; return 1; fi
		sleep 0.1
	done
	echo "$1 did not answer in 10 s"; echo "--- $3"; tail -50 "$3"; return 1
}

# oauth2-proxy, built once per version, Go version and dependency set.
version="$(awk '$1 == "github.com/oauth2-proxy/oauth2-proxy/v7" { print $2 }' "$here/tool/go.mod")"
key="$version-$(go env GOVERSION)-$(sha256sum "$here/tool/go.sum" | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse-e2e"
proxy_bin="$cache/oauth2-proxy-$key"
if [ ! -x "$proxy_bin" ]; then
	echo "building oauth2-proxy $version (cached afterwards as $proxy_bin)"
	mkdir -p "$cache"
	start=$SECONDS
	(cd "$here/tool" && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/oauth2-proxy/oauth2-proxy/v7/pkg/version.VERSION=$version" \
		-o "$proxy_bin.tmp" github.com/oauth2-proxy/oauth2-proxy/v7)
	mv "$proxy_bin.tmp" "$proxy_bin"
	echo "built oauth2-proxy in $((SECONDS - start)) s"
fi

(cd "$root" && CGO_ENABLED=0 go build -o "$work/gatehouse" ./cmd/gatehouse)
id_port="$(free_port)"; proxy_port="$(free_port)"; up_port="$(free_port)"
password="o2p-$(random_hex 12)"
secret="o2p-$(random_hex 16)"
identity="http://127.0.0.1:$id_port"
issuer="$identity/auth/realms/camunda-platform"
proxy="http://127.0.0.1:$proxy_port"

env -i PATH="$PATH" HOME="$work" \
	KEYCLOAK_USERS_0_USERNAME=demo KEYCLOAK_USERS_0_PASSWORD="$password" KEYCLOAK_USERS_0_EMAIL=demo@example.com \
	KEYCLOAK_USERS_0_FIRST_NAME=Demo KEYCLOAK_USERS_0_LAST_NAME=User \
	KEYCLOAK_CLIENTS_0_NAME=oauth2-proxy KEYCLOAK_CLIENTS_0_ID=oauth2-proxy KEYCLOAK_CLIENTS_0_SECRET="$secret" \
	KEYCLOAK_CLIENTS_0_TYPE=CONFIDENTIAL KEYCLOAK_CLIENTS_0_ROOT_URL="$proxy" \
	KEYCLOAK_CLIENTS_0_REDIRECT_URIS_0="$proxy/oauth2/callback" \
	KEYCLOAK_CLIENTS_0_POST_LOGOUT_REDIRECT_URIS_0="$proxy/" \
	"$work/gatehouse" serve --data-dir "$work/data" --identity-addr "127.0.0.1:$id_port" --identity-public-url "$identity" \
	--console-addr '' --modeler-addr '' --management-addr '' >"$work/server.log" 2>&1 &
pids+=($!)
wait_http "$issuer/.well-known/openid-configuration" $! "$work/server.log"

node "$here/upstream.mjs" "$up_port" >"$work/upstream.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$up_port/" $! "$work/upstream.log"

# oauth2-proxy discovers the issuer at start; http and an unverified email are allowed
# only because everything runs on loopback with a test user.
env -i PATH="$PATH" HOME="$work" "$proxy_bin" \
	--provider=oidc --oidc-issuer-url="$issuer" \
	--client-id=oauth2-proxy --client-secret="$secret" --code-challenge-method=S256 \
	--redirect-url="$proxy/oauth2/callback" --scope="openid email profile" \
	--oidc-groups-claim=groups --insecure-oidc-allow-unverified-email --email-domain='*' \
	--cookie-secret="$(random_hex 16)" --cookie-secure=false --cookie-name=_e2e_oauth2_proxy \
	--skip-provider-button --pass-access-token \
	--upstream="http://127.0.0.1:$up_port/" --http-address="127.0.0.1:$proxy_port" >"$work/proxy.log" 2>&1 &
pids+=($!)
wait_http "$proxy/ping" $! "$work/proxy.log"

cd "$here"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --ignore-scripts
status=0
env IDENTITY_URL="$identity" PROXY_URL="$proxy" OIDC_USER=demo OIDC_PASSWORD="$password" OIDC_EMAIL=demo@example.com \
	CLIENT_ID=oauth2-proxy SCREENSHOT_DIR="$shots" CHROMIUM="$chromium" \
	timeout 120 node --test --test-concurrency=1 --test-timeout=60000 oauth2proxy.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
	echo "--- server log"; tail -50 "$work/server.log"
	echo "--- oauth2-proxy log"; tail -30 "$work/proxy.log" | cut -c1-400
fi
# No log may hold the user's password or the application's secret.
for log in "$work/server.log" "$work/proxy.log" "$work/upstream.log"; do
	if grep -qF "$password" "$log"; then echo "$(basename "$log") holds the user's password"; status=1; fi
	if grep -qF "$secret" "$log"; then echo "$(basename "$log") holds the application's secret"; status=1; fi
done
exit "$status"
