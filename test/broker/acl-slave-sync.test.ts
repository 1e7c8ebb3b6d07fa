/**
 * A Skiff slave of a master with aclEnable=true pulls its metadata with the account given as
 * innerClientAuthenticationCredentials (an admin of the master's ACL file); a slave without it is
 * refused (401), says so in its log, and gets nothing. Log shipping (the HA link) is not ACL's.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, settle } from "../../adapters/memory/clock.ts";
import { MemoryNetwork } from "../../adapters/memory/net.ts";
import { createMemoryPlatform } from "../../adapters/memory/platform.ts";
import { utf8Encode } from "../../src/core/bytes.ts";
import { memoryBroker } from "../support/broker.ts";

const ACL = `accounts:
  - accessKey: replicator
    secretKey: replicator-secret
    admin: true
`;
const ADMIN_AUTH = { authorization: `Basic ${btoa("replicator:replicator-secret")}` };

describe("a slave's metadata pulls from a master with aclEnable=true", () => {
  it("carry innerClientAuthenticationCredentials; without them the master refuses the slave", async () => {
    const clock = new ManualClock();
    const net = new MemoryNetwork();
    const masterMemory = createMemoryPlatform({ clock, net });
    await masterMemory.platform.fs.mkdir("/conf");
    await masterMemory.platform.fs.writeFile("/conf/plain_acl.yml", utf8Encode(ACL));
    const master = await memoryBroker({ brokerRole: "ASYNC_MASTER", aclEnable: true, plainAclFile: "/conf/plain_acl.yml" }, masterMemory);
    const slaves = [];
    for (const [id, credentials] of [[1, '{"accessKey":"replicator","secretKey":"replicator-secret"}'], [2, undefined]] as const) {
      const memory = createMemoryPlatform({ clock, net });
      slaves.push(await memoryBroker({
        brokerRole: "SLAVE", brokerId: id, listenPort: 11911 + id * 10, haMasterAddress: "127.0.0.1:10912", slaveSynchronizePeriod: 10_000,
        ...(credentials ? { innerClientAuthenticationCredentials: credentials } : {}),
      }, memory, masterMemory.fetch));
    }
    const created = await master.json("/topics/Guarded", { method: "PUT", headers: { ...ADMIN_AUTH, "content-type": "application/json" }, body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
    assert.equal(created.status, 200);
    assert.equal((await master.json("/topics/Guarded")).status, 401, "the master's own API asks for an account");
    await clock.advance(3000);
    await settle(200);
    await clock.advance(10_000);
    await settle(200);
    const [withAccount, without] = slaves;
    assert.equal((await withAccount.json("/topics/Guarded")).status, 200);
    assert.ok((await withAccount.json("/ha/status")).body.lastMetadataSyncAt > 0);
    assert.equal((await without.json("/topics/Guarded")).status, 404);
    assert.ok(without.logs.some((line) => /401|UNAUTHENTICATED/.test(line)), without.logs.join("\n"));
    for (const slave of slaves) await slave.broker.stop();
    await master.broker.stop();
  });
});
