/**
 * Plain-text tables for `skiff admin`: a header row and left-aligned columns padded to the widest
 * cell (numbers right-aligned), as mqadmin prints them; `--json` prints the answer instead.
 */

export type Cell = string | number | boolean | null | undefined;

export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string[] {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? "-" : String(cell))));
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((row) => typeof row[c] === "number"));
  const widths = headers.map((h, c) => Math.max(h.length, ...text.map((row) => row[c]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  ").trimEnd();
  return [line(headers), ...text.map(line)];
}

/** `key  value` lines, keys padded to the longest. */
export function keyValues(entries: readonly (readonly [string, Cell])[]): string[] {
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${value === null || value === undefined ? "-" : String(value)}`);
}

/** A wall-clock time as ISO text, or "-" for 0 / none. */
export function when(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString() : "-";
}
