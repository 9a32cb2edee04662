#!/usr/bin/env bash
# Browser tests of the web console: builds gatehouse, starts it on free loopback ports
# with a known first user (KEYCLOAK_USERS_0_*) and a cluster whose components are a fake
# that the test can switch from healthy to unhealthy (on loopback, so --outbound-allow
# lets the prober reach it), drives Debian's /usr/bin/chromium
# with npm playwright-core (`node --test`), writes screenshots of each main page and
# stops everything.
#
#   e2e/ui/run.sh [SCREENSHOT_DIR]     (default e2e/ui/screenshots; also $SCREENSHOT_DIR)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shots="${1:-${SCREENSHOT_DIR:-$here/screenshots}}"
mkdir -p "$shots"
shots="$(cd "$shots" && pwd)"
. "$here/../lib.sh" # work, pids (killed on exit), chromium, free_port, random_hex

(cd "$root" && CGO_ENABLED=0 go build -o "$work/gatehouse" ./cmd/gatehouse)
id_port="$(free_port)"; console_port="$(free_port)"; fake_port="$(free_port)"
password="ui-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

node "$here/fake-component.mjs" "$fake_port" >"$work/fake.log" 2>&1 &
pids+=($!)

fake="http://127.0.0.1:$fake_port"
cat >"$work/gatehouse.yaml" <<YAML
clusters:
  - name: e2e-cluster
    namespace: camunda
    version: 8.8.0
    tags: [e2e]
    components:
      - id: operate
        name: Operate
        version: 8.8.0
        url: $fake/operate
        readiness: $fake/operate/actuator/health/readiness
        metrics: $fake/operate/actuator/prometheus
      - id: tasklist
        name: Tasklist
        version: 8.8.0
        url: $fake/tasklist
        readiness: $fake/tasklist/actuator/health/readiness
        metrics: $fake/tasklist/actuator/prometheus
YAML

env -i PATH="$PATH" HOME="$work" \
	KEYCLOAK_USERS_0_USERNAME=demo KEYCLOAK_USERS_0_PASSWORD="$password" KEYCLOAK_USERS_0_EMAIL=demo@example.com \
	KEYCLOAK_USERS_0_ROLES_0=Identity \
	"$work/gatehouse" serve --config "$work/gatehouse.yaml" --data-dir "$work/data" \
	--identity-addr "127.0.0.1:$id_port" --console-addr "127.0.0.1:$console_port" --modeler-addr '' --management-addr '' \
	--cluster-probe-interval 1s --cluster-probe-timeout 1s --outbound-allow 127.0.0.0/8 >"$work/server.log" 2>&1 &
pids+=($!)
server_pid=$!
for _ in $(seq 1 100); do
	if curl -fs -o /dev/null "http://127.0.0.1:$console_port/signin"; then break; fi
	if ! kill -0 "$server_pid" 2>/dev/null; then cat "$work/server.log"; exit 1; fi
	sleep 0.1
done

cd "$here"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --ignore-scripts
status=0
env CONSOLE_URL="http://127.0.0.1:$console_port" IDENTITY_URL="http://127.0.0.1:$id_port" \
	UI_USER=demo UI_PASSWORD="$password" FAKE_URL="$fake" SCREENSHOT_DIR="$shots" CHROMIUM="$chromium" \
	node --test --test-concurrency=1 console.test.mjs || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log"; tail -50 "$work/server.log"; fi
# The server log must never hold the user's password (checklist D6).
if grep -qF "$password" "$work/server.log"; then echo "the server log holds the user's password"; status=1; fi
echo "screenshots: $shots"
exit "$status"
