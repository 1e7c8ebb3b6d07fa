/**
 * The `FileSystem` port for Deno: the Node adapter's, over Deno's `node:fs/promises`.
 *
 * Deno's own `FsFile` has no positional read or write (only `seek` plus `read`/`write`, sharing
 * one file position), so concurrent reads and writes at different offsets would race. Deno's
 * `node:fs` `FileHandle.read`/`write` take a position, keep bytes at the right offsets under
 * concurrency, give errors Node's `code`s and fsync a directory opened read-only; all of it is
 * checked by `test/adapters/fs-conformance.test.ts` under `deno test`.
 */
export { fileSystem } from "../node/fs.ts";
