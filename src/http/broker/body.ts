/**
 * Request bodies with a size cap: a body over the cap is refused before it is buffered whole; a
 * body that cannot be read because the client went away is CLIENT_CLOSED_REQUEST (../errors.ts).
 */
import { concatBytes } from "../../core/bytes.ts";
import { SkiffError } from "../../core/errors.ts";
import { readOrClientClosed } from "../errors.ts";

export async function readBodyLimited(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(declared, limitBytes);
  if (Number.isFinite(declared)) {
    // The length is known and within the limit: one read (streaming chunk by chunk is slow on Node),
    // and `request.body` left alone: on Node, asking for the stream makes @hono/node-server build
    // undici's whole Request, where `arrayBuffer()` reads the socket's bytes directly.
    const whole = new Uint8Array(await readOrClientClosed(request.arrayBuffer()));
    if (whole.byteLength > limitBytes) throw tooLarge(whole.byteLength, limitBytes);
    return whole;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await readOrClientClosed(reader.read());
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel();
      throw tooLarge(total, limitBytes);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks);
}

function tooLarge(size: number, limit: number): SkiffError {
  return new SkiffError("PAYLOAD_TOO_LARGE", `request body of ${size}+ bytes is larger than the ${limit}-byte limit`);
}
