/**
 * What RocketMQ's ACL costs a send, measured side by side in one run on the runtime running it:
 * two brokers over real loopback TCP, one with aclEnable=false and one with aclEnable=true (an
 * account with PUB on the topic), each sent the same SEND_MESSAGE_V2 requests (1 KiB, 32 in
 * flight, one message per request) by Skiff's remoting client; to the ACL broker every request is
 * signed as AclClientRPCHook signs it (HMAC-SHA1 over the sorted header values and the body, done
 * per request in the client as a Java producer does), and the broker checks each signature
 * (acl-guard.ts → AclPolicy.decide). Then the same over HTTP (no credentials vs Basic
 * credentials). The client runs in the same process as both brokers, so a third remoting row
 * sends signed requests to the broker without ACL: "ACL / signed, no ACL" is the broker's own
 * share (checking), "signed / unsigned, no ACL" the client's (signing). Rounds alternate the
 * order; prints msgs/s, p99 and the ratios.
 *
 *   bash bench/run.sh acl            # all three runtimes
 *   SKIFF_BENCH_MESSAGES=20000 bun bench/acl.bench.ts
 */
import { writeFile } from "node:fs/promises";
import { platform, runtimeName, tempDir, removeDir } from "../test/support/platform.ts";
import { resolveBrokerConfig } from "../src/config/sources.ts";
import { startBroker, type BrokerHandle } from "../src/app/start-broker.ts";
import { signExtFields } from "../src/acl/acl-signature.ts";
import { basicAuthorization } from "../src/codec/basic-credentials.ts";
import { encodeProperties } from "../src/codec/properties.ts";
import { silentLogger } from "../src/core/log.ts";
import { RequestCode, ResponseCode } from "../src/remoting/codes.ts";
import { RemotingClient } from "../src/remoting/remoting-client.ts";
import { encodeSendMessageHeader } from "../src/processors/broker/send-message-header.ts";

const total = Number(globalThis.process?.env?.SKIFF_BENCH_MESSAGES ?? 20000);
const rounds = 2;
const concurrency = 32;
const body = new TextEncoder().encode("x".repeat(1024));
const ACCOUNT = { accessKey: "bench-app", secretKey: "bench-secret-1" };
const ADMIN = { accessKey: "bench-admin", secretKey: "bench-secret-2" };

interface Run { readonly perSec: number; readonly p99: number }

async function drive(requests: number, call: () => Promise<void>): Promise<Run> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < requests) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  }));
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { perSec: requests / (ms / 1000), p99: latencies[Math.floor(latencies.length * 0.99)] };
}

function sendFields(): Record<string, string> {
  return encodeSendMessageHeader({
    producerGroup: "bench_pg", topic: "BenchAcl", defaultTopic: "TBW102", defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0, bornTimestamp: Date.now(), flag: 0,
    properties: encodeProperties({ WAIT: "true" }, { trailingSeparator: false }), reconsumeTimes: 0, unitMode: false, batch: false, brokerName: "broker-a",
  }, "v2");
}

async function remotingSends(broker: BrokerHandle, signed: boolean, requests = total): Promise<Run> {
  const client = new RemotingClient({ net: platform.net, clock: platform.clock, address: broker.remotingAddress });
  try {
    return await drive(requests, async () => {
      const fields = signed ? await signExtFields(sendFields(), body, ACCOUNT) : sendFields();
      const answer = await client.invoke(RequestCode.SEND_MESSAGE_V2, fields, body);
      if (answer.code !== ResponseCode.SUCCESS) throw new Error(`send answered ${answer.code}: ${answer.remark}`);
    });
  } finally {
    client.close();
  }
}

async function httpSends(broker: BrokerHandle, signed: boolean, requests = Math.min(total, 10_000)): Promise<Run> {
  const headers: Record<string, string> = { "content-type": "application/json", ...(signed ? { authorization: basicAuthorization(ACCOUNT) } : {}) };
  const text = JSON.stringify({ body: "x".repeat(1024) });
  return drive(requests, async () => {
    const response = await fetch(`http://${broker.httpAddress}/topics/BenchAcl/messages`, { method: "POST", headers, body: text });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  });
}

