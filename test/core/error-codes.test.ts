/**
 * Every error code of src/core/error-codes.ts is thrown or answered somewhere in src/ (or marked
 * "Reserved:" in its comment), and the HTTP table gives each one exactly one status. So a code can
 * neither be listed and dead, nor thrown and unlisted (`tsc` refuses a code that is not listed).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, isErrorCode } from "../../src/core/error-codes.ts";
import { SkiffError } from "../../src/core/errors.ts";
import { HTTP_STATUS_BY_CODE, statusOf } from "../../src/http/errors.ts";
import { sourceFiles, withoutComments } from "../support/source-files.ts";

const LIST_FILE = join("src", "core", "error-codes.ts");

/**
 * The codes `code` uses: a string literal `"CODE"` (not an object key defining it, `CODE: "CODE"`),
 * or a member `ErrorCode.CODE` / `MessageLimitCode.CODE`.
 */
function codesUsedIn(code: string): Set<string> {
  const used = new Set<string>();
  const definitions = /^\s*([A-Z][A-Z0-9_]*):\s*"\1",?\s*$/gm;
  const body = code.replace(definitions, "");
  for (const match of body.matchAll(/"([A-Z][A-Z0-9_]*)"/g)) used.add(match[1]);
  for (const match of body.matchAll(/\b(?:ErrorCode|MessageLimitCode)\.([A-Z][A-Z0-9_]*)\b/g)) used.add(match[1]);
  return used;
}

/** Codes whose doc comment in the list begins with "Reserved:". */
function reservedCodes(listText: string): Set<string> {
  return new Set([...listText.matchAll(/\/\*\*\s*Reserved:[^*]*\*\/\s*([A-Z][A-Z0-9_]*):/g)].map((m) => m[1]));
}

describe("error codes", () => {
  it("lists each code under its own name", () => {
    for (const [key, value] of Object.entries(ErrorCode)) assert.equal(value, key);
    assert.ok(Object.keys(ErrorCode).length >= 60, "the list holds every code of src/");
  });

  it("every listed code is thrown or answered in src/, or reserved", () => {
    const used = new Set<string>();
    for (const file of sourceFiles("src")) {
      if (file === LIST_FILE) continue;
      for (const code of codesUsedIn(withoutComments(readFileSync(file, "utf8")))) used.add(code);
    }
    const reserved = reservedCodes(readFileSync(LIST_FILE, "utf8"));
    const dead = Object.keys(ErrorCode).filter((code) => !used.has(code) && !reserved.has(code));
    assert.deepEqual(dead, []);
  });

  it("the scanner tells a thrown code from a defined one", () => {
    const sample = 'const C = {\n  ONLY_DEFINED: "ONLY_DEFINED",\n};\nthrow new SkiffError("THROWN", "x");\nnew SkiffError(MessageLimitCode.VIA_MEMBER, "y");';
    assert.deepEqual([...codesUsedIn(sample)].sort(), ["THROWN", "VIA_MEMBER"]);
    assert.deepEqual([...reservedCodes('  /** Reserved: for later. */\n  LATER: "LATER",\n  /** Used. */\n  NOW: "NOW",')], ["LATER"]);
  });

  it("the HTTP table gives every code exactly one error status, and statusOf follows it", () => {
    assert.deepEqual(Object.keys(HTTP_STATUS_BY_CODE).sort(), Object.keys(ErrorCode).sort());
    for (const [code, status] of Object.entries(HTTP_STATUS_BY_CODE)) {
      assert.ok(status >= 400 && status <= 599, `${code} → ${status}`);
      assert.ok(isErrorCode(code), code);
      assert.equal(statusOf(new SkiffError(code, "m")), status, code);
      assert.equal(statusOf(new SkiffError(code, "m", { retriable: true })), status, `${code}, retriable`);
    }
  });

  it("maps the codes clients depend on as the README says", () => {
    const expected: Array<[keyof typeof ErrorCode, number]> = [
      ["BAD_REQUEST", 400], ["TOPIC_NOT_EXIST", 404], ["SUBSCRIPTION_GROUP_NOT_EXIST", 404], ["NO_PERMISSION", 403],
      ["NOT_MASTER", 409], ["SLAVE_CANNOT_SEND", 409], ["PAYLOAD_TOO_LARGE", 413], ["BATCH_TOO_LARGE", 413],
      ["UNSUPPORTED_MEDIA_TYPE", 415], ["STORE_DISK_FULL", 503], ["STORE_IO_FAILED", 503], ["STORE_CLOSED", 503],
    ];
    for (const [code, status] of expected) assert.equal(HTTP_STATUS_BY_CODE[code], status, code);
  });

  it("a peer's numbered code is 503 when retriable, else 400", () => {
    assert.equal(statusOf(new SkiffError("REMOTING_17", "m")), 400);
    assert.equal(statusOf(new SkiffError("REMOTING_2", "m", { retriable: true })), 503);
    assert.equal(statusOf(new SkiffError("HTTP_502", "m", { retriable: true })), 503);
  });

  it("refuses what is not a listed code", () => {
    for (const value of ["toString", "__proto__", "TOPIC_NOT_EXISTS", "", 7, undefined]) assert.equal(isErrorCode(value), false, String(value));
    // @ts-expect-error a misspelt code does not type-check (tsc fails if this line ever compiles)
    const misspelt = new SkiffError("TOPIC_NOT_EXISTS", "m");
    assert.equal(misspelt.code, "TOPIC_NOT_EXISTS");
  });
});
