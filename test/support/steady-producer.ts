/**
 * A well-behaved producer for tests that attack a broker: it sends one message at a time through
 * Skiff's HTTP client (`src/client` Producer) to one topic until stopped, each with a random body,
 * and keeps what the broker acknowledged. `readBack` then pulls the whole topic and checks that
 * every acknowledged message is there exactly once, at its queue and offset, with equal bytes, and
 * that nothing unacknowledged was stored (failed sends are kept separately; tests assert none).
 */
import assert from "node:assert/strict";
import { Producer, PullConsumer } from "../../src/client/index.ts";

export interface AckedMessage {
  readonly msgId: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly body: Uint8Array;
}

export class SteadyProducer {
  readonly acked: AckedMessage[] = [];
  readonly failures: string[] = [];
  readonly topic: string;
  private readonly brokerHttp: string;
  private readonly pauseMs: number;
  private readonly producer: Producer;
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();

  /** `brokerHttp`: the broker's HTTP API; `pauseMs` between one acknowledgement and the next send. */
  constructor(brokerHttp: string, topic: string, pauseMs = 5) {
    this.brokerHttp = brokerHttp;
    this.topic = topic;
    this.pauseMs = pauseMs;
    this.producer = new Producer({ broker: brokerHttp });
  }

  start(): void {
    this.loop = this.run();
  }

  /** Resolves once the next `count` messages after now were acknowledged (bounded by `timeoutMs`). */
  async progress(count: number, timeoutMs = 20_000): Promise<void> {
    const target = this.acked.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.acked.length < target) {
      if (Date.now() > deadline) assert.fail(`the producer got ${this.acked.length - target + count} of ${count} acknowledgements within ${timeoutMs} ms; failures: ${this.failures.slice(-3).join(" | ")}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    for (let seq = 0; !this.stopped; seq++) {
      const body = crypto.getRandomValues(new Uint8Array(16 + (seq % 497)));
      try {
        const sent = await this.producer.send(this.topic, { body, keys: `steady-${seq}` });
        this.acked.push({ msgId: sent.msgId, queueId: sent.queueId, queueOffset: sent.queueOffset, body });
      } catch (error) {
        this.failures.push(`send ${seq}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }

  /** Pulls queues `0 … queueCount - 1` of the topic from offset 0 and compares them with `acked`. */
  async readBack(queueCount: number): Promise<{ messages: number }> {
    const consumer = new PullConsumer({ group: "steady_read_back", broker: this.brokerHttp });
    const stored = new Map<string, { queueId: number; queueOffset: number; body: Uint8Array }[]>();
    for (let queueId = 0; queueId < queueCount; queueId++) {
      for (let offset = 0; ;) {
        const page = await consumer.pull(this.topic, queueId, offset, { max: 512 });
        for (const m of page.messages) {
          const copies = stored.get(m.msgId) ?? [];
          copies.push({ queueId: m.queueId, queueOffset: m.queueOffset, body: m.body.slice() });
          stored.set(m.msgId, copies);
        }
        if (page.messages.length === 0 || page.nextBeginOffset >= page.maxOffset) break;
        offset = page.nextBeginOffset;
      }
    }
    for (const sent of this.acked) {
      const copies = stored.get(sent.msgId);
      assert.ok(copies, `acknowledged message ${sent.msgId} (queue ${sent.queueId} offset ${sent.queueOffset}) is lost`);
      assert.equal(copies.length, 1, `acknowledged message ${sent.msgId} is stored ${copies.length} times`);
      assert.deepEqual([copies[0].queueId, copies[0].queueOffset], [sent.queueId, sent.queueOffset], `message ${sent.msgId} moved`);
      assert.deepEqual(copies[0].body, sent.body, `message ${sent.msgId} has other bytes`);
    }
    assert.equal(stored.size, this.acked.length, `the topic holds ${stored.size} messages, ${this.acked.length} were acknowledged`);
    return { messages: stored.size };
  }
}
