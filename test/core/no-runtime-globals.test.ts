/**
 * The core must run unchanged on Bun, Deno, Node and edge runtimes, so nothing under `src/` may
 * reach for a runtime: no `node:` imports, no `Buffer`, no `Bun.`, no `Deno.`, no `process.`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sourceFiles, withoutComments } from "../support/source-files.ts";

const forbidden: Array<[RegExp, string]> = [
  [/from\s+["']node:/, "node: import"],
  [/require\(\s*["']node:/, "node: require"],
  [/import\(\s*["']node:/, "node: dynamic import"],
  [/\bBuffer\b/, "Buffer"],
  [/\bBun\./, "Bun global"],
  [/\bDeno\./, "Deno global"],
  [/\bprocess\./, "process global"],
];

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
