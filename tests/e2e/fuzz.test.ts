// Fuzz records through the real Fluent Bit with the release build
// (build/tripline.wasm): 3,000 lines from the fuzz generators (valid JSON
// objects, malformed JSON, escapes, invalid UTF-8, deep nesting, numbers at
// their limits, huge values, keys tripline writes itself), read by tail once
// with the json parser and once as raw lines, in every Fluent Bit under test.
// Every record that Fluent Bit reads comes out (count in = count out, minus
// what a drop rule drops), Fluent Bit never logs a wasm exception or an
// invalid result, and each record is what the Node host makes of the same
// record.
//
// The same run also feeds a copy of every record (rewrite_tag, same time
// stamp, own tag) to the module compiled ahead of time with flb-wamrc: the
// .aot must write byte for byte what the .wasm writes.
//
//   FUZZ_SEED=n  another corpus (the default seed is fixed)
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fluentBitTest, runFluentBit, runFluentBitAsync, aotUnavailable, compileAot, flbWamrc, errorLines, withoutIngestStats, WAMRC_SKIP_REASON, CORO_STACK, REPO_ROOT, type FluentBit, type FluentBitRun } from "./fluent-bit.js";
import { FluentBitHost } from "../../src/host/host.js";
import { RecordGenerator } from "../fuzz/generators.js";
import { Rng } from "../fuzz/rng.js";
import { firstDifference } from "../fuzz/harness.js";

const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 0x7219e2e;
const LINES = 3000;

/** tail adds this key (the file's path) to every record: rewrite_tag needs a key every record has to copy it. */
const SOURCE_KEY = "e2e_source";

function config(parser: string | undefined, filter: { wasm: string; aot?: string } | null, exitOnEof = true): string {
  return `
[SERVICE]
    Flush        0.5
    Grace        1
    Log_Level    info
    Parsers_File parsers.conf
    ${CORO_STACK}

[INPUT]
    Name              tail
    Path              input.log
    Tag               web.access
    Read_From_Head    true
${exitOnEof ? "    Exit_On_Eof       true\n" : ""}    Buffer_Chunk_Size 4M
    Buffer_Max_Size   4M
    Path_Key          ${SOURCE_KEY}
${parser ? `    Parser            ${parser}\n` : ""}
${filter?.aot ? `# Every record also goes, with its time stamp, to the .aot under tag aot.access.
[FILTER]
    Name                  rewrite_tag
    Match                 web.*
    Rule                  $${SOURCE_KEY} ^.*$ aot.access true
    Emitter_Name          aot_copy
    Emitter_Mem_Buf_Limit 1G

[FILTER]
    Name            wasm
    Match           aot.*
    Wasm_Path       ${filter.aot}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K

[OUTPUT]
    Name   file
    Match  aot.*
    Path   .
    File   aot.jsonl
    Format plain
` : ""}
${filter ? `[FILTER]
    Name            wasm
    Match           web.*
    Wasm_Path       ${filter.wasm}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K
` : ""}
[OUTPUT]
    Name   file
    Match  web.*
    Path   .
    File   out.jsonl
    Format plain
`;
}

/**
 * A double within about one unit of DBL_MAX: Fluent Bit writes it for the
 * filter as 1.797693134862316e+308, which its own JSON reader then rejects,
 * and filter_wasm double-frees after that "invalid JSON format" (any wasm
 * filter, copy-only included; not tripline's doing). Left out.
 */
const FLUENT_BIT_CANNOT_ROUND_TRIP = /1\.79769313486231(5[5-9]|[6-9])\d*e\+?308/i;

/** Fuzz records that are one line each (no raw CR/LF/NUL: tail splits on newlines), under 2 MiB. */
function fuzzLines(seed: number, parsed: boolean): Uint8Array[] {
  const gen = new RecordGenerator(new Rng(seed));
  const lines: Uint8Array[] = [];
  const text = new TextDecoder("utf-8", { fatal: false });
  while (lines.length < LINES) {
    const { bytes } = gen.next();
    if (bytes.length === 0 || bytes.length > 2 << 20) continue;
    if (bytes.includes(0x0a) || bytes.includes(0x0d) || bytes.includes(0)) continue;
    if (parsed && FLUENT_BIT_CANNOT_ROUND_TRIP.test(text.decode(bytes))) continue;
    lines.push(bytes);
  }
  return lines;
}

