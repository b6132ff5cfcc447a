#!/usr/bin/env bash
# hometel's whole test suite, as the README's test command runs it: peers, type-check, lint, build,
# then every unit, integration and interop test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-peers.sh
echo "== type-check"; npx tsc --noEmit && npx tsc -p ui --noEmit
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build
echo "== tests"
shopt -s nullglob
node --import tsx --test --test-concurrency=1 --test-timeout=180000 \
  test/unit/*.test.ts test/integration/*.test.ts test/interop/*.test.ts
