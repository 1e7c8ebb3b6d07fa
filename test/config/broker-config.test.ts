// The broker's configuration has DESIGN §1.2's defaults, coerces strings from files, env and argv, and
// applies RocketMQ's start-up rules (master id forced to 0, haListenPort = listenPort + 1, clamping, rounding) with notices.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { resolveBrokerConfig } from "../../src/config/sources.ts";
import { parseMessageDelayLevel } from "../../src/config/broker-config.ts";

const DEFAULTS = {
  brokerClusterName: "DefaultCluster",
  brokerName: "broker-a",
  brokerId: 0,
  brokerRole: "ASYNC_MASTER",
  listenPort: 10911,
  haListenPort: 10912,
  httpListenPort: 10913,
  haMasterAddress: undefined,
  namesrvAddr: undefined,
  haAuthSecret: undefined,
  aclEnable: false,
  plainAclFile: undefined,
  innerClientAuthenticationCredentials: undefined,
  namesrvProtocol: "rocketmq",
  masterProtocol: "http",
  brokerIP1: "127.0.0.1",
  brokerIP2: "127.0.0.1",
  storePathRootDir: "/home/ann/.skiff/store",
  storePathCommitLog: "/home/ann/.skiff/store/commitlog",
  mappedFileSizeCommitLog: 1073741824,
  mappedFileSizeConsumeQueue: 6000000,
  flushDiskType: "ASYNC_FLUSH",
  flushIntervalCommitLog: 500,
  flushIntervalConsumeQueue: 1000,
  syncFlushTimeout: 5000,
  slaveTimeout: 3000,
  haSlaveFallbehindMax: 268435456,
  haTransferBatchSize: 32768,
  haSendHeartbeatInterval: 5000,
  haHousekeepingInterval: 20000,
  haAsyncGatherMs: 10,
  slaveSynchronizePeriod: 10000,
  registerNameServerPeriod: 30000,
  accessMessageInMemoryMaxRatio: 40,
  slaveReadEnable: false,
  maxMessageSize: 4194304,
  defaultTopicQueueNums: 8,
  autoCreateTopicEnable: true,
  notifyConsumerIdsChangedEnable: true,
  channelExpiredTimeout: 120000,
  serverChannelMaxIdleTimeSeconds: 120,
  messageDelayLevel: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h",
  messageIndexEnable: true,
  maxHashSlotNum: 5000000,
  maxIndexNum: 20000000,
  checkCRCOnRecover: true,
  deleteWhen: "04",
  fileReservedTime: 72,
  cleanResourceInterval: 10000,
  cleanResourceInitialDelay: 60000,
  deleteCommitLogFilesInterval: 100,
  deleteConsumeQueueFilesInterval: 100,
  destroyMapedFileIntervalForcibly: 120000,
  redeleteHangedFileInterval: 120000,
  deleteFileBatchMax: 10,
  diskMaxUsedSpaceRatio: 75,
  diskSpaceWarningLevelRatio: 90,
  diskSpaceCleanForciblyRatio: 85,
  cleanFileForciblyEnable: true,
  haSendFromFirstSegment: true,
  haMaxConnections: 64,
  haMaxConnectionsPerAddress: 16,
  tlsConfigFile: undefined,
  tlsMode: "disabled",
  tlsServerCertPath: undefined,
  tlsServerKeyPath: undefined,
  useTLS: false,
  tlsClientTrustCertPath: undefined,
  metricsOtelCardinalityLimit: 50_000,
  logLevel: "info",
  logFormat: "auto",
};

function resolve(cliValues: Record<string, unknown>, env: Record<string, string> = {}) {
  return resolveBrokerConfig({ env, cliValues });
}

describe("broker config defaults", () => {
  it("gives every key its default, with no warnings or notices", () => {
    const resolved = resolveBrokerConfig({ env: { HOME: "/home/ann" } });
    assert.deepEqual(resolved.config, DEFAULTS);
    assert.deepEqual(resolved.warnings, []);
    assert.deepEqual(resolved.notices, []);
  });

  it("stores under ./skiff-store without HOME, and follows storePathRootDir for the commit log", () => {
    assert.equal(resolve({}).config.storePathRootDir, "./skiff-store");
    assert.equal(resolve({}).config.storePathCommitLog, "./skiff-store/commitlog");
    assert.equal(resolve({}, { USERPROFILE: "C:/Users/ann" }).config.storePathRootDir, "C:/Users/ann/.skiff/store");
    const config = resolve({ storePathRootDir: "/data/s" }, { HOME: "/home/ann" }).config;
    assert.equal(config.storePathCommitLog, "/data/s/commitlog");
    assert.equal(resolve({ storePathCommitLog: "/fast/cl" }).config.storePathCommitLog, "/fast/cl");
  });

  it("has 18 delay levels by default, in milliseconds", () => {
    const levels = parseMessageDelayLevel(DEFAULTS.messageDelayLevel);
    assert.equal(levels?.length, 18);
    assert.deepEqual(levels?.slice(0, 5), [1000, 5000, 10000, 30000, 60000]);
    assert.equal(levels?.[17], 7_200_000);
    assert.deepEqual(parseMessageDelayLevel(" 2d  1h "), [172_800_000, 3_600_000]);
    assert.equal(parseMessageDelayLevel("1s 5x"), undefined);
  });
});

