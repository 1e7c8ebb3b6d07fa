/**
 * The core must run unchanged on Bun, Deno, Node and edge runtimes, so nothing under `src/` may
 * reach for a runtime: no `node:` imports, no `Buffer`, no `Bun.`, no `Deno.`, no `process.`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const forbidden: Array<[RegExp, string]> = [
  [/from\s+["']node:/, "node: import"],
  [/require\(\s*["']node:/, "node: require"],
  [/import\(\s*["']node:/, "node: dynamic import"],
  [/\bBuffer\b/, "Buffer"],
  [/\bBun\./, "Bun global"],
  [/\bDeno\./, "Deno global"],
  [/\bprocess\./, "process global"],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

describe("src/ is free of runtime globals", () => {
  it("finds source files to scan", () => {
    assert.ok(sourceFiles("src").length > 0);
  });

  it("has no node:, Buffer, Bun., Deno. or process. in code", () => {
    const hits: string[] = [];
    for (const file of sourceFiles("src")) {
      const code = withoutComments(readFileSync(file, "utf8"));
      for (const [pattern, what] of forbidden) {
        if (pattern.test(code)) hits.push(`${file}: ${what}`);
      }
    }
    assert.deepEqual(hits, []);
  });

  it("the scanner catches a planted violation", () => {
    const planted = withoutComments('import { x } from "node:fs";\nconst b = Buffer.from("a");');
    assert.ok(forbidden.some(([p]) => p.test(planted)));
  });
});
