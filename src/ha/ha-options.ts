/**
 * Settings of classic HA replication (spec §4.7), in Skiff's units. An HA address (spec §4.1:
 * `haMasterAddress`, or the `haServerAddr` a name server hands out) is a `host:port`
 * (core/host-port.ts).
 *
 * `sendFromFirstSegment` is Skiff's choice for a slave that asks for offset 0 (an empty slave):
 * true (default) sends the master's whole history from its first segment, as 5.x AutoSwitch does;
 * false starts at the master's last segment, as the classic 4.9/5.x master does (spec §4.4 step 3).
 */
import { assert, fail } from "../core/errors.ts";
import { DEFAULT_MAX_TRANSFER_BODY_BYTES, DEFAULT_TRANSFER_BATCH_BYTES } from "./codec/transfer-frame.ts";
import { silentLogger, type Logger } from "../core/log.ts";

export interface HaOptions {
  /** Interface the master listens on; all of them by default, as Java. */
  readonly haListenHost: string;
  readonly haListenPort: number;
  /** Largest body of one transfer frame (Java slaves accept at most 4 MiB - 12). */
  readonly haTransferBatchSize: number;
  /** Master: heartbeat after this long without a write. Slave: report at least this often. */
  readonly haSendHeartbeatIntervalMs: number;
  /** A connection that read nothing for this long is closed (either side). */
  readonly haHousekeepingIntervalMs: number;
  /**
   * Master: with no send waiting for a slave (ASYNC_MASTER), new bytes for a slave that has all the
   * others are gathered this long at most (or until a frame's worth wait) and go out together; 0
   * (the default here; the broker's `haAsyncGatherMs` is 10) ships them at once (ha-connection.ts).
   */
  readonly haAsyncGatherMs: number;
  /** A slave further behind than this is not "OK" (SLAVE_NOT_AVAILABLE). */
  readonly haSlaveFallbehindMax: number;
  readonly sendFromFirstSegment: boolean;
  /** Master: most slave connections at once; one more is closed at accept (logged, rate-limited). */
  readonly haMaxConnections: number;
  /** Master: most slave connections at once from one remote host (IP address). */
  readonly haMaxConnectionsPerAddress: number;
  /** Turns on the authenticated HA link (codec/auth-handshake.ts), on both sides; absent: the classic protocol. */
  readonly haAuthSecret?: string;
  /** The broker group the authenticated link binds (`brokerName`): master and slave must share it. */
  readonly brokerName: string;
  /** Where connects, disconnects (with their reason) and lag reports go. */
  readonly log: Logger;
}

export function haOptions(overrides: Partial<HaOptions> = {}): HaOptions {
  const options: HaOptions = {
    haListenHost: "0.0.0.0",
    haListenPort: 10912,
    haTransferBatchSize: DEFAULT_TRANSFER_BATCH_BYTES,
    haSendHeartbeatIntervalMs: 5000,
    haHousekeepingIntervalMs: 20000,
    haAsyncGatherMs: 0,
    haSlaveFallbehindMax: 268435456,
    sendFromFirstSegment: true,
    haMaxConnections: 64,
    haMaxConnectionsPerAddress: 16,
    brokerName: "broker-a",
    log: silentLogger,
    ...overrides,
  };
  const batch = options.haTransferBatchSize;
  if (!(Number.isInteger(batch) && batch > 0 && batch <= DEFAULT_MAX_TRANSFER_BODY_BYTES)) fail(`haTransferBatchSize must be 1..${DEFAULT_MAX_TRANSFER_BODY_BYTES}, got ${batch}`);
  assert(options.haSendHeartbeatIntervalMs > 0, "haSendHeartbeatIntervalMs must be positive");
  assert(options.haHousekeepingIntervalMs > 0, "haHousekeepingIntervalMs must be positive");
  assert(Number.isInteger(options.haAsyncGatherMs) && options.haAsyncGatherMs >= 0, "haAsyncGatherMs must be an integer >= 0");
  assert(Number.isInteger(options.haMaxConnections) && options.haMaxConnections > 0, "haMaxConnections must be a positive integer");
  assert(Number.isInteger(options.haMaxConnectionsPerAddress) && options.haMaxConnectionsPerAddress > 0, "haMaxConnectionsPerAddress must be a positive integer");
  assert(Number.isInteger(options.haListenPort) && options.haListenPort >= 0 && options.haListenPort <= 65535, "haListenPort must be 0..65535");
  return options;
}


/** A short reason for a log line, from whatever was thrown. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
