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
import { parseProperties } from "../config/properties.ts";
import { tlsProblems } from "../config/tls-keys.ts";

export interface TlsKeys {
  readonly tlsConfigFile?: string;
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

/**
 * What a RocketMQ `tls.properties` (tls.config.file) adds to the keys: the three paths Skiff uses;
 * a setting Skiff does not offer that would change who is trusted stops the start.
 *
 * | tls.properties                 | Skiff                                                        |
 * |--------------------------------|--------------------------------------------------------------|
 * | tls.server.certPath / keyPath  | tlsServerCertPath / tlsServerKeyPath (when not given)        |
 * | tls.client.trustCertPath       | tlsClientTrustCertPath (when not given)                      |
 * | tls.server.need.client.auth    | `none` only (client certificates are not offered)            |
 * | tls.server.authClient          | `false` only                                                 |
 * | tls.server.keyPassword, tls.client.keyPassword | empty only (keys must be unencrypted PEM)    |
 * | tls.client.keyPath / certPath  | refused (no client certificates)                             |
 * | tls.client.authServer          | ignored: Skiff always checks the server (stricter)           |
 * | tls.test.mode.enable           | ignored: Skiff never makes its own certificate               |
 * | anything else                  | refused (a misspelt key would silently do nothing)           |
 */
export async function withTlsConfigFile(fs: FileSystem, keys: TlsKeys): Promise<TlsKeys> {
  if (keys.tlsConfigFile === undefined) return keys;
  const path = keys.tlsConfigFile;
  let text: string;
  try {
    text = new TextDecoder().decode(await fs.readFile(path));
  } catch (error) {
    throw new SkiffError("CONFIG_INVALID", `tlsConfigFile: cannot read ${path} (${(error as { code?: string }).code ?? (error as Error).message}); fix the path or remove tlsConfigFile`);
  }
  const file = parseProperties(text, path);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(file)) {
    const refuse = (why: string) => problems.push(`${key}=${value} in ${path}: ${why}`);
    switch (key) {
      case "tls.server.certPath": case "tls.server.keyPath": case "tls.client.trustCertPath": case "tls.client.authServer": case "tls.test.mode.enable":
        break;
      case "tls.server.need.client.auth":
        if (value !== "none") refuse("client certificates are not offered by Skiff (Deno's TLS server cannot ask for them); set none");
        break;
      case "tls.server.authClient":
        if (value !== "false") refuse("client certificates are not offered by Skiff; set false");
        break;
      case "tls.server.keyPassword": case "tls.client.keyPassword":
        if (value !== "") refuse("encrypted keys are not supported; decrypt the key (openssl pkey -in key.pem -out plain.pem) and leave this empty");
        break;
      case "tls.client.keyPath": case "tls.client.certPath":
        if (value !== "") refuse("client certificates are not offered by Skiff; remove it");
        break;
      default:
        refuse("not a key of RocketMQ's tls.properties that Skiff reads");
    }
  }
  if (problems.length > 0) throw new SkiffError("CONFIG_INVALID", `Invalid TLS configuration (${problems.length === 1 ? "1 problem" : `${problems.length} problems`}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const filled = (value: string | undefined) => (value === undefined || value === "" ? undefined : value);
  return {
    ...keys,
    tlsServerCertPath: keys.tlsServerCertPath ?? filled(file["tls.server.certPath"]),
    tlsServerKeyPath: keys.tlsServerKeyPath ?? filled(file["tls.server.keyPath"]),
    tlsClientTrustCertPath: keys.tlsClientTrustCertPath ?? filled(file["tls.client.trustCertPath"]),
  };
}

export async function loadTlsPolicy(fs: FileSystem, given: TlsKeys): Promise<TlsPolicy> {
  if (given.tlsMode === "disabled" && given.useTLS !== true) return NO_TLS;
  const keys = await withTlsConfigFile(fs, given);
  const missing = tlsProblems({ ...keys, tlsConfigFile: undefined });
  if (missing.length > 0) throw new SkiffError("CONFIG_INVALID", missing.map(([key, problem]) => `${key}: ${problem}${given.tlsConfigFile === undefined ? "" : ` (not in tlsConfigFile ${given.tlsConfigFile} either)`}`).join("; "));
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
