#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft) broker for development and tests.
#
#   deploy/kafka/kafka.sh fetch | start [--secure] | stop | status | logs | reset
#
# `start --secure` listens with SASL_SSL and SCRAM-SHA-512 instead of PLAINTEXT (as production does):
# a self-signed certificate for localhost/127.0.0.1 (trust it with $state/secure/ca.pem) and one user,
# `eiso`, whose password is in $state/secure/password. Inter-broker traffic stays on a PLAINTEXT
# listener bound to 127.0.0.1 (EISO_KAFKA_INTERNAL_PORT, default client port + 2).
# Secure mode also authorizes every request (StandardAuthorizer, nothing allowed without an ACL): `eiso`
# and the unauthenticated local controller and inter-broker listeners (User:ANONYMOUS, 127.0.0.1 only)
# are super users; an outside system gets a SCRAM user of its own and one ACL, to write to its topic
# eiso.inbound.records.<system id>, from the identity service (POST /broker-accounts).
#
# The broker's jars come from Maven Central through `mvn` (deploy/kafka/pom.xml) and are cached in
# .cache/kafka-<version>/libs (git-ignored); KAFKA_HOME points at an unpacked Apache Kafka instead.
# Every command is idempotent: `start` on a running broker and `stop` on a stopped one succeed.
#
# Settings (environment):
#   EISO_KAFKA_PORT             client port on 127.0.0.1            (default 9092)
#   EISO_KAFKA_CONTROLLER_PORT  KRaft controller port               (default 9093)
#   EISO_KAFKA_STATE_DIR        data, logs and pid file             (default .cache/kafka-run-<port>)
#   EISO_KAFKA_HEAP             JVM heap                            (default 512m)
#   EISO_KAFKA_START_TIMEOUT    seconds to wait for the broker      (default 90)
#   EISO_KAFKA_EXTRA_PROPERTIES more server.properties lines, key=value one a line, written last so
#                               they win (tests: log.retention.ms=4000 makes old segments go in seconds)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")
port=${EISO_KAFKA_PORT:-9092}
controller_port=${EISO_KAFKA_CONTROLLER_PORT:-9093}
state=${EISO_KAFKA_STATE_DIR:-$root/.cache/kafka-run-$port}
heap=${EISO_KAFKA_HEAP:-512m}
timeout=${EISO_KAFKA_START_TIMEOUT:-90}
pidfile=$state/kafka.pid
logfile=$state/kafka.out
secure_dir=$state/secure
secure=0

