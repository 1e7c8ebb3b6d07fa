// The source folders form floors: the composition roots (src/app) wire everything and are imported only by the CLI; the
// HTTP apps (src/http) sit above the broker and the name server, which never import HTTP, the app or the CLI. A planted
// import from src/broker into src/http proves the scan sees relative imports.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";

/** Folders under src/ that the folder on the left must not import. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
  broker: ["http", "app", "cli"],
  namesrv: ["http", "app", "cli"],
  store: ["http", "app", "cli", "broker"],
  ha: ["http", "app", "cli", "broker"],
  metadata: ["http", "app", "cli", "broker"],
  codec: ["http", "app", "cli", "broker"],
  core: ["http", "app", "cli", "broker"],
  config: ["http", "app", "cli", "broker"],
  remoting: ["http", "app", "cli", "broker"],
  client: ["app", "cli", "broker"],
  http: ["app", "cli"],
  app: ["cli"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** The src/ folder a relative import of `file` lands in, or null when it leaves src/ or is a package. */
function importedFolders(file: string, code: string): string[] {
  const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specifiers.flatMap((specifier) => {
    const target = relative("src", normalize(join(dirname(file), specifier)));
    if (target.startsWith("..")) return [];
    return [target.split(sep)[0]];
  });
}

function violations(files: ReadonlyArray<{ file: string; code: string }>): string[] {
  const hits: string[] = [];
  for (const { file, code } of files) {
    const folder = relative("src", file).split(sep)[0];
    for (const imported of importedFolders(file, code)) {
      if ((FORBIDDEN[folder] ?? []).includes(imported)) hits.push(`${file} imports src/${imported}`);
    }
  }
  return hits;
}

describe("src/ folders import only the floors below them", () => {
  it("every folder of src/ has its rule", () => {
    const folders = readdirSync("src").filter((name) => statSync(join("src", name)).isDirectory());
    assert.deepEqual(folders.filter((f) => !(f in FORBIDDEN)).sort(), ["cli"]);
  });

  it("no file imports a folder above its own", () => {
    const files = sourceFiles("src").map((file) => ({ file, code: readFileSync(file, "utf8") }));
    assert.ok(files.length > 100);
    assert.deepEqual(violations(files), []);
  });

  it("the scan catches a planted import of the HTTP folder from the broker", () => {
    const planted = { file: join("src", "broker", "x.ts"), code: 'import type { A } from "../http/broker/app.ts";\nimport { b } from "./y.ts";' };
    assert.deepEqual(violations([planted]), [`${planted.file} imports src/http`]);
  });
});
