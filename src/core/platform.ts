/**
 * The ports: everything the core needs from a runtime, and nothing more.
 *
 * The core (`src/`) never touches `node:*` modules, `Buffer`, or the Bun and Deno globals; a
 * runtime hands it one `Platform` value (see `adapters/{node,bun,deno}/platform.ts`, and
 * `adapters/memory/platform.ts` for the deterministic in-memory one used by tests). Each port is deliberately narrow so that
 * three adapters and a fake can implement it in well under 200 lines each.
 *
 * Conventions shared by every port:
 * - Paths are POSIX strings joined with `joinPath` (`src/core/path.ts`).
 * - Offsets and sizes are `number` (safe integers), never `bigint`.
 * - Errors are thrown as `Error`s whose `code` is the OS code where one exists (`ENOENT`, `EEXIST`,
 *   `ECONNREFUSED`, …), so the core can branch on it without knowing the runtime.
 */

export interface Platform {
  readonly fs: FileSystem;
  readonly net: Network;
  readonly clock: Clock;
  readonly http: HttpServing;
  readonly system: SystemInfo;
}

// ---------------------------------------------------------------------------------------------
// Files

export interface FileStat {
  readonly size: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /**
   * Last modification (st_mtime) in wall-clock ms since the epoch: what retention measures a
   * segment's age by, as RocketMQ's `File.lastModified()`. Writes and truncations move it.
   */
  readonly mtimeMs: number;
}

/** The file system holding a path (statfs(2)), in bytes. */
export interface DiskSpace {
  readonly totalBytes: number;
  /** Free blocks, including those reserved for root (Java's `File.getFreeSpace`). */
  readonly freeBytes: number;
  /** Free blocks this process may use (Java's `File.getUsableSpace`). */
  readonly usableBytes: number;
}

export interface OpenOptions {
  /** Create the file if it does not exist (never truncates an existing one). */
  readonly create?: boolean;
  /** Fail with `EEXIST` if the file exists (implies create). */
  readonly exclusive?: boolean;
  /** Open read-only. */
  readonly readOnly?: boolean;
}

