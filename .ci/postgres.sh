# Sourced by .ci/run: a throw-away PostgreSQL server for the tests of the PostgreSQL history
# store. Installs Debian's `postgresql` when its binaries are missing, makes a cluster in a
# temp dir as the `postgres` user (the server refuses to run as root), starts it on a free
# loopback port and exports its URL as SVCMGR_TEST_PG_URL. An EXIT trap stops it and removes it.

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(pg_bin_dir)" ] || ! id postgres >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN="$(pg_bin_dir)"
PG_DIR="$(mktemp -d /tmp/svcmgr-ci-pg.XXXXXX)"
chown postgres: "$PG_DIR"
# A random password, checked by the server on TCP (scram): the tests use it, PGPASSFILE included.
PG_PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$PG_PASSWORD" >"$PG_DIR/pw"
chown postgres: "$PG_DIR/pw"
chmod 600 "$PG_DIR/pw"
PG_PORT="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"

stop_test_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_test_postgres EXIT

# No fsync: the cluster is thrown away at exit, durability across a crash of the machine is moot.
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --pwfile="$PG_DIR/pw" \
  --auth-local=peer --auth-host=scram-sha-256 --no-sync --no-instructions >"$PG_DIR/initdb.log" 2>&1 \
  || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
export SVCMGR_TEST_PG_URL="postgresql://postgres:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