const dir = await tempDir("bench-acl");
try {
  const aclFile = `${dir}/plain_acl.yml`;
  await writeFile(aclFile, `accounts:\n  - accessKey: ${ACCOUNT.accessKey}\n    secretKey: ${ACCOUNT.secretKey}\n    defaultTopicPerm: DENY\n    topicPerms: [BenchAcl=PUB]\n  - accessKey: ${ADMIN.accessKey}\n    secretKey: ${ADMIN.secretKey}\n    admin: true\n`);
  const start = (name: string, values: Record<string, string | number | boolean>) =>
    startBroker(resolveBrokerConfig({ env: {}, cliValues: { storePathRootDir: `${dir}/${name}`, listenPort: 0, ...values } }).config, platform, { log: silentLogger });
  const open = await start("open", {});
  const closed = await start("acl", { aclEnable: true, plainAclFile: aclFile });
  try {
    for (const [broker, auth] of [[open, {}], [closed, { authorization: basicAuthorization(ADMIN) }]] as const) {
      const created = await fetch(`http://${broker.httpAddress}/topics/BenchAcl`, { method: "PUT", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ readQueueNums: 4, writeQueueNums: 4 }) });
      if (created.status !== 200) throw new Error(`creating the topic: HTTP ${created.status} ${await created.text()}`);
    }
    console.log(`# ACL cost on ${runtimeName}: ${total} remoting sends (1 KiB, ${concurrency} in flight) and ${Math.min(total, 10_000)} HTTP sends per system per round, ${rounds} rounds, order alternating`);
    // Warm-up, not counted: JIT, the first segment's file, the connections.
    for (const [broker, signed] of [[open, false], [closed, true]] as const) {
      await remotingSends(broker, signed, 2000);
      await httpSends(broker, signed, 1000);
    }
    const results: Record<string, Run[]> = { "remoting, no ACL": [], "remoting, signed, no ACL": [], "remoting, ACL": [], "HTTP, no ACL": [], "HTTP, ACL": [] };
    for (let round = 1; round <= rounds; round++) {
      const order: Array<[string, () => Promise<Run>]> = [
        ["remoting, no ACL", () => remotingSends(open, false)], ["remoting, signed, no ACL", () => remotingSends(open, true)], ["remoting, ACL", () => remotingSends(closed, true)],
        ["HTTP, no ACL", () => httpSends(open, false)], ["HTTP, ACL", () => httpSends(closed, true)],
      ];
      if (round % 2 === 0) order.reverse();
      for (const [label, run] of order) {
        const r = await run();
        results[label].push(r);
        console.log(`round ${round}  ${label.padEnd(24)} ${Math.round(r.perSec).toString().padStart(7)} msg/s  p99 ${r.p99.toFixed(2)} ms`);
      }
    }
    const mean = (runs: Run[], f: (r: Run) => number) => runs.reduce((s, r) => s + f(r), 0) / runs.length;
    const compare = (what: string, onLabel: string, offLabel: string) => {
      const on = results[onLabel], off = results[offLabel];
      const tput = mean(on, (r) => r.perSec) / mean(off, (r) => r.perSec);
      const p99 = mean(on, (r) => r.p99) / mean(off, (r) => r.p99);
      const perMessageUs = (1e6 / mean(on, (r) => r.perSec)) - (1e6 / mean(off, (r) => r.perSec));
      console.log(`${what.padEnd(44)} ${tput.toFixed(2)}× msg/s, p99 ${p99.toFixed(2)}× (≈ ${perMessageUs.toFixed(1)} µs more per message at this concurrency)`);
    };
    compare("remoting, ACL / no ACL (signing + checking):", "remoting, ACL", "remoting, no ACL");
    compare("remoting, ACL / signed, no ACL (checking):", "remoting, ACL", "remoting, signed, no ACL");
    compare("remoting, signed / unsigned, no ACL (signing):", "remoting, signed, no ACL", "remoting, no ACL");
    compare("HTTP, ACL / no ACL (Basic credentials):", "HTTP, ACL", "HTTP, no ACL");
  } finally {
    await closed.stop();
    await open.stop();
  }
} finally {
  await removeDir(dir);
}
