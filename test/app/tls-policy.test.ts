/**
 * From TLS keys to the policy the servers use (src/app/tls-policy.ts), over real files: the PEM
 * files are read and checked for their kind, RocketMQ's tls.properties fills the paths not given
 * (a given key wins), and every setting Skiff does not offer stops the start with a line naming it.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadTlsPolicy, withTlsConfigFile } from "../../src/app/tls-policy.ts";
import { platform } from "../support/platform.ts";
import { makeTestPki } from "../support/tls.ts";

const pki = makeTestPki();
const file = async (name: string, text: string) => {
  const path = join(pki.dir, name);
  await writeFile(path, text);
  return path;
};

describe("TLS policy from keys and tls.properties", () => {
  after(() => pki.remove());

  it("reads the certificate, the key and the CA; nothing when TLS is off", async () => {
    const policy = await loadTlsPolicy(platform.fs, { tlsMode: "permissive", tlsServerCertPath: pki.certPath, tlsServerKeyPath: pki.keyPath, useTLS: true, tlsClientTrustCertPath: pki.caPath });
    assert.deepEqual(policy, { server: { mode: "permissive", identity: { cert: pki.cert, key: pki.key } }, client: { ca: pki.ca } });
    assert.deepEqual(await loadTlsPolicy(platform.fs, { tlsMode: "disabled", tlsServerCertPath: "/nowhere" }), { server: { mode: "disabled" } });
  });

  it("refuses a missing file and a file of the wrong kind, naming the key", async () => {
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsMode: "enforcing", tlsServerCertPath: join(pki.dir, "absent.pem"), tlsServerKeyPath: pki.keyPath }), /tlsServerCertPath: cannot read .*absent\.pem \(ENOENT\)/);
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsMode: "enforcing", tlsServerCertPath: pki.certPath, tlsServerKeyPath: pki.certPath }), /tlsServerKeyPath: .*server\.pem is not an unencrypted PEM private key .*, it holds CERTIFICATE/);
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsMode: "enforcing", tlsServerCertPath: pki.keyPath, tlsServerKeyPath: pki.keyPath }), /tlsServerCertPath: .* is not a PEM certificate/);
  });

  it("takes RocketMQ's tls.properties for the paths not given; a given key wins", async () => {
    const properties = await file("tls.properties", [
      "tls.test.mode.enable=false", "tls.server.need.client.auth=none", `tls.server.keyPath=${pki.keyPath}`, "tls.server.keyPassword=",
      `tls.server.certPath=${pki.certPath}`, "tls.server.authClient=false", `tls.client.trustCertPath=${pki.otherCaPath}`, "tls.client.authServer=true", "",
    ].join("\n"));
    const keys = await withTlsConfigFile(platform.fs, { tlsConfigFile: properties, tlsMode: "enforcing", useTLS: true, tlsClientTrustCertPath: pki.caPath });
    assert.deepEqual([keys.tlsServerCertPath, keys.tlsServerKeyPath, keys.tlsClientTrustCertPath], [pki.certPath, pki.keyPath, pki.caPath]);
    const policy = await loadTlsPolicy(platform.fs, { tlsConfigFile: properties, tlsMode: "enforcing" });
    assert.deepEqual(policy.server.identity, { cert: pki.cert, key: pki.key });
  });

  it("stops on what Skiff does not offer in tls.properties, and on paths found nowhere", async () => {
    const refused = await file("refused.properties", "tls.server.need.client.auth=require\ntls.server.keyPassword=secret\ntls.client.certPath=/c.pem\ntls.sever.certPath=/typo.pem\n");
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsConfigFile: refused, tlsMode: "enforcing" }), (error: Error) =>
      /Invalid TLS configuration \(4 problems\)/.test(error.message) &&
      /tls\.server\.need\.client\.auth=require in .*: client certificates are not offered/.test(error.message) &&
      /tls\.server\.keyPassword=secret in .*: encrypted keys are not supported/.test(error.message) &&
      /tls\.client\.certPath=\/c\.pem in .*: client certificates are not offered/.test(error.message) &&
      /tls\.sever\.certPath=\/typo\.pem in .*: not a key of RocketMQ's tls\.properties that Skiff reads/.test(error.message));
    const empty = await file("empty.properties", "tls.test.mode.enable=false\n");
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsConfigFile: empty, tlsMode: "permissive" }), /tlsMode: permissive needs tlsServerCertPath .*\(not in tlsConfigFile .*empty\.properties either\)/);
    await assert.rejects(loadTlsPolicy(platform.fs, { tlsConfigFile: join(pki.dir, "absent.properties"), tlsMode: "permissive" }), /tlsConfigFile: cannot read .*absent\.properties \(ENOENT\)/);
  });
});
