// Stock Apache RocketMQ Java producers and push consumers (4.9.7 and 5.3.3) with RocketMQ's own AclClientRPCHook against a Skiff broker with aclEnable=true (its processes on SKIFF_REMOTING_RUNTIME): the right keys send, and the message is stored; a topic the account may not publish to and a wrong secret are refused with RocketMQ 4.9.7's answer (SYSTEM_ERROR, code 1, the AclException text, wrapped by the producer's retry in an MQClientException), storing nothing; a signed push consumer with its group's SUB consumes, an unsigned one is refused.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "../support/platform.ts";
import { INTEROP_SKIP, ROCKETMQ_VERSIONS, finishRun } from "./rocketmq/env.ts";
import { Cleanup } from "./rocketmq/processes.ts";
import { startJavaClient, type JavaFailure } from "./rocketmq/java-clients.ts";
import { JavaSender, isMessage } from "./rocketmq/java-messages.ts";
import { remotingTargetKind, startTarget, type RemotingTarget } from "./rocketmq/remoting-target.ts";
import { message } from "./rocketmq/remoting-scenarios.ts";
import { failure, targetLabel } from "./rocketmq/java-client-suite.ts";

const APP = { accessKey: "orders-app", secretKey: "orders-secret-1" };
const OPERATOR = { accessKey: "operator", secretKey: "operator-secret-1" };
const PLAIN_ACL = `accounts:
  - accessKey: ${APP.accessKey}
    secretKey: ${APP.secretKey}
    defaultTopicPerm: DENY
    defaultGroupPerm: DENY
    topicPerms: [JcAclOrders=PUB|SUB, TBW102=PUB]
    groupPerms: [jc_acl_consumers=SUB]
  - accessKey: ${OPERATOR.accessKey}
    secretKey: ${OPERATOR.secretKey}
    admin: true
`;
const SKIP = INTEROP_SKIP || (remotingTargetKind() === "rocketmq" ? "Skiff's ACL target only (RocketMQ's needs ROCKETMQ_HOME/conf/plain_acl.yml)" : false);
const operatorAuth = { authorization: `Basic ${btoa(`${OPERATOR.accessKey}:${OPERATOR.secretKey}`)}` };

/** The client's MQClientException around the broker's answer: MQBrokerException, SYSTEM_ERROR (1), the AclException text. */
function assertAclRefusal(refusal: JavaFailure, text: RegExp): void {
  assert.equal(refusal.exception, "org.apache.rocketmq.client.exception.MQClientException");
  const broker = refusal.causes.find((cause) => cause.exception === "org.apache.rocketmq.client.exception.MQBrokerException");
  assert.ok(broker, JSON.stringify(refusal));
  assert.equal(broker.responseCode, 1, "SYSTEM_ERROR, as RocketMQ 4.9.7's ACL answers");
  assert.match(broker.message, text);
}

