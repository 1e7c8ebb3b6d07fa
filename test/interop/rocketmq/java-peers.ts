/**
 * Apache RocketMQ as test peers: the jars (fetched with Maven by `fetch-jars.sh` into the cache),
 * the programs of `java/` compiled per version with javac, ROCKETMQ_HOME with the logback files
 * 4.9.x needs, name servers and brokers as JVMs (own user.home each, small heaps, Java 17 flags),
 * and the Producer/Consumer programs with their output parsed (the remoting scenarios' long-lived
 * clients are in java-clients.ts). A peer that cannot be fetched,
 * compiled or started is an Error that says why, never a skip.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BOOT_TIMEOUT_MS, FETCH_TIMEOUT_MS, HERE, cacheDir, type RocketMQVersion } from "./env.ts";
import { TrackedProcess, runToEnd, startProcess, type ProcessResult } from "./processes.ts";

const JAVA_SOURCES = ["Producer.java", "Consumer.java", "ClientIo.java", "SendClient.java", "PushClient.java", "LitePullClient.java", "AdminSession.java"];

export interface RocketMQPaths {
  readonly version: RocketMQVersion;
  /** The jars (`-cp '<lib>/*'`). */
  readonly lib: string;
  /** The compiled test programs (every file of JAVA_SOURCES). */
  readonly classes: string;
  /** ROCKETMQ_HOME, with the logback files 4.9.x needs. */
  readonly home: string;
}

const ensured = new Map<RocketMQVersion, Promise<RocketMQPaths>>();

/** The jars, compiled programs and ROCKETMQ_HOME of one version; fetched and built on first use. */
export function ensureRocketMQ(version: RocketMQVersion): Promise<RocketMQPaths> {
  let pending = ensured.get(version);
  if (!pending) {
    pending = prepare(version);
    ensured.set(version, pending);
    pending.catch(() => ensured.delete(version));
  }
  return pending;
}

async function prepare(version: RocketMQVersion): Promise<RocketMQPaths> {
  const cache = cacheDir();
  const lib = join(cache, version, "lib");
  if (!existsSync(join(lib, ".complete"))) {
    const script = join(HERE, "fetch-jars.sh");
    const r = await runToEnd(`fetch-jars ${version}`, "bash", [script, version], FETCH_TIMEOUT_MS);
    if (r.code !== 0) {
      throw new Error(`RocketMQ ${version} could not be fetched (fetch-jars.sh exit ${r.code}); Maven and Maven Central are needed for the interop tests.\n${r.stdout}\n${r.stderr}`);
    }
  }
  const classes = await compileJava(version, lib, JAVA_SOURCES.map((f) => join(HERE, "java", f)));
  const home = join(cache, version, "home");
  await mkdir(join(home, "conf"), { recursive: true });
  for (const name of ["namesrv", "broker", "tools"]) {
    await writeFile(join(home, "conf", `logback_${name}.xml`), logbackXml(name));
  }
  if (!version.startsWith("4.")) await writeBrokerLogbackThatKeepsEveryLine(version, lib, join(home, "conf"));
  return { version, lib, classes, home };
}

/** 5.x brokers log through this file (`-Drmq.logback.configurationFile`, startJavaBroker). */
const BROKER_LOGBACK_5 = "rmq.broker.logback.xml";

/**
 * A 5.x broker's own logging configuration (`rmq.broker.logback.xml` from its jar), with every
 * `AsyncAppender` told to keep every line (`discardingThreshold` 0; by default logback drops INFO
 * lines once its queue of 256 is 80 % full). Tests read the broker's store.log: an abnormal
 * recovery logs thousands of lines at once, and the one that says where it ended ("load over, and
 * the max phy offset = …") was dropped on a slow machine. The rest of the file is RocketMQ's.
 */
