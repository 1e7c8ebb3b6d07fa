/**
 * TLS keys, after RocketMQ's (`tls.server.mode` is `tlsMode` here, `tls.server.certPath`
 * `tlsServerCertPath`, …; RocketMQ reads them as JVM properties or from `tls.properties`, Skiff
 * from the same sources as every other key). Off by default, as on an unconfigured RocketMQ
 * 4.9/5.3 client; RocketMQ's "test mode" (a self-signed certificate made at start) is not offered:
 * a server in `permissive` or `enforcing` mode needs a certificate and key of the operator's.
 *
 * - `tlsServerShape` (broker and name server): RocketMQ's modes on every listener (remoting, the
 *   fast channel, HA, HTTP), src/core/tls-network.ts.
 * - `tlsClientShape` (broker): `useTLS` (RocketMQ's client key) makes every outgoing connection
 *   TLS (HA to the master, HTTP and remoting to name servers and the master), and unlike
 *   RocketMQ's default (`tls.client.authServer=false`, any certificate) the server's certificate
 *   is always checked against `tlsClientTrustCertPath`.
 * - `tlsConfigFile`: RocketMQ's `tls.properties` (`tls.server.certPath`, `tls.server.keyPath`,
 *   `tls.client.trustCertPath`, …), read at start by src/app/tls-policy.ts; a key given directly
 *   wins over the file.
 * Client certificates (RocketMQ's `tls.server.need.client.auth`) are not offered: Deno's TLS
 * server cannot ask for them.
 */
import { TLS_MODES } from "../core/tls-network.ts";
import { boolean, oneOf, text } from "./fields.ts";

const path = () => text(undefined, "a file path");

const tlsConfigFile = path().optional().describe("RocketMQ's tls.config.file: a tls.properties file whose tls.server.certPath, tls.server.keyPath and tls.client.trustCertPath fill the keys not given here; settings Skiff does not offer there (client certificates, encrypted keys) stop the start.");

export const tlsServerShape = {
  tlsConfigFile,
  tlsMode: oneOf(TLS_MODES).default("disabled").describe("RocketMQ's tls.server.mode, on every listener (remoting, HA, HTTP): `disabled` (plain text only), `permissive` (TLS and plain text on the same port) or `enforcing` (TLS only). Needs tlsServerCertPath and tlsServerKeyPath unless disabled."),
  tlsServerCertPath: path().optional().describe("RocketMQ's tls.server.certPath: the server's X.509 certificate chain (PEM, leaf first)."),
  tlsServerKeyPath: path().optional().describe("RocketMQ's tls.server.keyPath: the server's private key (PEM, unencrypted)."),
};

export const tlsClientShape = {
  useTLS: boolean().default(false).describe("RocketMQ's client key: the broker's own connections (HA to its master, HTTP and remoting to name servers and its master) use TLS. Needs tlsClientTrustCertPath."),
  tlsClientTrustCertPath: path().optional().describe("RocketMQ's tls.client.trustCertPath: the CA certificates (PEM) a server's certificate must chain to when useTLS=true (always checked, with the address dialled)."),
};

interface TlsValues {
  readonly tlsConfigFile?: string;
  readonly tlsMode?: string;
  readonly tlsServerCertPath?: string;
  readonly tlsServerKeyPath?: string;
  readonly useTLS?: boolean;
  readonly tlsClientTrustCertPath?: string;
}

/**
 * Rules between the TLS keys, as `[key, problem]` pairs. With `tlsConfigFile` the paths may come
 * from that file: they are checked once it is read (src/app/tls-policy.ts).
 */
export function tlsProblems(values: TlsValues): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (values.tlsConfigFile !== undefined) return problems;
  if (values.tlsMode !== undefined && values.tlsMode !== "disabled") {
    for (const key of ["tlsServerCertPath", "tlsServerKeyPath"] as const) {
      if (values[key] === undefined) problems.push(["tlsMode", `${values.tlsMode} needs ${key} (the server's ${key === "tlsServerCertPath" ? "certificate chain" : "private key"}, PEM); set it, or tlsMode=disabled`]);
    }
  }
  if (values.useTLS === true && values.tlsClientTrustCertPath === undefined) {
    problems.push(["useTLS", "true needs tlsClientTrustCertPath (the CA certificates, PEM, that the servers' certificates must chain to)"]);
  }
  return problems;
}
