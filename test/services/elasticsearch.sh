#!/usr/bin/env bash
# Start (or stop) a local single-node Elasticsearch for allears' tests, without Docker.
#
#   bash test/services/elasticsearch.sh          # start unless one already answers; wait until yellow
#   bash test/services/elasticsearch.sh stop     # stop the server this script started
#   bash test/services/elasticsearch.sh status   # print what answers on the port (exit 1 if nothing)
#
# The distribution comes from Maven Central (org.elasticsearch.distribution.integ-test-zip), is checked
# against its published SHA-512 and is completed with the small test module in es-extras/ (english and
# cjk analyzers, whitespace tokenizer, stemmer filters, html_strip, GET /, _delete_by_query). See
# README.md beside this file.
#
# Knobs: ES_VERSION, ES_PORT (9200), ES_HEAP (512m, at most 1g), ES_JAVA_HOME, ES_WAIT_SECONDS (180),
#        ALLEARS_ES_HOME (cache + data directory), ES_MAVEN_REPO (Maven repository base URL).
set -euo pipefail

ES_VERSION="${ES_VERSION:-8.19.21}"
ES_PORT="${ES_PORT:-9200}"
ES_HEAP="${ES_HEAP:-512m}"
ES_WAIT_SECONDS="${ES_WAIT_SECONDS:-180}"
ES_MAVEN_REPO="${ES_MAVEN_REPO:-https://repo1.maven.org/maven2}"
RUN_USER="allears-es"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTRAS_SRC="$SCRIPT_DIR/es-extras/AllearsTestExtrasPlugin.java"
URL="http://127.0.0.1:${ES_PORT}"

# Elasticsearch refuses to run as root: as root, the server runs as an unprivileged system user and its
# files live where that user can reach them (root's home is usually closed to others).
if [ "$(id -u)" = "0" ]; then
  DEFAULT_HOME="/var/cache/allears/elasticsearch-${ES_VERSION}"
else
  DEFAULT_HOME="${HOME}/.cache/allears/elasticsearch-${ES_VERSION}"
fi
BASE="${ALLEARS_ES_HOME:-$DEFAULT_HOME}"
DIST="$BASE/dist"                 # unpacked distribution (read-only for the server)
CONF="$BASE/config"               # ES_PATH_CONF (the server writes its keystore here)
DATA="$BASE/data"
LOGS="$BASE/logs"
TMPD="$BASE/tmp"
RUN="$BASE/run"
PIDFILE="$RUN/elasticsearch.pid"
CONSOLE="$LOGS/console.log"
ZIP="$BASE/download/elasticsearch-${ES_VERSION}.zip"