async function writeBrokerLogbackThatKeepsEveryLine(version: RocketMQVersion, lib: string, confDir: string): Promise<void> {
  // Extracted and written under names of this process's own, then renamed: test processes running
  // at once never see a half-written file.
  const scratch = join(confDir, `.extract-${process.pid}`);
  await mkdir(scratch, { recursive: true });
  execFileSync("jar", ["xf", join(lib, `rocketmq-broker-${version}.jar`), BROKER_LOGBACK_5], { cwd: scratch, stdio: ["ignore", "ignore", "pipe"] });
  const original = readFileSync(join(scratch, BROKER_LOGBACK_5), "utf8");
  await rm(scratch, { recursive: true, force: true });
  const opening = /<appender name="[^"]+" class="ch\.qos\.logback\.classic\.AsyncAppender">/g;
  const patched = original.replace(opening, (tag) => `${tag}\n        <discardingThreshold>0</discardingThreshold>`);
  if (patched === original) throw new Error(`RocketMQ ${version}'s ${BROKER_LOGBACK_5} has no AsyncAppender to patch: its layout changed`);
  const tmp = join(confDir, `${BROKER_LOGBACK_5}.${process.pid}.tmp`);
  await writeFile(tmp, patched);
  await rename(tmp, join(confDir, BROKER_LOGBACK_5));
}

/**
 * Compiles `sources` (absolute paths) against the jars in `lib`, into a directory of the cache named
 * by a hash of their contents (so a changed source is compiled again); returns that directory.
 */
export async function compileJava(version: RocketMQVersion, lib: string, sources: readonly string[]): Promise<string> {
  const hash = createHash("sha256");
  for (const file of sources) hash.update(readFileSync(file));
  const classes = join(cacheDir(), version, `classes-${hash.digest("hex").slice(0, 12)}`);
  if (!existsSync(join(classes, ".complete"))) {
    await mkdir(classes, { recursive: true });
    const r = await runToEnd(`javac ${version}`, "javac", ["-nowarn", "-d", classes, "-cp", `${lib}/*`, ...sources], 5 * 60_000);
    if (r.code !== 0) throw new Error(`javac failed for ${sources.join(", ")} against RocketMQ ${version} (is a JDK 17 on PATH?):\n${r.stdout}\n${r.stderr}`);
    await writeFile(join(classes, ".complete"), "");
  }
  return classes;
}

/** A minimal logback configuration: one file under the JVM's own user.home, no console. */
function logbackXml(name: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>\${user.home}/logs/rocketmqlogs/${name}.log</file>
    <append>true</append>
    <encoder><pattern>%d{yyy-MM-dd HH:mm:ss,SSS} %p %c{0} - %m%n</pattern><charset>UTF-8</charset></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;
}

/**
 * Small heaps, the serial collector and C1 only: quick JVM starts for tests (a benchmark passes its
 * own). Servers also get `tls.server.mode=disabled`: in its default (permissive) mode every RocketMQ
 * remoting server generates a self-signed RSA certificate at start (BouncyCastle, ~4 CPU-seconds
 * with C1 only, measured on a 5.3.3 name server: 5.8 s → 2.0 s to boot); no test dials a Java
 * server over TLS.
 */
const TEST_TUNING = {
  server: ["-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dtls.server.mode=disabled"],
  client: ["-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"],
};

/** The JVM flags of a RocketMQ process: `tuning` (heap, collector, JIT), its own user.home, IPv4, Java 17 opens. */
export function jvmFlags(version: RocketMQVersion, userHome: string, tuning: "server" | "client" | readonly string[]): string[] {
  const flags = typeof tuning === "string" ? [...TEST_TUNING[tuning]] : [...tuning];
  // java.io.tmpdir too: a RocketMQ remoting server in permissive TLS mode (the default) writes a
  // self-signed certificate and key there (keyutil_*.crt/.key), which would pile up in /tmp.
  flags.push(`-Duser.home=${userHome}`, `-Djava.io.tmpdir=${userHome}`, "-Djava.net.preferIPv4Stack=true");
  if (version.startsWith("4.")) flags.push("--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED");
  return flags;
}

export interface JavaServer {
  readonly pid: number;
  readonly process: TrackedProcess;
  /** `127.0.0.1:port` */
  readonly address: string;
  /** The directory of its conf file and its user.home (logs). */
  readonly runDir: string;
  stop(): Promise<ProcessResult>;
  kill(): Promise<ProcessResult>;
}

