/**
 * Before a server touches its store, it checks that every port it will listen on can be bound:
 * each is listened on and closed again at once, so a port in use fails the start with one line
 * naming the port, its key and the fix (PORT_IN_USE) and the store is left as it was (no `abort`,
 * no `lock`, no new files). Port 0 (any free port) needs no check. Between the check and the real
 * bind another process could take the port; the real bind then fails with the same message.
 */
import { SkiffError } from "../core/errors.ts";
import type { Network } from "../core/platform.ts";

export interface PortToBind {
  /** The setting that names it (`haListenPort`), for the message. */
  readonly key: string;
  /** What listens there (`HA`), for the message. */
  readonly what: string;
  readonly host: string;
  readonly port: number;
}

/** The error for a failed bind: PORT_IN_USE when the runtime says the address is taken. */
export function listenError(target: PortToBind, error: unknown): SkiffError {
  const detail = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const inUse = code === "EADDRINUSE" || /EADDRINUSE|AddrInUse|address already in use|in use/i.test(`${(error as { name?: string })?.name ?? ""} ${detail}`);
  const where = `${target.host}:${target.port}`;
  return inUse
    ? new SkiffError("PORT_IN_USE", `${target.what} port ${where} (${target.key}) is already in use: stop the process using it, or choose another port (--${target.key}=…)`)
    : new SkiffError("PORT_IN_USE", `cannot listen on ${where} for ${target.what} (${target.key}): ${detail}`);
}

export async function checkPortsFree(net: Network, targets: readonly PortToBind[]): Promise<void> {
  for (const target of targets) {
    if (target.port === 0) continue;
    let listener;
    try {
      listener = await net.listen({ host: target.host, port: target.port }, (connection) => void connection.close());
    } catch (error) {
      throw listenError(target, error);
    }
    await listener.close();
  }
}
