/**
 * From TLS keys (src/config/tls-keys.ts) to what the servers and clients use: the PEM files read
 * once at start, and a platform whose `net` and `http` follow the policy, so every listener
 * (remoting, its fast channel, HA, HTTP) and every outgoing connection gets TLS by composition
 * and no component below knows about it.
 *
 * A file that cannot be read, or that is not PEM of the right kind, stops the start with one
 * CONFIG_INVALID line naming the key and the file (a certificate or key that PEM-parses but that the
 * runtime's TLS rejects fails at the first listen, with the runtime's reason).
 */
import { SkiffError } from "../core/errors.ts";
import type { FetchFunction, FileSystem, Platform } from "../core/platform.ts";
import { NO_TLS, tlsHttp, tlsNetwork, type TlsMode, type TlsPolicy } from "../core/tls-network.ts";

export interface TlsKeys {
  readonly tlsMode: TlsMode;
  readonly tlsServerCertPath?: string;
  readonly tlsServerKeyPath?: string;
  readonly useTLS?: boolean;
  readonly tlsClientTrustCertPath?: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/;

async function readPem(fs: FileSystem, key: string, path: string, kind: "certificate" | "key"): Promise<string> {
  let text: string;
  try {
    text = new TextDecoder().decode(await fs.readFile(path));
  } catch (error) {
    throw new SkiffError("CONFIG_INVALID", `${key}: cannot read ${path} (${(error as { code?: string }).code ?? (error as Error).message}); fix the path or the file's permissions`);
  }
  const label = PEM_BLOCK.exec(text)?.[1];
  const fits = label !== undefined && (kind === "certificate" ? label === "CERTIFICATE" : label.endsWith("PRIVATE KEY") && !label.startsWith("ENCRYPTED"));
  if (!fits) {
    const expected = kind === "certificate" ? "a PEM certificate (-----BEGIN CERTIFICATE-----)" : "an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)";
    throw new SkiffError("CONFIG_INVALID", `${key}: ${path} is not ${expected}${label === undefined ? "" : `, it holds ${label}`}`);
  }
  return text;
}

export async function loadTlsPolicy(fs: FileSystem, keys: TlsKeys): Promise<TlsPolicy> {
  if (keys.tlsMode === "disabled" && keys.useTLS !== true) return NO_TLS;
  const identity = keys.tlsMode === "disabled" ? undefined : {
    cert: await readPem(fs, "tlsServerCertPath", keys.tlsServerCertPath!, "certificate"),
    key: await readPem(fs, "tlsServerKeyPath", keys.tlsServerKeyPath!, "key"),
  };
  const client = keys.useTLS === true ? { ca: await readPem(fs, "tlsClientTrustCertPath", keys.tlsClientTrustCertPath!, "certificate") } : undefined;
  return { server: { mode: keys.tlsMode, identity }, client };
}

/** `platform` with its `net` and `http` following `policy`. */
export function withTls<P extends Pick<Platform, "net" | "http">>(platform: P, policy: TlsPolicy): P {
  if (policy === NO_TLS) return platform;
  return { ...platform, net: tlsNetwork(platform.net, policy), http: tlsHttp(platform.http, platform.net, policy.server) };
}

/**
 * The broker's fetch for its peers: with `useTLS` every `http://` URL it builds is asked for as
 * `https://`, trusting only the configured CA (`base` is the platform's fetch otherwise).
 */
export function peerFetch(platform: Pick<Platform, "http">, policy: TlsPolicy, base: FetchFunction): FetchFunction {
  if (policy.client === undefined) return base;
  const secure = platform.http.fetcher(policy.client);
  return (url, init) => secure(url.startsWith("http://") ? `https://${url.slice("http://".length)}` : url, init);
}
