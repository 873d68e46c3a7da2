#!/usr/bin/env bash
# The real-Redis suites need a server on 127.0.0.1:6379 (they use database 15 and their own key prefixes).
# Machines of this kind run one; start one if it is missing, installing it first if we must.
set -euo pipefail
ping_redis() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ping_redis; then exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "redis-server not found; installing it" >&2
  apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
fi
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
for _ in $(seq 50); do ping_redis && exit 0; sleep 0.1; done
echo "Redis did not start on 127.0.0.1:6379" >&2
exit 1
