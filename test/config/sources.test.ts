// resolveBrokerConfig merges defaults < properties file < environment < command line, later wins, key by
// key. A RocketMQ broker.conf (spec §10's master/slave pair plus real keys Skiff ignores) loads, with one warning listing the ignored keys.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseCommandLine, resolveBrokerConfig } from "../../src/config/sources.ts";
import { resolveNamesrvConfig } from "../../src/config/namesrv-config.ts";

const MASTER_CONF = `# master (broker-m.conf), spec §10
brokerClusterName=DefaultCluster
brokerName=broker-a
brokerId=0
brokerRole=SYNC_MASTER
flushDiskType=ASYNC_FLUSH
namesrvAddr=127.0.0.1:9876
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=10911
storePathRootDir=/run/store-m
storePathCommitLog=/run/store-m/commitlog
mappedFileSizeCommitLog=1048576
maxMessageSize=65536
autoCreateTopicEnable=true
deleteWhen=04
fileReservedTime=48
sendMessageThreadPoolNums=4
`;

const SLAVE_CONF = `# slave (broker-s.conf), spec §10
brokerClusterName=DefaultCluster
brokerName=broker-a
brokerId=1
brokerRole=SLAVE
flushDiskType=ASYNC_FLUSH
namesrvAddr=127.0.0.1:9876
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=11911
storePathRootDir=/run/store-s
storePathCommitLog=/run/store-s/commitlog
mappedFileSizeCommitLog=1048576
maxMessageSize=65536
haMasterAddress=127.0.0.1:10912
# 5.x only; Skiff ignores them
totalReplicas=2
inSyncReplicas=2
transientStorePoolEnable=false
`;

describe("resolveBrokerConfig precedence", () => {
  const fileText = "brokerName=from-file\nlistenPort=20000\nslaveTimeout=1000\nbrokerClusterName=file-cluster";
  const env = { SKIFF_listenPort: "30000", SKIFF_slaveTimeout: "2000", NAMESRV_ADDR: "10.0.0.1:9876" };

  it("lets the file override defaults, env override the file, and the command line override both", () => {
    const argv = parseCommandLine(["--listenPort=40000", "-n", "10.0.0.2:9876"]);
    const config = resolveBrokerConfig({ fileText, env, cliValues: argv.values }).config;
    assert.equal(config.brokerRole, "ASYNC_MASTER"); // default
    assert.equal(config.brokerName, "from-file"); // file
    assert.equal(config.brokerClusterName, "file-cluster"); // file
    assert.equal(config.slaveTimeout, 2000); // env over file
    assert.equal(config.listenPort, 40000); // command line over env over file
    assert.equal(config.haListenPort, 40001); // derived from the winner
    assert.equal(config.namesrvAddr, "10.0.0.2:9876"); // -n over NAMESRV_ADDR
  });

  it("keeps each lower source where no later one sets the key", () => {
    const config = resolveBrokerConfig({ fileText, env }).config;
    assert.equal(config.listenPort, 30000);
    assert.equal(config.namesrvAddr, "10.0.0.1:9876");
    assert.equal(resolveBrokerConfig({ fileText }).config.listenPort, 20000);
    assert.equal(resolveBrokerConfig({}).config.listenPort, 10911);
  });

  it("takes HOME for the default store from the env given", () => {
    assert.equal(resolveBrokerConfig({ env: { HOME: "/h" } }).config.storePathRootDir, "/h/.skiff/store");
  });

  it("lets haListenPort from any source win over listenPort + 1", () => {
    const config = resolveBrokerConfig({ fileText: "haListenPort=5555", cliValues: { listenPort: "7000" } }).config;
    assert.equal(config.haListenPort, 5555);
  });
});

