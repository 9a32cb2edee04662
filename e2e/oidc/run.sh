#!/usr/bin/env bash
# End-to-end test of Gatehouse as an OpenID Provider for people: builds gatehouse,
# starts it on free loopback ports with one user (KEYCLOAK_USERS_0_*) and two web
# applications declared the Camunda way (a CONFIDENTIAL one whose redirect URI is
# relative to its root URL, a PUBLIC one), installs openid-client and playwright-core
# from the committed lockfile (npm ci, no browser download), and runs `node --test`:
# two openid-client relying parties and Debian's /usr/bin/chromium sign in, use single
# sign-on, prompt=none and logout. Stops everything it started.
#
#   e2e/oidc/run.sh [SCREENSHOT_DIR]     (screenshots only when a directory is given)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shots="${1:-${SCREENSHOT_DIR:-}}"
if [ -n "$shots" ]; then mkdir -p "$shots"; shots="$(cd "$shots" && pwd)"; fi
. "$here/../lib.sh" # work, pids (killed on exit), chromium, free_port, random_hex

(cd "$root" && CGO_ENABLED=0 go build -o "$work/gatehouse" ./cmd/gatehouse)
id_port="$(free_port)"; conf_port="$(free_port)"; pub_port="$(free_port)"; trap_port="$(free_port)"
password="oidc-$(random_hex 12)"
secret="oidc-$(random_hex 16)"
identity="http://127.0.0.1:$id_port"
conf="http://127.0.0.1:$conf_port"
pub="http://127.0.0.1:$pub_port"

env -i PATH="$PATH" HOME="$work" \
	KEYCLOAK_USERS_0_USERNAME=demo KEYCLOAK_USERS_0_PASSWORD="$password" KEYCLOAK_USERS_0_EMAIL=demo@example.com \
	KEYCLOAK_USERS_0_FIRST_NAME=Demo KEYCLOAK_USERS_0_LAST_NAME=User \
	KEYCLOAK_CLIENTS_0_NAME='Confidential e2e app' KEYCLOAK_CLIENTS_0_ID=oidc-confidential KEYCLOAK_CLIENTS_0_SECRET="$secret" \
	KEYCLOAK_CLIENTS_0_TYPE=CONFIDENTIAL KEYCLOAK_CLIENTS_0_ROOT_URL="$conf" \
	KEYCLOAK_CLIENTS_0_REDIRECT_URIS_0=/callback \
	KEYCLOAK_CLIENTS_0_POST_LOGOUT_REDIRECT_URIS_0="$conf/logged-out" \
	KEYCLOAK_CLIENTS_1_NAME='Public e2e app' KEYCLOAK_CLIENTS_1_ID=oidc-public KEYCLOAK_CLIENTS_1_TYPE=PUBLIC \
	KEYCLOAK_CLIENTS_1_ROOT_URL="$pub" \
	KEYCLOAK_CLIENTS_1_REDIRECT_URIS_0="$pub/callback" \
	KEYCLOAK_CLIENTS_1_POST_LOGOUT_REDIRECT_URIS_0="$pub/logged-out" \
	KEYCLOAK_CLIENTS_1_WEB_ORIGINS_0="$pub" \
	"$work/gatehouse" serve --data-dir "$work/data" --identity-addr "127.0.0.1:$id_port" --identity-public-url "$identity" \
	--console-addr '' --modeler-addr '' --management-addr '' >"$work/server.log" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 1 100); do
	if curl -fs -o /dev/null "$identity/auth/realms/camunda-platform/.well-known/openid-configuration"; then break; fi
	if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log"; exit 1; fi
	sleep 0.1
done

cd "$here"
[ -d node_modules/openid-client ] && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --ignore-scripts
status=0
env IDENTITY_URL="$identity" OIDC_USER=demo OIDC_PASSWORD="$password" OIDC_EMAIL=demo@example.com \
	OIDC_FIRST_NAME=Demo OIDC_LAST_NAME=User \
	CONFIDENTIAL_CLIENT_ID=oidc-confidential CONFIDENTIAL_CLIENT_SECRET="$secret" CONFIDENTIAL_PORT="$conf_port" \
	PUBLIC_CLIENT_ID=oidc-public PUBLIC_PORT="$pub_port" TRAP_PORT="$trap_port" \
	SCREENSHOT_DIR="$shots" CHROMIUM="$chromium" \
	timeout 180 node --test --test-concurrency=1 --test-timeout=60000 oidc.test.mjs || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log"; tail -50 "$work/server.log"; fi
# The server log must never hold the user's password or the application's secret.
if grep -qF "$password" "$work/server.log"; then echo "the server log holds the user's password"; status=1; fi
if grep -qF "$secret" "$work/server.log"; then echo "the server log holds the application's secret"; status=1; fi
exit "$status"
