import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { hmacKey, sign, signedContent, signExtFields } from "../../src/acl/acl-signature.ts";
import { utf8Decode, utf8Encode } from "../../src/core/bytes.ts";

describe("the AclClientRPCHook signature", () => {
  // Printed by RocketMQ 4.9.7's own AclClientRPCHook (rocketmq-acl-4.9.7.jar) for this request:
  // extFields topic=TopicTest, zeta=héllo-消息, Alpha=1, body "body-bytes", keys RocketMQ / 12345678.
  const JAVA_SIGNATURE = "r10yr7Pw3KBwUw2O6DlJC1ajGj4=";

  it("signs as RocketMQ 4.9.7's AclClientRPCHook does (key order, UTF-8 values, the body appended)", async () => {
    const fields = await signExtFields({ topic: "TopicTest", zeta: "héllo-消息", Alpha: "1" }, utf8Encode("body-bytes"), { accessKey: "RocketMQ", secretKey: "12345678" });
    assert.equal(fields.AccessKey, "RocketMQ");
    assert.equal(fields.Signature, JAVA_SIGNATURE);
  });

  it("covers the values in key order (Java's TreeMap: upper case first), never the Signature field, then the body", () => {
    const content = signedContent({ b: "2", Signature: "x", a: "1", B: "3" }, utf8Encode("!"));
    assert.equal(utf8Decode(content), "312!");
    assert.equal(utf8Decode(signedContent({ q: "v", _UNIQUE_KEY_QUERY: "true" }, new Uint8Array(0), new Set(["_UNIQUE_KEY_QUERY"]))), "v");
  });

  it("changes with any value, the body and the secret", async () => {
    const key = await hmacKey("12345678");
    const base = await sign(key, signedContent({ topic: "A" }, utf8Encode("x")));
    assert.notEqual(await sign(key, signedContent({ topic: "B" }, utf8Encode("x"))), base);
    assert.notEqual(await sign(key, signedContent({ topic: "A" }, utf8Encode("y"))), base);
    assert.notEqual(await sign(await hmacKey("12345679"), signedContent({ topic: "A" }, utf8Encode("x"))), base);
  });
});
