/** Small waits for end-to-end tests over real HTTP: a JSON GET and a bounded poll. */

export async function getJson(address: string, path: string): Promise<any> {
  const response = await fetch(`http://${address}${path}`, { signal: AbortSignal.timeout(5000) });
  return response.json();
}

/** Polls `probe` every 100 ms until it gives a truthy value (probe errors count as "not yet"). */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
