/**
 * The client is a standalone `fetch` library for edge runtimes: every file it reaches through its
 * imports, followed transitively, lies in src/client, src/contract (the HTTP contract it shares
 * with the servers), src/codec (RocketMQ's byte formats) or src/core (web-standard helpers), and
 * none names a package or a runtime module. The contract itself imports nothing and declares only
 * types and `as const` values, so importing it pulls no server code into a client bundle.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { withoutComments } from "../support/source-files.ts";

const ALLOWED_FOLDERS = ["src/client/", "src/contract/", "src/codec/", "src/core/"];

/** Every module specifier of a file: static imports and re-exports (types too), side-effect and dynamic imports. */
function specifiers(code: string): string[] {
  const text = withoutComments(code);
  const patterns = [/\bfrom\s*["']([^"']+)["']/g, /^\s*import\s*["']([^"']+)["']/gm, /\bimport\s*\(\s*["']([^"']+)["']/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]));
}

interface Graph {
  /** Every file reached, entries included, as paths from the project root. */
  readonly files: ReadonlySet<string>;
  /** `file: what it imports, and why that is refused`. */
  readonly problems: readonly string[];
}

/** Follows relative imports from `entries`; `read` gives a file's text, or undefined when there is none. */
function walk(entries: readonly string[], read: (path: string) => string | undefined): Graph {
  const files = new Set<string>();
  const problems: string[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (files.has(file)) continue;
    files.add(file);
    if (!ALLOWED_FOLDERS.some((folder) => file.startsWith(folder))) {
      problems.push(`${file}: outside ${ALLOWED_FOLDERS.join(", ")}`);
      continue; // one line per file that leaves the folders, not one per file behind it
    }
    const code = read(file);
    if (code === undefined) {
      problems.push(`${file}: imported, but there is no such file`);
      continue;
    }
    for (const specifier of specifiers(code)) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
        problems.push(`${file}: imports ${specifier}, a package or runtime module`);
        continue;
      }
      queue.push(normalize(join(dirname(file), specifier)).replaceAll("\\", "/"));
    }
  }
  return { files, problems };
}

function readSource(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

const typeScriptIn = (folder: string): string[] =>
  readdirSync(folder).filter((name) => name.endsWith(".ts")).sort().map((name) => `${folder}/${name}`);

describe("the client is standalone", () => {
  it("reaches only src/client, src/contract, src/codec and src/core through its imports", () => {
    const graph = walk(typeScriptIn("src/client"), readSource);
    assert.deepEqual(graph.problems, []);
    // The walk really follows imports: the contract, a codec and a core helper are reached.
    for (const expected of ["src/contract/broker-http.ts", "src/contract/namesrv-http.ts", "src/codec/batch.ts", "src/core/bytes.ts"]) {
      assert.ok(graph.files.has(expected), `${expected} is reached from src/client`);
    }
  });

  it("refuses a planted import of the store, a package, a node: module and a missing file", () => {
    const planted: Record<string, string> = {
      "src/client/a.ts": 'import { x } from "./b.ts";\nexport { y } from "../codec/c.ts";',
      "src/client/b.ts": '/* from "../store/ignored.ts" */ import type { S } from "../store/message-store.ts";\nimport { z } from "zod";',
      "src/codec/c.ts": 'import "node:fs";\nconst later = () => import("../core/gone.ts");',
      "src/store/message-store.ts": "export type S = number;",
    };
    const graph = walk(["src/client/a.ts"], (path) => planted[path]);
    assert.deepEqual([...graph.problems].sort(), [
      "src/client/b.ts: imports zod, a package or runtime module",
      "src/codec/c.ts: imports node:fs, a package or runtime module",
      "src/core/gone.ts: imported, but there is no such file",
      "src/store/message-store.ts: outside src/client/, src/contract/, src/codec/, src/core/",
    ]);
  });
});

describe("the HTTP contract", () => {
  const contract = typeScriptIn("src/contract");

  it("holds the broker's and the name server's shapes, and the dashboard's", () => {
    assert.deepEqual(contract, ["src/contract/broker-http.ts", "src/contract/dashboard.ts", "src/contract/error-body.ts", "src/contract/namesrv-http.ts"]);
  });

  it("imports nothing", () => {
    const imports = contract.flatMap((file) => specifiers(readFileSync(file, "utf8")).map((s) => `${file}: ${s}`));
    assert.deepEqual(imports, []);
  });

  it("declares only types, interfaces and constant values", () => {
    const refused: string[] = [];
    for (const file of contract) {
      const code = withoutComments(readFileSync(file, "utf8"));
      for (const line of code.split("\n")) {
        // Top-level statements start in column 0; members, values and closing braces are indented or `}`.
        if (!/^\S/.test(line) || /^[}\]]/.test(line)) continue;
        const declaration = /^export (interface \w+|type \w+|const [A-Z][A-Z0-9_]* = )/.test(line);
        if (!declaration) refused.push(`${file}: ${line.trim()}`);
      }
      // A constant is a literal, frozen for its type by `as const` (a number literal needs none).
      for (const match of code.matchAll(/^export const (\w+) = ([\s\S]*?);$/gm)) {
        const literal = /^-?\d+$/.test(match[2].trim()) || /as const$/.test(match[2].trim()) || /^"[^"]*"$/.test(match[2].trim());
        if (!literal || /\bnew\b|\bfunction\b|=>|\(/.test(match[2])) refused.push(`${file}: ${match[1]} is not a literal constant`);
      }
    }
    assert.deepEqual(refused, []);
  });
});
