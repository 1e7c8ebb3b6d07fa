/**
 * Helpers for a Skiff master followed by a real Apache RocketMQ slave (beside `harness.ts`, which
 * starts the JVMs): the Java slave's broker.conf; what its own log files say about its recovery
 * (where it ended, whether it cut anything, which records it read again); a pause of its process
 * (SIGSTOP/SIGCONT, by PID); RocketMQ name-server calls over RocketMQ remoting with Skiff's own
 * client (a topic's route, and a route registered by the test so that a Java consumer reads from
 * the slave); and byte checks between stores (zeros beyond a commit log's end, consume queues).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { registerBrokerRemoting } from "../../../src/namesrv/register-broker-remoting.ts";
import { RemotingClient } from "../../../src/remoting/remoting-client.ts";
import { RequestCode, ResponseCode } from "../../../src/remoting/codes.ts";
import type { TopicConfigWrapper } from "../../../src/contract/namesrv-http.ts";
import { platform } from "../../support/platform.ts";
import { brokerConf, segmentName, segmentStarts, type RocketMQVersion } from "./harness.ts";

/** The broker.conf of a Java slave (`brokerId` 1) on 127.0.0.1:`listenPort` (spec §10). */
export function javaSlaveConf(values: {
  storeDir: string;
  listenPort: number;
  namesrvAddr: string;
  segmentSizeBytes: number;
  /** 4.9.7 follows it; 5.3.3 ignores it and learns its master from the name server (spec §0.1). */
  haMasterAddress?: string;
}): string {
  return brokerConf({
    storeDir: values.storeDir,
    listenPort: values.listenPort,
    namesrvAddr: values.namesrvAddr,
    brokerRole: "SLAVE",
    brokerId: 1,
    segmentSizeBytes: values.segmentSizeBytes,
    extra: {
      // A 5.x slave rejects pulls (SYSTEM_BUSY) unless it may serve reads.
      slaveReadEnable: true,
      ...(values.haMasterAddress ? { haMasterAddress: values.haMasterAddress } : {}),
    },
  });
}

/** Everything a JVM started with `-Duser.home=<runDir>` wrote to its RocketMQ log files. */
export function javaLogText(runDir: string): string {
  const dir = join(runDir, "logs", "rocketmqlogs");
  if (!existsSync(dir)) return "";
  return readdirSync(dir).filter((n) => n.endsWith(".log")).sort().map((n) => readFileSync(join(dir, n), "utf8")).join("\n");
}

/** What a Java store's start-up said about its recovery (DefaultMessageStore.load, CommitLog.recover*). */
export interface JavaRecovery {
  /** "last shutdown normally" / "abnormally" (4.9.7 and 5.3.3 word it alike). */
  readonly lastShutdown: "normally" | "abnormally" | null;
  /** `load over, and the max phy offset = N`: the commit-log end recovery kept. */
  readonly maxPhyOffset: number | null;
  /** Abnormal recovery names the segment whose first record the checkpoint covers; null: none did, so it scanned from the first segment. */
  readonly recoveredFrom: string | null;
  /** Lines that mean something was cut or refused: CRC failures, half messages, dropped consume-queue entries, bugs. */
  readonly problems: string[];
}

const PROBLEM = /CRC check failed|found a half message|\[BUG\]|appendToPhyQueue failed|appendData getLastMappedFile error|found a illegal magic code 0x(?!0\b)[0-9a-f]+|commitlog files are deleted/;
/**
 * `maxPhyOffsetOfConsumeQueue(a) >= processOffset(b), truncate dirty logic files`: Java compares the
 * end of the last dispatched message with `>=`, so a = b is logged after every complete recovery and
 * removes nothing; only a > b drops consume-queue entries.
 */
const LOGIC_TRUNCATION = /maxPhyOffsetOfConsumeQueue\((\d+)\) >= processOffset\((\d+)\)/;

function isProblem(line: string): boolean {
  const logic = LOGIC_TRUNCATION.exec(line);
  return logic ? Number(logic[1]) > Number(logic[2]) : PROBLEM.test(line);
}

export function javaRecovery(logText: string): JavaRecovery {
  const lastShutdown = /last shutdown (normally|abnormally)/.exec(logText)?.[1] as JavaRecovery["lastShutdown"] | undefined;
  const max = /load over, and the max phy offset = (\d+)/.exec(logText);
  const from = /recover from this mapped file (\S+)/.exec(logText);
  return {
    lastShutdown: lastShutdown ?? null,
    maxPhyOffset: max ? Number(max[1]) : null,
    recoveredFrom: from ? from[1] : null,
    problems: logText.split("\n").filter(isProblem),
  };
}

/**
 * Commit-log offsets a Java store's recovery dispatched again into consume queues that already held
 * them (`Maybe try to build consume queue repeatedly … phyOffset=N`, one line per record): after an
 * abnormal recovery from the first segment, every record's offset — each one read, length- and
 * CRC-checked by `checkMessageAndReturnSize` first.
 */
export function redispatchedOffsets(logText: string): Set<number> {
  const out = new Set<number>();
  for (const m of logText.matchAll(/Maybe try to build consume queue repeatedly maxPhysicOffset=\d+ phyOffset=(\d+)/g)) out.add(Number(m[1]));
  return out;
}

