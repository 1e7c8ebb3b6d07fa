/**
 * The steps the remoting client scenarios share (test/interop/remoting-java-*.test.ts): a
 * suite per client version (its target, one producer JVM and one 4.9.7 mqadmin JVM reused by every check),
 * consumer JVMs started per check and always stopped, topics created with `mqadmin updateTopic`,
 * messages with a test id, and waits on what a push consumer holds and received.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RocketMQVersion } from "./env.ts";
import { startJavaClient, type JavaClient, type JavaMessageEvent } from "./java-clients.ts";
import { JavaSender, isMessage, utf8, type OutgoingMessage } from "./java-messages.ts";
import { MqadminSession, parseClusterList, parseUpdateTopic } from "./mqadmin.ts";
import { Cleanup, waitUntil } from "./processes.ts";
import { startTarget, type RemotingTarget } from "./remoting-target.ts";

export interface Suite {
  readonly version: RocketMQVersion;
  readonly runDir: string;
  readonly target: RemotingTarget;
  /** One DefaultMQProducer for every check (each check has topics of its own). */
  readonly sender: JavaSender;
  /** mqadmin of 4.9.7 (the tools the issue names), for every check. */
  readonly admin: MqadminSession;
  readonly cleanup: Cleanup;
}

export async function startSuite(version: RocketMQVersion, runDir: string): Promise<Suite> {
  const cleanup = new Cleanup();
  try {
    const target = cleanup.add(await startTarget(version, { runDir: join(runDir, "target") }));
    const sender = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr }, join(runDir, "producer"))));
    // 4.9.7's mqadmin for every step (5.3.3's takes ~3 s for many commands); the mqadmin check runs 5.3.3's too.
    const admin = cleanup.add(await MqadminSession.start("4.9.7", target.namesrvAddr, join(runDir, "mqadmin")));
    const suite = { version, runDir, target, sender, admin, cleanup };
    await waitRegistered(suite);
    return suite;
  } catch (error) {
    await cleanup.run().catch(() => undefined);
    throw error;
  }
}

/** Waits until `mqadmin clusterList` shows the broker: a broker registers some time after its boot line (5.3.3: seconds). */
export async function waitRegistered(suite: Pick<Suite, "admin" | "target">, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`broker ${suite.target.brokerAddr} in the name server's cluster list`, timeoutMs, async () =>
    parseClusterList(await suite.admin.run("clusterList")).some((row) => row.address === suite.target.brokerAddr), 500);
}

let clientCount = 0;

/** A client program (`PushClient`, `LitePullClient`, `SendClient`) on the suite's name server, stopped by `cleanup`. */
export async function javaClient(suite: Suite, cleanup: Cleanup, mainClass: string, args: Record<string, string | number | boolean | undefined>): Promise<JavaClient> {
  const runDir = join(suite.runDir, `${mainClass}-${++clientCount}`);
  return cleanup.add(await startJavaClient(suite.version, mainClass, { namesrv: suite.target.namesrvAddr, ...args }, runDir));
}

/** `mqadmin updateTopic -c DefaultCluster -t T -r N -w N [-p P]`, checked: created on the target's broker with those numbers. */
export async function createTopic(suite: Suite, topic: string, queues: number, perm?: number): Promise<void> {
  const args = ["-c", "DefaultCluster", "-t", topic, "-r", String(queues), "-w", String(queues), ...(perm === undefined ? [] : ["-p", String(perm)])];
  const { createdOn, config } = parseUpdateTopic(await suite.admin.run("updateTopic", args));
  assert.deepEqual(createdOn, [suite.target.brokerAddr], `updateTopic ${topic}: created on the broker`);
  assert.equal(config.topicName, topic);
  assert.equal(config.readQueueNums, String(queues));
  assert.equal(config.writeQueueNums, String(queues));
}

/** A message with a text body naming it, the given fields on top. */
export function message(topic: string, sid: string, fields: Omit<Partial<OutgoingMessage>, "topic" | "sid"> = {}): OutgoingMessage {
  return { topic, sid, body: utf8(`${sid} body`), ...fields };
}

/** The queue ids of the last `assigned` event of a PushClient (null before the first). */
export function assignment(client: JavaClient): { queues: number[]; retryQueues: number[] } | null {
  const last = client.events.filter((e) => e.event === "assigned").at(-1);
  if (!last) return null;
  const ids = (list: unknown) => (list as string[]).map((q) => Number(q.split("/")[1])).sort((a, b) => a - b);
  return { queues: ids(last.queues), retryQueues: ids(last.retryQueues) };
}

/** Waits until `test` holds for the consumers' current assignments (checked on each of their events). */
export async function waitForAssignment(what: string, clients: readonly JavaClient[], test: (assignments: ReturnType<typeof assignment>[]) => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test(clients.map(assignment))) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms; assignments ${JSON.stringify(clients.map(assignment))}`);
    for (const client of clients) if (!client.process.running) assert.fail(`${what}: ${client.name} exited\n${client.process.tail(20)}`);
    await sleep(100);
  }
}

/** The message events of `clients` for the test's messages, grouped by `sid`. */
export function deliveriesBySid(...clients: JavaClient[]): Map<string, JavaMessageEvent[]> {
  const out = new Map<string, JavaMessageEvent[]>();
  for (const client of clients) {
    for (const event of client.events) {
      if (!isMessage(event) || event.userProperties.sid === undefined) continue;
      const list = out.get(event.userProperties.sid) ?? [];
      list.push(event);
      out.set(event.userProperties.sid, list);
    }
  }
  return out;
}

/** Waits until every sid of `sids` was delivered (to any of `clients`) at least once. */
export async function waitForSids(what: string, clients: readonly JavaClient[], sids: Iterable<string>, timeoutMs = 60_000): Promise<Map<string, JavaMessageEvent[]>> {
  const wanted = [...sids];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = deliveriesBySid(...clients);
    const missing = wanted.filter((s) => !got.has(s));
    if (missing.length === 0) return got;
    if (Date.now() > deadline) assert.fail(`${what}: ${missing.length} of ${wanted.length} messages not delivered within ${timeoutMs} ms (${missing.slice(0, 10).join(", ")}…)`);
    if (clients.every((c) => !c.process.running)) assert.fail(`${what}: every consumer exited\n${clients[0].process.tail(20)}`);
    await sleep(100);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
