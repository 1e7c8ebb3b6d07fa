/** POSIX path helpers for the core (which may not import `node:path`). */

export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p.length > 0).join("/");
  return joined.replace(/\/{2,}/g, "/");
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}
