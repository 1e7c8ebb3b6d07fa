#!/usr/bin/env bash
# Runs one benchmark (store, broker, replication) on Bun, Deno and Node, one after the other.
#   bash bench/run.sh store
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
name="${1:?usage: bash bench/run.sh store|broker|replication}"
file="bench/${name}.bench.ts"
echo "== bun";  bun "$file"
echo "== deno"; deno run --allow-all "$file"
echo "== node"; node "$file"
