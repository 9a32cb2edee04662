# Shared set-up of the end-to-end suites (sourced by e2e/*/run.sh): a work directory
# and the processes started, both cleaned up on exit; Debian's chromium, installed when
# missing; free loopback ports and random hex.
work="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

chromium=/usr/bin/chromium
if [ ! -x "$chromium" ]; then
	echo "installing Debian's chromium"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
