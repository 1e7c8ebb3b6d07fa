/** `skiff` on Deno: the shared CLI (src/cli/cli.ts) with this runtime's platform and process. */
import { runCli } from "../../src/cli/cli.ts";
import { platform } from "./platform.ts";

await runCli(platform, {
  argv: Deno.args,
  env: Deno.env.toObject(),
  out: (line) => console.log(line),
  outputIsTerminal: Deno.stdout.isTerminal(),
  err: (line) => console.error(line),
  onShutdownSignal(handler) {
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => handler(signal));
  },
  exit: (code) => Deno.exit(code),
});