describe("a RocketMQ broker.conf", () => {
  it("loads the spec §10 master, warning once about the RocketMQ keys Skiff ignores", () => {
    const resolved = resolveBrokerConfig({ fileText: MASTER_CONF, fileName: "broker-m.conf" });
    assert.deepEqual(resolved.warnings, [
      "Ignored 1 Apache RocketMQ broker key that Skiff does not use: sendMessageThreadPoolNums",
    ]);
    assert.deepEqual(resolved.notices, []);
    const config = resolved.config;
    assert.equal(config.brokerRole, "SYNC_MASTER");
    assert.equal(config.brokerId, 0);
    assert.equal(config.haListenPort, 10912);
    assert.equal(config.mappedFileSizeCommitLog, 1048576);
    assert.equal(config.storePathCommitLog, "/run/store-m/commitlog");
    assert.equal(config.namesrvAddr, "127.0.0.1:9876");
  });

  it("loads the spec §10 slave", () => {
    const resolved = resolveBrokerConfig({ fileText: SLAVE_CONF, fileName: "broker-s.conf" });
    assert.deepEqual(resolved.warnings, [
      "Ignored 3 Apache RocketMQ broker keys that Skiff does not use: inSyncReplicas, totalReplicas, transientStorePoolEnable",
    ]);
    const config = resolved.config;
    assert.equal(config.brokerRole, "SLAVE");
    assert.equal(config.brokerId, 1);
    assert.equal(config.listenPort, 11911);
    assert.equal(config.haListenPort, 11912);
    assert.equal(config.haMasterAddress, "127.0.0.1:10912");
  });

  it("accepts a wide range of real RocketMQ 4.9 and 5.x keys", () => {
    const keys = [
      "rocketmqHome", "brokerPermission", "useReentrantLockWhenPutMessage", "maxTransferBytesOnMessageInMemory",
      "enablePropertyFilter", "traceTopicEnable", "fetchNamesrvAddrByAddressServer", "transientStorePoolSize", "useEpollNativeSelector",
      "serverWorkerThreads", "clientWorkerThreads", "enableDLegerCommitLog", "enableControllerMode", "timerWheelEnable",
      "haMaxGapNotInSync", "isolateLogEnable", "longPollingEnable", "transactionTimeOut", "warmMapedFileEnable",
    ];
    const fileText = keys.map((key) => `${key}=1`).join("\n");
    const warnings = resolveBrokerConfig({ fileText }).warnings;
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`^Ignored ${keys.length} Apache RocketMQ broker keys`));
    for (const key of keys) assert.ok(warnings[0].includes(key), key);
  });

  it("refuses to start with a security door turned on that Skiff does not implement (fail closed), and accepts it off", () => {
    // The name server makes no outgoing connections: its useTLS would be a door believed closed.
    for (const fileText of ["useTLS=true", "useTLS=yes"]) {
      assert.throws(() => resolveNamesrvConfig({ fileText }), (error: Error) => /is not implemented by Skiff yet, .* it does not start \(remove \w+ or set it to false\)/.test(error.message), fileText);
    }
    assert.throws(() => resolveNamesrvConfig({ fileText: "useTLS=true" }), /TLS for the server's own outgoing connections is not implemented by Skiff yet/);
    assert.throws(() => resolveNamesrvConfig({ fileText: "aclEnable=true" }), /aclEnable.*true needs the ACL file/);
    assert.equal(resolveNamesrvConfig({ fileText: "aclEnable=true", env: { ROCKETMQ_HOME: "/opt/rocketmq" } }).config.plainAclFile, "/opt/rocketmq/conf/plain_acl.yml");
    assert.throws(() => resolveBrokerConfig({ fileText: "aclEnable=yes" }), /aclEnable/);
    const off = resolveBrokerConfig({ fileText: "aclEnable=false\nuseTLS=false" });
    assert.deepEqual(off.warnings, []);
  });

  it("TLS keys: a server mode needs the certificate and key, useTLS the CA to trust; all off by default", () => {
    assert.equal(resolveBrokerConfig({}).config.tlsMode, "disabled");
    assert.equal(resolveBrokerConfig({}).config.useTLS, false);
    assert.throws(() => resolveBrokerConfig({ fileText: "tlsMode=enforcing" }), (error: Error) =>
      /tlsMode.*enforcing needs tlsServerCertPath/.test(error.message) && /enforcing needs tlsServerKeyPath/.test(error.message));
    assert.throws(() => resolveBrokerConfig({ fileText: "tlsMode=strict" }), /tlsMode.*expected one of disabled, permissive, enforcing/);
    assert.throws(() => resolveBrokerConfig({ fileText: "useTLS=true" }), /useTLS.*needs tlsClientTrustCertPath/);
    assert.throws(() => resolveNamesrvConfig({ fileText: "tlsMode=permissive\ntlsServerCertPath=/c.pem" }), /permissive needs tlsServerKeyPath/);
    const on = resolveBrokerConfig({ fileText: "tlsMode=permissive\ntlsServerCertPath=/c.pem\ntlsServerKeyPath=/k.pem\nuseTLS=true\ntlsClientTrustCertPath=/ca.pem" }).config;
    assert.deepEqual([on.tlsMode, on.tlsServerCertPath, on.tlsServerKeyPath, on.useTLS, on.tlsClientTrustCertPath], ["permissive", "/c.pem", "/k.pem", true, "/ca.pem"]);
  });

  it("aclEnable=true needs the ACL file: plainAclFile, or ROCKETMQ_HOME's conf/plain_acl.yml as RocketMQ reads it", () => {
    assert.throws(() => resolveBrokerConfig({ fileText: "aclEnable=true" }), /aclEnable.*set plainAclFile=<path of a plain_acl\.yml>, or ROCKETMQ_HOME/);
    assert.equal(resolveBrokerConfig({ fileText: "aclEnable=true\nplainAclFile=/etc/skiff/acl.yml" }).config.plainAclFile, "/etc/skiff/acl.yml");
    assert.equal(resolveBrokerConfig({ fileText: "aclEnable=true", env: { ROCKETMQ_HOME: "/opt/rocketmq" } }).config.plainAclFile, "/opt/rocketmq/conf/plain_acl.yml");
    assert.equal(resolveBrokerConfig({ fileText: "aclEnable=false" }).config.plainAclFile, undefined);
  });
});
