// Node-side benchmarks: the module under V8, called exactly as Fluent Bit calls it.
//   host         copy-only vs tripline (empty program) vs tripline (default pack)
//   scaling      10 / 100 / 500 generated rules
//   correlation  1k / 100k / 1M live group keys in one event_count correlation
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildModule } from "../../src/compiler/module.js";
import { FluentBitHost } from "../../src/host/host.js";
import { compileSources, buildWasm, readSources, ruleFiles, DEFAULT_RULES } from "../../src/compiler/compile.js";
import { replayFiles, textLog } from "../../src/logs/replay.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";
import { generateAccessLog, DEFAULT_START } from "../gen/access-log.js";
import { generateRules } from "../gen/rules.js";
import { LeanHost } from "./lean-host.js";
import { toRecords, median, type BenchRecord } from "./records.js";
import { table, fmt, bytes } from "../table.js";

export const BUILD = path.join(PACKAGE_ROOT, "build");
/** Scratch files of the benchmark (generated logs, built modules, Fluent Bit configs). */
export const BENCH_WORK = path.join(tmpdir(), "tripline-bench");
/** Modules written by this process (files in BENCH_WORK from earlier runs may predate the engine). */
export const builtThisRun = new Set<string>();
const PERIOD = 4 * 86400; // seconds between replays of the log, longer than any window

export interface NodeOptions {
  quick: boolean;
  log: (s: string) => void;
}

function wasm(name: string): Uint8Array {
  return readFileSync(path.join(BUILD, name));
}

/**
 * Process CPU time (user + sys) in µs. The benchmarks time CPU, not wall
 * clock: on a shared machine the wall clock also counts the time other
 * processes held the CPU, and Fluent Bit's figures (section 4) are CPU too.
 */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Runs every record once through `call`, event times shifted by `offset`; returns CPU µs per record. */
function pass(records: BenchRecord[], offset: number, call: (sec: number, r: BenchRecord) => void): number {
  const t0 = cpuMicros();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    call(r.sec + offset, r);
  }
  return (cpuMicros() - t0) / records.length;
}

/**
 * Every caller warms up on a prefix, then the timed passes go round-robin
 * (pass 1 of each, pass 2 of each, ...) so JIT tier-up and machine noise do
 * not favour whichever runs first. Returns the median µs per record of each.
 */
function interleaved(records: BenchRecord[], reps: number, calls: ((sec: number, r: BenchRecord) => void)[]): number[] {
  const warm = records.slice(0, Math.min(records.length, 5000));
  for (const call of calls) pass(warm, -PERIOD, call);
  const all: number[][] = calls.map(() => []);
  for (let k = 0; k < reps; k++) calls.forEach((call, i) => all[i].push(pass(records, k * PERIOD, call)));
  return all.map(median);
}

function leanCaller(h: LeanHost): (sec: number, r: BenchRecord) => void {
  return (sec, r) => void h.call(sec, 0, r.bytes);
}

function hostCaller(h: FluentBitHost): (sec: number, r: BenchRecord) => void {
  return (sec, r) => void h.call("web.access", [sec, 0], r.bytes);
}

function emptyProgram(): Uint8Array {
  return compileSources([], { statsIntervalSec: 0 }).program.bytes;
}

// ---------------------------------------------------------------- section 1

export interface HostRow {
  config: string;
  hostUs: number;
  recordsPerSec: number;
  leanUs: number;
  ratioHost: number;
  ratioLean: number;
  /** Records returned with the tripline namespace / with an alert / different from the input. */
  tagged: number;
  alerts: number;
  changed: number;
  memory: number;
}

/** One untimed pass on a fresh instance: what the module did to the records. */
function classify(lean: LeanHost, records: BenchRecord[]): { tagged: number; alerts: number; changed: number } {
  const decoder = new TextDecoder();
  let tagged = 0;
  let alerts = 0;
  let changed = 0;
  for (const r of records) {
    const out = lean.call(r.sec, 0, r.bytes);
    if (out.length === r.bytes.length && Buffer.compare(out, r.bytes) === 0) continue;
    changed++;
    const text = decoder.decode(out);
    if (text.includes('"tripline":{')) tagged++;
    if (text.includes('"tripline_alert":')) alerts++;
  }
  return { tagged, alerts, changed };
}

