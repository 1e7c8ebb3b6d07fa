// parseProperties reads Java .properties text the way java.util.Properties.load does: separators,
// comments, continuations and escapes. It also proves Skiff's one deviation (trailing whitespace trimmed) and its error for a bad \u escape.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseProperties } from "../../src/config/sources.ts";
import { SkiffError } from "../../src/core/errors.ts";

describe("parseProperties", () => {
  it("reads key=value, key: value and key value", () => {
    assert.deepEqual(parseProperties("a=1\nb: 2\nc 3\nd\t=\t4\ne :5"), { a: "1", b: "2", c: "3", d: "4", e: "5" });
  });

  it("skips # and ! comments, blank lines and leading whitespace", () => {
    const text = "# comment\n  ! also a comment\n\n   \n  brokerName = broker-b\n\t#x=1";
    assert.deepEqual(parseProperties(text), { brokerName: "broker-b" });
  });

  it("keeps # inside a value and only splits at the first separator", () => {
    assert.deepEqual(parseProperties("a=x#y\nb=c=d\nc==e\nurl=http://h:1/p"), {
      a: "x#y", b: "c=d", c: "=e", url: "http://h:1/p",
    });
  });

  it("trims trailing whitespace of a value but keeps an escaped trailing space", () => {
    assert.deepEqual(parseProperties("listenPort=10911   \t\nname=a\\ \nempty=\nbare"), {
      listenPort: "10911", name: "a ", empty: "", bare: "",
    });
  });

  it("joins continuation lines and drops their leading whitespace", () => {
    const text = "messageDelayLevel=1s 5s \\\n     10s \\\n\t30s\nnext=1";
    assert.deepEqual(parseProperties(text), { messageDelayLevel: "1s 5s 10s 30s", next: "1" });
  });

  it("treats an even run of backslashes at the end as escaped, not a continuation", () => {
    assert.deepEqual(parseProperties("path=C:\\\\dir\\\\\nnext=1"), { path: "C:\\dir\\", next: "1" });
  });

  it("does not continue a comment line, and a continued line may start with #", () => {
    assert.deepEqual(parseProperties("# comment \\\na=1 \\\n#not-a-comment"), { a: "1 #not-a-comment" });
  });

  it("drops a lone backslash at the end of the text", () => {
    assert.deepEqual(parseProperties("a=1\\"), { a: "1" });
  });

  it("decodes \\t \\n \\r \\f \\\\ \\uXXXX and escaped separators", () => {
    const text = "k\\=ey\\:x\\ y=a\\tb\\nc\\rd\\fe\\\\f\\u00e9\\u4E2D\\q";
    assert.deepEqual(parseProperties(text), { "k=ey:x y": "a\tb\nc\rd\fe\\fé中q" });
  });

  it("accepts CRLF and CR line endings and a byte-order mark", () => {
    assert.deepEqual(parseProperties("\uFEFFa=1\r\nb=2\rc=3\r\n"), { a: "1", b: "2", c: "3" });
  });

  it("lets a later duplicate win", () => {
    assert.deepEqual(parseProperties("a=1\na=2"), { a: "2" });
  });

  it("keeps __proto__ as an ordinary key", () => {
    const parsed = parseProperties("__proto__=x");
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ["__proto__"]);
  });

  it("rejects a malformed \\u escape with the file name and line", () => {
    assert.throws(() => parseProperties("a=1\n\nb=\\u12G4", "broker.conf"), (error: unknown) => {
      assert.ok(error instanceof SkiffError);
      assert.equal(error.code, "CONFIG_INVALID");
      assert.match(error.message, /broker\.conf line 3: malformed \\uXXXX escape/);
      return true;
    });
  });
});
