// A 4.9.7 capture session replayed against Skiff's send, pull and offset processors (session.ts): the producer's answers,
// the push consumer's and the lite pull consumer's pull answers (records byte for byte but for times and hosts, at the
// real broker's physical offsets), QUERY/UPDATE_CONSUMER_OFFSET answers, then sends with binary headers.
import { describe, it } from "node:test";
import { replaySession } from "./session.ts";

describe("a 4.9.7 session replayed", () => {
  it("is answered as the 4.9.7 broker answered it", () => replaySession("4.9.7"));
});
