// Stock Apache RocketMQ Java producers (4.9.7 and 5.3.3) with RocketMQ's own TLS switch (`-Dtls.enable=true`: Netty's SslHandler on every connection, to the name server and to the broker) against a Skiff name server and broker with tlsMode=enforcing (their processes on SKIFF_REMOTING_RUNTIME; the broker registers over TLS too, useTLS=true): the send is acknowledged and stored; the same producer without TLS gets no route (the name server never answers plain text).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { platform, tempDir } from "../support/platform.ts";
import { makeTestPki, type TestPki } from "../support/tls.ts";
import { INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun } from "./rocketmq/env.ts";
import { Cleanup } from "./rocketmq/processes.ts";
import { startJavaClient } from "./rocketmq/java-clients.ts";
import { JavaSender } from "./rocketmq/java-messages.ts";
import { remotingTargetKind, startTarget, type RemotingTarget } from "./rocketmq/remoting-target.ts";
import { message } from "./rocketmq/remoting-scenarios.ts";
import { failure, targetLabel } from "./rocketmq/java-client-suite.ts";

const SKIP = INTEROP_SKIP || (remotingTargetKind() === "rocketmq" ? "Skiff's TLS target only" : false);

for (const version of ROCKETMQ_VERSIONS) {
  describe(`RocketMQ ${version} Java producers with tls.enable=true, against ${targetLabel()} with tlsMode=enforcing`, { skip: SKIP }, () => {
    const cleanup = new Cleanup();
    let runDir = "";
    let pki: TestPki;
    let target: RemotingTarget;
    let passed = true;
    before(async () => {
      runDir = await tempDir(`remoting-tls-${version}`);
      pki = makeTestPki();
      const server = { tlsMode: "enforcing", tlsServerCertPath: pki.certPath, tlsServerKeyPath: pki.keyPath };
      target = cleanup.add(await startTarget(version, {
        runDir: join(runDir, "target"),
        skiffNamesrvValues: server,
        skiffBrokerValues: { ...server, useTLS: true, tlsClientTrustCertPath: pki.caPath },
      }));
    }, { timeout: 180_000 });
    after(async () => {
      await cleanup.run();
      pki?.remove();
      await finishRun(runDir, passed);
    }, { timeout: 180_000 });

    it("a TLS producer's send is acknowledged and stored; without TLS the producer finds no route", { timeout: 180_000 }, async () => {
      try {
        const secured = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr, retries: 0 }, join(runDir, "tls"), { jvm: ["-Dtls.enable=true"] })));
        const sent = await secured.sendOk(message("JcTlsOrders", "over tls"));
        assert.equal(sent.status, "SEND_OK");
        // waitMs: SEND_OK comes before the consume queue lists the message (dispatch follows the append).
        const stored = await platform.http.fetcher({ ca: pki.ca })(`https://${target.skiffHttpAddress}/topics/JcTlsOrders/queues/${sent.queueId}/messages?offset=${sent.queueOffset}&max=1&waitMs=5000`);
        const pulled = (await stored.json()) as { messages?: Array<{ msgId: string }> };
        assert.equal(pulled.messages?.[0]?.msgId, sent.msgId, JSON.stringify(pulled));

        const plain = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr, retries: 0 }, join(runDir, "plain"))));
        const refused = failure(await plain.send(message("JcTlsOrders", "in clear")), "a producer without TLS");
        // The route lookup dies in transport (the name server read the request as a TLS record and
        // closed, or never answered): no response code, a remoting timeout or send failure.
        assert.equal(refused.responseCode, null, JSON.stringify(refused));
        assert.match(refused.message, /RemotingTimeoutException|RemotingSendRequestException|RemotingConnectException/);
      } catch (error) {
        passed = false;
        throw error;
      }
    });
  });
}
