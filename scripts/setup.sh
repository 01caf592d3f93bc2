#!/usr/bin/env bash
# Sets nats-lookout up on a fresh machine: npm packages and the nats-server binaries the tests,
# the demo and the benchmark run. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/install-nats-servers.sh
# moto_server (Python moto 5.x) ships with this machine image; the AWS tests need it on PATH.
if ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: moto_server not found; the DynamoDB/SNS/Secrets Manager tests need it (pip install 'moto[server]')" >&2
fi
