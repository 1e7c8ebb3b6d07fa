/** `skiff` on Node: the shared CLI (src/cli/cli.ts) with this runtime's platform and process. */
import { runCli } from "../../src/cli/cli.ts";
import { platform } from "./platform.ts";

await runCli(platform, {
  argv: process.argv.slice(2),
  env: process.env,
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  onShutdownSignal(handler) {
    let fired = false;
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => {
        if (fired) return;
        fired = true;
        handler(signal);
      });
    }
  },
  exit: (code) => process.exit(code),
});
