#!/usr/bin/env bash
# Two gunicorn instances sharing one fresh PostgreSQL database and Redis, plus a worker (.ci/two_instances.py).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "== starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
  for _ in $(seq 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
exec .venv/bin/python .ci/two_instances.py