log() { printf 'elasticsearch.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------- helpers

health_status() {
  # Prints green/yellow/red when something answers on the port with a cluster health; nothing otherwise.
  curl -fsS --max-time "${1:-3}" "$URL/_cluster/health?wait_for_status=yellow&timeout=${2:-1s}" 2>/dev/null \
    | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' || true
}

server_version() {
  curl -fsS --max-time 3 "$URL/" 2>/dev/null | sed -n 's/.*"number":"\([^"]*\)".*/\1/p' || true
}

our_pid() {
  # The pid recorded by the server we started, if that process is still alive.
  [ -s "$PIDFILE" ] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

as_server_user() {
  if [ "$(id -u)" != "0" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$RUN_USER" -- "$@"
  elif command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$RUN_USER" --regid="$RUN_USER" --init-groups -- "$@"
  else
    die "running as root but neither runuser nor setpriv is available to drop privileges"
  fi
}

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

pick_java() {
  # Elasticsearch 8.19 runs on Java 17 or newer; a JDK (with javac) is needed to build the test module.
  local candidates=() c
  if [ -n "${ES_JAVA_HOME:-}" ]; then
    candidates=("$ES_JAVA_HOME")
  else
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    for c in /usr/lib/jvm/java-21-openjdk-* /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-2*-jdk-* /usr/lib/jvm/temurin-17-jdk-*; do
      [ -d "$c" ] && candidates+=("$c")
    done
    if command -v javac >/dev/null 2>&1; then
      candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
    fi
  fi
  for c in "${candidates[@]}"; do
    if [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ]; then
      local major
      major="$(java_major "$c")"
      if [ -n "$major" ] && [ "$major" -ge 17 ]; then
        echo "$c"
        return 0
      fi
    fi
  done
  if [ -n "${ES_JAVA_HOME:-}" ]; then
    die "ES_JAVA_HOME=$ES_JAVA_HOME is not a JDK 17+ (java and javac are needed)"
  fi
  die "no JDK 17+ found (set ES_JAVA_HOME, or install one, e.g. apt-get install openjdk-17-jdk-headless)"
}

heap_check() {
  if [[ "$ES_HEAP" =~ ^[0-9]+m$ ]]; then
    if [ "${ES_HEAP%m}" -lt 128 ] || [ "${ES_HEAP%m}" -gt 1024 ]; then
      die "ES_HEAP=$ES_HEAP must be between 128m and 1g"
    fi
  elif [ "$ES_HEAP" != "1g" ]; then
    die "ES_HEAP must look like 512m (128m to 1g), got '$ES_HEAP'"
  fi
}

# ---------------------------------------------------------------------------------------------- assembly

download() {
  [ -s "$ZIP" ] && return 0
  mkdir -p "$(dirname "$ZIP")"
  local path="org/elasticsearch/distribution/integ-test-zip/elasticsearch/${ES_VERSION}/elasticsearch-${ES_VERSION}.zip"
  local part="$ZIP.part"
  log "downloading Elasticsearch ${ES_VERSION} from $ES_MAVEN_REPO"
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --retry-delay 2 -o "$part" "$ES_MAVEN_REPO/$path" \
      || die "download failed: $ES_MAVEN_REPO/$path"
    local want got
    want="$(curl -fsSL --retry 3 "$ES_MAVEN_REPO/$path.sha512" | awk '{print $1}')" \
      || die "checksum download failed: $ES_MAVEN_REPO/$path.sha512"
    got="$(sha512sum "$part" | awk '{print $1}')"
    if [ -z "$want" ] || [ "$want" != "$got" ]; then
      rm -f "$part"
      die "SHA-512 mismatch for $path"
    fi
  elif command -v mvn >/dev/null 2>&1; then
    # Maven verifies the checksums itself.
    mvn -q -B dependency:copy \
      "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip" \
      "-DoutputDirectory=$(dirname "$ZIP")" -Dmdep.overWriteReleases=true \
      || die "mvn could not fetch org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"
    mv "$(dirname "$ZIP")/elasticsearch-${ES_VERSION}.zip" "$part"
  else
    die "neither curl nor mvn is available to download Elasticsearch"
  fi
  mv "$part" "$ZIP"
}

unpack() {
  [ -f "$DIST/.unpacked" ] && return 0
  log "unpacking into $DIST"
  local stage="$BASE/.unpack.$$"
  rm -rf "$stage" "$DIST"
  mkdir -p "$stage"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$ZIP" -d "$stage"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$ZIP" "$stage"
    chmod +x "$stage/elasticsearch-${ES_VERSION}"/bin/*
  else
    die "unzip (or python3) is needed to unpack $ZIP"
  fi
  mv "$stage/elasticsearch-${ES_VERSION}" "$DIST"
  rm -rf "$stage"
  touch "$DIST/.unpacked"
}

build_extras() {
  # Compiles the test module against this distribution's jars; rebuilt when its source changes.
  local java_home="$1"
  local module="$DIST/modules/allears-test-extras"
  local stamp
  stamp="$(sha256sum "$EXTRAS_SRC" | awk '{print $1}')"
  [ -f "$module/.source-sha256" ] && [ "$(cat "$module/.source-sha256")" = "$stamp" ] && return 0
  log "building module allears-test-extras with $java_home"
  local classes="$BASE/.extras-classes"
  rm -rf "$classes" "$module"
  mkdir -p "$classes" "$module"
  "$java_home/bin/javac" --release 17 -nowarn -cp "$DIST/lib/*" -d "$classes" "$EXTRAS_SRC"
  "$java_home/bin/jar" cf "$module/allears-test-extras-${ES_VERSION}.jar" -C "$classes" .
  rm -rf "$classes"
  cat > "$module/plugin-descriptor.properties" <<EOF
description=allears test module: english and cjk analyzers, whitespace/keyword/letter tokenizers, stemmer and cjk filters, html_strip, GET /, _delete_by_query
version=${ES_VERSION}
name=allears-test-extras
classname=org.allears.estest.AllearsTestExtrasPlugin
java.version=17
elasticsearch.version=${ES_VERSION}
EOF
  echo "$stamp" > "$module/.source-sha256"
}

write_config() {
  mkdir -p "$CONF/jvm.options.d" "$DATA" "$LOGS" "$TMPD" "$RUN"
  cp "$DIST/config/log4j2.properties" "$CONF/log4j2.properties"
  # Smaller GC log rotation than the distribution default.
  sed -e 's/filecount=32,filesize=64m/filecount=4,filesize=16m/' "$DIST/config/jvm.options" > "$CONF/jvm.options"
  printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" > "$CONF/jvm.options.d/heap.options"
  # Test server only: bound to loopback, security off, single node.
  cat > "$CONF/elasticsearch.yml" <<EOF
# Written by test/services/elasticsearch.sh: a throwaway single-node test server on loopback.
cluster.name: allears-test
node.name: allears-test-node
discovery.type: single-node
network.host: 127.0.0.1
http.port: ${ES_PORT}
path.data: ${DATA}
path.logs: ${LOGS}
bootstrap.memory_lock: false
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF
}

prepare_user() {
  [ "$(id -u)" = "0" ] || return 0
  if ! id "$RUN_USER" >/dev/null 2>&1; then
    log "creating system user $RUN_USER to run the server"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RUN_USER" \
      || die "could not create user $RUN_USER"
  fi
  chmod -R a+rX "$DIST"
  chown -R "$RUN_USER:" "$CONF" "$DATA" "$LOGS" "$TMPD" "$RUN"
  as_server_user test -r "$DIST/bin/elasticsearch" \
    || die "user $RUN_USER cannot read $DIST (set ALLEARS_ES_HOME to a directory outside root's home)"
}

# ---------------------------------------------------------------------------------------------- commands

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PIDFILE"
    log "no Elasticsearch started from $BASE is running"
    return 0
  fi
  log "stopping Elasticsearch (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after 30 s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  echo "Elasticsearch stopped ($URL)"
}

cmd_status() {
  local status
  status="$(health_status)"
  if [ -n "$status" ]; then
    echo "Elasticsearch $(server_version) at $URL: $status"
    return 0
  fi
  echo "nothing answers at $URL"
  return 1
}

cmd_start() {
  local status launcher=""
  status="$(health_status)"
  if [ "$status" = "green" ] || [ "$status" = "yellow" ]; then
    echo "Elasticsearch $(server_version) already running at $URL ($status)"
    return 0
  fi
  if our_pid >/dev/null; then
    local running_port
    running_port="$(cat "$RUN/port" 2>/dev/null || echo '?')"
    if [ "$running_port" != "$ES_PORT" ]; then
      die "the server started from $BASE listens on port $running_port; stop it first, or set ALLEARS_ES_HOME for a second one"
    fi
    log "a server started from $BASE is running but not healthy yet; waiting for it"
  else
    heap_check
    command -v curl >/dev/null 2>&1 || die "curl is needed to check the server"
    if curl -sS --max-time 2 -o /dev/null "$URL/" 2>/dev/null; then
      die "something answers on $URL but is not a healthy Elasticsearch started from $BASE; stop it or pick another ES_PORT"
    fi
    local java_home
    java_home="$(pick_java)"
    mkdir -p "$BASE"
    download
    unpack
    build_extras "$java_home"
    write_config
    prepare_user
    rm -f "$PIDFILE"
    echo "$ES_PORT" > "$RUN/port"
    log "starting Elasticsearch ${ES_VERSION} on $URL (java: $java_home, heap: $ES_HEAP, home: $BASE)"
    # The launcher starts the server JVM, which daemonizes (-d) once the node has started and records
    # its pid (-p) for `stop`; the launcher runs in the background so the wait below bounds it.
    (cd "$BASE" && as_server_user env -u JAVA_HOME -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS \
      ES_JAVA_HOME="$java_home" ES_PATH_CONF="$CONF" ES_TMPDIR="$TMPD" \
      nohup "$DIST/bin/elasticsearch" -d -p "$PIDFILE" > "$CONSOLE" 2>&1 < /dev/null) &
    launcher=$!
  fi
  local deadline=$((SECONDS + ES_WAIT_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    status="$(health_status 12 5s)"
    if [ "$status" = "green" ] || [ "$status" = "yellow" ]; then
      echo "Elasticsearch $(server_version) running at $URL ($status; pid $(cat "$PIDFILE" 2>/dev/null || echo '?'), logs in $LOGS)"
      return 0
    fi
    if [ -n "$launcher" ] && ! kill -0 "$launcher" 2>/dev/null; then
      local rc=0
      wait "$launcher" || rc=$?
      launcher=""
      if [ "$rc" -ne 0 ]; then
        fail_with_logs "Elasticsearch failed to start (launcher exit code $rc)"
      fi
    fi
    if [ -z "$launcher" ] && ! our_pid >/dev/null; then
      fail_with_logs "Elasticsearch is not running"
    fi
    sleep 1
  done
  fail_with_logs "Elasticsearch did not become healthy at $URL within ${ES_WAIT_SECONDS}s"
}

fail_with_logs() {
  log "$1; last lines of $CONSOLE and $LOGS/allears-test.log:"
  tail -n 30 "$CONSOLE" >&2 2>/dev/null || true
  tail -n 50 "$LOGS/allears-test.log" >&2 2>/dev/null || true
  exit 1
}

case "${1:-start}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac
