/**
 * Delivery of scheduled (delayed) messages, as RocketMQ's ScheduleMessageService does it.
 *
 * A delayed message waits in `SCHEDULE_TOPIC_XXXX` queue `level - 1`, its consume-queue tagsCode
 * being its delivery time (the dispatcher computes it). Per level, this service reads that queue
 * from the level's progress offset (`config/delayOffset.json`); each message that is due is
 * written again to its `REAL_TOPIC` / `REAL_QID`, then the progress moves past it. As in 4.9, the
 * new record keeps the delayed record's properties string as it is (`DELAY`, `REAL_TOPIC`,
 * `REAL_QID` included: the Java broker encodes the string before it drops DELAY from the map), but
 * it is not delayed again. A crash between the two re-delivers the message once more: at-least-once, never lost.
 *
 * No polling loop: an idle level sleeps until a message arrives in its queue (the dispatcher
 * wakes it); a level whose next message is not due sleeps until that message's delivery time.
 * Each pass delivers at most `MAX_PER_PASS` messages, so a backlog cannot starve the broker.
 */
import type { Clock, TimerHandle } from "../core/platform.ts";
import type { DelayOffsetManager } from "../metadata/delay-offsets.ts";
import { isLegalTopic } from "../codec/message-limits.ts";
import { decodeMessageRecord } from "../codec/message-record-decode.ts";
import { utf8Encode } from "../core/bytes.ts";
import { decodeProperties, MessageConst } from "../codec/properties.ts";
import { SCHEDULE_TOPIC } from "../codec/delay-levels.ts";
import type { MessageInput } from "../store/message-input.ts";
import type { MessageStore } from "../store/message-store.ts";
import type { Logger } from "../core/log.ts";
import { RepeatGate } from "../core/log-repeats.ts";

const MAX_PER_PASS = 1024;
const RETRY_AFTER_FAILURE_MS = 1000;

interface Level {
  readonly level: number;
  timer: TimerHandle | null;
  running: boolean;
  again: boolean;
}

export interface ScheduleServiceOptions {
  readonly store: MessageStore;
  readonly delayOffsets: DelayOffsetManager;
  readonly clock: Clock;
  readonly log: Logger;
}

export class ScheduleService {
  private readonly options: ScheduleServiceOptions;
  private readonly levels: Level[];
  private started = false;
  private unsubscribe: (() => void) | null = null;
  /** Failed deliveries, per level at most once a minute (a level retries every second). */
  private readonly failures: RepeatGate;

  constructor(options: ScheduleServiceOptions) {
    this.options = options;
    this.failures = new RepeatGate(options.clock, 60_000);
    this.levels = options.store.options.delayLevelsMs.map((_, i) => ({ level: i + 1, timer: null, running: false, again: false }));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.options.store.onArrival((topic, queueId) => {
      if (topic === SCHEDULE_TOPIC && this.levels[queueId]) this.wake(this.levels[queueId]);
    });
    for (const level of this.levels) this.wake(level);
  }

  stop(): void {
    this.started = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const level of this.levels) {
      level.timer?.cancel();
      level.timer = null;
    }
  }

  /** Re-reads the progress of every level (after a slave's sync replaced delayOffset.json). */
  reload(): void {
    for (const level of this.levels) this.wake(level);
  }

  private wake(level: Level): void {
    if (!this.started) return;
    if (level.running) {
      level.again = true;
      return;
    }
    level.timer?.cancel();
    level.timer = null;
    level.running = true;
    void this.pass(level)
      .catch((error) => {
        this.failures.log(this.options.log, "warn", String(level.level), `delay level ${level.level}: delivery failed, retrying in ${RETRY_AFTER_FAILURE_MS} ms: ${(error as Error).message}`, { level: level.level });
        this.sleep(level, RETRY_AFTER_FAILURE_MS);
      })
      .finally(() => {
        level.running = false;
        if (level.again) {
          level.again = false;
          this.wake(level);
        }
      });
  }

  private sleep(level: Level, ms: number): void {
    if (!this.started) return;
    level.timer?.cancel();
    level.timer = this.options.clock.setTimeout(() => this.wake(level), Math.max(1, ms));
  }

  private async pass(level: Level): Promise<void> {
    const { store, delayOffsets, clock } = this.options;
    const queueId = level.level - 1;
    const delayMs = store.options.delayLevelsMs[queueId];
    let offset = delayOffsets.get(level.level) ?? 0;
    const min = store.minOffsetInQueue(SCHEDULE_TOPIC, queueId);
    if (offset < min) offset = min;
    for (let delivered = 0; delivered < MAX_PER_PASS; delivered++) {
      const got = await store.get({ topic: SCHEDULE_TOPIC, queueId, offset, maxMsgNums: 1, internal: true });
      if (got.status !== "FOUND") {
        if (got.status === "OFFSET_TOO_SMALL" || got.status === "NO_MATCHED_MESSAGE" || got.status === "MESSAGE_WAS_REMOVING") {
          offset = got.nextBeginOffset;
          delayOffsets.set(level.level, offset);
          continue;
        }
        return; // caught up: the dispatcher wakes this level when a message arrives
      }
      const [message] = got.messages;
      const now = clock.now();
      const due = Math.min(message.tagsCode, now + delayMs); // RocketMQ's correctDeliverTimestamp
      if (due > now) {
        this.sleep(level, due - now);
        return;
      }
      const input = toRealTopic(message.bytes);
      if (input) await store.put([input]);
      else this.options.log.warn(`delay level ${level.level}: skipped offset ${offset}, not a delayed message record`, { level: level.level, offset });
      offset = got.nextBeginOffset;
      delayOffsets.set(level.level, offset);
    }
    this.wake(level); // more may be due: continue in a new pass
  }
}

/** The delayed record, re-addressed to its real topic and queue: its properties string as stored, DELAY not applied. */
function toRealTopic(bytes: Uint8Array): MessageInput | null {
  const record = decodeMessageRecord(bytes, 0, { readBody: true });
  if (record.kind !== "message") return null;
  const properties = decodeProperties(record.properties);
  const topic = properties.get(MessageConst.REAL_TOPIC);
  const queueId = Number(properties.get(MessageConst.REAL_QID));
  // A REAL_TOPIC the store would refuse would fail on every retry and hold up the whole level, and
  // SCHEDULE_TOPIC_XXXX itself would be delivered into its own queue again and again: skip both.
  if (!topic || !isLegalTopic(topic) || topic === SCHEDULE_TOPIC || !Number.isInteger(queueId) || queueId < 0) return null;
  properties.delete(MessageConst.DELAY);
  return {
    topic,
    queueId,
    flag: record.flag,
    body: record.body ?? new Uint8Array(0),
    properties,
    storedProperties: utf8Encode(record.properties),
    sysFlag: record.sysFlag,
    bornTimestamp: record.bornTimestamp,
    bornHost: record.bornHost,
    storeHost: record.storeHost,
    reconsumeTimes: record.reconsumeTimes,
    preparedTransactionOffset: record.preparedTransactionOffset,
  };
}