/** Starts a RocketMQ name server on 127.0.0.1:`port`; resolves once it printed its boot line. `tuning`: JVM heap/GC/JIT flags instead of the test ones. */
export async function startNamesrv(version: RocketMQVersion, port: number, runDir: string, tuning?: readonly string[]): Promise<JavaServer> {
  const paths = await ensureRocketMQ(version);
  await mkdir(runDir, { recursive: true });
  const conf = join(runDir, "namesrv.conf");
  await writeFile(conf, `listenPort=${port}\n`);
  const proc = startProcess(`RocketMQ ${version} namesrv`, "java", [...jvmFlags(version, runDir, tuning ?? "server"), "-cp", `${paths.lib}/*`, "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", conf], {
    env: { ROCKETMQ_HOME: paths.home },
  });
  return serverOf(proc, `127.0.0.1:${port}`, runDir, /The Name Server boot success/, `RocketMQ ${version} name server on port ${port}`);
}

/** Starts a RocketMQ broker with `confText` as its broker.conf; resolves once it printed its boot line. `tuning`: as for startNamesrv. */
export async function startJavaBroker(version: RocketMQVersion, confText: string, runDir: string, tuning?: readonly string[]): Promise<JavaServer> {
  const paths = await ensureRocketMQ(version);
  await mkdir(runDir, { recursive: true });
  const conf = join(runDir, "broker.conf");
  await writeFile(conf, confText);
  const logging = version.startsWith("4.") ? [] : [`-Drmq.logback.configurationFile=${join(paths.home, "conf", BROKER_LOGBACK_5)}`];
  const proc = startProcess(`RocketMQ ${version} broker`, "java", [...jvmFlags(version, runDir, tuning ?? "server"), ...logging, "-cp", `${paths.lib}/*`, "org.apache.rocketmq.broker.BrokerStartup", "-c", conf], {
    env: { ROCKETMQ_HOME: paths.home },
  });
  const match = await serverOf(proc, "", runDir, /The broker\[[^,\]]+, ([0-9.:]+)\] boot success/, `RocketMQ ${version} broker (${runDir})`);
  return match;
}

async function serverOf(proc: TrackedProcess, address: string, runDir: string, boot: RegExp, what: string): Promise<JavaServer> {
  let line: RegExpMatchArray;
  try {
    line = await proc.waitForLine(boot, BOOT_TIMEOUT_MS);
  } catch (error) {
    await proc.kill().catch(() => undefined);
    throw new Error(`${what} did not start: ${(error as Error).message}\n${logTail(runDir)}`);
  }
  return {
    pid: proc.pid,
    process: proc,
    address: address || (line[1] ?? ""),
    runDir,
    stop: () => proc.stop(),
    kill: () => proc.kill(),
  };
}

/** The last lines of a JVM's RocketMQ log files under its user.home, for error messages. */
export function logTail(runDir: string, lines = 40): string {
  const dir = join(runDir, "logs", "rocketmqlogs");
  if (!existsSync(dir)) return "";
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".log")).sort()) {
    const text = readFileSync(join(dir, name), "utf8").split("\n");
    const errors = text.filter((l) => /ERROR|WARN|Exception/.test(l)).slice(-lines);
    if (errors.length > 0) out.push(`--- ${name}`, ...errors);
  }
  return out.join("\n");
}

