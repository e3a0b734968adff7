// Bad input never loses a record: every case comes back byte-identical and
// nothing traps, in the development build and the embedded release build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor, releaseHost, body, namespaceOf } from "./helpers/modules.js";
import type { FluentBitHost, Outcome } from "../src/host/host.js";

const RULES = `
title: Traversal
id: t-traversal
level: high
tags: [attack.t1083]
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem|contains: '../'
  condition: sel
---
title: Drop health checks
id: t-drop-health
level: informational
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem: /healthz
  condition: sel
tripline:
  action: drop
`;

const enc = new TextEncoder();
const deep = (n: number) => '{"a":' + "[".repeat(n) + "]".repeat(n) + "}";
const bigString = (n: number, fill: string) => `{"path":"${fill.repeat(n)}"}`;

const BAD: Record<string, Uint8Array> = {
  "not JSON": enc.encode("GET /../etc/passwd HTTP/1.1"),
  "a JSON array": enc.encode('["path","/../x"]'),
  "a JSON number": enc.encode("42"),
  "a JSON string": enc.encode('"/../x"'),
  "null": enc.encode("null"),
  "truncated object": enc.encode('{"path":"/../x","code":"20'),
  "truncated inside an escape": enc.encode('{"path":"/../x\\u00'),
  "trailing garbage": enc.encode('{"path":"/../x"} {"b":1}'),
  "invalid escape": enc.encode('{"path":"/../x\\q"}'),
  "raw control character": enc.encode('{"path":"/../x\tnew"}'),
  "empty": new Uint8Array(0),
  "one byte": enc.encode("{"),
  "only whitespace": enc.encode("   "),
  "10,000 levels of nesting": enc.encode(deep(10000)),
  "10,000 levels, unclosed": enc.encode(deep(10000).slice(0, -3)),
  "1 MiB string, unmatched": enc.encode(bigString(1 << 20, "a")),
  "invalid UTF-8, unmatched": Uint8Array.from([...enc.encode('{"path":"/ok'), 0xff, 0xfe, 0xc3, ...enc.encode('"}')]),
  "escaped NUL, unmatched": enc.encode('{"path":"/ok\\u0000x"}'),
  "mismatched brackets": enc.encode('{"a":[1}]}'),
};

function passesThrough(host: FluentBitHost, name: string, input: Uint8Array): void {
  const outcome: Outcome = host.call("web.access", 1700000000, input);
  const returned = outcome.kind === "record" ? outcome.bytes : outcome.kind === "lost" ? outcome.returned : undefined;
  assert.ok(returned, `${name}: no bytes came back (${outcome.kind})`);
  assert.equal(Buffer.compare(Buffer.from(returned!), Buffer.from(input)), 0, `${name}: bytes changed`);
  assert.equal(host.counters.traps, 0, `${name}: trapped`);
}

for (const [name, make] of [
  ["development build", () => hostFor(RULES)],
  ["release build", () => releaseHost()],
] as const) {
  test(`${name}: bad input comes back byte-identical`, () => {
    const host = make();
    for (const [case_, input] of Object.entries(BAD)) {
      if (input.length === 0) {
        // Fluent Bit never sends an empty record; the module must still answer with the empty copy.
        const outcome = host.call("web.access", 1700000000, input);
        assert.equal(outcome.kind, "dropped", "an empty record is returned as the empty string");
        continue;
      }
      passesThrough(host, case_, input);
    }
  });
}

test("a raw NUL byte (never sent by Fluent Bit) comes back as the same bytes up to the NUL", () => {
  const host = hostFor(RULES);
  const input = Uint8Array.from([...enc.encode('{"path":"/../'), 0, ...enc.encode('x"}')]);
  const outcome = host.call("web.access", 1700000000, input);
  assert.equal(outcome.kind, "lost");
  assert.deepEqual(outcome.kind === "lost" ? [...outcome.returned!] : [], [...input.subarray(0, input.indexOf(0))]);
  assert.equal(host.counters.traps, 0);
});

test("records that match nothing come back byte-identical, whatever their shape", () => {
  const host = hostFor(RULES);
  const samples = [
    '{"path":"/index.html","code":"200"}',
    '{ "path" : "/a b" , "nested" : { "path" : "/../deep" } }',
    '{"path":"/caf\\u00e9","emoji":"\\ud83d\\ude00"}',
    '{"n":-1.5e-300,"big":123456789012345678901234567890,"t":true,"f":false,"z":null}',
    "{}",
  ];
  for (const s of samples) {
    const outcome = host.call("web.access", 1700000000, s);
    assert.equal(outcome.kind === "record" ? outcome.text : outcome.kind, s);
  }
});

test("a matching record gets the namespace object and keeps everything else", () => {
  const host = hostFor(RULES);
  const input = { path: "/static/../../etc/passwd", code: "404", agent: "curl" };
  const outcome = host.call("web.access", 1700000000, JSON.stringify(input));
  assert.deepEqual(body(outcome), { ...input, tripline: { rules: ["t-traversal"], level: "high", tags: ["attack.t1083"] } });
});

test("a match inside a 1 MiB value is found and the output is valid JSON", () => {
  const host = hostFor(RULES);
  const value = "a".repeat(1 << 20) + "/../x";
  const outcome = host.call("web.access", 1700000000, JSON.stringify({ path: value }));
  assert.equal((body(outcome).path as string).length, value.length);
  assert.deepEqual(namespaceOf(outcome)?.rules, ["t-traversal"]);
});

test("a match in a string with invalid UTF-8 keeps the bytes as they were", () => {
  const host = hostFor(RULES);
  const input = Uint8Array.from([...enc.encode('{"path":"/../'), 0xff, ...enc.encode('"}')]);
  const outcome = host.call("web.access", 1700000000, input);
  assert.equal(outcome.kind, "record");
  const bytes = outcome.kind === "record" ? outcome.bytes : new Uint8Array();
  assert.deepEqual([...bytes.subarray(0, input.length - 1)], [...input.subarray(0, input.length - 1)]);
});

test("JSON escapes are decoded before matching", () => {
  const host = hostFor(RULES);
  assert.deepEqual(namespaceOf(host.call("t", 1, '{"path":"\\/..\\/x"}'))?.rules, ["t-traversal"]);
  assert.deepEqual(namespaceOf(host.call("t", 1, '{"path":"\\u002e\\u002e/x"}'))?.rules, ["t-traversal"]);
});

test("an existing namespace member is replaced, never duplicated", () => {
  const host = hostFor(RULES);
  for (const input of [
    '{"tripline":{"old":1},"path":"/../x"}',
    '{"path":"/../x","tripline":"edge"}',
    '{"path":"/../x", "tripline" : [1,2] , "z":1}',
  ]) {
    const outcome = host.call("t", 1, input);
    assert.equal(outcome.kind, "record");
    const text = outcome.kind === "record" ? outcome.text : "";
    assert.equal(text.split('"tripline"').length, 2, text);
    assert.deepEqual(namespaceOf(outcome)?.rules, ["t-traversal"]);
  }
});

test("a drop rule drops the record (the empty string)", () => {
  const host = hostFor(RULES);
  assert.equal(host.call("t", 1, '{"path":"/healthz"}').kind, "dropped");
  assert.equal(host.counters.dropped, 1);
});

test("200,000 calls keep memory flat", () => {
  const host = hostFor(RULES);
  const before = host.memoryBytes();
  for (let i = 0; i < 200000; i++) host.call("t", 1, i % 2 ? '{"path":"/../x"}' : '{"path":"/fine"}');
  assert.equal(host.memoryBytes(), before);
});
