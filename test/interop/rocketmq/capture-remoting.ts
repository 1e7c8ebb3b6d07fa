/**
 * Captures remoting frames between real Apache RocketMQ peers, for golden tests (the frames of
 * test/remoting/remoting-command.test.ts came from here). Not a test: run it by hand,
 *
 *   node test/interop/rocketmq/capture-remoting.ts 4.9.7 [outDir]
 *
 * It starts a name server and a broker of that version, puts a recording TCP relay in front of the
 * name server, registers a Skiff slave through the relay (namesrvProtocol=rocketmq), and runs the
 * Java producer through it twice (JSON headers, then binary ROCKETMQ headers). Each relayed
 * connection is written to `<outDir>/c<n>-up.bin` (to the name server) and `c<n>-down.bin`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { brokerConf, freePortBlock, produce, skiffJson, startJavaBroker, startNamesrv, startSkiff, waitUntil, type RocketMQVersion } from "./harness.ts";

const version = (process.argv[2] ?? "4.9.7") as RocketMQVersion;
const run = process.argv[3] ?? `/tmp/skiff-capture-${version}-${Date.now()}`;
mkdirSync(run, { recursive: true });
const namesrv = await startNamesrv(version, await freePortBlock(1), join(run, "namesrv"));
const namesrvPort = Number(namesrv.address.split(":")[1]);
const connections: Array<{ up: Uint8Array[]; down: Uint8Array[] }> = [];
const sockets = new Set<Socket>();
const relay = createServer((client) => {
  const record = { up: [] as Uint8Array[], down: [] as Uint8Array[] };
  connections.push(record);
  const server = connect({ host: "127.0.0.1", port: namesrvPort });
  for (const s of [client, server]) {
    sockets.add(s);
    s.on("error", () => undefined);
  }
  client.on("data", (d) => (record.up.push(new Uint8Array(d)), server.write(d)));
  server.on("data", (d) => (record.down.push(new Uint8Array(d)), client.write(d)));
  client.on("close", () => server.destroy());
  server.on("close", () => client.destroy());
});
await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", () => resolve()));
const relayAddress = `127.0.0.1:${(relay.address() as { port: number }).port}`;
const listenPort = (await freePortBlock(4)) + 2;
const master = await startJavaBroker(version, brokerConf({ storeDir: join(run, "master"), listenPort, namesrvAddr: namesrv.address }), join(run, "master-jvm"));
const slave = await startSkiff({
  brokerRole: "SLAVE", brokerId: 1, listenPort: 0, haListenPort: 0, storePathRootDir: join(run, "slave"), mappedFileSizeCommitLog: 1 << 20,
  namesrvAddr: relayAddress, namesrvProtocol: "rocketmq", masterProtocol: "rocketmq", registerNameServerPeriod: 10_000,
});
try {
  await waitUntil("the Skiff slave to learn its master", 40_000, async () => (await skiffJson(slave.httpAddress, "/ha/status")).body.connectedToMaster);
  await produce(version, join(run, "producer-json"), { namesrv: relayAddress, topic: "TopicTest", singles: 1 });
  process.env.ROCKETMQ_SERIALIZE_TYPE = "ROCKETMQ";
  await produce(version, join(run, "producer-binary"), { namesrv: relayAddress, topic: "TopicTest", singles: 1 });
} finally {
  await slave.stop();
  await master.stop();
  await namesrv.stop();
  for (const s of sockets) s.destroy();
  relay.close();
}
const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.byteLength));
  return out;
};
connections.forEach((c, i) => {
  writeFileSync(join(run, `c${i}-up.bin`), concat(c.up));
  writeFileSync(join(run, `c${i}-down.bin`), concat(c.down));
});
console.log(`captured ${connections.length} connections in ${run}`);
