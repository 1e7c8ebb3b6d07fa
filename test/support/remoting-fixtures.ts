/**
 * The captured remoting conversations of ../shared/fixtures/rocketmq/remoting/ (real 4.9.7 and
 * 5.3.3 clients against real brokers; provenance in that folder's README), as request/answer
 * pairs: each client request of the `.c2s.bin` with the server's answer from the `.s2c.bin`
 * (matched by opaque) and the times the `.txt` listing gives both (seconds since the SYN).
 */
import { isResponse, RemotingFrameDecoder, type RemotingCommand } from "../../src/remoting/remoting-command.ts";
import { fixtureBytes, fixtureText } from "./fixtures.ts";

export interface CapturedExchange {
  readonly request: RemotingCommand;
  /** Absent for a oneway request, or one the client gave up on (a held pull at shutdown). */
  readonly answer?: RemotingCommand;
  readonly requestAtS: number;
  readonly answerAtS?: number;
}

export function capturedFrames(path: string): RemotingCommand[] {
  return new RemotingFrameDecoder().push(fixtureBytes(`remoting/${path}`));
}

/** `base` like `v4.9.7/v4.9.7-producer-02-broker`: the client's requests in the order sent. */
export function capturedExchanges(base: string): CapturedExchange[] {
  const requestTimes = new Map<number, number>();
  const answerTimes = new Map<number, number>();
  for (const line of fixtureText(`remoting/${base}.txt`).split("\n")) {
    const match = /^\s*([\d.]+) (C>S|S>C) (REQ|RESP) \d+ .*? opaque=(\d+)/.exec(line);
    if (!match) continue;
    if (match[2] === "C>S" && match[3] === "REQ") requestTimes.set(Number(match[4]), Number(match[1]));
    if (match[2] === "S>C" && match[3] === "RESP") answerTimes.set(Number(match[4]), Number(match[1]));
  }
  const answers = new Map(capturedFrames(`${base}.s2c.bin`).filter(isResponse).map((a) => [a.opaque, a]));
  return capturedFrames(`${base}.c2s.bin`)
    .filter((f) => !isResponse(f))
    .map((request) => ({
      request,
      answer: answers.get(request.opaque),
      requestAtS: requestTimes.get(request.opaque) ?? 0,
      answerAtS: answerTimes.get(request.opaque),
    }));
}
