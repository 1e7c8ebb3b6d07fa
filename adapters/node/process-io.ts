/**
 * The CLI's view of a `process` (argv, env, output, SIGINT/SIGTERM, exit) for runtimes that have
 * Node's `process` object: Node itself and Bun.
 */
import type { ProcessIo } from "../../src/cli/cli.ts";

export function processIo(): ProcessIo {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    out: (line) => console.log(line),
    outputIsTerminal: process.stdout.isTTY === true,
    err: (line) => console.error(line),
    onShutdownSignal(handler) {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => handler(signal));
    },
    exit: (code) => process.exit(code),
  };
}
