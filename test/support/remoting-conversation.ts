/**
 * A captured remoting conversation (`../shared/fixtures/rocketmq/remoting/<folder>/<name>.c2s.bin`
 * and `.s2c.bin`, real Java clients against real brokers; provenance in that folder's README),
 * decoded into frames with Skiff's own frame decoder, each request paired with its answer by opaque.
 */
import { RemotingFrameDecoder, isResponse, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { fixtureBytes } from "./fixtures.ts";

export interface CapturedExchange {
  readonly request: RemotingCommand;
  /** The server's answer (undefined for a oneway request or one left unanswered). */
  readonly response: RemotingCommand | undefined;
}

/** `name` without direction and extension, e.g. `v4.9.7/v4.9.7-admin-topicStatus-02-broker`. */
export function capturedConversation(name: string): CapturedExchange[] {
  const requests = new RemotingFrameDecoder().push(fixtureBytes(`remoting/${name}.c2s.bin`)).filter((f) => !isResponse(f));
  const responses = new RemotingFrameDecoder().push(fixtureBytes(`remoting/${name}.s2c.bin`)).filter(isResponse);
  return requests.map((request) => ({ request, response: responses.find((r) => r.opaque === request.opaque) }));
}

/** The first exchange of request `code` in the conversation; fails when there is none. */
export function capturedExchange(name: string, code: number, nth = 0): CapturedExchange & { response: RemotingCommand } {
  const found = capturedConversation(name).filter((e) => e.request.code === code)[nth];
  if (!found?.response) throw new Error(`${name}: no answered request ${code} #${nth}`);
  return found as CapturedExchange & { response: RemotingCommand };
}
