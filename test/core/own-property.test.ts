/**
 * setOwn makes every key an ordinary own property, "__proto__" included, without touching the
 * prototype; the remoting header decoder, the fastjson parser and the properties reader rely on it
 * for keys that come from peers and files.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setOwn } from "../../src/core/own-property.ts";
import { decodeFrameContent } from "../../src/remoting/remoting-command.ts";
import { parseFastjson } from "../../src/codec/fastjson.ts";
import { utf8Encode, viewOf } from "../../src/core/bytes.ts";

const plainKeys = (o: object) => Object.keys(o).sort();

describe("setOwn", () => {
  it("sets __proto__ as an own property and leaves the prototype alone", () => {
    const o: Record<string, string> = {};
    setOwn(o, "__proto__", "evil");
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(o, "__proto__"), { value: "evil", enumerable: true, writable: true, configurable: true });
    assert.deepEqual(plainKeys(o), ["__proto__"]);
  });

  it("sets keys that name Object.prototype's members as own data properties", () => {
    const o: Record<string, string> = {};
    for (const key of ["constructor", "toString", "hasOwnProperty", "topic"]) setOwn(o, key, key.toUpperCase());
    assert.deepEqual(plainKeys(o), ["constructor", "hasOwnProperty", "toString", "topic"]);
    assert.equal(Object.getOwnPropertyDescriptor(o, "toString")?.value, "TOSTRING");
    assert.equal(({} as { toString: unknown }).toString, Object.prototype.toString, "the prototype is unchanged");
  });

  it("keeps a peer's __proto__ header field an ordinary field of the decoded remoting command", () => {
    const header = utf8Encode(`{"code":10,"extFields":{"__proto__":"x","topic":"T"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":0}`);
    const frame = new Uint8Array(4 + header.byteLength);
    viewOf(frame).setInt32(0, header.byteLength);
    frame.set(header, 4);
    const fields = decodeFrameContent(frame).extFields!;
    assert.equal(Object.getPrototypeOf(fields), Object.prototype);
    assert.deepEqual(plainKeys(fields), ["__proto__", "topic"]);
    assert.equal(Object.getOwnPropertyDescriptor(fields, "__proto__")?.value, "x");
  });

  it("keeps a __proto__ key an ordinary member of a parsed fastjson object", () => {
    const parsed = parseFastjson(`{"__proto__":{"polluted":true},"a":1}`) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(plainKeys(parsed), ["__proto__", "a"]);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});
