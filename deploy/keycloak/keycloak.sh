#!/usr/bin/env bash
# A local Keycloak (an OpenID Connect provider) for trying single sign-on, and for the tests.
#
#   deploy/keycloak/keycloak.sh fetch | start | stop
#
# `start` runs Keycloak in development mode on 127.0.0.1 with the realm in EISO_KEYCLOAK_REALM_FILE
# (default: deploy/keycloak/realm-example.json — realm "eiso", client "eiso", two people) imported,
# and returns once the realm's discovery document answers. Keycloak comes from Maven Central
# (org.keycloak:keycloak-quarkus-dist, through `mvn`) and is cached in .cache/keycloak-<version>;
# it needs Java 21 or newer (found on PATH, under /usr/lib/jvm, or given as EISO_KEYCLOAK_JAVA_HOME).
#
# Settings (environment):
#   EISO_KEYCLOAK_PORT        HTTP port on 127.0.0.1          (default 8180)
#   EISO_KEYCLOAK_STATE_DIR   its data, log and pid file      (default .cache/keycloak-run-<port>)
#   EISO_KEYCLOAK_REALM_FILE  the realm to import
#   EISO_KEYCLOAK_TIMEOUT     seconds to wait for it          (default 180)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
version=26.5.6
port=${EISO_KEYCLOAK_PORT:-8180}
state=${EISO_KEYCLOAK_STATE_DIR:-$root/.cache/keycloak-run-$port}
realm_file=${EISO_KEYCLOAK_REALM_FILE:-$here/realm-example.json}
timeout=${EISO_KEYCLOAK_TIMEOUT:-180}
home=$root/.cache/keycloak-$version

say() { printf 'keycloak: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
[[ "$port" =~ ^[0-9]{1,5}$ ]] || die "EISO_KEYCLOAK_PORT must be a port number, not '$port'"

java_home() {
  # Keycloak 26 needs Java 21+: the first one found.
  local candidates=("${EISO_KEYCLOAK_JAVA_HOME:-}")
  if command -v java >/dev/null; then candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"); fi
  for dir in /usr/lib/jvm/*; do candidates+=("$dir"); done
  for dir in "${candidates[@]}"; do
    [ -n "$dir" ] && [ -x "$dir/bin/java" ] || continue
    local major
    major=$("$dir/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then echo "$dir"; return 0; fi
  done
  die "Keycloak $version needs Java 21 or newer (found none; install one, e.g. a Temurin 21 or 25 JDK, or set EISO_KEYCLOAK_JAVA_HOME)"
}

fetch() {
  [ -x "$home/bin/kc.sh" ] && return 0
  command -v mvn >/dev/null || die "mvn not found: install Maven (e.g. apt-get install maven)"
  command -v unzip >/dev/null || die "unzip not found (apt-get install unzip)"
  say "fetching Keycloak $version from Maven Central (once; cached in ${home#"$root"/})"
  local download=$root/.cache/keycloak-download
  rm -rf "$download" && mkdir -p "$download"
  mvn -q -B dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$version:zip" \
      -DoutputDirectory="$download" >"$download/mvn.log" 2>&1 \
    || { tail -20 "$download/mvn.log" >&2; die "mvn could not fetch Keycloak $version"; }
  unzip -q -o "$download/keycloak-quarkus-dist-$version.zip" -d "$download"
  rm -rf "$home" && mv "$download/keycloak-$version" "$home" && rm -rf "$download"
}

running_pid() {
  [ -f "$state/keycloak.pid" ] || return 1
  local pid; pid=$(cat "$state/keycloak.pid")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  fetch
  if running_pid >/dev/null; then say "already running on 127.0.0.1:$port"; return 0; fi
  [ -f "$realm_file" ] || die "no realm file at $realm_file"
  local java; java=$(java_home)
  rm -rf "$state" && mkdir -p "$state/import" "$state/data"
  cp "$realm_file" "$state/import/realm.json"
  # Keycloak imports from its own data/import; each state dir keeps its own copy of the server.
  cp -r "$home" "$state/server"
  mkdir -p "$state/server/data/import" && cp "$realm_file" "$state/server/data/import/realm.json"
  say "starting on 127.0.0.1:$port (Java: $java)"
  JAVA_HOME=$java JAVA_OPTS_APPEND="--add-opens=java.base/java.lang=ALL-UNNAMED" \
    KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    nohup "$state/server/bin/kc.sh" start-dev --http-host 127.0.0.1 --http-port "$port" \
      --http-management-port "$((port + 1))" --import-realm >"$state/keycloak.log" 2>&1 &
  echo $! >"$state/keycloak.pid"
  local realm; realm=$(sed -n 's/.*"realm": *"\([^"]*\)".*/\1/p' "$realm_file" | head -1)
  local deadline=$((SECONDS + timeout))
  until curl -fsS "http://127.0.0.1:$port/realms/$realm/.well-known/openid-configuration" >/dev/null 2>&1; do
    if ! running_pid >/dev/null; then tail -30 "$state/keycloak.log" >&2; die "Keycloak exited (log: $state/keycloak.log)"; fi
    [ $SECONDS -lt $deadline ] || { tail -30 "$state/keycloak.log" >&2; die "Keycloak not ready after ${timeout}s"; }
    sleep 1
  done
  say "ready: http://127.0.0.1:$port/realms/$realm"
}

stop() {
  local pid
  if pid=$(running_pid); then
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$state/keycloak.pid"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 fetch|start|stop" >&2; exit 2 ;;
esac