say() { printf 'kafka: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
for setting in EISO_KAFKA_PORT:"$port" EISO_KAFKA_CONTROLLER_PORT:"$controller_port"; do
  [[ "${setting#*:}" =~ ^[0-9]{1,5}$ ]] || die "${setting%%:*} must be a port number, not '${setting#*:}'"
done
internal_port=${EISO_KAFKA_INTERNAL_PORT:-$((port + 2))}
[[ "$internal_port" =~ ^[0-9]{1,5}$ ]] || die "EISO_KAFKA_INTERNAL_PORT must be a port number, not '$internal_port'"
extra=${EISO_KAFKA_EXTRA_PROPERTIES:-}
while IFS= read -r line; do
  [[ -z "$line" || "$line" =~ ^[a-z][a-z0-9._-]*=[^[:cntrl:]]*$ ]] \
    || die "EISO_KAFKA_EXTRA_PROPERTIES: '$line' is not a key=value line"
done <<<"$extra"

libs_dir() {
  if [ -n "${KAFKA_HOME:-}" ]; then
    [ -d "$KAFKA_HOME/libs" ] || die "KAFKA_HOME=$KAFKA_HOME has no libs/ folder"
    echo "$KAFKA_HOME/libs"
  else
    echo "$root/.cache/kafka-$version/libs"
  fi
}

fetch() {
  local libs; libs=$(libs_dir)
  if [ -f "$libs/.complete" ] || [ -n "${KAFKA_HOME:-}" ]; then return 0; fi
  command -v java >/dev/null || die "java not found: install Java 17 (e.g. apt-get install openjdk-17-jre-headless)"
  command -v mvn >/dev/null || die "mvn not found: install Maven (e.g. apt-get install maven)"
  say "fetching Apache Kafka $version from Maven Central (once; cached in ${libs#"$root"/})"
  rm -rf "$libs"; mkdir -p "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$libs" >"$libs/../mvn.log" 2>&1 \
    || { tail -20 "$libs/../mvn.log" >&2; die "mvn could not fetch Kafka $version (log: $libs/../mvn.log)"; }
  ls "$libs"/kafka_2.13-*.jar >/dev/null 2>&1 || die "kafka_2.13 jar missing after fetch"
  touch "$libs/.complete"
}

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  kill -0 "$pid" 2>/dev/null && grep -q 'kafka.Kafka' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

java_args() {
  # The JVM arguments for running main class $1 with the fetched jars; the rest are its arguments.
  local main=$1; shift
  jvm=(java -Xms128m -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true
       -Dlog4j2.configurationFile="$state/log4j2.properties" -Dkafka.logs.dir="$state/logs"
       -cp "$(libs_dir)/*" "$main" "$@")
}

write_config() {
  mkdir -p "$state/data" "$state/logs"
  local listeners="listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT"
  if [ "$secure" = 1 ]; then
    listeners="listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$internal_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=SASL_SSL://127.0.0.1:$port,INTERNAL://127.0.0.1:$internal_port
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,SASL_SSL:SASL_SSL
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$secure_dir/broker.p12
ssl.keystore.password=$(cat "$secure_dir/keystore.password")
ssl.key.password=$(cat "$secure_dir/keystore.password")
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:eiso;User:ANONYMOUS"
  fi
  cat >"$state/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
controller.listener.names=CONTROLLER
$listeners
log.dirs=$state/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
$extra
EOF
  chmod 600 "$state/server.properties"  # it holds the keystore password in secure mode
  cat >"$state/log4j2.properties" <<EOF
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = $state/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
# start() waits for this logger's "Kafka Server started".
logger.raftserver.name = kafka.server.KafkaRaftServer
logger.raftserver.level = INFO
EOF
}

start() {
  if pid=$(running_pid); then say "already running on 127.0.0.1:$port (pid $pid)"; return 0; fi
  if port_open "$port"; then die "port $port is taken by another process; set EISO_KAFKA_PORT"; fi
  fetch
  if [ -f "$state/data/meta.properties" ] && [ "$secure" = 1 ] && [ ! -f "$secure_dir/password" ]; then
    die "the broker in $state was set up without --secure (no SCRAM user): run reset first"
  fi
  [ "$secure" = 1 ] && credentials
  write_config
  if [ ! -f "$state/data/meta.properties" ]; then
    # --cluster-id=…: a random id may begin with "-", which the tool would take for an option.
    local scram=()
    [ "$secure" = 1 ] && scram=(--add-scram "SCRAM-SHA-512=[name=eiso,password=$(cat "$secure_dir/password")]")
    java_args kafka.tools.StorageTool format --cluster-id="$(cluster_id)" -c "$state/server.properties" \
      "${scram[@]}"
    "${jvm[@]}" >"$state/format.log" 2>&1 \
      || { cat "$state/format.log" >&2; die "could not format storage in $state/data"; }
  fi
  : >"$logfile"
  java_args kafka.Kafka "$state/server.properties"
  # setsid: the broker outlives the shell that started it and gets none of its signals.
  setsid nohup "${jvm[@]}" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  local deadline=$((SECONDS + timeout))
  until grep -q 'Kafka Server started' "$logfile" "$state/logs/server.log" 2>/dev/null && port_open "$port"; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -30 "$logfile" >&2; die "broker exited during start (log: $logfile)"
    fi
    [ $SECONDS -lt $deadline ] || { tail -30 "$logfile" >&2; die "broker not ready after ${timeout}s"; }
    sleep 0.5
  done
  say "ready on 127.0.0.1:$port (pid $(cat "$pidfile"), state ${state#"$root"/})"
  if [ "$secure" = 1 ]; then
    say "SASL_SSL, SCRAM-SHA-512: user eiso, password in $secure_dir/password, CA $secure_dir/ca.pem"
  fi
}

credentials() {
  # Once per state folder: a self-signed certificate for 127.0.0.1 and localhost, and two passwords
  # (the keystore's, the eiso user's), hex so that no character needs quoting anywhere.
  [ -f "$secure_dir/password" ] && return 0
  command -v keytool >/dev/null || die "keytool not found (it comes with Java 17)"
  mkdir -p "$secure_dir"; chmod 700 "$secure_dir"
  head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secure_dir/keystore.password"
  local storepass; storepass=$(cat "$secure_dir/keystore.password")
  keytool -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=localhost" \
    -ext "SAN=dns:localhost,ip:127.0.0.1" -storetype PKCS12 -keystore "$secure_dir/broker.p12" \
    -storepass "$storepass" -keypass "$storepass" >"$secure_dir/keytool.log" 2>&1 \
    || { cat "$secure_dir/keytool.log" >&2; die "keytool could not make the certificate"; }
  keytool -exportcert -rfc -alias broker -keystore "$secure_dir/broker.p12" -storepass "$storepass" \
    -file "$secure_dir/ca.pem" >>"$secure_dir/keytool.log" 2>&1 || die "keytool could not export the certificate"
  head -c16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secure_dir/password"
  chmod 600 "$secure_dir"/*
}

cluster_id() {
  # A KRaft cluster id is 16 bytes in URL-safe base64 without padding; one per state folder.
  [ -f "$state/cluster.id" ] || head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$state/cluster.id"
  cat "$state/cluster.id"
}

stop() {
  local pid
  if ! pid=$(running_pid); then say "not running"; rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then say "no clean stop after 30s; killing"; kill -KILL "$pid"; fi
    sleep 0.2
  done
  rm -f "$pidfile"
  say "stopped"
}

status() {
  if pid=$(running_pid) && port_open "$port"; then
    echo "kafka: running on 127.0.0.1:$port (pid $pid)"
  else
    echo "kafka: stopped"; return 3
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  start)
    case "${2:-}" in
      "") ;;
      --secure) secure=1 ;;
      *) echo "usage: $0 start [--secure]" >&2; exit 2 ;;
    esac
    start ;;
  stop) stop ;;
  status) status ;;
  logs) tail -n 100 "$state/logs/server.log" ;;
  reset) stop; rm -rf "$state"; say "state removed" ;;
  *) echo "usage: $0 fetch|start [--secure]|stop|status|logs|reset" >&2; exit 2 ;;
esac
