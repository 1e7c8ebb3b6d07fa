/**
 * The broker's remoting processor tables, composed from the processors of each area over one
 * running broker (`BrokerRuntime`): `main` for `listenPort`, `fast` for the fast ("VIP") channel
 * `listenPort - 2`, which serves the same codes except the pulls (PULL_MESSAGE, LITE_PULL_MESSAGE),
 * as a Java broker's does (spec §1.1). A code registered twice is a bug (asserted).
 */
import { fail } from "../../core/errors.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode } from "../../remoting/codes.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";
import { adminProcessors } from "./admin-processors.ts";
import { consumerProcessors } from "./consumer-processors.ts";
import { offsetProcessors } from "./offset-processors.ts";
import { pullProcessors } from "./pull-processors.ts";
import { sendProcessors } from "./send-processors.ts";
import { slaveSyncProcessors } from "./slave-sync-processors.ts";

export interface BrokerProcessorTables {
  readonly main: ReadonlyMap<number, RemotingProcessor>;
  readonly fast: ReadonlyMap<number, RemotingProcessor>;
}

const NOT_ON_FAST_CHANNEL: ReadonlySet<number> = new Set([RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE]);

export function brokerProcessors(runtime: BrokerRuntime): BrokerProcessorTables {
  const main = new Map<number, RemotingProcessor>();
  const subscriptionOf = (group: string, topic: string) => runtime.clients.subscription(group, topic);
  const areas = [
    sendProcessors({ runtime }),
    pullProcessors({ runtime, subscriptionOf }),
    offsetProcessors({ runtime }),
    consumerProcessors(runtime),
    adminProcessors({ runtime, subscriptions: runtime.clients }),
    slaveSyncProcessors({ runtime }),
  ];
  for (const area of areas) {
    for (const [code, processor] of area) {
      if (main.has(code)) fail(`request code ${code} has one processor`);
      main.set(code, processor);
    }
  }
  const fast = new Map([...main].filter(([code]) => !NOT_ON_FAST_CHANNEL.has(code)));
  return { main, fast };
}
