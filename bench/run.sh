#!/usr/bin/env bash
# Runs one benchmark (store, broker, replication, acl) on Bun, Deno and Node, one after the other;
# or the RocketMQ comparison (`vs-rocketmq`, also `rocketmq`), which runs once (under Node) and
# starts Skiff on each runtime itself.
#   bash bench/run.sh store            (npm run bench -- store)
#   npm run bench -- vs-rocketmq [--quick] [--runtimes=bun,deno,node] [--scenarios=…] [--roles=…] [--out=DIR]
#   npm run bench -- soak [--runtimes=bun,deno,node] [--out=DIR]   (each Skiff pair 10 minutes at a fixed rate)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
name="${1:?usage: bash bench/run.sh store|broker|replication|acl|vs-rocketmq|soak}"
shift
if [ "$name" = rocketmq ] || [ "$name" = vs-rocketmq ]; then exec node bench/rocketmq.bench.ts "$@"; fi
if [ "$name" = soak ]; then exec node bench/soak.bench.ts "$@"; fi
file="bench/${name}.bench.ts"
echo "== bun";  bun "$file"
echo "== deno"; deno run --allow-all "$file"
echo "== node"; node "$file"
