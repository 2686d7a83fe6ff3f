#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:$REDIS_PORT for allears' tests (BullMQ queue, Redis adapters).
#
#   bash test/services/redis.sh          # start one unless something already answers; wait for PONG
#
# If nothing answers, Debian's redis-server is installed when missing (only as root: apt-get), then
# started daemonized on loopback, without persistence (--save '' --appendonly no): a throwaway server.
# The integration tests that restart Redis start their own server on a free port instead.
#
# Knobs: REDIS_PORT (6379), REDIS_WAIT_SECONDS (30).
set -euo pipefail

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_WAIT_SECONDS="${REDIS_WAIT_SECONDS:-30}"

ping_redis() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
}

if ping_redis; then
  echo "redis: already answering on 127.0.0.1:${REDIS_PORT} ($(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" info server | tr -d '\r' | sed -n 's/^redis_version://p'))"
  exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" != "0" ]; then
    echo "redis: redis-server is not installed and this is not root; install it (apt-get install redis-server) or set ALLEARS_TEST_REDIS_URL" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
  --logfile "${TMPDIR:-/tmp}/allears-redis-${REDIS_PORT}.log" >/dev/null

for _ in $(seq 1 $((REDIS_WAIT_SECONDS * 10))); do
  if ping_redis; then
    echo "redis: started $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:${REDIS_PORT}"
    exit 0
  fi
  sleep 0.1
done
echo "redis: no PONG from 127.0.0.1:${REDIS_PORT} after ${REDIS_WAIT_SECONDS}s; see ${TMPDIR:-/tmp}/allears-redis-${REDIS_PORT}.log" >&2
exit 1
