/**
 * The RocketMQ benchmark's quick mode, as CI runs it to prove the benchmark still works (issue 13:
 * "its quick mode runs in CI only to prove it still works"): `npm run bench -- vs-rocketmq --quick`
 * starts a real RocketMQ 4.9.7 pair and Skiff pairs on Bun, drives RocketMQ and one Skiff pair
 * with the same Java producer, the others with wrk over HTTP and with Skiff's own client, and must
 * print figures for each, the targets' verdicts, and write the results file and
 * chart. The figures of a 2-second window say nothing about speed and are not judged here.
 */
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { removeDir, tempDir } from "../support/platform.ts";
import { INTEROP_SKIP, REPO_ROOT } from "./rocketmq/env.ts";

function runBench(args: string[], timeoutMs: number): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("SKIFF_BENCH_")) delete env[name];
    execFile("npm", ["run", "--silent", "bench", "--", ...args], { cwd: REPO_ROOT, timeout: timeoutMs, env, maxBuffer: 16 << 20, killSignal: "SIGTERM" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : ((error as { code?: number | string }).code ?? "killed");
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe("npm run bench -- vs-rocketmq --quick", { skip: INTEROP_SKIP }, () => {
  let out = "";
  after(async () => {
    if (out) await removeDir(out);
  });

  it("measures RocketMQ 4.9.7 and Skiff on Bun under the same Java producer, wrk and Skiff's client, judges the targets and writes the results", { timeout: 300_000 }, async () => {
    out = await tempDir("bench-quick");
    const run = await runBench(["vs-rocketmq", "--quick", "--runtimes=bun", `--out=${out}`], 280_000);
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    const rows = run.stdout.split("\n").filter((l) => l.startsWith("round 1  sync-32"));
    assert.equal(rows.length, 4, run.stdout);
    for (const system of ["RocketMQ 4.9.7", "Skiff Bun", "Skiff Bun (wrk)", "Skiff Bun (client)"]) {
      const line = rows.find((l) => l.includes(` ${system}  `)) ?? assert.fail(`no row of ${system}:\n${run.stdout}`);
      assert.match(line, /[\d,]+ msgs\/s {2}p50 [\d.]+ ms {2}p99 [\d.]+ ms {2}p999 [\d.]+ ms/, `${system} produced figures`);
      assert.match(line, /CPU\/msg master \d+ µs, slave \d+ µs, load generator \d+ µs {2}RSS MB master \d+→\d+, slave \d+→\d+ {2}ready [\d.]+ s {2}\[SEND_OK \d+/, `${system}: every load generator here reports its own CPU`);
    }
    for (const system of ["Skiff Bun {2}", "Skiff Bun \\(wrk\\)", "Skiff Bun \\(client\\)"]) assert.match(run.stdout, new RegExp(`\\n {2}${system} .* = [\\d.]+× msgs/s, p99 [\\d.]+×\\n`));
    for (const target of ["msgs/s ≥ 2× RocketMQ's, p99 ≤ 1×", "CPU per message (master + slave) ≤ 0.5× RocketMQ's", "idle RSS of each broker ≤ 80 MB", "master ready ≤ 0.5 s after its process starts"]) {
      assert.match(run.stdout, new RegExp(`\\n {2}(PASS|FALLS SHORT) +${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} — Skiff Bun`), `a verdict on ${target}`);
    }
    for (const system of ["RocketMQ 4.9.7", "Skiff Bun"]) {
      assert.match(run.stdout, new RegExp(`\\nround 1  catch-up {16}${system} +[\\d,]+ MiB/s  \\(watched [\\d,]+ MiB over [\\d.]+ s\\)${system === "Skiff Bun" ? "  raw loopback TCP [\\d,]+ MiB/s" : ""}\\n`), `a catch-up row of ${system}`);
    }
    assert.match(run.stdout, /\n {2}(PASS|FALLS SHORT) +slave catch-up ≥ 0\.8× raw loopback TCP on the same runtime — Skiff Bun: [\d.]+× \([\d,]+ \/ [\d,]+ MiB\/s; RocketMQ [\d,]+ MiB\/s\)\n/);
    const files = (await readdir(out)).sort();
    assert.equal(files.length, 2, files.join(", "));
    assert.match(files[0], /^\d{4}-\d{2}-\d{2}-quick\.md$/);
    assert.match(files[1], /^\d{4}-\d{2}-\d{2}-quick\.svg$/);
    const md = await readFile(join(out, files[0]), "utf8");
    assert.match(md, /\n\| RocketMQ 4\.9\.7 \| [\d,]+ \|/);
    assert.match(md, /\n\| Skiff Bun \| [\d,]+ \| [\d.]+× \|/);
    assert.match(md, /\n\| Skiff Bun \(wrk\) \| [\d,]+ \| [\d.]+× \|/);
    assert.match(md, /\n\| Skiff Bun \(client\) \| [\d,]+ \| [\d.]+× \|/);
    assert.match(md, /\n## Targets\n/);
    assert.match(md, /\n\| Skiff Bun \| [\d,]+ \| [\d.]+× \| [\d,]+ \| [\d.]+× \|\n/, "the catch-up table");
    const svg = await readFile(join(out, files[1]), "utf8");
    assert.match(svg, /<rect x="\d+" y="[\d.]+" width="[\d.]+" height="18" fill="#f472b6" fill-opacity="1"\/>/, "Bun's bar");
  });
});
