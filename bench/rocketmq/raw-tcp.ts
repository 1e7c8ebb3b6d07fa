/**
 * The baseline of the slave catch-up figure: raw loopback TCP on one runtime, two processes, as
 * a master and its slave are (catch-up.ts starts both). Through the same network adapter Skiff
 * uses on that runtime (`adapters/<runtime>/net.ts`), 1 MiB writes, one connection.
 *
 *   <runtime> bench/rocketmq/raw-tcp.ts receive <bytes>          prints "listening <port>", then one JSON line {"mibPerSec"}
 *   <runtime> bench/rocketmq/raw-tcp.ts send <port> <bytes>      writes <bytes> to 127.0.0.1:<port>, then exits
 *
 * The receiver's clock runs from its first byte to its last, so process start-up is not counted.
 */
import { platform } from "../../test/support/platform.ts";

const [mode, a, b] = process.argv.slice(2);
const MIB = 1024 * 1024;

if (mode === "receive") {
  const bytes = Number(a);
  let received = 0;
  let first = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const listener = await platform.net.listen({ host: "127.0.0.1", port: 0 }, async (connection) => {
    try {
      for await (const chunk of connection.readable) {
        if (received === 0) first = performance.now();
        received += chunk.byteLength;
        if (received >= bytes) done();
      }
    } catch {
      // the sender closed first: every byte was counted already
    }
    connection.close();
  });
  console.log(`listening ${listener.address.port}`);
  await finished;
  const seconds = (performance.now() - first) / 1000;
  console.log(JSON.stringify({ mibPerSec: received / MIB / seconds }));
  await listener.close();
  process.exit(0);
} else if (mode === "send") {
  const bytes = Number(b);
  const connection = await platform.net.connect({ host: "127.0.0.1", port: Number(a) });
  const chunk = new Uint8Array(MIB).fill(3);
  for (let sent = 0; sent < bytes; sent += chunk.byteLength) await connection.write(sent + MIB <= bytes ? chunk : chunk.subarray(0, bytes - sent));
  await connection.end();
  connection.close();
  process.exit(0);
} else {
  console.error("usage: raw-tcp.ts receive <bytes> | send <port> <bytes>");
  process.exit(2);
}