/** SIGSTOP (paused: the socket stays open, nothing is read or sent) / SIGCONT, by PID. */
export function pause(pid: number): void {
  process.kill(pid, "SIGSTOP");
}
export function resume(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch {
    // already gone
  }
}

/**
 * Registers `brokerAddr` as broker `brokerName`'s master (id 0) in a RocketMQ name server, with
 * `topicConfig`, over RocketMQ remoting (Skiff's REGISTER_BROKER client). The connection stays open
 * until `close()` (a name server forgets a broker whose channel closes).
 *
 * Why: a Java consumer reads through a name server, and both RocketMQ versions need an id-0 address
 * there. Tried with the slave registered by itself (id 1) as the only broker: 4.9.7's name server
 * builds a topic's queue data only from a master's registration, so the consumer got "No topic route
 * info in name server" (code 17); 5.3.3's takes queue data from a lone slave ("prime slave"), but the
 * client asks the master for a queue's min offset (MQAdminImpl.minOffset): "The broker[broker-a] not
 * exist". Listing the Java slave as id 0 makes every call of the consumer go to that slave. Nothing
 * follows this entry, so its HA address is a placeholder.
 */
export async function registerRoute(namesrvAddress: string, values: { brokerName: string; brokerAddr: string; topicConfig: TopicConfigWrapper }): Promise<{ close(): void }> {
  const client = new RemotingClient({ net: platform.net, clock: platform.clock, address: namesrvAddress });
  try {
    await registerBrokerRemoting(client, {
      clusterName: "DefaultCluster",
      brokerName: values.brokerName,
      brokerId: 0,
      brokerAddr: values.brokerAddr,
      haServerAddr: values.brokerAddr,
      topicConfig: values.topicConfig,
    });
  } catch (error) {
    client.close();
    throw error;
  }
  return { close: () => client.close() };
}

/**
 * A RocketMQ name server's route for `topic` (GET_ROUTEINFO_BY_TOPIC), as the JSON text it answers
 * (fastjson: unquoted numeric keys), or null while it has none (TOPIC_NOT_EXIST).
 */
export async function routeText(namesrvAddress: string, topic: string): Promise<string | null> {
  const client = new RemotingClient({ net: platform.net, clock: platform.clock, address: namesrvAddress });
  try {
    const answer = await client.invoke(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, new Uint8Array(0), 5000);
    if (answer.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    if (answer.code !== ResponseCode.SUCCESS) throw new Error(`${namesrvAddress} answered GET_ROUTEINFO_BY_TOPIC ${topic} with ${answer.code}: ${answer.remark}`);
    return new TextDecoder().decode(answer.body);
  } finally {
    client.close();
  }
}

/**
 * Whether every byte of a commit-log directory from `endOffset` on is zero: the rest of the segment
 * holding `endOffset` and every later segment (a Java broker's pre-allocated next segment). Returns
 * a description of the first non-zero byte, or null.
 */
export function nonZeroAfter(dir: string, endOffset: number): string | null {
  for (const start of segmentStarts(dir)) {
    const path = join(dir, segmentName(start));
    const size = statSync(path).size;
    if (start + size <= endOffset) continue;
    const bytes = readFileSync(path);
    for (let i = Math.max(0, endOffset - start); i < bytes.byteLength; i++) {
      if (bytes[i] !== 0) return `byte ${start + i} (segment ${segmentName(start)}) is ${bytes[i]}`;
    }
  }
  return null;
}

const CQ_ENTRY_BYTES = 20;

/**
 * Compares the consume queues of two stores (`consumequeue/<topic>/<queueId>/<file>`): every file of
 * `storeA` must exist in `storeB` with the same entries (the used part of A's file: up to its first
 * all-zero 20-byte entry) and no entry more. Returns the differences found (empty when equal).
 */
export function consumeQueueDifferences(storeA: string, storeB: string): string[] {
  const root = join(storeA, "consumequeue");
  const out: string[] = [];
  for (const topic of readdirSync(root).sort()) {
    for (const queue of readdirSync(join(root, topic)).sort()) {
      for (const file of readdirSync(join(root, topic, queue)).sort()) {
        const relative = join("consumequeue", topic, queue, file);
        const other = join(storeB, relative);
        if (!existsSync(other)) {
          out.push(`${relative} is missing in ${storeB}`);
          continue;
        }
        const a = readFileSync(join(storeA, relative));
        const b = readFileSync(other);
        let used = 0;
        while (used + CQ_ENTRY_BYTES <= a.byteLength && a.subarray(used, used + CQ_ENTRY_BYTES).some((x) => x !== 0)) used += CQ_ENTRY_BYTES;
        const differs = b.byteLength < used || !a.subarray(0, used).equals(b.subarray(0, used));
        const extra = b.subarray(used, used + CQ_ENTRY_BYTES).some((x) => x !== 0);
        if (differs || extra) out.push(`${relative}: ${differs ? "entries differ" : "an extra entry"} within the first ${used / CQ_ENTRY_BYTES + 1} entries`);
      }
    }
  }
  return out;
}

/** The ports a Java broker binds for `listenPort`: listenPort - 2 (VIP channel), listenPort, listenPort + 1 (HA). */
export function javaPorts(base: number): { listenPort: number; haPort: number } {
  return { listenPort: base + 2, haPort: base + 3 };
}

export type { RocketMQVersion };
