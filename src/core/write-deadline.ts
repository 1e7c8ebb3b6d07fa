/**
 * A `Connection` whose writes must finish within `deadlineMs`: a server's guard against a peer
 * that keeps its connection (and may keep sending) but never reads (the HA master's slaves, the
 * remoting server's clients).
 *
 * `Connection.write` resolves only once the kernel took every byte (back-pressure, see
 * `src/core/platform.ts`), so a peer that stops reading leaves the write pending for ever, holding
 * the caller's buffer (up to one read-ahead, about 1 MiB for the HA master). Here such a write
 * rejects at the deadline with `SkiffError(code)` (`HA_WRITE_STALLED`, `REMOTING_WRITE_STALLED`);
 * the caller then closes the connection, which makes the adapter drop the bytes it still held.
 * Everything else is passed through.
 */
import { SkiffError } from "./errors.ts";
import type { ErrorCode } from "./error-codes.ts";
import type { Clock, Connection } from "./platform.ts";

export function withWriteDeadline(connection: Connection, clock: Clock, deadlineMs: number, code: ErrorCode): Connection {
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
          reject(new SkiffError(code, `the peer did not take a write of ${sizeBytes} bytes within ${deadlineMs} ms: it does not read`));
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
