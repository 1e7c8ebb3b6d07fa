/**
 * CRC-32 (IEEE 802.3 polynomial 0xEDB88320, reflected; the zlib / `java.util.zip.CRC32` one) with
 * slicing-by-8 tables, and RocketMQ's BODYCRC (`UtilAll.crc32`: the CRC masked with 0x7FFFFFFF).
 *
 *   crc32(bytes, start?, end?, previous?) -> u32 ; pass a previous result to continue a CRC
 *   bodyCrc(bytes, start?, end?)          -> crc32 & 0x7FFFFFFF ; empty body -> 0
 *
 * It runs once per stored message (and once per record during recovery), hence the 8 x 256 table.
 */

const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/** CRC-32 of `bytes[start, end)` as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  const t = TABLES;
  let crc = ~previous;
  let i = start;
  const fastEnd = end - 8;
  while (i <= fastEnd) {
    crc ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    crc =
      t[1792 + (crc & 0xff)] ^
      t[1536 + ((crc >>> 8) & 0xff)] ^
      t[1280 + ((crc >>> 16) & 0xff)] ^
      t[1024 + (crc >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
    i += 8;
  }
  while (i < end) crc = t[(crc ^ bytes[i++]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** RocketMQ BODYCRC: CRC-32 of the body exactly as stored, masked to 31 bits (0 for an empty body). */
export function bodyCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32(bytes, start, end) & 0x7fffffff;
}
