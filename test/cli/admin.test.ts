/**
 * `skiff admin` against a real broker app and name-server app (in-process fetch): each command's
 * table and `--json` answer, and its exit codes — 1 with the broker's error code for a refusal,
 * 2 for a usage error (unknown command or flag, missing or bad value), 3 for an address that does
 * not answer.
 */
import { basicAuthorization } from "../../src/codec/basic-credentials.ts";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../adapters/memory/clock.ts";
import { runAdmin } from "../../src/cli/admin/admin.ts";
import { parseFlags, timeFlag, UsageError } from "../../src/cli/admin/flags.ts";
import { namesrvApp } from "../../src/http/namesrv-app.ts";
import { RouteTable } from "../../src/namesrv/route-table.ts";
import { memoryBroker } from "../support/broker.ts";
import { brokerHaAddress, brokerHttpAddress } from "../support/ports.ts";
import { network } from "../client/world.ts";

const NAMESRV = "127.0.0.1:9877";
const BROKER = brokerHttpAddress(10911);

describe("skiff admin", () => {
  let t: Awaited<ReturnType<typeof memoryBroker>>;
  let net: ReturnType<typeof network>;
  let sent: { msgId: string; offsetMsgId: string };

  before(async () => {
    t = await memoryBroker();
    const namesrv = namesrvApp({ routeTable: new RouteTable(), clock: new ManualClock() });
    net = network({ [NAMESRV]: namesrv, [BROKER]: t.app });
    assert.equal((await admin("updateTopic", "-b", BROKER, "-t", "Orders", "-r", "2", "-w", "2")).code, 0);
    for (let i = 0; i < 3; i++) sent = (await t.send("Orders", { body: `order ${i}`, keys: `order-${i}`, queueId: i % 2 })).body;
    await t.broker.store.waitDispatched(t.broker.store.offsets.maxOffset);
    const topicConfig = (await t.json("/sync/topic-config")).body;
    const registered = await namesrv.request("/brokers", {
      method: "POST",
      body: JSON.stringify({ clusterName: "DefaultCluster", brokerName: "broker-a", brokerId: 0, brokerAddr: "127.0.0.1:10911", haServerAddr: brokerHaAddress(10911), httpAddr: BROKER, topicConfig }),
    });
    assert.equal(registered.status, 200);
  });
  after(() => t.broker.stop());

  async function admin(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    let code = 0;
    await runAdmin({ out: (l) => out.push(l), err: (l) => err.push(l), exit: (c) => { code = c; } }, args, { fetch: net.fetch, nowMs: t.memory.clock.now() });
    return { code, out, err, text: out.join("\n") };
  }

  it("lists its commands, and each command's flags with --help", async () => {
    const list = await admin();
    for (const name of ["clusterList", "brokerStatus", "haStatus", "topicList", "topicStatus", "updateTopic", "deleteTopic", "consumerProgress", "queryMsgById", "queryMsgByKey", "resetOffsetByTime", "updateBrokerRole", "resyncFromMaster"]) {
      assert.match(list.text, new RegExp(`^  ${name} `, "m"), name);
    }
    const help = await admin("consumerProgress", "--help");
    assert.match(help.text, /-g, --group <value>\s+consumer group \(required\)/);
    assert.match(help.text, /--json\s+print the answer as JSON/);
  });

  it("clusterList shows the brokers a name server knows, with their addresses", async () => {
    const { code, out } = await admin("clusterList", "-n", NAMESRV);
    assert.equal(code, 0);
    assert.match(out[0], /^#Cluster\s+#Broker\s+#BID\s+#Addr\s+#HttpAddr/);
    assert.match(out[1], new RegExp(`^DefaultCluster\\s+broker-a\\s+0\\s+127\\.0\\.0\\.1:10911\\s+${BROKER.replace(/\./g, "\\.")}`));
    assert.match(out[2], /^1 broker\(s\), \d+ topic\(s\)$/);
  });

  it("topicList, topicStatus and brokerStatus show what the broker has", async () => {
    const list = await admin("topicList", "-b", BROKER);
    assert.match(list.text, /^Orders\s+2\s+2\s+6$/m);
    const status = await admin("topicStatus", "-b", BROKER, "-t", "Orders");
    assert.deepEqual(status.out.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3)), [["0", "0", "2"], ["1", "0", "1"]]);
    const json = JSON.parse((await admin("brokerStatus", "-b", BROKER, "--json")).text);
    assert.equal(json.table.putMessageTimesTotal, "3");
    assert.match((await admin("brokerStatus", "-b", BROKER)).text, /^commitLogMaxOffset\s+\d+$/m);
    assert.match((await admin("haStatus", "-b", BROKER)).text, /^Role\s+ASYNC_MASTER$/m);
  });

  it("consumerProgress shows a group's lag; resetOffsetByTime moves it back to the start", async () => {
    assert.equal((await t.json("/consumer-offsets/billing/Orders/0", { method: "PUT", body: JSON.stringify({ offset: 2 }) })).status, 200);
    const progress = await admin("consumerProgress", "-b", BROKER, "-g", "billing");
    assert.match(progress.text, /^Orders\s+0\s+2\s+2\s+0\s/m);
    assert.match(progress.text, /^Orders\s+1\s+1\s+0\s+1\s+-$/m);
    assert.match(progress.text, /^Diff Total\s+1$/m);
    const reset = await admin("resetOffsetByTime", "-b", BROKER, "-g", "billing", "-t", "Orders", "-s", "0");
    assert.equal(reset.code, 0, reset.err.join("\n"));
    assert.match(reset.text, /reset to the queues' first messages/);
    assert.match(reset.text, /^\s*0\s+2\s+0$/m);
    const after = JSON.parse((await admin("consumerProgress", "-b", BROKER, "-g", "billing", "--json")).text);
    assert.equal(after.totalLag, 3);
  });

  it("queryMsgByKey and queryMsgById find messages, through the broker or the name server", async () => {
    const byKey = await admin("queryMsgByKey", "-b", BROKER, "-t", "Orders", "-k", "order-2");
    assert.match(byKey.out[1], new RegExp(`^${sent.msgId}\\s+0\\s+1\\s`));
    const viaNamesrv = JSON.parse((await admin("queryMsgByKey", "-n", NAMESRV, "-t", "Orders", "-k", "order-2", "--json")).text);
    assert.deepEqual(viaNamesrv.map((m: { bodyText: string }) => m.bodyText), ["order 2"]);
    const byId = await admin("queryMsgById", "-b", BROKER, "-i", sent.offsetMsgId);
    assert.match(byId.text, /^Body\s+order 2$/m);
    assert.match(byId.text, new RegExp(`^Message ID\\s+${sent.msgId}$`, "m"));
    const none = await admin("queryMsgById", "-n", NAMESRV, "-t", "Orders", "-i", "0123456789ABCDEF0123456789ABCDEF");
    assert.deepEqual([none.code, none.text], [0, "no message with id 0123456789ABCDEF0123456789ABCDEF"]);
  });

  it("sends the account of SKIFF_ACCESS_KEY / SKIFF_SECRET_KEY as HTTP Basic credentials (a broker with aclEnable=true), and refuses half of one", async () => {
    const seen: Array<string | null> = [];
    const recording = (url: string, init: RequestInit) => {
      seen.push(new Headers(init.headers).get("authorization"));
      return net.fetch(url, init);
    };
    const io = (out: string[], codes: number[]) => ({ out: (l: string) => out.push(l), err: (l: string) => out.push(l), exit: (c: number) => void codes.push(c) });
    const out: string[] = [];
    const codes: number[] = [];
    await runAdmin(io(out, codes), ["topicList", "-b", BROKER], { fetch: recording, env: { SKIFF_ACCESS_KEY: "operator", SKIFF_SECRET_KEY: "operator-secret-1" } });
    assert.deepEqual(codes, []);
    assert.ok(seen.length > 0 && seen.every((h) => h === basicAuthorization({ accessKey: "operator", secretKey: "operator-secret-1" })), JSON.stringify(seen));
    seen.length = 0;
    await runAdmin(io(out, codes), ["topicList", "-b", BROKER], { fetch: recording, env: {} });
    assert.ok(seen.length > 0 && seen.every((h) => h === null), "no account, no header");
    const half: string[] = [];
    const halfCodes: number[] = [];
    await runAdmin(io(half, halfCodes), ["topicList", "-b", BROKER], { fetch: recording, env: { SKIFF_ACCESS_KEY: "operator" } });
    assert.deepEqual(halfCodes, [2]);
    assert.match(half[0], /set both SKIFF_ACCESS_KEY and SKIFF_SECRET_KEY/);
  });

  it("exits 1 with the broker's error for a refusal, 2 for usage errors, 3 when nothing answers", async () => {
    const missing = await admin("topicStatus", "-b", BROKER, "-t", "Nowhere");
    assert.equal(missing.code, 1);
    assert.match(missing.err[0], /^topicStatus: TOPIC_NOT_EXIST: /);
    for (const args of [["noSuchCommand"], ["topicStatus", "-b", BROKER], ["topicStatus", "-b", BROKER, "-t", "Orders", "--color"], ["updateTopic", "-b", BROKER, "-t", "X", "-r", "0"], ["queryMsgByKey", "-t", "Orders", "-k", "k"], ["updateBrokerRole", "-b", BROKER, "--role", "KING"]]) {
      const usage = await admin(...args);
      assert.equal(usage.code, 2, args.join(" "));
      assert.ok(usage.err.length > 0, args.join(" "));
    }
    const unreachable = await admin("topicList", "-b", "127.0.0.1:1");
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.err[0], /is the address right, and is the broker or name server running\?/);
  });
});

