#!/usr/bin/env bash
# `bun run broker` and `npm run broker` land here: install the toolchain if it is missing, then run
# the command on the runtime that asked: Bun's own adapter under `bun run`, from the sources; Node 24
# under npm, from its bundle (scripts/build.ts says why; rebuilt first if a source is newer).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh >&2
case "${npm_config_user_agent:-}" in
  bun/*) exec bun adapters/bun/main.ts "$@" ;;
  *) node scripts/build.ts node && exec node dist/node/skiff.mjs "$@" ;;
esac