/** What `tripline test` does with a log once it is read: a line parsed as apache2 into its record, the host call, the summary. */
export interface ReplayRow {
  lines: number;
  us: number;
  recordsPerSec: number;
}

/**
 * `tripline test`'s own loop (replayFiles) over the same access log as
 * text, default pack, median of `reps` replays, each on a new module (so
 * V8 compiles it anew, as each `tripline test` does; reading the file and
 * Node's start, about 0.2 s, are left out).
 */
function replayRow(reps: number, text: string, lines: number): ReplayRow {
  const options = { parser: "apache2" as const, year: 2026, tag: "logs" };
  const module = wasm("tripline.wasm");
  const us: number[] = [];
  for (let k = 0; k < reps; k++) {
    const host = new FluentBitHost(module);
    const t0 = cpuMicros();
    const result = replayFiles(host, [textLog("access.log", text)], options);
    us.push((cpuMicros() - t0) / lines);
    if (result.records !== lines || result.lost > 0) throw new Error(`tripline test replay: ${result.records} records of ${lines} lines, ${result.lost} lost`);
  }
  const perLine = median(us);
  return { lines, us: perLine, recordsPerSec: 1e6 / perLine };
}

export function hostSection(o: NodeOptions, records: BenchRecord[], log: string): { rows: HostRow[]; replay: ReplayRow; text: string } {
  const reps = o.quick ? 1 : 5;
  const configs: { config: string; make: () => { host: FluentBitHost; lean: LeanHost } }[] = [
    { config: "copy-only", make: () => ({ host: new FluentBitHost(wasm("copy-only.wasm")), lean: new LeanHost(wasm("copy-only.wasm")) }) },
    {
      config: "tripline, empty program",
      make: () => {
        const host = new FluentBitHost(buildModule(emptyProgram()));
        const lean = LeanHost.of(emptyProgram());
        return { host, lean };
      },
    },
    { config: "tripline, default pack", make: () => ({ host: new FluentBitHost(wasm("tripline.wasm")), lean: new LeanHost(wasm("tripline.wasm")) }) },
  ];
  const made = configs.map((c) => ({ ...c, ...c.make() }));
  o.log(`  node host: ${configs.map((c) => c.config).join(", ")} (interleaved)`);
  const calls = made.flatMap((m) => [hostCaller(m.host), leanCaller(m.lean)]);
  const us = interleaved(records, reps, calls);
  const rows: HostRow[] = made.map((m, i) => {
    if (m.host.counters.lost > 0) throw new Error(`${m.config}: ${m.host.counters.lost} records lost in the Node host: ${m.host.log[0]}`);
    return {
      config: m.config,
      hostUs: us[2 * i],
      recordsPerSec: 1e6 / us[2 * i],
      leanUs: us[2 * i + 1],
      ratioHost: 0,
      ratioLean: 0,
      ...classify(m.make().lean, records),
      memory: m.lean.memoryBytes(),
    };
  });
  for (const r of rows) {
    r.ratioHost = r.hostUs / rows[0].hostUs;
    r.ratioLean = r.leanUs / rows[0].leanUs;
  }
  o.log("  node host: tripline test's replay of the log as text");
  const replay = replayRow(reps, log, records.length);
  const text = table(
    `1. Node host (V8): ${records.length.toLocaleString("en-US")} generated access records (apache2 bodies), median of ${reps}`,
    [
      { title: "configuration", right: false },
      { title: "records/s" },
      { title: "µs/record" },
      { title: "x copy-only" },
      { title: "module µs/rec" },
      { title: "x copy-only" },
      { title: "added µs" },
      { title: "tagged" },
      { title: "alerts" },
      { title: "memory" },
    ],
    rows.map((r) => [
      r.config,
      Math.round(r.recordsPerSec).toLocaleString("en-US"),
      fmt(r.hostUs),
      fmt(r.ratioHost),
      fmt(r.leanUs),
      fmt(r.ratioLean),
      fmt(r.leanUs - rows[0].leanUs),
      r.tagged.toLocaleString("en-US"),
      r.alerts.toLocaleString("en-US"),
      bytes(r.memory),
    ]),
    [
      "Times are process CPU µs (process.cpuUsage) per record; configurations run round-robin after a warm-up.",
      "µs/record: FluentBitHost.call (copy in, call, decode the result, check it is one JSON object: JSON.parse unless a flat object).",
      "module µs/rec: the same protocol without decoding/parsing the result (bench/node/lean-host.ts); added µs = over copy-only.",
      "tagged / alerts: records returned with the tripline namespace / with tripline_alert set (one untimed pass).",
      `tripline test, end to end on the same log as text (apache2 parsing in Node, the host call, the summary; default pack, a new module each time): ${Math.round(replay.recordsPerSec).toLocaleString("en-US")} records/s (${fmt(replay.us)} µs/line, median of ${reps}; reading the file and Node's start, about 0.2 s, not counted).`,
    ],
  );
  return { rows, replay, text };
}