for (const version of ROCKETMQ_VERSIONS) {
  describe(`RocketMQ ${version} Java producers with AclClientRPCHook, against ${targetLabel()} with aclEnable=true`, { skip: SKIP }, () => {
    const cleanup = new Cleanup();
    let runDir = "";
    let target: RemotingTarget;
    let passed = true;
    before(async () => {
      runDir = await tempDir(`remoting-acl-${version}`);
      await writeFile(join(runDir, "plain_acl.yml"), PLAIN_ACL);
      target = cleanup.add(await startTarget(version, { runDir: join(runDir, "target"), skiffBrokerValues: { aclEnable: true, plainAclFile: join(runDir, "plain_acl.yml") } }));
      for (const topic of ["JcAclOrders", "JcAclPayments"]) {
        const created = await fetch(`http://${target.skiffHttpAddress}/topics/${topic}`, { method: "PUT", headers: { ...operatorAuth, "content-type": "application/json" }, body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
        assert.equal(created.status, 200, await created.text());
      }
    }, { timeout: 180_000 });
    after(async () => {
      await cleanup.run();
      await finishRun(runDir, passed);
    }, { timeout: 180_000 });

    it("the right keys send to a topic the account may publish to; another topic and a wrong secret are refused as RocketMQ refuses them", { timeout: 180_000 }, async () => {
      try {
        const signed = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr, retries: 0, ...APP }, join(runDir, "signed"))));
        const sent = await signed.sendOk(message("JcAclOrders", "acl-ok"));
        assert.equal(sent.status, "SEND_OK");
        // waitMs: SEND_OK comes before the consume queue lists the message (dispatch follows the append).
        const stored = await fetch(`http://${target.skiffHttpAddress}/topics/JcAclOrders/queues/${sent.queueId}/messages?offset=${sent.queueOffset}&max=1&waitMs=5000`, { headers: operatorAuth });
        const pulled = (await stored.json()) as { messages?: Array<{ msgId: string }> };
        assert.equal(pulled.messages?.[0]?.msgId, sent.msgId, JSON.stringify(pulled));

        const denied = failure(await signed.send(message("JcAclPayments", "acl-denied")), "a topic the account may not publish to");
        // SYSTEM_ERROR is one the producer retries, so it wraps the broker's answer as on RocketMQ 4.9.7.
        assertAclRefusal(denied, /AclException: No default permission for topic:JcAclPayments/);

        const forged = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr, retries: 0, accessKey: APP.accessKey, secretKey: "not-the-secret" }, join(runDir, "forged"))));
        const refused = failure(await forged.send(message("JcAclOrders", "acl-forged")), "a wrong secret");
        assertAclRefusal(refused, new RegExp(`AclException: Check signature failed for accessKey=${APP.accessKey}`));

        const counts = await fetch(`http://${target.skiffHttpAddress}/topics/JcAclPayments/status`, { headers: operatorAuth });
        const status = (await counts.json()) as { queues: Array<{ maxOffset: number }> };
        assert.deepEqual(status.queues.map((q) => q.maxOffset), [0, 0], "nothing stored in JcAclPayments");
      } catch (error) {
        passed = false;
        throw error;
      }
    });

    it("a push consumer with the account's keys consumes (heartbeats, pulls, offsets all signed); one without keys is refused", { timeout: 180_000 }, async () => {
      try {
        const refusals = async () => {
          const text = await (await fetch(`http://${target.skiffHttpAddress}/metrics`, { headers: operatorAuth })).text();
          return Number(/skiff_acl_refused_total\{protocol="remoting"\} (\d+)/.exec(text)?.[1] ?? 0);
        };
        const signed = new JavaSender(cleanup.add(await startJavaClient(version, "SendClient", { namesrv: target.namesrvAddr, retries: 0, ...APP }, join(runDir, "consumer-producer"))));
        const sent = await signed.sendOk(message("JcAclOrders", "for the consumer", { keys: ["acl-consume-1"] }));
        const consumer = cleanup.add(await startJavaClient(version, "PushClient", { namesrv: target.namesrvAddr, group: "jc_acl_consumers", topic: "JcAclOrders", from: "first", ...APP }, join(runDir, "consumer")));
        const [got] = await consumer.waitForCount("the signed consumer to get the message", (e) => isMessage(e) && e.msgId === sent.msgId, 1, 60_000);
        assert.ok(isMessage(got));

        const before = await refusals();
        cleanup.add(await startJavaClient(version, "PushClient", { namesrv: target.namesrvAddr, group: "jc_acl_consumers", topic: "JcAclOrders", from: "first" }, join(runDir, "unsigned-consumer")));
        const deadline = Date.now() + 30_000;
        while ((await refusals()) === before) {
          assert.ok(Date.now() < deadline, "the unsigned consumer's requests are refused (skiff_acl_refused_total grows)");
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      } catch (error) {
        passed = false;
        throw error;
      }
    });
  });
}
