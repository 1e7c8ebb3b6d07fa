/**
 * A slave's catch-up report: while its log is well behind its master's, one line every
 * `CATCH_UP_LOG_INTERVAL_MS` with what it received, how far it is (percent of the gap it had when
 * it began), its rate over the last interval and the time left at that rate; then one line when it
 * has caught up. Pure: the HA client feeds it samples (its own offset, the master's end when a
 * Skiff master can be asked) and logs what it returns.
 *
 * A slave of an Apache RocketMQ master cannot learn the master's end (the classic protocol sends
 * only where each chunk starts): its samples have no master offset, and it reports nothing.
 */

/** Behind by more than this, a slave is catching up (steady SYNC_MASTER lag is kilobytes). */
export const CATCH_UP_MIN_BYTES = 1024 * 1024;
export const CATCH_UP_LOG_INTERVAL_MS = 10_000;

export interface CatchUpSample {
  readonly atMs: number;
  readonly slaveOffset: number;
  /** The master's end (`maxPhyOffset`), or null when it cannot be asked. */
  readonly masterOffset: number | null;
}

export interface CatchUpLine {
  readonly level: "info";
  readonly message: string;
  readonly fields: Readonly<Record<string, number>>;
}

interface Run {
  readonly startMs: number;
  readonly startOffset: number;
  lastMs: number;
  lastOffset: number;
}

export class CatchUpProgress {
  private run: Run | null = null;
  private lastLineMs = Number.NEGATIVE_INFINITY;

  /** The line for this sample, if one is due. */
  sample(s: CatchUpSample): CatchUpLine | null {
    if (s.masterOffset === null) return null;
    const behind = s.masterOffset - s.slaveOffset;
    const run = this.run;
    if (run === null) {
      if (behind <= CATCH_UP_MIN_BYTES) return null;
      this.run = { startMs: s.atMs, startOffset: s.slaveOffset, lastMs: s.atMs, lastOffset: s.slaveOffset };
      this.lastLineMs = s.atMs;
      return line(`HA catching up with the master: ${size(behind)} behind (slave at ${s.slaveOffset}, master at ${s.masterOffset})`, {
        slaveOffset: s.slaveOffset, masterOffset: s.masterOffset, behindBytes: behind,
      });
    }
    if (behind <= CATCH_UP_MIN_BYTES) {
      this.run = null;
      const seconds = Math.max(0.001, (s.atMs - run.startMs) / 1000);
      const received = s.slaveOffset - run.startOffset;
      return line(`HA caught up with the master: ${size(received)} in ${seconds.toFixed(1)} s (${size(received / seconds)}/s), ${behind} bytes behind now`, {
        slaveOffset: s.slaveOffset, masterOffset: s.masterOffset, receivedBytes: received, seconds, behindBytes: Math.max(0, behind),
      });
    }
    if (s.atMs - this.lastLineMs < CATCH_UP_LOG_INTERVAL_MS) return null;
    const seconds = Math.max(0.001, (s.atMs - run.lastMs) / 1000);
    const rate = (s.slaveOffset - run.lastOffset) / seconds;
    const received = s.slaveOffset - run.startOffset;
    const gap = s.masterOffset - run.startOffset;
    const percent = gap > 0 ? (100 * received) / gap : 100;
    run.lastMs = s.atMs;
    run.lastOffset = s.slaveOffset;
    this.lastLineMs = s.atMs;
    const left = rate > 0 ? `about ${duration(behind / rate)} left` : "no bytes in the last interval";
    return line(`HA catching up with the master: received ${size(received)} of ${size(gap)} (${percent.toFixed(1)}%), ${size(rate)}/s, ${left}`, {
      slaveOffset: s.slaveOffset, masterOffset: s.masterOffset, receivedBytes: received, percent: Math.round(percent * 10) / 10,
      bytesPerSecond: Math.round(rate), ...(rate > 0 ? { secondsLeft: Math.round(behind / rate) } : {}),
    });
  }

  /** The connection ended: a later one starts a new report. */
  reset(): void {
    this.run = null;
  }
}

function line(message: string, fields: Record<string, number>): CatchUpLine {
  return { level: "info", message, fields };
}

/** Bytes for people: `512 B`, `3.2 MiB`, `1.10 GiB`. */
export function size(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