// ---------------------------------------------------------------- section 2

export interface ScalingRow {
  rules: string;
  detections: number;
  correlations: number;
  predicates: number;
  states: number;
  programBytes: number;
  compileMs: number;
  us: number;
  addedUs: number;
}

export async function scalingSection(o: NodeOptions, records: BenchRecord[]): Promise<{ rows: ScalingRow[]; wasmBytes500: number | null; wasmMs500: number | null; ratio: number; ratioAdded: number; text: string }> {
  const reps = o.quick ? 1 : 5;
  const rows: ScalingRow[] = [];
  const calls: ((sec: number, r: BenchRecord) => void)[] = [];
  {
    const lean = LeanHost.of(emptyProgram());
    calls.push(leanCaller(lean));
    rows.push({ rules: "empty program", detections: 0, correlations: 0, predicates: 0, states: 0, programBytes: emptyProgram().length, compileMs: 0, us: 0, addedUs: 0 });
  }
  for (const n of [10, 100, 500]) {
    o.log(`  scaling: compiling ${n} rules`);
    const g = generateRules(n);
    const t0 = performance.now();
    const compiled = compileSources(g.sources, { statsIntervalSec: 0 });
    const compileMs = performance.now() - t0;
    const lean = LeanHost.of(compiled.program.bytes);
    calls.push(leanCaller(lean));
    const s = compiled.program.stats;
    rows.push({ rules: `${n} rules`, detections: g.detections, correlations: g.correlations, predicates: s.predicates, states: s.states, programBytes: compiled.program.bytes.length, compileMs, us: 0, addedUs: 0 });
  }
  o.log("  scaling: timing (interleaved)");
  interleaved(records, reps, calls).forEach((us, i) => {
    rows[i].us = us;
    rows[i].addedUs = us - (i === 0 ? us : rows[0].us);
  });
  let wasmBytes500: number | null = null;
  let wasmMs500: number | null = null;
  if (!o.quick) {
    o.log("  scaling: building the .wasm with 500 rules (buildWasm)");
    const t0 = performance.now();
    const built = await buildWasm(generateRules(500).sources, { statsIntervalSec: 0 });
    wasmMs500 = performance.now() - t0;
    wasmBytes500 = built.wasm.length;
    // Kept for the Fluent Bit section (same rules, so it need not build it again).
    mkdirSync(BENCH_WORK, { recursive: true });
    writeFileSync(path.join(BENCH_WORK, "generated-500.wasm"), built.wasm);
    builtThisRun.add(path.join(BENCH_WORK, "generated-500.wasm"));
  }
  const r10 = rows.find((r) => r.rules === "10 rules")!;
  const r500 = rows.find((r) => r.rules === "500 rules")!;
  const ratio = r500.us / r10.us;
  const ratioAdded = r500.addedUs / r10.addedUs;
  const text = table(
    `2. Rule-count scaling (V8, module cost per record, ${records.length.toLocaleString("en-US")} records, median of ${reps})`,
    [
      { title: "rule set", right: false },
      { title: "detections" },
      { title: "correlations" },
      { title: "predicates" },
      { title: "DFA states" },
      { title: "program" },
      { title: "compile ms" },
      { title: "µs/record" },
      { title: "over empty µs" },
    ],
    rows.map((r) => [r.rules, r.detections, r.correlations, r.predicates, r.states, bytes(r.programBytes), fmt(r.compileMs, 0), fmt(r.us), fmt(r.addedUs)]),
    [
      `ratio 500/10 rules: ${fmt(ratio)}x per record (target <= 2x: ${ratio <= 2 ? "met" : "NOT met"}); matching cost over the empty program: ${fmt(ratioAdded)}x`,
      wasmBytes500 === null
        ? ".wasm with 500 rules: not built in --quick mode"
        : `.wasm with 500 rules embedded (buildWasm): ${bytes(wasmBytes500)} (${wasmBytes500.toLocaleString("en-US")} bytes), built in ${fmt(wasmMs500! / 1000, 1)} s`,
      "Rules: bench/gen/rules.ts (contains/startswith/endswith lists on path and agent, path regexes, status/method + path, filters; 3 fixed rules that fire on the attacks).",
    ],
  );
  return { rows, wasmBytes500, wasmMs500, ratio, ratioAdded, text };
}

