/**
 * The in-memory platform: every port of `src/core/platform.ts` with no disk, no socket and no
 * real time, for deterministic tests of the store, HA and the HTTP layers.
 *
 * HTTP: `serve` registers the fetch handler under its host:port (ports are shared with the
 * `MemoryNetwork`, so a port is either a TCP listener or an HTTP server, as on a real machine), and
 * `fetch(url, init)` dispatches a request in-process to the handler registered for the URL's
 * port — what a client would reach over loopback. Nothing listening → a `TypeError` with code
 * ECONNREFUSED (the shape of a real `fetch` failure). `close()` stops new requests at once and
 * resolves when the requests already in the handler have been answered.
 */
import type { FetchFunction, FetchHandler, HostPort, HttpServer, HttpServing, Platform, ServeOptions, TlsClientOptions } from "../../src/core/platform.ts";
import { ManualClock } from "./clock.ts";
import { MemoryFileSystem } from "./fs.ts";
import { MemoryNetwork, type MemoryNetworkOptions } from "./net.ts";
import { memorySystem } from "./system.ts";

interface Served {
  readonly handler: FetchHandler;
  readonly inFlight: Set<Promise<unknown>>;
}

export class MemoryHttp implements HttpServing {
  private readonly net: MemoryNetwork;
  private readonly servers = new Map<number, Served>();

  constructor(net: MemoryNetwork) {
    this.net = net;
  }

  fetcher(tls?: TlsClientOptions): FetchFunction {
    if (tls === undefined) return this.fetch;
    throw Object.assign(new Error("TLS is not simulated by the in-memory HTTP: test it over a runtime's sockets"), { code: "ENOTSUP" });
  }

  async serve(at: HostPort, handler: FetchHandler, options: ServeOptions = {}): Promise<HttpServer> {
    if (options.tls !== undefined) throw Object.assign(new Error("TLS is not simulated by the in-memory HTTP: test it over a runtime's sockets"), { code: "ENOTSUP" });
    const port = this.net.reservePort(at.port);
    const served: Served = { handler, inFlight: new Set() };
    this.servers.set(port, served);
    return {
      address: { host: at.host, port },
      close: async () => {
        if (this.servers.get(port) === served) {
          this.servers.delete(port);
          this.net.releasePort(port);
        }
        await Promise.allSettled([...served.inFlight]);
      },
    };
  }

  /** `fetch` routed to the in-memory server of the URL's port. */
  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const served = this.servers.get(port);
    if (!served) {
      throw Object.assign(new TypeError(`fetch failed: nothing serves ${url.host}`), { code: "ECONNREFUSED" });
    }
    const answer = Promise.resolve().then(() => served.handler(request));
    served.inFlight.add(answer);
    try {
      return await answer;
    } finally {
      served.inFlight.delete(answer);
    }
  };
}

const httpByNetwork = new WeakMap<MemoryNetwork, MemoryHttp>();

/** The HTTP servers of one network: platforms sharing a network reach each other's servers. */
export function httpOf(net: MemoryNetwork): MemoryHttp {
  let http = httpByNetwork.get(net);
  if (!http) httpByNetwork.set(net, (http = new MemoryHttp(net)));
  return http;
}

export interface MemoryPlatform {
  readonly platform: Platform;
  readonly fs: MemoryFileSystem;
  readonly clock: ManualClock;
  readonly net: MemoryNetwork;
  readonly http: MemoryHttp;
  /** In-process `fetch` to the servers of this platform. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

export interface MemoryPlatformOptions {
  readonly fs?: MemoryFileSystem;
  readonly clock?: ManualClock;
  readonly net?: MemoryNetwork | MemoryNetworkOptions;
  readonly totalMemoryBytes?: number;
  /** This "process's" pid and the shared table of live pids (see memorySystem). */
  readonly pid?: number;
  readonly alive?: Set<number>;
}

/**
 * A fresh in-memory platform. Pass `clock` and `net` to put several brokers on one clock and one
 * network (each with its own file system), as a master and its slaves.
 */
export function createMemoryPlatform(options: MemoryPlatformOptions = {}): MemoryPlatform {
  const fs = options.fs ?? new MemoryFileSystem();
  const clock = options.clock ?? new ManualClock();
  if (!fs.hasClock) fs.useClock(clock); // modification times follow the simulated clock
  const net = options.net instanceof MemoryNetwork ? options.net : new MemoryNetwork(options.net);
  const http = httpOf(net);
  const platform: Platform = { fs, clock, net, http, system: memorySystem(options.totalMemoryBytes, { pid: options.pid, alive: options.alive }) };
  return { platform, fs, clock, net, http, fetch: http.fetch };
}
