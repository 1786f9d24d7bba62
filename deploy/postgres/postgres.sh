#!/usr/bin/env bash
# A throwaway local PostgreSQL for development and tests, from the machine's own PostgreSQL binaries.
#
#   deploy/postgres/postgres.sh start | stop | status | url | createdb NAME | reset
#
# It never touches a system cluster: its data lives in .cache/postgres-<port> (git-ignored), it listens
# on 127.0.0.1 only, and it trusts local connections (no password) — for tests, never for production.
# As root it runs the server as the `postgres` user, which refuses to run as root.
#
# Settings (environment):
#   EISO_PG_PORT       port on 127.0.0.1                    (default 55432)
#   EISO_PG_STATE_DIR  data folder                          (default .cache/postgres-<port>)
#   EISO_PG_DURABLE    1 keeps fsync on (default 0: test data need not survive a power cut)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
port=${EISO_PG_PORT:-55432}
state=${EISO_PG_STATE_DIR:-$root/.cache/postgres-$port}
data=$state/data

say() { printf 'postgres: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

bindir() {
  local dir
  if command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ]; then pg_config --bindir; return; fi
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  command -v pg_ctl >/dev/null && { dirname "$(readlink -f "$(command -v pg_ctl)")"; return; }
  die "PostgreSQL server binaries not found: install them (apt-get install postgresql)"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$(bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  if running; then say "already running on 127.0.0.1:$port"; return 0; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is taken by another server; set EISO_PG_PORT"
  fi
  local bin; bin=$(bindir)
  mkdir -p "$state"
  [ "$(id -u)" = 0 ] && { as_owner true; chown -R postgres "$state"; }
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
      || { cat "$state/initdb.log" >&2; die "initdb failed"; }
  fi
  local fast=""
  [ "${EISO_PG_DURABLE:-0}" = 1 ] || fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_owner "$bin/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 \
    -o "-p $port -h 127.0.0.1 -k $state -c max_connections=200 $fast" start >/dev/null \
    || { tail -20 "$state/server.log" >&2; die "could not start (log: $state/server.log)"; }
  say "ready on 127.0.0.1:$port"
}

stop() {
  running || { say "not running"; return 0; }
  as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  say "stopped"
}

psql_() { as_owner "$(bindir)/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

createdb_() {
  local name=$1
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || die "database name must be lower-case letters, digits and _"
  if [ -z "$(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql_ -d postgres -c "CREATE DATABASE $name"
    say "created database $name"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "postgres: running on 127.0.0.1:$port"; else echo "postgres: stopped"; exit 3; fi ;;
  url) echo "postgresql://postgres@127.0.0.1:$port/postgres" ;;
  createdb) [ -n "${2:-}" ] || die "usage: $0 createdb NAME"; createdb_ "$2" ;;
  reset) stop; rm -rf "$state"; say "state removed" ;;
  *) echo "usage: $0 start|stop|status|url|createdb NAME|reset" >&2; exit 2 ;;
esac