// ---------------------------------------------------------------- section 3

export interface CorrelationRow {
  keys: number;
  us: number;
  baselineUs: number;
  addedUs: number;
  memory: number;
  baselineMemory: number;
  fillS: number;
}

const ANY_REQUEST = `title: Any request
id: bench-any-request
logsource:
  category: webserver
detection:
  sel:
    cs-uri|exists: true
  condition: sel
`;

// The baseline groups by a field the records lack (cs-host: vhost), so the
// same silent rule runs and the correlation returns before touching its store.
function countPerIp(threshold: number, groupBy = "c-ip"): string {
  return `---
title: Requests per client
id: bench-requests-per-ip
correlation:
  type: event_count
  rules: bench-any-request
  group-by: ${groupBy}
  timespan: 1d
  condition:
    gte: ${threshold}
`;
}

function ip(i: number): string {
  return `${10 + ((i >>> 24) & 0x3f)}.${(i >>> 16) & 0xff}.${(i >>> 8) & 0xff}.${i & 0xff}`;
}

const encoder = new TextEncoder();

function keyRecord(i: number): Uint8Array {
  return encoder.encode(
    `{"host":"${ip(i)}","user":"-","method":"GET","path":"/products/shoes/${i % 900}?ref=home","code":"200","size":"5120","referer":"-","agent":"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}`,
  );
}

