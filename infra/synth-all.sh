#!/usr/bin/env bash
# Synthesizes the stack of every environment file, offline: no AWS credentials, no instance
# metadata probes, no lookups (the app imports existing resources by attributes), bundling by the
# local esbuild. Each environment's cloud assembly goes to cdk.out/<env>.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true AWS_EC2_METADATA_DISABLED=true
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
shopt -s nullglob
files=(infra/environments/*.json)
if [ ${#files[@]} -eq 0 ]; then echo "synth: no environment files in infra/environments/" >&2; exit 1; fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for f in "${files[@]}"; do
  env="$(basename "$f" .json)"
  npx --no-install cdk synth --quiet -c env="$env" --output "cdk.out/$env" >/dev/null 2>"$log" || { cat "$log" >&2; echo "synth: $env FAILED" >&2; exit 1; }
  echo "synth: $env ok (cdk.out/$env/NatsLookout-$env.template.json)"
done
