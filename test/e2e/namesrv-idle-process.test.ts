/**
 * A name server process (on the runtime running this test) closes a RocketMQ remoting connection
 * that stays silent for `serverChannelMaxIdleTimeSeconds` (RocketMQ's NettyServerConfig key), not
 * before, keeps one that asks for the cluster every half second open past that, and logs the close;
 * with the default (120 s) a silent connection is still open when the 2 s one has long been closed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { RequestCode, ResponseCode } from "../../src/remoting/codes.ts";
import { requestCommand } from "../../src/remoting/remoting-command.ts";
import { platform, runtimeName } from "../support/platform.ts";
import { RawRemotingClient } from "../support/remoting.ts";
import { startSkiff, type SkiffProcess } from "../support/skiff-process.ts";

const IDLE_TIMEOUT_S = 2;
/** How often the busy client asks: well within the idle timeout. */
const ASK_EVERY_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(namesrv: SkiffProcess): Promise<RawRemotingClient> {
  const [host, port] = namesrv.remotingAddress.split(":");
  return RawRemotingClient.open(platform.net, { host, port: Number(port) });
}

describe(`a ${runtimeName} name server process and idle remoting connections`, () => {
  let short: SkiffProcess;
  let standard: SkiffProcess;
  const clients: RawRemotingClient[] = [];

  before(async () => {
    [short, standard] = await Promise.all([
      startSkiff(runtimeName, "namesrv", ["--listenPort=0", `--serverChannelMaxIdleTimeSeconds=${IDLE_TIMEOUT_S}`]),
      startSkiff(runtimeName, "namesrv", ["--listenPort=0"]),
    ]);
  });

  after(async () => {
    for (const client of clients) client.close();
    await Promise.all([short?.kill(), standard?.kill()]);
  });

  it(`closes a connection silent for serverChannelMaxIdleTimeSeconds=${IDLE_TIMEOUT_S}, not before, and keeps a talking one open`, async () => {
    const [silent, busy, silentOnDefault] = await Promise.all([open(short), open(short), open(standard)]);
    clients.push(silent, busy, silentOnDefault);
    const startedMs = Date.now();
    let opaque = 0;
    let asking = true;
    const asks = (async () => {
      while (asking) {
        const answer = await busy.call(requestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, ++opaque));
        assert.equal(answer.code, ResponseCode.SUCCESS, answer.remark);
        await sleep(ASK_EVERY_MS);
      }
    })();
    try {
      await sleep(IDLE_TIMEOUT_S * 500);
      assert.deepEqual([silent.ended, busy.ended], [false, false], "open halfway to the idle timeout");
      await silent.until("the idle close", () => silent.ended, IDLE_TIMEOUT_S * 1000 + 5000);
      const closedAfterMs = Date.now() - startedMs;
      assert.ok(closedAfterMs >= IDLE_TIMEOUT_S * 1000 - 100, `closed after ${closedAfterMs} ms of silence, not before ${IDLE_TIMEOUT_S} s`);
      await sleep(IDLE_TIMEOUT_S * 1000);
      assert.equal(busy.ended, false, `a connection asking every ${ASK_EVERY_MS} ms is still open ${Date.now() - startedMs} ms on`);
      assert.equal(silentOnDefault.ended, false, "the default (120 s) keeps a silent connection open");
    } finally {
      asking = false;
      await asks;
    }
    assert.ok(opaque >= 4, `the busy client was answered ${opaque} times`);
    const line = await short.waitFor(/^namesrv remoting: \S+: silent for \d+ ms; connection closed/, 5000);
    assert.match(line, new RegExp(`silent for ${IDLE_TIMEOUT_S * 1000} ms`));
    assert.ok(!standard.output.some((l) => /silent for/.test(l)), standard.output.join("\n"));
  });
});
