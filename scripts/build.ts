/**
 * The JavaScript Skiff runs from on Node and Deno: one bundle per runtime, built from the sources
 * when one of them is newer than it (or it is missing), else left as it is.
 *
 *   node scripts/build.ts node          → dist/node/skiff.mjs
 *   deno run -A scripts/build.ts deno   → dist/deno/skiff.js
 *
 * Both with esbuild: one ES module, the dependencies inside it, Node's built-ins (which Deno also
 * has) left to the runtime, and a `require` for the CommonJS dependencies (yaml) that ask for them
 * (`deno bundle` leaves those `require` calls failing at start).
 *
 * Why a bundle: Node 24 strips the sources' types itself with amaro (swc compiled to WebAssembly),
 * which stays loaded with its inlined module, and both runtimes keep every module's source and
 * record (zod alone is ~100 modules). Measured beside the sources (`npm run bench -- vs-rocketmq
 * --baseline=…`, 2 rounds, the larger of master and slave idle): Node 115 → 89 MB RSS, ready
 * 0.50 → 0.27 s; Deno 83 → 74 MB, 0.19 → 0.12 s; throughput the same within the rounds' spread.
 * Bun runs the sources (68 MB: its transpiler keeps nothing of the kind) and `npm run compile`
 * makes its binary. Stack traces name the functions but not the sources' lines: for those, run
 * `node adapters/node/main.ts` or `deno run -A adapters/deno/main.ts`.
 *
 * `npm run broker`, `deno task broker` and the tests' and benchmarks' processes (test/support/
 * skiff-process.ts) all call `ensureBundle` first, so none runs code older than the checkout.
 * Two processes building at once each write a file of their own and rename it into place.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, utimesSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type BundledRuntime = "node" | "deno";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What a bundle is built from: a change to any of these rebuilds it. */
const INPUT_DIRS = ["src", "adapters"];
const INPUT_FILES = ["package-lock.json", "deno.json", "scripts/build.ts"];

/** Each runtime's adapter is its entry point and its bundle's path (relative to the checkout); the rest of the settings are the same. */
const TARGETS: Record<BundledRuntime, { entry: string; out: string; target: string }> = {
  node: { entry: "adapters/node/main.ts", out: "dist/node/skiff.mjs", target: "node24" },
  deno: { entry: "adapters/deno/main.ts", out: "dist/deno/skiff.js", target: "esnext" },
};

/** The bundle's path, relative to the checkout. */
export function bundlePath(runtime: BundledRuntime): string {
  return TARGETS[runtime].out;
}

/**
 * Builds the runtime's bundle in the checkout at `root` if it is missing or older than a source;
 * returns its absolute path and whether it was built. Throws with the bundler's message if the
 * build fails (the old bundle, if any, stays).
 */
export function ensureBundle(runtime: BundledRuntime, root = ROOT): { path: string; built: boolean } {
  const out = join(root, bundlePath(runtime));
  if (existsSync(out) && newestInput(root) <= statSync(out).mtimeMs) return { path: out, built: false };
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const started = new Date();
  bundle(runtime, root, tmp);
  utimesSync(tmp, started, started); // a source saved while esbuild read the others is newer: rebuilt next time
  renameSync(tmp, out);
  return { path: out, built: true };
}

function bundle(runtime: BundledRuntime, root: string, outfile: string): void {
  const esbuild = createRequire(join(root, "package.json"))("esbuild") as typeof import("esbuild");
  esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [TARGETS[runtime].entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: TARGETS[runtime].target,
    // Whitespace and comments out, and ASCII only (else one "…" in a comment makes V8 hold the whole
    // source as a two-byte string): 2.6 MB less RSS on an idle Node broker. Names stay, for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: "ascii",
    logLevel: "error",
    banner: { js: "import { createRequire as skiffCreateRequire } from 'node:module'; const require = skiffCreateRequire(import.meta.url);" },
  });
}

/** The newest modification time among the inputs, in ms. */
function newestInput(root: string): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(path)) visit(join(path, name));
      return;
    }
    newest = Math.max(newest, stat.mtimeMs);
  };
  for (const dir of INPUT_DIRS) visit(join(root, dir));
  for (const file of INPUT_FILES) visit(join(root, file));
  return newest;
}

if (import.meta.main) {
  const runtime = process.argv[2];
  if (runtime !== "node" && runtime !== "deno") {
    console.error("usage: node scripts/build.ts node | deno run -A scripts/build.ts deno");
    process.exit(2);
  }
  try {
    const { path, built } = ensureBundle(runtime);
    if (built) console.error(`built ${path}`);
  } catch (error) {
    console.error(`skiff: the ${runtime} bundle did not build: ${(error as Error).message.split("\n")[0]}; run \`node scripts/build.ts ${runtime}\` to see the bundler's output`);
    process.exit(1);
  }
}
