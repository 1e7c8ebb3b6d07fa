/**
 * A `Connection` whose writes must finish within `deadlineMs`: the master's guard against a slave
 * that keeps its connection (and may keep reporting) but never reads.
 *
 * `Connection.write` resolves only once the kernel took every byte (back-pressure, see
 * `src/core/platform.ts`), so a peer that stops reading leaves the write pending for ever, holding
 * the caller's buffer (up to one read-ahead, about 1 MiB for the HA master). Here such a write
 * rejects with `SkiffError("HA_WRITE_STALLED")` at the deadline; the caller then closes the
 * connection, which makes the adapter drop the bytes it still held. Everything else is passed through.
 */
import { SkiffError } from "../core/errors.ts";
import type { Clock, Connection } from "../core/platform.ts";

export function withWriteDeadline(connection: Connection, clock: Clock, deadlineMs: number): Connection {
  return {
    local: connection.local,
    remote: connection.remote,
    readable: connection.readable,
    closed: connection.closed,
    end: () => connection.end(),
    close: () => connection.close(),
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        const sizeBytes = bytes.byteLength;
        const timer = clock.setTimeout(() => {
          reject(new SkiffError("HA_WRITE_STALLED", `the peer did not take a write of ${sizeBytes} bytes within ${deadlineMs} ms: it does not read`));
        }, deadlineMs);
        connection.write(bytes).then(
          () => {
            timer.cancel();
            resolve();
          },
          (error: unknown) => {
            timer.cancel();
            reject(error);
          },
        );
      }),
  };
}