export function correlationSection(o: NodeOptions): { rows: CorrelationRow[]; threshold: number; text: string } {
  const sizes = o.quick ? [1_000, 10_000, 100_000] : [1_000, 100_000, 1_000_000];
  const timed = o.quick ? 20_000 : 200_000;
  const reps = o.quick ? 1 : 5;
  // High enough never to be reached (each key sees at most 1 + reps * 2 events in the
  // day-long window); the entry keeps `threshold` event times, so it sets the bytes per key.
  const threshold = 16;
  const rows: CorrelationRow[] = [];
  {
    // Warm the JS side of the calls before the first timing.
    const warm = LeanHost.of(compileSources([{ path: "warm.yml", text: ANY_REQUEST + countPerIp(threshold) }], { statsIntervalSec: 0 }).program.bytes);
    for (let i = 0; i < 20000; i++) warm.call(DEFAULT_START + (i >> 10), 0, keyRecord(i & 1023));
  }
  for (const keys of sizes) {
    o.log(`  correlation: ${keys.toLocaleString("en-US")} keys`);
    const result = { us: 0, memory: 0, fillS: 0 };
    const baseline = { us: 0, memory: 0, fillS: 0 };
    for (const [withCorrelation, into] of [[true, result], [false, baseline]] as const) {
      const text = ANY_REQUEST + countPerIp(threshold, withCorrelation ? "c-ip" : "cs-host");
      const program = compileSources([{ path: "bench-correlation.yml", text }], { statsIntervalSec: 0, maxKeys: keys }).program.bytes;
      const lean = LeanHost.of(program);
      // Fill: every key once (1 ms of event time apart; the day-long window keeps them all live).
      const base = DEFAULT_START;
      const t0 = performance.now();
      for (let i = 0; i < keys; i++) lean.call(base + Math.floor(i / 1000), (i % 1000) * 1e6, keyRecord(i));
      into.fillS = (performance.now() - t0) / 1000;
      // Timed: keys in a scattered order (a multiplicative hash walk), records pre-encoded.
      const order: Uint8Array[] = [];
      const n = Math.min(timed, keys * 2);
      if (1 + reps * Math.ceil(n / keys) >= threshold) throw new Error("threshold within reach: raise it");
      for (let k = 0; k < n; k++) order.push(keyRecord(Number((BigInt(k) * 2654435761n) % BigInt(keys))));
      let t = base + Math.ceil(keys / 1000) + 1;
      const all: number[] = [];
      let fired = 0;
      for (let r = 0; r < reps; r++) {
        const s0 = cpuMicros();
        for (let k = 0; k < n; k++) if (lean.call(t + Math.floor(k / 1000), (k % 1000) * 1e6, order[k]).length !== order[k].length) fired++;
        all.push((cpuMicros() - s0) / n);
        t += Math.ceil(n / 1000) + 1;
      }
      into.us = median(all);
      into.memory = lean.memoryBytes();
      // The correlation must not fire (threshold out of reach): an alert would make the record longer.
      if (fired > 0) throw new Error(`the per-IP count fired on ${fired} records; raise the threshold`);
    }
    rows.push({ keys, us: result.us, baselineUs: baseline.us, addedUs: result.us - baseline.us, memory: result.memory, baselineMemory: baseline.memory, fillS: result.fillS });
  }
  const text = table(
    `3. Correlation state (V8): event_count per client IP (gte ${threshold}, 1 d window: never reached, keys stay live), maxKeys = key count`,
    [
      { title: "live keys", right: true },
      { title: "µs/record" },
      { title: "no-corr µs" },
      { title: "correlation µs" },
      { title: "memory" },
      { title: "no-corr memory" },
      { title: "bytes/key" },
      { title: "fill s" },
    ],
    rows.map((r) => [
      r.keys.toLocaleString("en-US"),
      fmt(r.us),
      fmt(r.baselineUs),
      fmt(r.addedUs),
      bytes(r.memory),
      bytes(r.baselineMemory),
      fmt((r.memory - r.baselineMemory) / r.keys, 0),
      fmt(r.fillS, 1),
    ]),
    [
      "µs/record: records spread over all keys in scattered order, after every key was created. no-corr: the same program grouped by a field the",
      "records lack (cs-host), so matching and the silent rule are the same and the store is never touched; correlation µs = the difference.",
      `memory: host.memoryBytes() (linear memory) after the run; bytes/key = (memory - no-corr memory) / keys (an entry holds ${threshold} event times).`,
    ],
  );
  return { rows, threshold, text };
}

// ---------------------------------------------------------------- shared

/** The bench's access log: its lines as text, and the records Fluent Bit's apache2 parser makes of them. */
export function nodeLog(quick: boolean): { records: BenchRecord[]; text: string } {
  const lines = generateAccessLog({ lines: quick ? 10_000 : 100_000, seed: 1 });
  return { records: toRecords(lines), text: lines.map((l) => l.line).join("\n") + "\n" };
}

export function defaultPackStats(): { rules: number; correlations: number; states: number } {
  const c = compileSources(readSources(ruleFiles([DEFAULT_RULES])));
  return { rules: c.program.stats.rules, correlations: c.program.stats.correlations, states: c.program.stats.states };
}
