/**
 * The servers stock Java clients are pointed at in the remoting client tests
 * (test/interop/remoting-java-*.test.ts): one name server and one broker (`broker-a`, cluster
 * `DefaultCluster`, auto-created topics on, 1 MiB commit-log segments, `maxMessageSize`
 * MAX_MESSAGE_BYTES), chosen by SKIFF_REMOTING_TARGET:
 *
 * | value            | name server                                   | broker                                                   |
 * |------------------|-----------------------------------------------|----------------------------------------------------------|
 * | `skiff` (default)| `skiff namesrv`, RocketMQ remoting on listenPort | `skiff broker --namesrvProtocol=rocketmq`, remoting on listenPort |
 * | `rocketmq`       | Apache RocketMQ of the clients' version       | Apache RocketMQ of the clients' version                  |
 *
 * The tests only see `namesrvAddr` and `brokerAddr` (and may restart the broker on its store, or add
 * a slave to a SYNC_MASTER); the RocketMQ target validates the scenarios themselves. Skiff's own
 * HTTP client reaches a Skiff broker at `skiffBrokerHttpAddress`. The Skiff processes run on
 * SKIFF_REMOTING_RUNTIME (`bun`, `deno` or `node`; default the test runner's), checked by the
 * executable of each started process.
 */
import { readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { PullConsumer, Producer, type PulledMessage, type SendResult } from "../../../src/client/index.ts";
import type { RocketMQVersion } from "./env.ts";
import { brokerConf, startJavaBroker, startNamesrv, type JavaServer } from "./java-peers.ts";
import { freePortBlock } from "./processes.ts";
import { startSkiff, startSkiffNamesrv, type SkiffProcess } from "./skiff-peer.ts";
import { pause, resume } from "./skiff-master-harness.ts";
import { runtimeName, type RuntimeName } from "../../support/platform.ts";

export type TargetKind = "skiff" | "rocketmq";

/** The broker's `maxMessageSize`: a larger message is refused by the broker (the client allows 4 MiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** SKIFF_REMOTING_TARGET: `skiff` unless it says `rocketmq`; anything else is a mistake worth stopping for. */
export function remotingTargetKind(): TargetKind {
  const value = process.env.SKIFF_REMOTING_TARGET ?? "skiff";
  if (value !== "skiff" && value !== "rocketmq") throw new Error(`SKIFF_REMOTING_TARGET must be skiff or rocketmq, not ${JSON.stringify(value)}`);
  return value;
}

/** Where a Skiff broker serves its HTTP API: `httpListenPort`, by default `listenPort + 2` (DESIGN §1.2). */
export function skiffBrokerHttpAddress(listenPort: number): string {
  return `127.0.0.1:${listenPort + 2}`;
}

export interface TargetSlave {
  /** SIGSTOP / SIGCONT: the slave's connection stays open while it acknowledges nothing. */
  pause(): void;
  resume(): void;
  /** SIGKILL: its connections close at once. */
  kill(): Promise<void>;
}

export interface RemotingTarget {
  readonly kind: TargetKind;
  readonly namesrvAddr: string;
  /** The broker's remoting address, as it registers it (`brokerIP1:listenPort`). */
  readonly brokerAddr: string;
  readonly brokerName: string;
  /** Skiff target: the broker's HTTP API; null for RocketMQ. */
  readonly skiffHttpAddress: string | null;
  /** Stops the broker cleanly (SIGTERM) and starts it again on the same store and ports. */
  restartBroker(): Promise<void>;
  /** SYNC_MASTER targets: starts a slave (brokerId 1) that replicates from the broker. */
  startSlave(): Promise<TargetSlave>;
  /** Teardown: SIGKILL for every process (a clean Java broker shutdown takes 7–16 s; the store is thrown away). */
  stop(): Promise<void>;
}

export interface TargetOptions {
  readonly runDir: string;
  readonly brokerRole?: "ASYNC_MASTER" | "SYNC_MASTER";
  /** RocketMQ target: the servers' version when it is not the clients' (`version`). */
  readonly rocketmqServerVersion?: RocketMQVersion;
  /** Skiff target: more broker settings (e.g. aclEnable, plainAclFile). */
  readonly skiffBrokerValues?: Readonly<Record<string, string | number | boolean>>;
  /** Skiff target: more name server settings (e.g. tlsMode). */
  readonly skiffNamesrvValues?: Readonly<Record<string, string | number | boolean>>;
}

/** The target for clients of `version`. */
export function startTarget(version: RocketMQVersion, options: TargetOptions): Promise<RemotingTarget> {
  return remotingTargetKind() === "rocketmq" ? startRocketMQTarget(options.rocketmqServerVersion ?? version, options) : startSkiffTarget(options);
}

/**
 * Starts a server on a fresh block of `count` free ports (`start` gets the first), again on another
 * block when a port was taken in between: the blocks lie in the OS's ephemeral range, where any
 * outgoing connection may grab a port after the check.
 */
async function onFreePorts<T>(count: number, start: (firstPort: number) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePortBlock(count));
    } catch (error) {
      if (attempt >= attempts || !BIND_FAILURE.test((error as Error).message)) throw error;
    }
  }
}

