#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs the toolchain (Bun from the root package,
# Deno and Node 24 from tools/), type-checks, then runs the same test files under Bun, Deno and
# Node. The interop tests against real Apache RocketMQ peers (test/interop: JVMs, minutes) run under
# Node's runner: the Java-client scenarios first with Skiff's name server and broker on Bun, then on
# Deno (SKIFF_REMOTING_RUNTIME; ~2.3 min each), then every interop file with Skiff on Node at the end.
# Ends with Node's test-runner summary, which CI reads.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
# Chromium for the dashboard's browser test (test/e2e/dashboard-browser.test.ts, driven by
# playwright-core, which downloads no browser): Debian's package, installed once when missing
# (here, not in toolchain.sh: starting a broker must not install a browser).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >&2 \
    || echo "toolchain: installing chromium failed; the dashboard browser test needs /usr/bin/chromium" >&2
fi

echo "== tsc --noEmit"
tsc --noEmit -p tsconfig.json

echo "== the Node and Deno bundles (scripts/build.ts), which their test processes run, as npm run broker and deno task broker do"
node scripts/build.ts node
node scripts/build.ts deno

files=$(find test -name '*.test.ts' -not -path 'test/interop/*' | sort)
interop=$(find test/interop -name '*.test.ts' | sort)
java_clients=$(find test/interop -name 'remoting-java-*.test.ts' | sort)

echo "== bun test"
bun test --timeout 600000 $files

echo "== deno test"
deno test --allow-all --quiet $files

for runtime in bun deno; do
  echo "== node --test: the Java-client scenarios against Skiff on $runtime"
  SKIFF_REMOTING_RUNTIME=$runtime node --test --test-timeout=900000 --test-concurrency=1 $java_clients
done

echo "== node --test (and the RocketMQ interop tests)"
node --test --test-timeout=900000 --test-concurrency=1 $files $interop
