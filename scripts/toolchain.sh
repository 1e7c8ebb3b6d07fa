# Sourced by the other scripts: installs the project's toolchain if missing and puts it on PATH.
# Bun, tsc and the type packages come from the root package; Deno 2.9.5 and Node 24 from tools/
# (kept out of the root node_modules, where `deno task` would try to run them as JavaScript).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x "$root/node_modules/.bin/bun" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [ ! -x "$root/tools/node_modules/.bin/deno" ] || [ "$root/tools/package-lock.json" -nt "$root/tools/node_modules/.package-lock.json" ]; then
  (cd "$root/tools" && npm ci --no-audit --no-fund --loglevel=error)
fi
export PATH="$root/tools/node_modules/.bin:$root/node_modules/.bin:$PATH"
export DENO_NO_UPDATE_CHECK=1
