// The built module inside the real Fluent Bit: records in, the same records
// out, the namespace added where a rule matches, and exactly what the Node
// host produces for the same records.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fluentBitTest, runFluentBit, withoutIngestStats, CORO_STACK, REPO_ROOT, type FluentBit } from "./fluent-bit.js";
import { FluentBitHost } from "../../src/host/host.js";
import { fluentBitJson } from "../../src/host/json.js";
import { parseClfTime } from "../../src/logs/parsers.js";

const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");
const parsers = readFileSync(path.join(REPO_ROOT, "examples", "fluent-bit", "parsers.conf"), "utf8");
const accessLog = readFileSync(path.join(REPO_ROOT, "examples", "logs", "access.log"), "utf8");

function config(opts: { parser?: string; filter: boolean; path?: string }): string {
  return `
[SERVICE]
    Flush        0.5
    Grace        1
    Log_Level    info
    Parsers_File parsers.conf
    ${CORO_STACK}

[INPUT]
    Name            tail
    Path            ${opts.path ?? "input.log"}
    Tag             web.access
    Read_From_Head  true
    Exit_On_Eof     true
${opts.parser ? `    Parser          ${opts.parser}\n` : ""}
${opts.filter ? `[FILTER]
    Name            wasm
    Match           web.*
    Wasm_Path       ${wasmPath}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K
` : ""}
[OUTPUT]
    Name   file
    Match  *
    Path   .
    File   out.jsonl
    Format plain
`;
}

/** Runs the log through Fluent Bit without and with the filter. */
function both(fb: FluentBit, log: string | Uint8Array, parser?: string) {
  const files = { "input.log": log, "parsers.conf": parsers };
  const plain = runFluentBit(fb, config({ parser, filter: false }), files);
  const filtered = runFluentBit(fb, config({ parser, filter: true }), files);
  return { plain, filtered, before: plain.output("out.jsonl"), after: filtered.output("out.jsonl") };
}

/**
 * Replays Fluent Bit's unfiltered records through the Node host at `times`
 * and compares with what the filter produced inside Fluent Bit. Without a
 * time per record (tail without a parser stamps ingest time, unknown here) all
 * records share one time, and alert times are left out of the comparison.
 */
function assertSameAsNodeHost(before: Record<string, unknown>[], after: Record<string, unknown>[], times?: number[]): void {
  const host = new FluentBitHost(readFileSync(wasmPath));
  assert.equal(after.length, before.length, "count in = count out");
  // Without times, neither alert times nor statistics (both follow the ingest clock) are compared.
  const strip = (r: unknown) => {
    const copy = JSON.parse(JSON.stringify(r), (k, v) => (!times && (k === "first" || k === "last") ? undefined : v));
    return times ? copy : withoutIngestStats(copy);
  };
  before.forEach((record, i) => {
    const outcome = host.call("web.access", times ? times[i] : 1700000000, fluentBitJson(record));
    assert.equal(outcome.kind, "record");
    assert.deepEqual(strip(after[i]), strip(outcome.kind === "record" ? outcome.body : null), `record ${i}`);
  });
}

fluentBitTest("apache2-parsed access log: every record out, namespace where a rule matches, same as the Node host", {}, (fb) => {
  const { before, after, filtered } = both(fb, accessLog, "apache2");
  assert.equal(before.length, accessLog.trim().split("\n").length);
  assert.doesNotMatch(filtered.stderr, /Got exception running wasm code|invalid JSON format/);
  // The apache2 parser takes each record's time from its line, as tripline test does.
  const times = accessLog.trim().split("\n").map((l) => parseClfTime(/\[([^\]]+)\]/.exec(l)![1])!);
  assertSameAsNodeHost(before, after, times);
  // Hand-checked: the request for ../../../../etc/passwd is the sample's path traversal.
  const traversal = after.find((r) => r.path === "/download?file=../../../../etc/passwd");
  assert.equal(filtered.status, 0, filtered.stderr.slice(-2000));
  assert.ok((traversal?.tripline as { rules: string[] }).rules.includes("tripline-web-path-traversal"));
  // The plain home page request matches nothing.
  assert.equal(after[0].tripline, undefined);
  // Untouched records are exactly what Fluent Bit produced without the filter.
  after.forEach((r, i) => {
    if (!r.tripline) assert.deepEqual(r, before[i]);
  });
});

fluentBitTest("raw lines (tail without a parser) pass through unchanged", {}, (fb) => {
  const { before, after, filtered } = both(fb, accessLog);
  assert.doesNotMatch(filtered.stderr, /Got exception running wasm code/);
  assert.equal(after.length, before.length);
  assertSameAsNodeHost(before, after);
});

fluentBitTest("hostile records (deep nesting, 1 MiB values, invalid UTF-8, escapes) all come out", {}, (fb) => {
  const enc = new TextEncoder();
  const lines: Uint8Array[] = [
    enc.encode('{"path":"/ok","deep":' + "[".repeat(5000) + "]".repeat(5000) + "}"),
    enc.encode(JSON.stringify({ path: "/x" + "a".repeat(1 << 20) })),
    enc.encode(JSON.stringify({ path: "/../" + "b".repeat(1 << 20) })),
    Uint8Array.from([...enc.encode('{"path":"/bad'), 0xff, 0xfe, ...enc.encode('"}')]),
    enc.encode('{"path":"/caf\\u00e9 \\u0000 \\ud83d\\ude00","n":1e308,"m":-0}'),
    enc.encode('{"tripline":"edge value","path":"/../y"}'),
  ];
  const joined = Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from("\n")]));
  const files = { "input.log": joined, "parsers.conf": parsers };
  const plain = runFluentBit(fb, config({ parser: "json", filter: false }).replace("[INPUT]", "[INPUT]\n    Buffer_Max_Size 4M\n    Buffer_Chunk_Size 4M"), files);
  const filtered = runFluentBit(fb, config({ parser: "json", filter: true }).replace("[INPUT]", "[INPUT]\n    Buffer_Max_Size 4M\n    Buffer_Chunk_Size 4M"), files);
  const before = plain.output("out.jsonl");
  const after = filtered.output("out.jsonl");
  assert.equal(before.length, lines.length, plain.stderr.slice(-2000));
  assert.doesNotMatch(filtered.stderr, /Got exception running wasm code|invalid JSON format/);
  assertSameAsNodeHost(before, after);
});
