/**
 * The fastjson reader accepts the exact shapes RocketMQ 4.9/5.x write (unquoted numeric keys, TAB
 * indentation, nested tables, 5.x extra fields) and rejects garbage with the position and what it
 * expected. The writer reproduces fastjson's pretty layout byte for byte and round-trips.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NumericKeyMap, parseFastjson, stringifyFastjson } from "../../src/codec/fastjson.ts";

// As written by a 4.9 broker (layout as in public dumps of config/consumerOffset.json).
const CONSUMER_OFFSET_49 =
  '{\n\t"offsetTable":{\n\t\t"%RETRY%please_rename_unique_group_name_4@please_rename_unique_group_name_4":{0:0\n\t\t},' +
  '\n\t\t"TopicTest@please_rename_unique_group_name_4":{0:250,1:251,2:252,3:253\n\t\t}\n\t}\n}';

// A 5.x topics.json entry with `attributes` and the 5.x `stateVersion`.
const TOPICS_5X =
  '{\n\t"dataVersion":{\n\t\t"counter":1,\n\t\t"stateVersion":0,\n\t\t"timestamp":1670616895921\n\t},\n' +
  '\t"topicConfigTable":{\n\t\t"TBW102":{\n\t\t\t"attributes":{},\n\t\t\t"order":false,\n\t\t\t"perm":7,\n' +
  '\t\t\t"readQueueNums":8,\n\t\t\t"topicFilterType":"SINGLE_TAG",\n\t\t\t"topicName":"TBW102",\n' +
  '\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":8\n\t\t}\n\t}\n}';

function syntaxError(text: string): string {
  try {
    parseFastjson(text);
  } catch (error) {
    assert.equal((error as { code?: string }).code, "METADATA_JSON_SYNTAX");
    return (error as Error).message;
  }
  assert.fail(`parsed without error: ${JSON.stringify(text)}`);
}

describe("parseFastjson", () => {
  it("reads a 4.9 consumerOffset.json with unquoted queue ids and tabs", () => {
    assert.deepEqual(parseFastjson(CONSUMER_OFFSET_49), {
      offsetTable: {
        "%RETRY%please_rename_unique_group_name_4@please_rename_unique_group_name_4": { "0": 0 },
        "TopicTest@please_rename_unique_group_name_4": { "0": 250, "1": 251, "2": 252, "3": 253 },
      },
    });
  });

  it("reads a compact 5.3 body with dataVersion and groupTopicMap", () => {
    const text = '{"dataVersion":{"counter":0,"timestamp":1569126408715},"groupTopicMap":{"g":["T"]},"offsetTable":{"T@g":{0:250,1:250}}}';
    assert.deepEqual(parseFastjson(text), {
      dataVersion: { counter: 0, timestamp: 1569126408715 },
      groupTopicMap: { g: ["T"] },
      offsetTable: { "T@g": { "0": 250, "1": 250 } },
    });
  });

  it("reads a 5.x topics.json with nested beans and extra fields", () => {
    const parsed = parseFastjson(TOPICS_5X) as { topicConfigTable: { TBW102: Record<string, unknown> } };
    assert.deepEqual(parsed.topicConfigTable.TBW102.attributes, {});
    assert.equal(parsed.topicConfigTable.TBW102.perm, 7);
  });

  it("accepts quoted numeric keys, negative keys and whitespace anywhere", () => {
    assert.deepEqual(parseFastjson(' {\r\n "1" : 2 ,\t-1\t:\t3 , 10:[ true , false , null ] } '), { "1": 2, "-1": 3, "10": [true, false, null] });
  });

  it("decodes string escapes, and a __proto__ key stays an own property", () => {
    const parsed = parseFastjson('{"a":"x\\"y\\\\z\\u00e9\\n\\/","__proto__":{"polluted":1}}') as Record<string, unknown>;
    assert.equal(parsed.a, 'x"y\\zé\n/');
    assert.deepEqual(Object.keys(parsed), ["a", "__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("does not rewrite key-like text inside strings", () => {
    assert.deepEqual(parseFastjson('{"k":"a,{1:b"}'), { k: "a,{1:b" });
  });

  it("keeps doubles and safe integers, rejects integers that would lose precision", () => {
    assert.deepEqual(parseFastjson("[9007199254740991,-9007199254740991,1.5,2e3]"), [9007199254740991, -9007199254740991, 1.5, 2000]);
    assert.match(syntaxError('{"offset":9223372036854775807}'), /offset 10\): expected an integer within ±\(2\^53-1\); 9223372036854775807 would lose precision/);
    assert.match(syntaxError("[1e999]"), /finite number/);
    assert.match(syntaxError('{"x":-1e21}'), /expected a number within ±\(2\^53-1\); -1e21 is an integer too large to write back/);
  });

  it("reports line, column, offset and the expectation on garbage", () => {
    assert.match(syntaxError(""), /line 1 column 1 \(offset 0\): expected a value .* found end of input/);
    assert.match(syntaxError('{\n\t"a":1,\n\t}'), /line 3 column 2 \(offset 11\): expected an object key/);
    assert.match(syntaxError("{topic:1}"), /offset 1\): expected an object key \(a string or an unquoted integer\), found "topic:1}"/);
    assert.match(syntaxError('{"a" 1}'), /offset 5\): expected ':' after an object key/);
    assert.match(syntaxError("[1 2]"), /offset 3\): expected ',' or '\]' in an array/);
    assert.match(syntaxError('{"a":1} x'), /offset 8\): expected end of input after the top-level value/);
    assert.match(syntaxError('{"a":"b'), /offset 5\): expected a closing '"'/);
    assert.match(syntaxError('{"a":"\\x"}'), /offset 6\): expected a valid escape/);
    assert.match(syntaxError('{"a":"\u0001"}'), /raw control character/);
    assert.match(syntaxError('{"a":01}'), /offset 6\): expected ',' or '}'/);
    assert.match(syntaxError("{1.5:2}"), /offset 1\): expected an integer key/);
    assert.match(syntaxError("[nul]"), /offset 1\): expected a value/);
    assert.match(syntaxError("[".repeat(300)), /nesting of at most 256/);
  });
});

describe("stringifyFastjson", () => {
  it("writes fastjson's pretty layout: sorted bean keys, TABs, inline numeric-key maps", () => {
    const value = {
      offsetTable: {
        "TopicTest@please_rename_unique_group_name_4": new NumericKeyMap([[3, 253], [1, 251], [0, 250], [2, 252]]),
        "%RETRY%please_rename_unique_group_name_4@please_rename_unique_group_name_4": new NumericKeyMap([[0, 0]]),
      },
    };
    assert.equal(stringifyFastjson(value, { pretty: true }), CONSUMER_OFFSET_49);
  });

  it("writes a 5.x topics.json identical to Java's", () => {
    assert.equal(stringifyFastjson(parseFastjson(TOPICS_5X) as never, { pretty: true }), TOPICS_5X);
  });

  it("compact form has no whitespace; quoteNumericKeys gives strict JSON", () => {
    const value = { b: [1, "x"], a: { k: new NumericKeyMap([[1, 7], [0, 12]]) }, e: new NumericKeyMap([]), skip: undefined, n: null };
    assert.equal(stringifyFastjson(value), '{"a":{"k":{0:12,1:7}},"b":[1,"x"],"e":{},"n":null}');
    const strict = stringifyFastjson(value, { quoteNumericKeys: true });
    assert.deepEqual(JSON.parse(strict), { a: { k: { "0": 12, "1": 7 } }, b: [1, "x"], e: {}, n: null });
    assert.equal(JSON.stringify(new NumericKeyMap([[2, 1]])), '{"2":1}');
  });

  it("browserCompatible writes strings as fastjson's BrowserCompatible does (golden from fastjson 1.2.69 and 1.2.83)", () => {
    // Java: JSON.toJSONBytes(map, BrowserCompatible, QuoteFieldNames, SkipTransientField, MapSortField)
    // of {"k": U+0000..U+002F + "<>&'" + U+007F U+0080 U+00A0 U+00FF U+2028 U+2029 U+1F600 (a pair),
    // a lone U+D800, "x", U+FFFF}; both jars wrote exactly these bytes.
    let text = "";
    for (let c = 0; c < 0x30; c++) text += String.fromCharCode(c);
    text += "<>&'\u007f\u0080\u00a0\u00ff\u2028\u2029\ud83d\ude00\ud800x\uffff";
    const java = '{"k":"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000B\\f\\r\\u000E\\u000F\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F !\\"#$%&\'()*+,-.\\/<>&\'\\u007F\\u0080\\u00A0\\u00FF\\u2028\\u2029\\uD83D\\uDE00\\uD800x\\uFFFF"}';
    assert.equal(stringifyFastjson({ k: text }, { browserCompatible: true }), java);
    assert.deepEqual(parseFastjson(java), { k: text });
    assert.equal(stringifyFastjson({ m: new NumericKeyMap([[17, "a"], [0, "b/c"]]) }, { browserCompatible: true }), '{"m":{"0":"b\\/c","17":"a"}}');
  });

  it("round-trips through the parser", () => {
    const text = stringifyFastjson({ s: 'q"\\\n\u0001é', list: [[], {}, [1.25]], m: new NumericKeyMap([[-1, { x: true }]]) }, { pretty: true });
    assert.deepEqual(parseFastjson(text), { list: [[], {}, [1.25]], m: { "-1": { x: true } }, s: 'q"\\\n\u0001é' });
  });

  it("refuses numbers JSON cannot carry exactly", () => {
    assert.throws(() => stringifyFastjson({ x: Number.NaN }), /cannot write NaN/);
    assert.throws(() => stringifyFastjson({ x: 2 ** 60 }), /beyond 2\^53/);
  });
});