/** The broker.conf of spec §10, for one broker on 127.0.0.1 (`listenPort`, HA on `listenPort + 1`). */
export function brokerConf(values: {
  storeDir: string;
  listenPort: number;
  namesrvAddr: string;
  brokerRole?: "ASYNC_MASTER" | "SYNC_MASTER" | "SLAVE";
  brokerId?: number;
  brokerName?: string;
  segmentSizeBytes?: number;
  extra?: Record<string, string | number | boolean>;
}): string {
  const lines: Record<string, string | number | boolean> = {
    brokerClusterName: "DefaultCluster",
    brokerName: values.brokerName ?? "broker-a",
    brokerId: values.brokerId ?? 0,
    brokerRole: values.brokerRole ?? "ASYNC_MASTER",
    flushDiskType: "ASYNC_FLUSH",
    namesrvAddr: values.namesrvAddr,
    brokerIP1: "127.0.0.1",
    brokerIP2: "127.0.0.1",
    listenPort: values.listenPort,
    haListenPort: values.listenPort + 1,
    storePathRootDir: values.storeDir,
    storePathCommitLog: join(values.storeDir, "commitlog"),
    mappedFileSizeCommitLog: values.segmentSizeBytes ?? 1048576,
    autoCreateTopicEnable: true,
    ...values.extra,
  };
  return Object.entries(lines).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
}

/** Runs one of the compiled test programs (`Producer`, `Consumer`) with `key=value` arguments. */
export async function runJava(version: RocketMQVersion, mainClass: string, args: readonly string[], options: { timeoutMs?: number; runDir: string }): Promise<ProcessResult> {
  const paths = await ensureRocketMQ(version);
  await mkdir(options.runDir, { recursive: true });
  const flags = jvmFlags(version, options.runDir, "client");
  return runToEnd(`${mainClass} (RocketMQ ${version})`, "java", [...flags, "-cp", `${paths.classes}:${paths.lib}/*`, mainClass, ...args], options.timeoutMs ?? 120_000, {
    ROCKETMQ_HOME: paths.home,
  });
}

/** A send as the Java producer printed it. */
export interface JavaSend {
  readonly msgId: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly status: string;
}

export function parseSends(stdout: string): JavaSend[] {
  return stdout.split("\n").filter((l) => l.startsWith("SENT ")).map((l) => {
    const [, msgId, queueId, queueOffset, status] = l.trim().split(" ");
    return { msgId, queueId: Number(queueId), queueOffset: Number(queueOffset), status };
  });
}

/** A message as the Java consumer printed it (the Java client's parse of the stored record). */
export interface JavaMessage {
  readonly topic: string;
  readonly queueId: number;
  readonly queueOffset: number;
  readonly commitLogOffset: number;
  readonly msgId: string;
  readonly tags: string | null;
  readonly keys: string | null;
  readonly properties: Record<string, string>;
  readonly bodyBase64: string;
}

export interface ConsumerOutput {
  readonly messages: JavaMessage[];
  /** Committed offset per queue id before reading (-1 when none). */
  readonly offsetsBefore: Map<number, number>;
  readonly committed: Map<number, number>;
}

export function parseConsumer(stdout: string): ConsumerOutput {
  const messages: JavaMessage[] = [];
  const offsetsBefore = new Map<number, number>();
  const committed = new Map<number, number>();
  for (const line of stdout.split("\n")) {
    if (line.startsWith("{")) messages.push(JSON.parse(line) as JavaMessage);
    else if (line.startsWith("OFFSET ")) {
      const [, q, o] = line.trim().split(" ");
      offsetsBefore.set(Number(q), Number(o));
    } else if (line.startsWith("COMMITTED ")) {
      const [, q, o] = line.trim().split(" ");
      committed.set(Number(q), Number(o));
    }
  }
  return { messages, offsetsBefore, committed };
}

/** Runs the producer; throws with its output unless every send succeeded. */
export async function produce(version: RocketMQVersion, runDir: string, args: Record<string, string | number>): Promise<JavaSend[]> {
  const r = await runJava(version, "Producer", Object.entries(args).map(([k, v]) => `${k}=${v}`), { runDir, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`the RocketMQ ${version} producer failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-5000)}`);
  return parseSends(r.stdout);
}

/** Runs the consumer; throws with its output unless it read what it expected. */
export async function consume(version: RocketMQVersion, runDir: string, args: Record<string, string | number>): Promise<ConsumerOutput> {
  const r = await runJava(version, "Consumer", Object.entries(args).map(([k, v]) => `${k}=${v}`), { runDir, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(`the RocketMQ ${version} consumer failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-5000)}`);
  return parseConsumer(r.stdout);
}