/** A file opened for positional I/O. Concurrent calls at different positions are allowed. */
export interface FileHandle {
  /** Reads up to `target.byteLength` bytes at `position`; resolves with the count read (0 at end of file). */
  read(target: Uint8Array, position: number): Promise<number>;
  /**
   * `read`, done before it returns (pread(2) on the calling thread): for a few bytes the OS has in
   * its page cache (bytes this process just wrote). A read from the disk stalls the event loop.
   */
  readNow(target: Uint8Array, position: number): number;
  /** Writes all of `source` at `position` (short writes are retried by the adapter). */
  write(source: Uint8Array, position: number): Promise<void>;
  /**
   * `write`, done before it returns (pwrite(2) on the calling thread; no fsync): for small writes
   * the OS takes into its page cache, where an async write's round trip costs many times the copy
   * (4 KiB at random offsets, measured: Bun 48 vs 2.7 µs, Deno 18 vs 5, Node 163 vs 6). Throws
   * what `write` rejects with. Not for large or many writes: the event loop waits meanwhile.
   */
  writeNow(source: Uint8Array, position: number): void;
  /** fsync(2): data and metadata reach the disk before this resolves. */
  sync(): Promise<void>;
  truncate(sizeBytes: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface FileSystem {
  open(path: string, options?: OpenOptions): Promise<FileHandle>;
  /** Whole-file read; rejects with code `ENOENT` when absent. */
  readFile(path: string): Promise<Uint8Array>;
  /** Whole-file write (create or replace, not atomic, no fsync). */
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** `null` when the path does not exist. */
  stat(path: string): Promise<FileStat | null>;
  /** Names (not paths) of the entries of a directory; rejects with `ENOENT` when absent. */
  readdir(path: string): Promise<string[]>;
  /** Creates the directory and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>;
  /** rename(2): atomic replacement of `to` on the same file system. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or a whole directory tree; no error if absent. */
  remove(path: string): Promise<void>;
  /** fsync of a directory, so that renames and new names in it are durable. */
  syncDirectory(path: string): Promise<void>;
  /** Size and free space of the file system holding `path`; `null` when the path does not exist. */
  diskSpace(path: string): Promise<DiskSpace | null>;
}

// ---------------------------------------------------------------------------------------------
// TCP

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * One TCP connection. Reading is pull-based (`AsyncIterable`), so a slow consumer applies
 * back-pressure to the peer; writing resolves once the bytes were handed to the kernel or to a
 * bounded adapter queue, so awaiting `write` is back-pressure in the other direction.
 */
export interface Connection {
  readonly local: HostPort;
  readonly remote: HostPort;
  /**
   * Chunks as they arrive; ends on the peer's FIN, throws on a reset. Iterate it once. A chunk is
   * the reader's to keep: the adapter never writes into it again (views may be held across awaits).
   */
  readonly readable: AsyncIterable<Uint8Array>;
  /**
   * Delivers every byte, in order, and resolves once the kernel took them (so memory stays
   * bounded). The caller must not change `bytes` before then. Rejects with `EPIPE` after
   * `end()`/`close()`, or `ECONNRESET` after a reset. Adapters set no timeout: a
   * peer that never reads leaves the write pending, holding `bytes`, until `close()`; a caller
   * facing untrusted peers bounds the wait itself (the HA master: `src/core/write-deadline.ts`).
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Half-close: sends FIN after queued bytes; reading may continue. */
  end(): Promise<void>;
  /**
   * Closes both directions at once, dropping queued bytes. Idempotent. On the wire this is a FIN
   * on every runtime (Deno cannot send a reset): the peer's `readable` ends cleanly.
   */
  close(): void;
  /** Resolves when both directions are finished and unread data consumed (never rejects). */
  readonly closed: Promise<void>;
}

/**
 * A TLS server's identity, as PEM text (files are read by the caller). Client certificates are
 * not asked for: Deno's TLS listener cannot verify them, so mutual TLS is not offered anywhere.
 */
export interface TlsServerOptions {
  /** The certificate chain, leaf first. */
  readonly cert: string;
  readonly key: string;
}

/**
 * A TLS client's trust: the server's certificate must chain to `ca` and name the address dialled
 * (an IP address in its subjectAltName when an IP is dialled). There is no "trust anything" mode.
 */
export interface TlsClientOptions {
  /** Trusted root certificates (PEM; on Deno, added to its default roots). */
  readonly ca: string;
}

export interface ListenOptions {
  /** Serve TLS on this listener: `onConnection` gets connections carrying the decrypted bytes. */
  readonly tls?: TlsServerOptions;
}

export interface ConnectOptions {
  /** Speak TLS; the promise resolves once the handshake succeeded (rejects if the server is not trusted). */
  readonly tls?: TlsClientOptions;
}

export interface Listener {
  readonly address: HostPort;
  /** Stops accepting; existing connections stay open. */
  close(): Promise<void>;
}

export interface Network {
  /** Port 0 asks the OS for a free port; `address.port` tells which. */
  listen(at: HostPort, onConnection: (connection: Connection) => void, options?: ListenOptions): Promise<Listener>;
  connect(to: HostPort, options?: ConnectOptions): Promise<Connection>;
}

// ---------------------------------------------------------------------------------------------
// Time

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock milliseconds since the epoch (store timestamps). */
  now(): number;
  /** Monotonic milliseconds for measuring intervals and deadlines. */
  monotonicMs(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  setInterval(callback: () => void, intervalMs: number): TimerHandle;
  sleep(delayMs: number): Promise<void>;
  /**
   * Runs `callback` once the I/O callbacks of this event-loop turn have run (`setImmediate`):
   * work every request of the turn shares (the commit log's write). Absent where there is no
   * such turn (the manual clock of tests, runtimes without `setImmediate`): then a microtask.
   */
  readonly nextTurn?: (callback: () => void) => void;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type FetchHandler = (request: Request) => Response | Promise<Response>;

export interface HttpServer {
  readonly address: HostPort;
  /** Stops accepting and closes idle connections; in-flight requests are answered first. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * How long a connection may go without a byte either way before the server may close it; it
   * must exceed the longest request a handler holds open (a long poll). Absent: the runtime's own
   * default (Bun's is 10 s).
   */
  readonly idleTimeoutMs?: number;
  /** Serve HTTPS instead of HTTP. */
  readonly tls?: TlsServerOptions;
}

/** `fetch`'s shape, as the core calls it. */
export type FetchFunction = (url: string, init?: RequestInit) => Promise<Response>;

export interface HttpServing {
  serve(at: HostPort, handler: FetchHandler, options?: ServeOptions): Promise<HttpServer>;
  /**
   * The runtime's client for the broker's calls to its peers, in `fetch`'s shape. With `tls`, its
   * `https:` requests trust `tls.ca` (on Deno, besides its default roots: Deno's TLS client adds
   * CAs, never replaces them); `http:` requests as usual. Bun and Deno give their `fetch`; Node its
   * `node:http` client (adapters/node/http-client.ts: Node's `fetch` cost a slave 13 MiB of memory).
   */
  fetcher(tls?: TlsClientOptions): FetchFunction;
}

// ---------------------------------------------------------------------------------------------
// The process and the machine

export interface SystemInfo {
  readonly runtime: "bun" | "deno" | "node" | "memory";
  readonly pid: number;
  /** Physical memory in bytes (RocketMQ's accessMessageInMemoryMaxRatio is a share of it). */
  totalMemoryBytes(): number;
  /** Resident set size of this process, for memory-bound tests and benchmarks. */
  residentMemoryBytes(): number;
  /** JavaScript heap in use by this process (live objects and garbage not yet collected), for `/metrics`. */
  heapUsedBytes(): number;
  /**
   * Whether a process with this pid runs on this machine (guards a store against a second
   * broker); a zombie (exited, not yet reaped by its parent) does not.
   */
  isProcessAlive(pid: number): boolean;
  /**
   * An opaque token that differs between two processes that had the same pid one after the other
   * (Linux: the start time in `/proc/<pid>/stat`); undefined where the runtime cannot tell.
   */
  processStartTime(pid: number): string | undefined;
}
