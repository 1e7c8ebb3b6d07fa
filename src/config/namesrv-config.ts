/**
 * The name server's configuration: the same sources, precedence and errors as the broker's
 * (`sources.ts`), with its environment variables spelt `SKIFF_NAMESRV_<key>`. Keys of Apache
 * RocketMQ's `NamesrvConfig`/`NettyServerConfig` that Skiff does not use are accepted with one
 * warning; `bindAddress` (RocketMQ 5.x) is one of them: Skiff's bind address is `host`.
 * `serverChannelMaxIdleTimeSeconds` closes a remoting connection silent that long, as the broker's does.
 * `httpListenPort` (Skiff's HTTP API) defaults to `listenPort + 1`, 0 when listenPort is 0 (a free
 * port), and must differ from listenPort (RocketMQ's remoting port).
 */
import { z } from "zod";
import { boolean, host, integer, port, text } from "./fields.ts";
import { joinPath } from "../core/path.ts";
import { logShape } from "./log-keys.ts";
import { tlsProblems, tlsServerShape } from "./tls-keys.ts";
import { ROCKETMQ_NAMESRV_KEYS } from "./rocketmq-keys.ts";
import { namesrvEnvLayer, sourceLayers, type ConfigSources } from "./sources.ts";
import { show } from "./fields.ts";
import { checkFields, configInvalid, mergeLayers, problemText, type ResolvedConfig } from "./validate.ts";

const POSITIVE_MS = { min: 1, max: 2_147_483_647 };

export const namesrvShape = {
  listenPort: port({ zeroPicksFreePort: true }).default(9876).describe("RocketMQ's remoting port (RocketMQ's default 9876). 0 picks a free port."),
  httpListenPort: port({ zeroPicksFreePort: true }).optional().describe("Skiff: port of the name server's HTTP API. Default listenPort + 1 (0 if listenPort is 0)."),
  host: host().default("127.0.0.1").describe("Address to bind (`0.0.0.0` for every interface)."),
  brokerExpiryMs: integer(POSITIVE_MS).default(120_000).describe("Milliseconds after its last registration when a broker is dropped (`BROKER_CHANNEL_EXPIRED_TIME`)."),
  scanIntervalMs: integer(POSITIVE_MS).default(10_000).describe("Milliseconds between scans for expired brokers."),
  ...logShape,
  ...tlsServerShape,
  aclEnable: boolean().default(false).describe("Skiff (RocketMQ's name server has no ACL): registrations and unregistrations (REGISTER_BROKER, UNREGISTER_BROKER, DELETE_TOPIC_IN_NAMESRV; POST and DELETE /brokers) must come from an admin account of plainAclFile, signed as AclClientRPCHook signs (HTTP: Basic credentials), or from a whitelisted address. Routes stay open to every client."),
  plainAclFile: text(undefined, "a file path").optional().describe("Skiff: the name server's ACL file, in RocketMQ's plain_acl.yml format, read when aclEnable=true. Default `$ROCKETMQ_HOME/conf/plain_acl.yml`."),
  serverChannelMaxIdleTimeSeconds: integer({ min: 1, max: 2_147_483 }).default(120).describe("Seconds a remoting connection may stay silent before the name server closes it (RocketMQ's `NettyServerConfig` key, 120 as there; brokers register every 30 s, clients ask for routes every 30 s)."),
};

export const namesrvConfigSchema = z.object(namesrvShape);

export type NamesrvConfig = Omit<z.output<typeof namesrvConfigSchema>, "httpListenPort"> & {
  /** Port of Skiff's HTTP API (default listenPort + 1). */
  readonly httpListenPort: number;
};

/**
 * Merges the sources (defaults < file < env `SKIFF_NAMESRV_<key>` < command line) and validates.
 * Throws SkiffError CONFIG_INVALID listing every problem.
 */
export function resolveNamesrvConfig(sources: ConfigSources): ResolvedConfig<NamesrvConfig> {
  const merged = mergeLayers(sourceLayers(sources, namesrvEnvLayer));
  const check = checkFields(namesrvShape, merged, ROCKETMQ_NAMESRV_KEYS, "name server");
  const problems = [...check.problems];
  const { listenPort } = check.values;
  let httpListenPort = check.values.httpListenPort;
  if (httpListenPort === undefined && listenPort !== undefined && !Object.hasOwn(merged.origins, "httpListenPort")) {
    httpListenPort = listenPort === 0 ? 0 : listenPort + 1;
    if (httpListenPort > 65535) {
      problems.push(problemText(merged, "httpListenPort", `not set, and its default listenPort + 1 = ${httpListenPort} is out of range; set httpListenPort`));
    }
  } else if (httpListenPort !== undefined && httpListenPort !== 0 && httpListenPort === listenPort) {
    problems.push(problemText(merged, "httpListenPort", `${show(merged.values.httpListenPort)} is already used by listenPort; set httpListenPort to a port of its own`));
  }
  for (const [key, problem] of tlsProblems(check.values)) problems.push(problemText(merged, key, problem));
  let plainAclFile = check.values.plainAclFile;
  if (check.values.aclEnable && plainAclFile === undefined) {
    const home = sources.env?.ROCKETMQ_HOME;
    if (home) plainAclFile = joinPath(home, "conf/plain_acl.yml");
    else problems.push(problemText(merged, "aclEnable", "true needs the ACL file: set plainAclFile=<path of a plain_acl.yml>, or ROCKETMQ_HOME (then $ROCKETMQ_HOME/conf/plain_acl.yml is read)"));
  }
  if (problems.length > 0) throw configInvalid("name server configuration", problems);
  return { config: { ...check.values, httpListenPort, plainAclFile } as NamesrvConfig, warnings: check.warnings, notices: [] };
}