const MODES = {
  "json parser": { parser: "json", seed: SEED, title: "through tail + json parser" },
  "raw lines": { parser: undefined, seed: (SEED ^ 0x2545f491) >>> 0, title: "as raw lines (tail without a parser)" },
} as const;
type Mode = keyof typeof MODES;

interface Runs {
  lines: number;
  plain: FluentBitRun;
  filtered: FluentBitRun;
  /** Fluent Bit's record bodies (its JSON text) without and with the filter. */
  before: string[];
  after: string[];
  /** What the .aot wrote for the copies, when flb-wamrc is there. */
  aot: string[] | null;
  /** When the filtered run started (seconds): tail stamps records without a time of their own with their ingest time. */
  startedSec: number;
}

const runs = new Map<string, Promise<Runs>>();

const lineCount = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0);

/** One run without the filter and one with it (and the .aot beside it), shared by the tests of a binary and mode. */
function runsFor(fb: FluentBit, mode: Mode): Promise<Runs> {
  const key = `${fb.bin}\0${mode}`;
  let cached = runs.get(key);
  if (!cached) {
    cached = startRuns(fb, mode);
    runs.set(key, cached);
  }
  return cached;
}

async function startRuns(fb: FluentBit, mode: Mode): Promise<Runs> {
  const { parser, seed } = MODES[mode];
  const lines = fuzzLines(seed, parser !== undefined);
  const input = Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from("\n")]));
  const files = { "input.log": input, "parsers.conf": readFileSync(path.join(REPO_ROOT, "examples", "fluent-bit", "parsers.conf"), "utf8") };
  const aot = flbWamrc() ? compileAot(wasmPath) : undefined;
  const plain = runFluentBit(fb, config(parser, null), files, { timeoutMs: 180_000 });
  const before = plain.lines("out.jsonl");
  // With the .aot copy, the run ends once both outputs hold what the Node
  // host keeps of the records (drop rules remove some): at Exit_On_Eof Fluent
  // Bit can pause rewrite_tag's emitter with copies still in it.
  const kept = nodeHost(before, 0).filter((e) => e.kind === "record").length;
  const startedSec = Math.floor(Date.now() / 1000);
  const filtered = aot
    ? await runFluentBitAsync(fb, config(parser, { wasm: wasmPath, aot }, false), files, {
        timeoutMs: 180_000,
        stopWhen: (dir) => lineCount(path.join(dir, "out.jsonl")) >= kept && lineCount(path.join(dir, "aot.jsonl")) >= kept,
      })
    : runFluentBit(fb, config(parser, { wasm: wasmPath }), files, { timeoutMs: 180_000 });
  return { lines: lines.length, plain, filtered, before, after: filtered.lines("out.jsonl"), aot: aot ? filtered.lines("aot.jsonl") : null, startedSec };
}

/** Alert times, and statistics (which depend on ingest times), are not compared. Iterative: records nest deeply. */
function comparable(value: unknown): unknown {
  withoutIngestStats(value);
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object") continue;
    for (const k of Object.keys(v)) {
      if (k === "first" || k === "last" || k === "stats") delete (v as Record<string, unknown>)[k];
      else stack.push((v as Record<string, unknown>)[k]);
    }
  }
  return value;
}

/**
 * The Node host's answer for Fluent Bit's own records, in order. Records
 * without a time of their own carry their ingest time in Fluent Bit, so the
 * host stamps them with the filtered run's start: the wall clock, not a
 * fixed date, decides which records with times of their own are late (a
 * fixed 2023 stamp made records dated 2026-11-20 current, while Fluent Bit's
 * ingest times after that date made them late). The records of one run are
 * read within seconds; the pack's windows are a minute or more.
 */
