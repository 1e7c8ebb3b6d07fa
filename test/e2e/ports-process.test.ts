/**
 * The port layout of real processes on the runtime running this test (DESIGN §1.2, §1.7): a name
 * server started with only `listenPort` M serves its HTTP API on M + 1 and not on M; a broker with
 * only `listenPort` N serves HTTP on N + 2 and not on N (RocketMQ's remoting), HA on N + 1, prints
 * where each listens, registers its remoting, HA and HTTP addresses, and the fetch client sends and
 * pulls through the name server's route (`brokerHttpAddrs`). Ports that collide are refused at start
 * with one line naming the keys.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Producer, PullConsumer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { until } from "../support/poll.ts";
import { brokerHaAddress, brokerHttpAddress, freeListenPort, namesrvHttpAddress } from "../support/ports.ts";
import { runSkiffCommand, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

/** Resolves with the fetch error when nothing answers HTTP there (closed or refused), throws when something does. */
async function noHttpAt(address: string): Promise<void> {
  const answered = await fetch(`http://${address}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => null);
  assert.equal(answered, null, `${address} answered HTTP`);
}

describe(`port layout of ${runtimeName} processes`, () => {
  const { defer } = cleanupAfterSuite();

  it("a name server on M serves HTTP on M + 1; a broker on N serves HTTP on N + 2, registers its three addresses, and the client goes through the route", async () => {
    const store = await tempDir("e2e-ports");
    defer(() => removeDir(store));
    const namesrvPort = await freeListenPort();
    const namesrv = await startSkiff(runtimeName, "namesrv", [`--listenPort=${namesrvPort}`]);
    defer(() => namesrv.kill());
    assert.equal(namesrv.address, namesrvHttpAddress(namesrvPort));
    assert.equal(namesrv.remotingAddress, `127.0.0.1:${namesrvPort}`);
    assert.ok(namesrv.output.includes(`remoting 127.0.0.1:${namesrvPort}, HTTP ${namesrvHttpAddress(namesrvPort)}`), namesrv.output.join("\n"));
    assert.equal((await fetch(`http://${namesrv.address}/health`)).status, 200);
    await noHttpAt(namesrv.remotingAddress);

    const listenPort = await freeListenPort();
    const broker = await startSkiff(runtimeName, "broker", [
      `--storePathRootDir=${store}`, `--listenPort=${listenPort}`, "-n", namesrv.remotingAddress, "--mappedFileSizeCommitLog=1048576", "--defaultTopicQueueNums=2",
    ]);
    defer(() => broker.kill());
    const [remoting, ha, http] = [`127.0.0.1:${listenPort}`, brokerHaAddress(listenPort), brokerHttpAddress(listenPort)];
    assert.deepEqual([broker.remotingAddress, broker.address], [remoting, http]);
    assert.ok(broker.output.includes(`remoting ${remoting} (and :${listenPort - 2}), HTTP ${http}, HA ${ha}`), broker.output.join("\n"));
    const status = (await (await fetch(`http://${http}/ha/status`)).json()) as { haListenAddress: string };
    assert.equal(status.haListenAddress, ha);
    await noHttpAt(remoting);

    const registered = await until("the broker to register", async () => {
      const cluster = (await (await fetch(`http://${namesrv.address}/cluster`)).json()) as { clusters: { brokerGroups: { brokers: Record<string, unknown>[] }[] }[] };
      return cluster.clusters[0]?.brokerGroups[0]?.brokers[0];
    }, 20_000);
    assert.deepEqual([registered.brokerAddr, registered.haServerAddr, registered.httpAddr], [remoting, ha, http]);

    const sent = await new Producer({ namesrv: namesrv.address }).send("PortsTopic", { body: "through the route", queueId: 1 });
    assert.equal(sent.status, "SEND_OK");
    const route = await until("the new topic's route", async () => {
      const response = await fetch(`http://${namesrv.address}/routes/PortsTopic`);
      return response.status === 200 ? ((await response.json()) as { brokerDatas: { brokerAddrs: object; brokerHttpAddrs: object }[] }) : undefined;
    }, 20_000);
    assert.deepEqual(route.brokerDatas.map((b) => [b.brokerAddrs, b.brokerHttpAddrs]), [[{ "0": remoting }, { "0": http }]]);
    const pulled = await new PullConsumer({ group: "ports_group", namesrv: namesrv.address }).pull("PortsTopic", 1, 0);
    assert.equal(pulled.brokerAddress, http);
    assert.deepEqual(pulled.messages.map((m) => [m.msgId, new TextDecoder().decode(m.body)]), [[sent.msgId, "through the route"]]);
  });

  it("refuses ports that collide before starting, with one line naming the keys and the fix", async () => {
    const broker = await runSkiffCommand(runtimeName, ["broker", "--listenPort=20911", "--httpListenPort=20912", "--storePathRootDir=/nonexistent/never-created"]);
    assert.equal(broker.code, 1, broker.stderr);
    assert.deepEqual(broker.stderr.trim().split("\n"), [
      "Invalid broker configuration (1 problem):",
      `  - httpListenPort: "20912" is already used by haListenPort; set httpListenPort to a port of its own (from the command line)`,
    ]);
    const namesrv = await runSkiffCommand(runtimeName, ["namesrv", "--listenPort=20876", "--httpListenPort=20876"]);
    assert.equal(namesrv.code, 1, namesrv.stderr);
    assert.match(namesrv.stderr, /^ {2}- httpListenPort: "20876" is already used by listenPort; set httpListenPort to a port of its own \(from the command line\)$/m);
  });
});