/** Starts a server again on its own ports, waiting a little while one of them is still taken. */
async function onSamePorts<T>(start: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !BIND_FAILURE.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

const BIND_FAILURE = /Address already in use|EADDRINUSE|Failed to bind/;

async function startRocketMQTarget(version: RocketMQVersion, options: TargetOptions): Promise<RemotingTarget> {
  const namesrv = await onFreePorts(1, (port) => startNamesrv(version, port, join(options.runDir, "namesrv")));
  const role = options.brokerRole ?? "ASYNC_MASTER";
  // 5.3.3's SYNC_MASTER waits for a slave only with two in-sync replicas (spec §4.6).
  const replicas: Record<string, number> = role === "SYNC_MASTER" && version === "5.3.3" ? { totalReplicas: 2, inSyncReplicas: 2 } : {};
  const jvmDir = join(options.runDir, "broker");
  let conf = "";
  let listenPort = 0;
  let broker: JavaServer | null = null;
  try {
    // Java also binds listenPort - 2 and listenPort + 1.
    broker = await onFreePorts(4, (first) => {
      listenPort = first + 2;
      conf = brokerConf({ storeDir: join(options.runDir, "store"), listenPort, namesrvAddr: namesrv.address, brokerRole: role, extra: { maxMessageSize: MAX_MESSAGE_BYTES, ...replicas } });
      return startJavaBroker(version, conf, jvmDir);
    });
  } catch (error) {
    await namesrv.kill();
    throw error;
  }
  const slaves: JavaServer[] = [];
  return {
    kind: "rocketmq",
    namesrvAddr: namesrv.address,
    brokerAddr: `127.0.0.1:${listenPort}`,
    brokerName: "broker-a",
    skiffHttpAddress: null,
    async restartBroker() {
      await broker?.stop();
      broker = null;
      broker = await onSamePorts(() => startJavaBroker(version, conf, jvmDir));
    },
    async startSlave() {
      const index = slaves.length;
      const slave = await onFreePorts(4, (first) => {
        const slaveConf = brokerConf({ storeDir: join(options.runDir, `slave-${index}`), listenPort: first + 2, namesrvAddr: namesrv.address, brokerRole: "SLAVE", brokerId: 1, extra: replicas });
        return startJavaBroker(version, slaveConf, join(options.runDir, `slave-${index}-jvm`));
      });
      slaves.push(slave);
      return processSlave(slave.pid, async () => void (await slave.kill()));
    },
    async stop() {
      for (const slave of slaves) await slave.kill();
      await broker?.kill();
      await namesrv.kill();
    },
  };
}

/** SKIFF_REMOTING_RUNTIME: the runtime of the Skiff name server and broker processes (default: the one running the tests). */
export function skiffRuntime(): RuntimeName {
  const value = process.env.SKIFF_REMOTING_RUNTIME ?? runtimeName;
  if (value !== "bun" && value !== "deno" && value !== "node") throw new Error(`SKIFF_REMOTING_RUNTIME must be bun, deno or node, not ${JSON.stringify(value)}`);
  return value;
}

async function startSkiffTarget(options: TargetOptions): Promise<RemotingTarget> {
  const runtime = skiffRuntime();
  // Remoting on listenPort, HTTP on listenPort + 1.
  let namesrvPort = 0;
  const namesrv = await onFreePorts(2, (first) => {
    namesrvPort = first;
    return startSkiffNamesrv({ listenPort: first, ...options.skiffNamesrvValues }, runtime);
  });
  const namesrvAddr = `127.0.0.1:${namesrvPort}`;
  const flagsOn = (listenPort: number) => ({
    listenPort, brokerIP1: "127.0.0.1", brokerIP2: "127.0.0.1", storePathRootDir: join(options.runDir, "store"), mappedFileSizeCommitLog: 1 << 20,
    namesrvAddr, namesrvProtocol: "rocketmq", autoCreateTopicEnable: true, brokerRole: options.brokerRole ?? "ASYNC_MASTER", maxMessageSize: MAX_MESSAGE_BYTES,
    ...options.skiffBrokerValues,
  });
  let flags = flagsOn(0);
  let broker: SkiffProcess | null = null;
  try {
    assertRunsOn(namesrv, runtime);
    // The fast channel on listenPort - 2, HA on + 1, HTTP on + 2.
    broker = await onFreePorts(5, (first) => {
      flags = flagsOn(first + 2);
      return startSkiff(flags, runtime);
    });
    assertRunsOn(broker, runtime);
  } catch (error) {
    await broker?.kill();
    await namesrv.kill();
    throw error;
  }
  const slaves: SkiffProcess[] = [];
  return {
    kind: "skiff",
    namesrvAddr,
    brokerAddr: `127.0.0.1:${flags.listenPort}`,
    brokerName: "broker-a",
    skiffHttpAddress: skiffBrokerHttpAddress(flags.listenPort),
    async restartBroker() {
      await broker?.stop();
      broker = null;
      broker = await onSamePorts(() => startSkiff(flags, runtime));
      assertRunsOn(broker, runtime);
    },
    async startSlave() {
      const index = slaves.length;
      const slave = await onFreePorts(5, (first) => startSkiff({
        ...flags, listenPort: first + 2, brokerRole: "SLAVE", brokerId: 1, storePathRootDir: join(options.runDir, `slave-${index}`), haMasterAddress: `127.0.0.1:${flags.listenPort + 1}`,
      }, runtime));
      slaves.push(slave);
      assertRunsOn(slave, runtime);
      return processSlave(slave.pid, async () => void (await slave.kill()));
    },
    async stop() {
      for (const slave of slaves) await slave.kill();
      await broker?.kill();
      await namesrv.kill();
    },
  };
}

/** The process runs the runtime's own executable (Linux: `/proc/<pid>/exe`), so a runtime matrix cannot pass on another one. */
function assertRunsOn(skiff: SkiffProcess, runtime: RuntimeName): void {
  // npm's bun package installs its binary as `bun.exe` on Linux too.
  const executable = basename(readlinkSync(`/proc/${skiff.pid}/exe`)).replace(/\.exe$/, "");
  if (executable !== runtime) throw new Error(`a Skiff process meant for ${runtime} runs ${executable} (pid ${skiff.pid})`);
}

function processSlave(pid: number, kill: () => Promise<void>): TargetSlave {
  let paused = false;
  return {
    pause: () => {
      pause(pid);
      paused = true;
    },
    resume: () => {
      resume(pid);
      paused = false;
    },
    kill: async () => {
      if (paused) resume(pid);
      await kill();
    },
  };
}

/** Every message of `topic` on a Skiff broker, read with Skiff's own HTTP client (src/client) from offset 0 of each queue. */
export async function readWithSkiffClient(target: RemotingTarget, topic: string, queueIds: readonly number[]): Promise<PulledMessage[]> {
  if (!target.skiffHttpAddress) throw new Error("readWithSkiffClient needs a Skiff broker");
  const consumer = new PullConsumer({ group: "skiff_remoting_reader", broker: target.skiffHttpAddress });
  const out: PulledMessage[] = [];
  for (const queueId of queueIds) {
    for await (const batch of consumer.consume(topic, queueId, { from: "first", waitMs: 0 })) out.push(...batch.messages);
  }
  return out;
}

/** Sends one message with Skiff's own HTTP client (src/client) to a Skiff broker. */
export async function sendWithSkiffClient(target: RemotingTarget, topic: string, message: { body: Uint8Array; tags?: string; keys?: string[]; properties: Record<string, string>; queueId?: number }): Promise<SendResult> {
  if (!target.skiffHttpAddress) throw new Error("sendWithSkiffClient needs a Skiff broker");
  return new Producer({ broker: target.skiffHttpAddress }).send(topic, message);
}
