/** `skiff` on Node: the shared CLI (src/cli/cli.ts) with this runtime's platform and process. */
import { runCli } from "../../src/cli/cli.ts";
import { processIo } from "./process-io.ts";
import { platform } from "./platform.ts";

await runCli(platform, processIo());
