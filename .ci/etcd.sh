# Sourced by .ci/run: a throw-away etcd for the cluster tests (membership, ownership, slot
# claims). Installs Debian's `etcd-server` when the binary is missing, starts one member on
# free loopback ports with its data in a temp dir, waits until it answers, and exports its
# client URL as SVCMGR_TEST_ETCD_URL (tests that stop or restart etcd start their own from the
# same binary). An EXIT trap stops it and removes it.

if ! command -v etcd >/dev/null; then
  # The package's own etcd service is not wanted: a policy-rc.d refusing every start keeps it from starting.
  etcd_no_start=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    etcd_no_start=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$etcd_no_start" && chmod 755 "$etcd_no_start"
  fi
  apt-get update -qq && apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
  [ -z "$etcd_no_start" ] || rm -f "$etcd_no_start"
fi
ETCD_DIR="$(mktemp -d /tmp/svcmgr-ci-etcd.XXXXXX)"
free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}
ETCD_CLIENT_PORT="$(free_port)"
ETCD_PEER_PORT="$(free_port)"
while [ "$ETCD_PEER_PORT" = "$ETCD_CLIENT_PORT" ]; do ETCD_PEER_PORT="$(free_port)"; done

etcd --name svcmgr-ci --data-dir "$ETCD_DIR/data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "svcmgr-ci=http://127.0.0.1:$ETCD_PEER_PORT" >"$ETCD_DIR/etcd.log" 2>&1 &
ETCD_PID=$!

stop_test_etcd() {
  kill "$ETCD_PID" 2>/dev/null || true
  wait "$ETCD_PID" 2>/dev/null || true
  rm -rf "$ETCD_DIR"
}
# One EXIT trap for every throw-away server: chain onto the one already set (PostgreSQL's).
previous_exit_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")"
trap "stop_test_etcd; ${previous_exit_trap:-:}" EXIT

for _ in $(seq 1 100); do
  if node -e 'fetch(process.argv[1], { method: "POST", body: "{\"key\":\"AA==\"}" }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "http://127.0.0.1:$ETCD_CLIENT_PORT/v3/kv/range"; then break; fi
  kill -0 "$ETCD_PID" 2>/dev/null || { cat "$ETCD_DIR/etcd.log" >&2; exit 1; }
  sleep 0.2
done
export SVCMGR_TEST_ETCD_URL="http://127.0.0.1:$ETCD_CLIENT_PORT"
