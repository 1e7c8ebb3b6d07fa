/**
 * The `SystemInfo` port for Bun: Bun provides `node:os` and `process` natively, so this is the
 * Node adapter's, under the runtime's own name.
 */
import type { SystemInfo } from "../../src/core/platform.ts";
import { systemInfo as nodeSystemInfo } from "../node/system.ts";

export const systemInfo: SystemInfo = { ...nodeSystemInfo, runtime: "bun" };
