/**
 * A certificate authority made at test time with the `openssl` command (OpenSSL 3), and a server
 * certificate it signed for 127.0.0.1 and localhost; plus a second, unrelated CA whose trust must
 * not be enough. P-256 keys, valid two days. Nothing is committed: each call writes a fresh set
 * under a temporary directory and returns the PEM text and the file paths.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly dir: string;
  /** The CA's certificate (PEM) and its path. */
  readonly ca: string;
  readonly caPath: string;
  /** The server's certificate and key (PEM) and their paths. */
  readonly cert: string;
  readonly certPath: string;
  readonly key: string;
  readonly keyPath: string;
  /** A CA that signed nothing here. */
  readonly otherCa: string;
  readonly otherCaPath: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function selfSignedCa(dir: string, name: string): void {
  openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=skiff test ${name}`);
}

/**
 * The certificate set the README's Security section tells an operator to make (its `sh` block
 * under "TLS", run as written in a temporary directory, with the example address 10.0.0.5 replaced
 * by 127.0.0.1): `ca.pem`, `broker.pem`, `broker.key`.
 */
export function readmePki(): TestPki {
  const readme = readFileSync(decodeURIComponent(new URL("../../README.md", import.meta.url).pathname), "utf8");
  const tls = readme.slice(readme.indexOf("- **TLS**"));
  const block = /```sh\n([\s\S]*?)```/.exec(tls);
  if (!block) throw new Error("the README's TLS step-by-step has no sh block");
  const script = block[1].replace(/^ {5}/gm, "").replaceAll("10.0.0.5", "127.0.0.1");
  const dir = mkdtempSync(join(tmpdir(), "skiff-readme-tls-"));
  execFileSync("sh", ["-e", "-c", script], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  selfSignedCa(dir, "other-ca");
  return pkiIn(dir, "broker");
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "skiff-tls-"));
  selfSignedCa(dir, "ca");
  selfSignedCa(dir, "other-ca");
  openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
    "-out", "server.pem", "-days", "2", "-extfile", "server.ext");
  return pkiIn(dir, "server");
}

/** The set in `dir`: `ca.pem`, `<leaf>.pem` and `<leaf>.key`, and `other-ca.pem`. */
function pkiIn(dir: string, leaf: string): TestPki {
  const path = (name: string) => join(dir, name);
  const text = (name: string) => readFileSync(path(name), "utf8");
  return {
    dir,
    ca: text("ca.pem"),
    caPath: path("ca.pem"),
    cert: text(`${leaf}.pem`),
    certPath: path(`${leaf}.pem`),
    key: text(`${leaf}.key`),
    keyPath: path(`${leaf}.key`),
    otherCa: text("other-ca.pem"),
    otherCaPath: path("other-ca.pem"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
