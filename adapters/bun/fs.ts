/**
 * The `FileSystem` port for Bun: the Node adapter's, unchanged.
 *
 * Bun implements `node:fs/promises` natively (and fast), with positional `FileHandle.read`/
 * `write`, the same `code`s on errors, numeric open flags and fsync of a directory opened
 * read-only, all checked by `test/adapters/fs-conformance.test.ts` under `bun test`.
 * `Bun.file`/`Bun.write` offer no positional writes, so they would not help here.
 */
export { fileSystem } from "../node/fs.ts";