describe("broker config coercion", () => {
  it("coerces numbers, decimals and booleans given as strings", () => {
    const config = resolve({
      listenPort: " 11911 ", brokerId: "+0", accessMessageInMemoryMaxRatio: "37.5", slaveReadEnable: "TRUE",
      autoCreateTopicEnable: "false", checkCRCOnRecover: "False", haSlaveFallbehindMax: "0",
    }).config;
    assert.equal(config.listenPort, 11911);
    assert.equal(config.haListenPort, 11912);
    assert.equal(config.brokerId, 0);
    assert.equal(config.accessMessageInMemoryMaxRatio, 37.5);
    assert.equal(config.slaveReadEnable, true);
    assert.equal(config.autoCreateTopicEnable, false);
    assert.equal(config.checkCRCOnRecover, false);
    assert.equal(config.haSlaveFallbehindMax, 0);
  });

  it("accepts typed values from code", () => {
    const config = resolve({ listenPort: 0, slaveReadEnable: true, accessMessageInMemoryMaxRatio: 12.25 }).config;
    assert.equal(config.listenPort, 0);
    assert.equal(config.slaveReadEnable, true);
    assert.equal(config.accessMessageInMemoryMaxRatio, 12.25);
  });

  it("trims strings and treats an empty namesrvAddr or haMasterAddress as not set", () => {
    const config = resolve({ brokerName: "  broker-b ", namesrvAddr: " ", haMasterAddress: "" }).config;
    assert.equal(config.brokerName, "broker-b");
    assert.equal(config.namesrvAddr, undefined);
    assert.equal(config.haMasterAddress, undefined);
  });

  it("accepts RocketMQ-style name server lists, including a trailing ; and IPv6", () => {
    for (const addr of ["127.0.0.1:9876", "127.0.0.1:9876;192.168.0.1:9876", "a:1;", "[::1]:9876;ns.example:9876"]) {
      assert.equal(resolve({ namesrvAddr: addr }).config.namesrvAddr, addr);
    }
  });
});

describe("broker config rules", () => {
  it("sets haListenPort to listenPort + 1 unless given, and 0 when listenPort is 0", () => {
    assert.equal(resolve({ listenPort: "20911" }).config.haListenPort, 20912);
    assert.equal(resolve({ listenPort: "20911", haListenPort: "30000" }).config.haListenPort, 30000);
    assert.equal(resolve({ listenPort: "0" }).config.haListenPort, 0);
    assert.equal(resolve({ listenPort: "0", haListenPort: "0" }).config.haListenPort, 0);
  });

  it("sets httpListenPort to listenPort + 2 unless given, and 0 when listenPort is 0", () => {
    assert.equal(resolve({ listenPort: "20911" }).config.httpListenPort, 20913);
    assert.equal(resolve({ listenPort: "20911", httpListenPort: "8080" }).config.httpListenPort, 8080);
    assert.equal(resolve({ listenPort: "0" }).config.httpListenPort, 0);
    assert.equal(resolve({ listenPort: "0", httpListenPort: "8080" }).config.httpListenPort, 8080);
    assert.equal(resolve({ listenPort: "20911", haListenPort: "0", httpListenPort: "0" }).config.httpListenPort, 0);
  });

  it("forces a master's brokerId to 0 with a notice", () => {
    const resolved = resolve({ brokerRole: "SYNC_MASTER", brokerId: "3" });
    assert.equal(resolved.config.brokerId, 0);
    assert.deepEqual(resolved.notices, ["brokerId 3 changed to 0: a master's brokerId is always 0 (brokerRole SYNC_MASTER)"]);
    assert.deepEqual(resolve({ brokerId: "0" }).notices, []);
  });

  it("keeps a slave's brokerId", () => {
    const config = resolve({ brokerRole: "SLAVE", brokerId: "2", haMasterAddress: "127.0.0.1:10912" }).config;
    assert.equal(config.brokerRole, "SLAVE");
    assert.equal(config.brokerId, 2);
    assert.equal(config.haMasterAddress, "127.0.0.1:10912");
  });

  it("clamps registerNameServerPeriod to 10000…60000 ms like RocketMQ", () => {
    assert.equal(resolve({ registerNameServerPeriod: "0" }).config.registerNameServerPeriod, 10000);
    assert.equal(resolve({ registerNameServerPeriod: "90000" }).config.registerNameServerPeriod, 60000);
    assert.equal(resolve({ registerNameServerPeriod: "45000" }).config.registerNameServerPeriod, 45000);
    assert.deepEqual(resolve({ registerNameServerPeriod: "5000" }).notices,
      ["registerNameServerPeriod 5000 changed to 10000: RocketMQ keeps it within 10000…60000 ms"]);
  });

  it("rounds mappedFileSizeConsumeQueue up to a multiple of 20", () => {
    const resolved = resolve({ mappedFileSizeConsumeQueue: "6000001" });
    assert.equal(resolved.config.mappedFileSizeConsumeQueue, 6000020);
    assert.match(resolved.notices[0], /mappedFileSizeConsumeQueue 6000001 rounded up to 6000020/);
    assert.equal(resolve({ mappedFileSizeConsumeQueue: "1" }).config.mappedFileSizeConsumeQueue, 20);
    assert.equal(resolve({ mappedFileSizeConsumeQueue: "400" }).notices.length, 0);
  });

  it("accepts the smallest commit-log segment, 4096 bytes, and warns that big messages cannot fit", () => {
    const resolved = resolve({ mappedFileSizeCommitLog: "4096" });
    assert.equal(resolved.config.mappedFileSizeCommitLog, 4096);
    assert.match(resolved.warnings[0], /^maxMessageSize 4194304 is larger than a commit-log segment \(mappedFileSizeCommitLog 4096\)/);
    assert.deepEqual(resolve({ mappedFileSizeCommitLog: "4096", maxMessageSize: "4000" }).warnings, []);
  });
});
