/** The Deno platform: every port of `src/core/platform.ts` backed by Deno (files through Deno's `node:fs`). */
import type { Platform } from "../../src/core/platform.ts";
import { systemClock } from "../../src/core/system-clock.ts";
import { fileSystem } from "./fs.ts";
import { httpServing } from "./http.ts";
import { network } from "./net.ts";
import { systemInfo } from "./system.ts";

export const platform: Platform = {
  fs: fileSystem,
  net: network,
  clock: systemClock,
  http: httpServing,
  system: systemInfo,
};
