#!/usr/bin/env bash
# Runs the example services' tasks under a throw-away root (mktemp -d):
# validation, a refused run, dry runs, a confirmation task, a failing check
# with its alert, then status, schedules and history.
#
#   bash conf-examples/demo.sh          # from the repository, after npm ci
#   KEEP=1 bash conf-examples/demo.sh   # keep the root to look around
#
# Needs root: the backup task switches to user nobody. Exits non-zero when
# a command does not end with the exit code shown next to it.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EXAMPLES="$REPO/conf-examples"
CLI="$REPO/dist/svcmgr.cjs"

if [ "$(id -u)" -ne 0 ]; then
  echo "demo.sh: run it as root (the db backup task switches to user nobody): sudo bash $0" >&2
  exit 2
fi

# Build the CLI when it is missing or older than the sources.
if [ ! -f "$CLI" ] || [ -n "$(find "$REPO/src" -newer "$CLI" -name '*.ts' -print -quit)" ]; then
  echo "# building the CLI (npm run build)"
  (cd "$REPO" && npm run --silent build)
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/svcmgr-demo.XXXXXX")
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "# kept $ROOT (svcmgr --root $ROOT ...); remove it with: rm -rf $ROOT"
  else
    rm -rf "$ROOT"
  fi
}
trap cleanup EXIT

# The demo's svcmgr: everything under $ROOT (etc/, var/, log/), stdin closed
# so that a confirmation task never waits for a terminal.
svcmgr() { node "$CLI" --root "$ROOT" "$@" </dev/null; }

# step EXPECTED_EXIT ARGS...: show the command, run it, check its exit code.
step() {
  local want=$1 got=0
  shift
  printf '\n$ svcmgr'
  local a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+%#-]+$ ]]; then printf ' %s' "$a"; else printf " '%s'" "$a"; fi
  done
  printf '\n'
  svcmgr "$@" || got=$?
  if [ "$got" -ne "$want" ]; then
    echo "demo.sh: 'svcmgr $*' exited with $got, expected $want" >&2
    exit 1
  fi
  if [ "$want" -ne 0 ]; then echo "# exit code $got, as expected"; fi
}

say() { printf '\n# %s\n' "$*"; }

say "root: $ROOT"
# Config files must be owned by root and writable by no one else: as root,
# svcmgr refuses to run commands from a group- or world-writable file.
# var/ is created 0755 so that user nobody (the backup task) can reach its
# dump directory inside it.
umask 022
chmod 0755 "$ROOT"
install -d -m 0755 -o root -g root "$ROOT/etc" "$ROOT/var"
for conf in "$EXAMPLES"/*.conf; do
  install -m 0644 -o root -g root "$conf" "$ROOT/etc/"
done
chmod go-w "$ROOT/etc" "$ROOT"/etc/*.conf

say "the services and their configurations"
step 0 ls
step 0 -s 'db,webapp,maintenance' validate config

say "db: the backup needs fs#data, which does not exist yet: refused"
step 1 -s db run --tags backup
say "create the data (task#init), then back up (as nobody)"
step 0 -s db run --rid task#init
step 0 -s db run --tags backup
say "a dry run shows how a task would run: shell or direct exec, user, directory, argv"
say "(tags: ',' is OR, '+' is AND and binds tighter)"
step 0 -s db run --dry-run --tags backup+nightly,maintenance
say "restore needs a human's yes: without a terminal and without --confirm it is refused"
step 1 -s db run --rid task#restore
step 0 -s db run --rid task#restore --confirm

say "webapp: tasks gated by ip#0, fs#0 and app#0, which are up"
step 0 -s webapp run --tags health
say "task#reindex needs app#worker, which is down: refused by hand, skipped as the scheduler would"
step 1 -s webapp run --rid task#reindex
step 0 -s webapp run --rid task#reindex --cron

say "maintenance: log cleanup removes a 10-day-old log and keeps a fresh one"
logs="$ROOT/var/svc/maintenance/logs"
mkdir -p "$logs"
touch -d '10 days ago' "$logs/old.log"
touch "$logs/today.log"
step 0 -s maintenance run --rid task#logs
ls "$logs"
say "disk check with a threshold of 0% (--env overrides the task's THRESHOLD): fails, on_error raises an alert"
step 1 -s maintenance run --rid task#disk --env THRESHOLD=0
cat "$ROOT/var/svc/maintenance/alerts.log"
step 0 -s maintenance run --rid task#vacuum

say "status, schedules and history"
step 0 -s db print status
step 0 -s webapp print status
step 0 -s maintenance print status
step 0 -s 'db,webapp,maintenance' print schedule
step 0 -s db print history
backup_id=$(svcmgr -s db print history --rid task#backup --limit 1 --format json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s)[0].id))')
step 0 -s db print run "$backup_id"

say "schedules in both syntaxes; the cron one meets the spring-forward gap in Paris"
step 0 schedule next '~02:00-04:00' --timezone UTC --count 3
step 0 schedule next '30 2 * * *' --timezone Europe/Paris --now 2025-03-29T12:00 --count 3

say "done"
