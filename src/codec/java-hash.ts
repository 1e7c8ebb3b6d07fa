/**
 * Java `String.hashCode` over UTF-16 code units (`h = 31*h + c` mod 2^32, read as a signed i32) and
 * the consume queue's default tagsCode: that hash sign-extended to i64 (kept as a JS number, which
 * holds every i32 exactly). No tags (undefined, null or "") -> 0, as Java's `tagsString2tagsCode`.
 *
 *   javaStringHash("TagA")       ->  2598919
 *   tagsCode("abcdefghij")       -> -634317659   (stored as FF FF FF FF DA 31 14 A5)
 */

export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

export function tagsCode(tags?: string | null): number {
  return tags ? javaStringHash(tags) : 0;
}
