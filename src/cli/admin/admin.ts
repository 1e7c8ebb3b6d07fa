/**
 * `skiff admin <command> [flags]` (also `bun run admin`, `deno task admin`, `npm run admin --`):
 * RocketMQ's mqadmin for Skiff over its HTTP API (commands.ts). Tables by default, the broker's
 * answer with `--json`; `skiff admin` alone lists the commands, `skiff admin <command> --help`
 * its flags.
 *
 * Exit codes: 0 done; 1 the broker or name server refused (the line names its error code and
 * message, e.g. `TOPIC_NOT_EXIST: topic X does not exist`); 2 a usage error (unknown command or
 * flag, a missing or bad value); 3 the address cannot be reached or did not answer in time.
 *
 * A broker or name server with aclEnable=true: `SKIFF_ACCESS_KEY` and `SKIFF_SECRET_KEY` in the
 * environment (an admin account of its plain_acl.yml for changes) are sent with every request as
 * HTTP Basic credentials, as mqadmin reads its account from `conf/tools.yml`.
 */
import { HttpClient } from "../../client/http.ts";
import { SkiffClientError } from "../../client/errors.ts";
import type { FetchLike } from "../../client/http.ts";
import { basicAuthorization } from "../../codec/basic-credentials.ts";
import { COMMANDS, type AdminCommand } from "./commands.ts";
import { flagHelp, parseFlags, UsageError, type FlagSpec } from "./flags.ts";

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
  exit(code: number): void;
}

export interface AdminOptions {
  readonly fetch?: FetchLike;
  readonly nowMs?: number;
  /** `SKIFF_ACCESS_KEY` / `SKIFF_SECRET_KEY`: the ACL account sent with every request. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `fetch` with the environment's ACL account as HTTP Basic credentials on every request (unchanged without one). */
function withAccount(fetch: FetchLike, env: Readonly<Record<string, string | undefined>>): FetchLike {
  const accessKey = env.SKIFF_ACCESS_KEY, secretKey = env.SKIFF_SECRET_KEY;
  if (!accessKey && !secretKey) return fetch;
  if (!accessKey || !secretKey) throw new UsageError("set both SKIFF_ACCESS_KEY and SKIFF_SECRET_KEY (an account of the ACL file), or neither");
  const authorization = basicAuthorization({ accessKey, secretKey });
  return (url, init) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", authorization);
    return fetch(url, { ...init, headers });
  };
}

const COMMON: readonly FlagSpec[] = [
  { name: "json", value: false, help: "print the answer as JSON" },
  { name: "timeout", value: true, help: "ms to wait for an answer (default 10000)" },
  { name: "help", short: "h", value: false, help: "this help" },
];

export function adminUsage(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: skiff admin <command> [flags]   (skiff admin <command> --help for its flags)",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ];
}

function commandUsage(command: AdminCommand): string[] {
  return [`usage: skiff admin ${command.name} [flags]`, `  ${command.summary}`, ...flagHelp([...command.flags, ...COMMON])];
}

export async function runAdmin(io: AdminIo, args: readonly string[], options: AdminOptions = {}): Promise<void> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    adminUsage().forEach((line) => io.out(line));
    return;
  }
  const command = COMMANDS.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!command) {
    io.err(`unknown admin command "${name}"`);
    adminUsage().forEach((line) => io.err(line));
    io.exit(2);
    return;
  }
  try {
    if (rest.includes("--help") || rest.includes("-h")) {
      commandUsage(command).forEach((line) => io.out(line));
      return;
    }
    const values = parseFlags(rest, [...command.flags, ...COMMON]);
    const timeoutText = values.timeout;
    const timeoutMs = timeoutText === undefined ? undefined : Number(timeoutText);
    if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout must be a positive number of ms, got ${JSON.stringify(timeoutText)}`);
    const fetch = withAccount(options.fetch ?? ((url: string, init: RequestInit) => globalThis.fetch(url, init)), options.env ?? {});
    const http = new HttpClient({ fetch, timeoutMs });
    const output = await command.run({ http, fetch, nowMs: options.nowMs ?? Date.now() }, values);
    if (values.json) io.out(JSON.stringify(output.json, null, 2));
    else output.lines.forEach((line) => io.out(line));
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${command.name}: ${error.message}`);
      commandUsage(command).forEach((line) => io.err(line));
      io.exit(2);
    } else if (error instanceof SkiffClientError && (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT")) {
      io.err(`${command.name}: ${error.message} — is the address right, and is the broker or name server running?`);
      io.exit(3);
    } else if (error instanceof SkiffClientError) {
      io.err(`${command.name}: ${error.message}`);
      io.exit(1);
    } else {
      throw error;
    }
  }
}
