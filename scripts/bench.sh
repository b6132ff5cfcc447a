#!/usr/bin/env bash
# Runs the benchmarks (peers prepared as for the tests) and writes docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-peers.sh --bench
node --import tsx bench/run.ts
