/**
 * The source folders form floors, written once below, lowest first: a file may import its own
 * folder and the floors beneath it, never a floor above (and never a folder on its own floor). A
 * folder of src/ without a floor fails, and a planted upward import proves the scan sees imports.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";
import { sourceFiles } from "../support/source-files.ts";

/** The floors of src/, lowest first (ARCHITECTURE.md explains each). */
const FLOORS: readonly (readonly string[])[] = [
  ["core", "contract"], //  web-standard helpers and the ports; the HTTP contract's types
  ["codec"], //             RocketMQ's formats
  ["config", "store", "metadata", "remoting", "client"], // settings, the store, config files, the remoting protocol, the fetch client
  ["ha", "acl"], //         replication: master, slave, frame codecs; RocketMQ's ACL (plain_acl.yml, signatures, permissions)
  ["namesrv"], //           route table and the broker's registration client
  ["broker"], //            broker services: send, pull, roles, schedule, long polls
  ["http", "processors"], // protocol fronts: Hono apps, and the remoting processors (one per request code) over those services
  ["app"], //               composition roots: wire and start a broker or a name server
  ["cli"], //               command lines, shared by the three runtimes
];
const FLOOR_OF = new Map(FLOORS.flatMap((folders, floor) => folders.map((folder) => [folder, floor] as const)));

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
    const floor = FLOOR_OF.get(folder)!;
    for (const imported of importedFolders(file, code)) {
      if (imported !== folder && FLOOR_OF.get(imported)! >= floor) hits.push(`${file} imports src/${imported}`);
    }
  }
  return hits;
}

describe("src/ folders import only the floors below them", () => {
  it("every folder of src/ has its rule", () => {
    const folders = readdirSync("src").filter((name) => statSync(join("src", name)).isDirectory());
    assert.deepEqual(folders.filter((f) => !FLOOR_OF.has(f)), []);
    assert.deepEqual([...FLOOR_OF.keys()].filter((f) => !folders.includes(f)), [], "every floor names a folder that exists");
  });

  it("no file imports a folder above its own", () => {
    const files = sourceFiles("src").map((file) => ({ file, code: readFileSync(file, "utf8") }));
    assert.ok(files.length > 100);
    assert.deepEqual(violations(files), []);
  });

  it("the scan catches a planted upward import and an import across one floor", () => {
    const planted = { file: join("src", "broker", "x.ts"), code: 'import type { A } from "../http/broker/app.ts";\nimport { b } from "./y.ts";\nimport { c } from "../store/z.ts";' };
    assert.deepEqual(violations([planted]), [`${planted.file} imports src/http`]);
    const sideways = { file: join("src", "store", "x.ts"), code: 'import { m } from "../metadata/metadata.ts";' };
    assert.deepEqual(violations([sideways]), [`${sideways.file} imports src/metadata`]);
  });
});
