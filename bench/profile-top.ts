/**
 * The top frames of a V8 `.cpuprofile` (what `--cpu-prof` writes on Bun, Deno and Node; the
 * RocketMQ benchmark writes one per Skiff process with SKIFF_BENCH_CPU_PROF=<dir>): each
 * function's self time as a share of the profile, and, with `--callers=<name>`, the call paths
 * into that function.
 *
 *   node bench/profile-top.ts <file.cpuprofile> [--top=25] [--callers=writeSync] [--depth=4]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: node bench/profile-top.ts <file.cpuprofile> [--top=25] [--callers=<function>] [--depth=4]");
  process.exit(2);
}
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const top = Number(flag("top") ?? 25);
const depth = Number(flag("depth") ?? 4);
const callersOf = flag("callers");

const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const frameName = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const share = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;

const sums = new Map<string, number>();
const add = (key: string, us: number) => sums.set(key, (sums.get(key) ?? 0) + us);
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  if (callersOf === undefined) {
    add(frameName(node), us);
    continue;
  }
  if (node.callFrame.functionName !== callersOf) continue;
  const path: string[] = [];
  for (let at = parent.get(id); at !== undefined && path.length < depth; at = parent.get(at)) path.push(frameName(byId.get(at)!));
  add(path.join(" < ") || "(root)", us);
}
console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms sampled${callersOf === undefined ? "" : `; paths into ${callersOf}`}`);
for (const [key, us] of [...sums].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${share(us)}  ${key}`);
