// A 5.3.3 capture session replayed against Skiff's send, pull and offset processors (session.ts): answers as the 5.3.3
// broker's (transactionId, topicSysFlag/groupSysFlag), records equal but for the 5.x broker's own properties and offsets.
import { describe, it } from "node:test";
import { replaySession } from "./session.ts";

describe("a 5.3.3 session replayed", () => {
  it("is answered as the 5.3.3 broker answered it", () => replaySession("5.3.3"));
});
