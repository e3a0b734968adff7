// The host skips JSON.parse for results src/host/json.ts isFlatJsonObject
// proves to be one object. A false "yes" would count a record as kept that
// Fluent Bit loses ("invalid JSON format"), so it may say yes only where
// JSON.parse gives an object; a "no" merely costs a parse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isFlatJsonObject } from "../src/host/json.js";
import { Rng } from "./fuzz/rng.js";

function parsesToObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v);
  } catch {
    return false;
  }
}

// Flat objects by RFC 8259: every one must be recognised (the fast path is the point).
const flat = [
  "{}",
  " \t\r\n{ } \n",
  '{"a":1}',
  '{"a":-0.5e+10,"b":0,"c":-0,"d":1E5,"e":1e-5,"f":123.456,"g":null,"h":true,"i":false,"j":""}',
  '{"esc":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00"}',
  '{"a":"é 😀 \u2028 \u007f"}',
  '{"a":1,"a":2}',
  '{ "a" : "x" , "b" : 2 }',
  '{"host":"10.0.0.1","path":"/a?b=c","code":"200","agent":"Mozilla/5.0 (X11)"}',
];

const notObjects = [
  "",
  " ",
  "[]",
  '"x"',
  "1",
  "null",
  "{",
  "}",
  "{}}",
  "{} {}",
  "{}x",
  "\ufeff{}",
  "{,}",
  '{"a"}',
  '{"a":}',
  '{"a":1,}',
  '{"a":1 "b":2}',
  "{a:1}",
  "{'a':1}",
  '{"a":01}',
  '{"a":1.}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":1e}',
  '{"a":-}',
  '{"a":0x10}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":tru}',
  '{"a":True}',
  '{"a":"\\x"}',
  '{"a":"\\u12"}',
  '{"a":"\\u12G4"}',
  '{"a":"tab\there"}',
  '{"a":"nl\nhere"}',
  '{"a":"nul\u0000here"}',
  '{"a":"unterminated}',
  '{"a":"x"}\n{"b":1}',
];

test("isFlatJsonObject: recognises flat objects by the JSON grammar", () => {
  for (const t of flat) {
    assert.equal(parsesToObject(t), true, `the case list is wrong: ${t}`);
    assert.equal(isFlatJsonObject(t), true, t);
  }
});

test("isFlatJsonObject: never says yes to what JSON.parse rejects or does not make an object", () => {
  for (const t of notObjects) {
    assert.equal(parsesToObject(t), false, `the case list is wrong: ${t}`);
    assert.equal(isFlatJsonObject(t), false, t);
  }
});

test("isFlatJsonObject: nested objects and huge texts are left to JSON.parse", () => {
  assert.equal(isFlatJsonObject('{"a":{"b":1}}'), false);
  assert.equal(isFlatJsonObject('{"a":[1]}'), false);
  assert.equal(isFlatJsonObject(`{"a":"${"x".repeat(70_000)}"}`), false);
});

/** A random JSON value, written by JSON.stringify. */
function randomValue(r: Rng, depth: number): unknown {
  const k = r.int(depth > 2 ? 4 : 6);
  if (k === 0) return r.int(3) === 0 ? null : r.int(2) === 0;
  if (k === 1) return r.pick([0, -0.5, 12, 1e21, -3.25e-7, 123456789]);
  if (k === 2 || k === 3) return r.pick(["", "a", 'q"uote', "back\\slash", "tab\t", "é", "😀", "\u0001", "/"]);
  if (k === 4) return Array.from({ length: r.int(3) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) o[r.pick(["a", "b", "c d", "é"])] = randomValue(r, depth + 1);
  return o;
}

const EDIT_CHARS = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "0", "1", "-", "+", ".", "e", "E", "t", "n", "u", "a", "F", "\u0000", "\u001f", "\ufeff"];

test("isFlatJsonObject: agrees with JSON.parse on 40,000 random flat objects and edits of them", () => {
  const r = new Rng(20261202);
  let flatObjects = 0;
  for (let n = 0; n < 40_000; n++) {
    const o: Record<string, unknown> = {};
    for (let i = r.int(6); i > 0; i--) o[r.pick(["host", "path", "é", 'k"q', ""])] = r.int(8) === 0 ? randomValue(r, 0) : randomValue(r, 3);
    let text = JSON.stringify(o, null, r.int(4) === 0 ? 1 : 0);
    for (let edits = r.int(3); edits > 0; edits--) {
      const at = r.int(text.length + 1);
      const c = r.pick(EDIT_CHARS);
      const op = r.int(3);
      text = op === 0 ? text.slice(0, at) + c + text.slice(at) : op === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + c + text.slice(at + 1);
    }
    const fast = isFlatJsonObject(text);
    if (fast) flatObjects++;
    if (fast) assert.equal(parsesToObject(text), true, `said yes to ${JSON.stringify(text)}`);
    // An object JSON.parse accepts, with no bracket after its opening brace, is flat: it must take the fast path.
    else if (parsesToObject(text)) assert.match(text.slice(text.indexOf("{") + 1), /[[{]/, `missed ${JSON.stringify(text)}`);
  }
  assert.ok(flatObjects > 5_000 && flatObjects < 35_000, `${flatObjects} of 40,000 texts were flat objects`);
});
