/**
 * RocketMQ's `deleteWhen`: the hours of the day (local time) during which retention deletes
 * expired commit-log segments, `;`-separated: `04` (the default), `03;04`. Java reads each part
 * with `Integer.parseInt` and compares it with `Calendar.HOUR_OF_DAY` (`UtilAll.isItTimeToDo`), so
 * an hour outside 0–23 is legal and never matches (`99`: "not by the clock"), while a part that
 * `parseInt` refuses (empty, spaces, letters) would throw at every pass: Skiff refuses it up front.
 */

const JAVA_INT_MIN = -2_147_483_648;
const JAVA_INT_MAX = 2_147_483_647;

/** The hours of `text`, or undefined when a part is not a Java int (`parseInt`'s rules: digits with an optional sign). */
export function parseDeleteWhen(text: string): number[] | undefined {
  const hours = text.split(";").map((part) => (/^[+-]?\d{1,10}$/.test(part) ? Number(part) : Number.NaN));
  return hours.every((hour) => Number.isInteger(hour) && hour >= JAVA_INT_MIN && hour <= JAVA_INT_MAX) ? hours : undefined;
}

/** Whether the local hour of `wallMs` is one of `deleteWhen`'s (false for a malformed value). */
export function isDeleteHour(deleteWhen: string, wallMs: number): boolean {
  const hours = parseDeleteWhen(deleteWhen);
  return hours !== undefined && hours.includes(new Date(wallMs).getHours());
}
