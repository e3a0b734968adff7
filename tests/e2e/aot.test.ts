// The module compiled ahead of time (flb-wamrc --disable-simd, as the README
// tells users) against the module it was compiled from, on the bundled logs:
// every file of examples/logs as raw lines (tail without a parser, the
// module reads the lines itself), and the access logs once more through
// Fluent Bit's apache2 parser. In each Fluent Bit run rewrite_tag copies
// every record, with its time stamp, to a second tag that the .aot filters,
// so both modules see the same records at the same times and must write the
// same bytes. (The fuzz corpus gets the same check in fuzz.test.ts.)
// Each run reads one file, the logs concatenated, and ends once both outputs
// hold every record: not at tail's Exit_On_Eof, which can pause rewrite_tag's
// emitter with copies still in it (runFluentBitAsync's stopWhen).
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fluentBitTest, runFluentBitAsync, aotUnavailable, compileAot, errorLines, CORO_STACK, REPO_ROOT } from "./fluent-bit.js";

const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");
const LOGS = path.join(REPO_ROOT, "examples", "logs");

function config(aotPath: string, parser?: string): string {
  return `
[SERVICE]
    Flush        0.5
    Grace        1
    Log_Level    info
    Parsers_File parsers.conf
    ${CORO_STACK}

[INPUT]
    Name           tail
    Path           input.log
    Tag            logs.input
    Read_From_Head true
    Path_Key       e2e_source
${parser ? `    Parser         ${parser}\n` : ""}
[FILTER]
    Name                  rewrite_tag
    Match                 logs.*
    Rule                  $e2e_source ^.*$ aot.copy true
    Emitter_Name          aot_copy
    Emitter_Mem_Buf_Limit 256M

[FILTER]
    Name            wasm
    Match           logs.*
    Wasm_Path       ${wasmPath}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K

[FILTER]
    Name            wasm
    Match           aot.*
    Wasm_Path       ${aotPath}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K

[OUTPUT]
    Name   file
    Match  logs.*
    Path   .
    File   wasm.jsonl
    Format plain

[OUTPUT]
    Name   file
    Match  aot.*
    Path   .
    File   aot.jsonl
    Format plain
`;
}

const read = (file: string) => readFileSync(path.join(LOGS, file), "utf8").split("\n").filter((l) => l !== "");
const RUNS = [
  { name: "every bundled log as raw lines", parser: undefined, lines: readdirSync(LOGS).filter((f) => f.endsWith(".log")).sort().flatMap(read) },
  { name: "the access logs through the apache2 parser", parser: "apache2", lines: ["access.log", "nginx-access.log", "redaction.log"].flatMap(read) },
];

fluentBitTest("AOT: the module compiled by flb-wamrc writes byte for byte what the .wasm writes, on the bundled logs", { timeout: 300_000, skip: aotUnavailable() }, async (fb, t) => {
  const aot = compileAot(wasmPath);
  const parsers = readFileSync(path.join(REPO_ROOT, "examples", "fluent-bit", "parsers.conf"), "utf8");
  const count = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0);
  const complete = (n: number) => (dir: string) => count(path.join(dir, "wasm.jsonl")) >= n && count(path.join(dir, "aot.jsonl")) >= n;
  const runs = await Promise.all(
    RUNS.map((r) => runFluentBitAsync(fb, config(aot, r.parser), { "input.log": r.lines.join("\n") + "\n", "parsers.conf": parsers }, { timeoutMs: 240_000, stopWhen: complete(r.lines.length) })),
  );
  RUNS.forEach(({ name, lines }, i) => {
    const run = runs[i];
    assert.equal(run.status, 0, `${name}: Fluent Bit exited with ${run.status ?? run.signal}\n${errorLines(run.stderr).slice(0, 5).join("\n")}`);
    assert.deepEqual(errorLines(run.stderr), [], name);
    assert.doesNotMatch(run.stderr, /Got exception running wasm code|invalid JSON format/, name);
    const wasm = run.lines("wasm.jsonl");
    const compiled = run.lines("aot.jsonl");
    assert.equal(wasm.length, lines.length, `${name}: every line came out of the .wasm`);
    assert.equal(compiled.length, wasm.length, `${name}: the .aot wrote as many records as the .wasm`);
    const alerts = wasm.filter((l) => l.includes('"tripline_alert"')).length;
    assert.ok(alerts > 0, `${name}: the bundled logs raise alerts`);
    const first = compiled.findIndex((line, j) => line !== wasm[j]);
    assert.equal(first, -1, first >= 0 ? `${name}: record ${first} differs:\n  .wasm: ${wasm[first].slice(0, 400)}\n  .aot:  ${compiled[first].slice(0, 400)}` : "");
    t.diagnostic(`${name}: ${wasm.length} records identical; ${wasm.filter((l) => l.includes('"tripline"')).length} tagged, ${alerts} carry alerts`);
  });
});