describe("admin flags", () => {
  it("parse long, short and --flag=value forms, and refuse unknown or valueless flags", () => {
    const specs = [{ name: "broker", short: "b", value: true, required: true, help: "" }, { name: "json", value: false, help: "" }];
    assert.deepEqual(parseFlags(["-b", "h:1", "--json"], specs), { broker: "h:1", json: true });
    assert.deepEqual(parseFlags(["--broker=h:2"], specs), { broker: "h:2" });
    for (const bad of [["--nope"], ["-b"], ["-b", "--json"], [], ["--json=1", "-b", "x"], ["stray"]]) {
      assert.throws(() => parseFlags(bad, specs), UsageError, bad.join(" "));
    }
  });

  it("read times as ms, ISO dates, now, or a duration ago", () => {
    const now = Date.parse("2026-12-02T10:00:00Z");
    const at = (text: string) => timeFlag({ s: text }, "s", now);
    assert.equal(at("0"), 0);
    assert.equal(at("1700000000000"), 1700000000000);
    assert.equal(at("now"), now);
    assert.equal(at("-30m"), now - 30 * 60_000);
    assert.equal(at("-1d"), now - 86_400_000);
    assert.equal(at("2026-12-02T09:00:00Z"), now - 3_600_000);
    for (const bad of ["yesterday", "-5y", "12.5"]) assert.throws(() => at(bad), UsageError, bad);
  });
});
