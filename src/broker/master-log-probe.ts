/**
 * A Skiff slave's view of its master's commit log over the master's HTTP API (`GET /ha/log`), for
 * the check that the slave's log continues the master's (`src/ha/log-agreement.ts`), and of its
 * end (`GET /ha/status`'s `maxPhyOffset`) for the catch-up report. Answers null when the master
 * cannot be asked: no address yet, unreachable, or not a Skiff master (404).
 */
import type { MasterLogProbe, ProbeAnswer } from "../ha/log-agreement.ts";
import type { FetchLike } from "./slave-sync.ts";

export const PROBE_TIMEOUT_MS = 3000;

export function httpMasterLogProbe(fetcher: FetchLike, masterHttpAddress: () => string | null): MasterLogProbe {
  return {
    async read(offset: number, length: number): Promise<ProbeAnswer | null> {
      const address = masterHttpAddress();
      if (!address) return null;
      let response: Response;
      try {
        response = await fetcher(`http://${address}/ha/log?offset=${offset}&length=${length}`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      } catch {
        return null;
      }
      const minOffset = Number(response.headers.get("x-skiff-min-offset"));
      const shippableOffset = Number(response.headers.get("x-skiff-shippable-offset"));
      if (response.status === 416 && Number.isSafeInteger(minOffset) && Number.isSafeInteger(shippableOffset)) {
        await response.body?.cancel();
        return { held: false, minOffset, shippableOffset };
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        return null;
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return bytes.byteLength === length ? { held: true, bytes } : null;
    },
    async maxOffset(): Promise<number | null> {
      const address = masterHttpAddress();
      if (!address) return null;
      try {
        const response = await fetcher(`http://${address}/ha/status`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        if (response.status !== 200) {
          await response.body?.cancel();
          return null;
        }
        const max = ((await response.json()) as { maxPhyOffset?: unknown }).maxPhyOffset;
        return typeof max === "number" && Number.isSafeInteger(max) && max >= 0 ? max : null;
      } catch {
        return null;
      }
    },
  };
}
