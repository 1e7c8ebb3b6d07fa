/**
 * The broker's two RocketMQ remoting listeners over one running broker: `listenPort` with every
 * processor, and the fast ("VIP") channel `listenPort - 2` without the pulls (spec §1.1;
 * `src/processors/broker/index.ts` composes both tables). When `listenPort` is 0 (tests) both
 * ports are the OS's choice, so the fast channel is then not at `listenPort - 2`. A connection
 * silent for `serverChannelMaxIdleTimeSeconds` is closed, as by RocketMQ's NettyServerConfig.
 */
import type { BrokerConfig } from "../config/broker-config.ts";
import type { Platform } from "../core/platform.ts";
import type { BrokerRuntime } from "../broker/runtime.ts";
import { errorAnswer } from "../processors/error-answers.ts";
import { brokerProcessors } from "../processors/broker/index.ts";
import { RemotingServer, type RemotingGuard } from "../remoting/remoting-server.ts";
import type { Logger } from "../core/log.ts";

export interface BrokerRemoting {
  readonly main: RemotingServer;
  readonly fast: RemotingServer;
  close(): Promise<void>;
}

/** `guard` (the ACL, when on) checks every request on both listeners. */
export async function listenRemoting(
  runtime: BrokerRuntime, platform: Pick<Platform, "net" | "clock">, config: BrokerConfig, log: Logger, guard?: RemotingGuard,
): Promise<BrokerRemoting> {
  const tables = brokerProcessors(runtime);
  // RemotingServer's other limits keep their defaults: RocketMQ has no key for them.
  const limits = { idleTimeoutMs: config.serverChannelMaxIdleTimeSeconds * 1000 };
  const common = { net: platform.net, clock: platform.clock, log, errorAnswer, limits, guard };
  const main = await RemotingServer.listen({ ...common, name: "remoting", at: { host: config.brokerIP1, port: config.listenPort }, processors: tables.main });
  const fastPort = config.listenPort > 2 ? config.listenPort - 2 : 0;
  let fast: RemotingServer;
  try {
    fast = await RemotingServer.listen({ ...common, name: "remoting (fast channel)", at: { host: config.brokerIP1, port: fastPort }, processors: tables.fast });
  } catch (error) {
    await main.close();
    throw error;
  }
  return {
    main,
    fast,
    close: async () => {
      await Promise.all([main.close(), fast.close()]);
    },
  };
}