function nodeHost(before: string[], startedSec: number) {
  const host = new FluentBitHost(readFileSync(wasmPath));
  return before.map((line) => {
    const outcome = host.call("web.access", startedSec, line);
    return { kind: outcome.kind, body: outcome.kind === "record" ? outcome.body : undefined, line };
  });
}

for (const mode of Object.keys(MODES) as Mode[]) {
  fluentBitTest(`${LINES} fuzz lines ${MODES[mode].title} + the filter: nothing lost, no wasm errors, same as the Node host`, { timeout: 600_000 }, async (fb, t) => {
    const { lines, plain, filtered, before, after, startedSec } = await runsFor(fb, mode);
    t.diagnostic(`${mode}: ${lines} lines, Fluent Bit read ${before.length} records without the filter, wrote ${after.length} with it (seed ${SEED})`);
    assert.equal(plain.status, 0, `Fluent Bit without the filter exited with ${plain.status ?? plain.signal}: it cannot run this corpus at all\n${errorLines(plain.stderr).slice(0, 5).join("\n")}`);
    assert.ok(before.length > 0, `Fluent Bit read nothing:\n${plain.stderr.slice(-2000)}`);
    const errors = errorLines(filtered.stderr).map((l) => l.slice(0, 600));
    if (errors.length > 0) t.diagnostic(`Fluent Bit with the filter logged:\n${errors.slice(0, 5).join("\n")}`);
    assert.equal(filtered.status, 0, `Fluent Bit with the filter exited with ${filtered.status ?? filtered.signal} (SIGABRT: e.g. filter_wasm's double free after an invalid result) and wrote ${after.length} of ${before.length} records:\n${errors.slice(0, 3).join("\n")}`);
    assert.doesNotMatch(filtered.stderr, /Got exception running wasm code/, "a record trapped in the module");
    assert.doesNotMatch(filtered.stderr, /invalid JSON format/, "the module returned something Fluent Bit rejected");
    // The Node host, fed Fluent Bit's own records, says which ones a drop rule removes.
    const expected: unknown[] = [];
    for (const e of nodeHost(before, startedSec)) {
      assert.notEqual(e.kind, "lost", `the Node host loses a record Fluent Bit produced: ${e.line.slice(0, 300)}`);
      if (e.kind === "record") expected.push(structuredClone(e.body));
    }
    assert.equal(after.length, expected.length, `count in = count out: ${before.length} records in, ${before.length - expected.length} dropped by rules, ${after.length} out`);
    const differences: string[] = [];
    after.forEach((line, i) => {
      const d = firstDifference(comparable(expected[i]), comparable(JSON.parse(line)));
      if (d && differences.length < 5) differences.push(`record ${i}: ${d}\n  Fluent Bit: ${line.slice(0, 300)}`);
    });
    assert.deepEqual(differences, [], "Fluent Bit and the Node host disagree");
  });

  fluentBitTest(`AOT: the module compiled by flb-wamrc writes byte for byte what the .wasm writes, ${LINES} fuzz lines ${MODES[mode].title}`, { timeout: 600_000, skip: aotUnavailable() }, async (fb, t) => {
    const { filtered, after, aot } = await runsFor(fb, mode);
    assert.ok(aot, `no .aot run: ${WAMRC_SKIP_REASON}`);
    assert.equal(filtered.status, 0, `Fluent Bit exited with ${filtered.status ?? filtered.signal}:\n${errorLines(filtered.stderr).slice(0, 3).join("\n")}`);
    assert.doesNotMatch(filtered.stderr, /Got exception running wasm code|invalid JSON format/);
    assert.ok(after.length > LINES / 2, `the .wasm wrote only ${after.length} records`);
    assert.equal(aot.length, after.length, "the .aot wrote as many records as the .wasm");
    const first = aot.findIndex((line, i) => line !== after[i]);
    assert.equal(first, -1, first >= 0 ? `record ${first} differs:\n  .wasm: ${after[first].slice(0, 300)}\n  .aot:  ${aot[first].slice(0, 300)}` : "");
    t.diagnostic(`${aot.length} records identical, ${aot.filter((l) => l.includes('"tripline"')).length} of them tagged`);
  });
}
