// Adversarial inputs against the module's bounds, printed as tables:
//
//   1. group keys: over a million distinct client IPs through an event_count
//      correlation grouped by IP (memory must plateau at the key cap,
//      throughput must stay within 2x of normal traffic), 10 KB keys,
//      two-field keys, records with many members, and the memory plateau at
//      several caps;
//   2. ReDoS: for every string pattern of the default rule pack, worst-case
//      inputs (the pattern's prefix repeated, every prefix in turn, runs of
//      its alphabet, URL-encoded prefixes) at 1 KB, 10 KB, 100 KB and 1 MB;
//      time per byte must stay flat.
//
// Times are V8's (Node), through a caller that copies records in and out
// exactly like Fluent Bit (tests/fuzz/adversarial.ts BareCaller) but does not
// parse the result. WAMR's interpreter is 10-20x slower in absolute terms;
// the ratios are what this measures.
//
//   node dist/bench/adversarial.js [--keys N] [--quick] [--only keys|redos]
import { compileSources, readSources, ruleFiles, DEFAULT_RULES } from "../src/compiler/compile.js";
import {
  KEY_RULES,
  BareCaller,
  accessRecord,
  distinctIp,
  longKey,
  stringPredicates,
  probeValue,
  probeRecord,
  PROBE_KINDS,
  type PatternProbe,
} from "../tests/fuzz/adversarial.js";

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes("--quick");
const ONLY = opt("only");
const KEYS = Number(opt("keys") ?? (QUICK ? 200_000 : 1_100_000));

const T0 = 1_700_000_000;
const nowNs = () => process.hrtime.bigint();
const seconds = (from: bigint) => Number(nowNs() - from) / 1e9;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mib = (bytes: number) => fmt(bytes / (1 << 20), 2) + " MiB";

function table(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => "  " + r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("   ");
  console.log(line(headers));
  console.log("  " + widths.map((w) => "-".repeat(w)).join("   "));
  for (const r of cells.slice(1)) console.log(line(r));
}

function program(text: string, options: { maxKeys?: number; statsIntervalSec?: number } = {}): Uint8Array {
  return compileSources([{ path: "adversarial.yml", text }], { seed: 5, ...options }).program.bytes;
}

// ---------------------------------------------------------------- 1. keys

/**
 * Records per second of module time for `n` records made by `make`: records
 * are built in chunks outside the timed calls, so the Node-side cost of
 * making them does not count.
 */
function throughput(module: BareCaller, n: number, make: (i: number) => Uint8Array, time: (i: number) => number = () => T0, from = 0): number {
  let spent = 0;
  for (let at = from; at < from + n; at += 50_000) {
    const end = Math.min(from + n, at + 50_000);
    const batch: Uint8Array[] = [];
    for (let i = at; i < end; i++) batch.push(make(i));
    const start = nowNs();
    for (let i = at; i < end; i++) module.call(time(i), batch[i - at]);
    spent += seconds(start);
  }
  return n / spent;
}

function keys(): void {
  console.log(`\n== 1. Adversarial group keys (event_count grouped by c-ip; default cap ${fmt(10_000)} keys)\n`);
  const rules = program(KEY_RULES);

  // Normal traffic: a few hundred clients over and over. Records are built per call in both runs, so
  // the Node-side cost is the same and the ratio is the module's.
  const normal = BareCaller.of(rules);
  throughput(normal, 10_000, (i) => accessRecord(distinctIp(0xc0000200 + (i % 300)))); // warm-up
  const normalRate = throughput(normal, 300_000, (i) => accessRecord(distinctIp(0xc0000200 + (i % 300))), (i) => T0 + Math.floor(i / 1000));
  console.log(`normal traffic (300 client IPs repeating): ${fmt(normalRate)} records/s, memory ${mib(normal.memoryBytes())}\n`);

  // The flood: every record a new client.
  const flood = BareCaller.of(rules);
  const marks = [10_000, 100_000, 1_000_000, KEYS].filter((m, i, all) => m <= KEYS && all.indexOf(m) === i);
  const rows: (string | number)[][] = [];
  let done = 0;
  let totalTime = 0;
  for (const mark of marks) {
    const n = mark - done;
    const rate = throughput(flood, n, (i) => accessRecord(distinctIp(0x0a000000 + i)), (i) => T0 + Math.floor(i / 1000), done);
    totalTime += n / rate;
    done = mark;
    rows.push([fmt(mark), mib(flood.memoryBytes()), fmt(flood.memoryBytes()), fmt(rate), fmt(normalRate / rate, 2) + "x"]);
  }
  const floodRate = KEYS / totalTime;
  table(["distinct keys", "memory", "bytes", "records/s (since last row)", "normal / flood"], rows);
  const plateau = rows.slice(1).every((r) => r[2] === rows[1][2]);
  console.log(`\nmemory ${plateau ? "PLATEAUS" : "DOES NOT PLATEAU"} after the cap; flood throughput ${fmt(floodRate)} records/s = ${fmt(normalRate / floodRate, 2)}x slower than normal (${normalRate / floodRate <= 2 ? "within" : "OUTSIDE"} the 2x budget); traps ${flood.traps}`);

  // The cap decides the plateau.
  console.log(`\nmemory after ${fmt(Math.min(KEYS, 300_000))} distinct keys, by cap (--max-keys):\n`);
  const capRows: (string | number)[][] = [];
  for (const cap of [1_000, 10_000, 100_000]) {
    const m = BareCaller.of(program(KEY_RULES, { maxKeys: cap }));
    const before = m.memoryBytes();
    const n = Math.min(KEYS, 300_000);
    let half = 0;
    for (let i = 1; i <= n; i++) {
      m.call(T0, accessRecord(distinctIp(0x0a000000 + i)));
      if (i === n / 2) half = m.memoryBytes();
    }
    capRows.push([fmt(cap), mib(before), mib(half), mib(m.memoryBytes()), half === m.memoryBytes() ? "flat" : "GROWING"]);
  }
  table(["cap", "memory at start", `after ${fmt(Math.min(KEYS, 300_000) / 2)}`, `after ${fmt(Math.min(KEYS, 300_000))}`, "second half"], capRows);

  // 10 KB keys: hashed, never stored.
  console.log("\nvery long keys (10 KB client 'IPs', every one distinct) against normal traffic of the same record size:\n");
  const longRows: (string | number)[][] = [];
  const n10k = QUICK ? 5_000 : 30_000;
  const longNormal = BareCaller.of(rules);
  const longNormalRate = throughput(longNormal, n10k, (i) => accessRecord(longKey(i % 300, 10_240)));
  const long = BareCaller.of(rules);
  const memAt: number[] = [];
  let longTime = 0;
  let longDone = 0;
  for (const mark of [1000, n10k / 2, n10k]) {
    const n = mark - longDone;
    longTime += n / throughput(long, n, (i) => accessRecord(longKey(1000 + i, 10_240)), () => T0, longDone);
    longDone = mark;
    memAt.push(long.memoryBytes());
  }
  const longRate = n10k / longTime;
  longRows.push(["10 KB keys, 300 repeating", fmt(longNormalRate), "", mib(longNormal.memoryBytes())]);
  longRows.push([`10 KB keys, ${fmt(n10k)} distinct`, fmt(longRate), fmt(longNormalRate / longRate, 2) + "x", memAt.map(mib).join(" / ")]);
  table(["traffic", "records/s", "slowdown", "memory (1k / half / all)"], longRows);

  // Two-field keys.
  console.log("\ntwo-field group keys (c-ip + user agent), every pair distinct:\n");
  const twoField = KEY_RULES.replace("group-by: [c-ip]", "group-by: [c-ip, cs-user-agent]");
  const pairRecord = (i: number) =>
    new TextEncoder().encode(`{"client_ip":"${distinctIp(0x0a000000 + (i % 1000))}","path":"/x","status":"200","user_agent":"agent-${i}"}`);
  const pairs = BareCaller.of(program(twoField));
  const nPairs = Math.min(KEYS, 500_000);
  const pairRows: (string | number)[][] = [];
  let pairDone = 0;
  for (const mark of [10_000, 100_000, nPairs]) {
    const rate = throughput(pairs, mark - pairDone, pairRecord, () => T0, pairDone);
    pairDone = mark;
    pairRows.push([fmt(mark), mib(pairs.memoryBytes()), fmt(rate), fmt(normalRate / rate, 2) + "x"]);
  }
  table(["distinct pairs", "memory", "records/s", "normal / flood"], pairRows);

  // Many members in one record: the scanner is linear.
  console.log("\nrecords with many members (each member a short string; the rule fields come last):\n");
  const memberRows: (string | number)[][] = [];
  const many = BareCaller.of(rules);
  for (const members of [10, 1_000, 10_000, 100_000]) {
    const parts: string[] = [];
    for (let k = 0; k < members; k++) parts.push(`"k${k}":"v${k}"`);
    const rec = new TextEncoder().encode(`{${parts.join(",")},"client_ip":"10.0.0.1","path":"/x"}`);
    const reps = Math.max(3, Math.ceil(4_000_000 / rec.length));
    many.call(T0, rec);
    const s = nowNs();
    for (let r = 0; r < reps; r++) many.call(T0, rec);
    const perRecord = seconds(s) / reps;
    memberRows.push([fmt(members), fmt(rec.length), fmt((perRecord * 1e9) / members, 1), fmt((perRecord * 1e9) / rec.length, 2), mib(many.memoryBytes())]);
  }
  table(["members", "record bytes", "ns / member", "ns / byte", "memory"], memberRows);
}

// ---------------------------------------------------------------- 2. ReDoS

const SIZES = [1024, 10_240, 102_400, 1_048_576];

function nsPerByte(module: BareCaller, rec: Uint8Array): number {
  const reps = Math.max(2, Math.ceil((QUICK ? 256 * 1024 : 1 << 20) / rec.length));
  if (module.call(T0, rec) < 0) return NaN;
  const s = nowNs();
  for (let r = 0; r < reps; r++) module.call(T0, rec);
  return (seconds(s) * 1e9) / (reps * rec.length);
}

function redos(): void {
  const { rules } = compileSources(readSources(ruleFiles([DEFAULT_RULES])));
  let probes: PatternProbe[] = stringPredicates(rules);
  if (QUICK) probes = probes.filter((p, i) => p.op === "re" || i % 8 === 0);
  console.log(`\n== 2. ReDoS: worst-case inputs for ${probes.length} string patterns of the default pack (release build)\n`);
  const module = BareCaller.release();
  const baselineProbe: PatternProbe = { rules: [], op: "contains", value: "zzzz", cased: false, fields: ["path"] };
  const base = SIZES.map((size) => nsPerByte(module, probeRecord(baselineProbe, "x".repeat(size))));
  console.log(`baseline (a path of 'x', no pattern near): ${base.map((v, i) => `${SIZES[i] / 1024} KB ${fmt(v, 2)} ns/B`).join(", ")}\n`);
  const rows: (string | number)[][] = [];
  let worst = { ratio: 0, what: "" };
  const suspects: { ratio: number; what: string; record: (size: number) => Uint8Array }[] = [];
  const perSize: number[][] = SIZES.map(() => []);
  probes.forEach((p, i) => {
    for (const kind of PROBE_KINDS) {
      const record = (size: number) => probeRecord(p, probeValue(p, kind, size, i));
      const times = SIZES.map((size) => nsPerByte(module, record(size)));
      // Flat means 1 MB costs no more per byte than 10 KB (1 KB carries the per-call overhead).
      // A suspicious ratio is measured again, best of 5 (other processes on the machine add noise).
      if (times[3] / times[1] > 1.5) {
        for (const k of [1, 3]) {
          const rec = record(SIZES[k]);
          for (let trial = 0; trial < 5; trial++) times[k] = Math.min(times[k], nsPerByte(module, rec));
        }
      }
      times.forEach((t, k) => perSize[k].push(t));
      const ratio = times[3] / times[1];
      const what = `${p.op} ${JSON.stringify(p.value)} on ${p.fields[0]}, ${kind}`;
      if (ratio > worst.ratio) worst = { ratio, what };
      if (ratio > 1.5) suspects.push({ ratio, what, record });
      if (p.op === "re" || kind === "prefix-repeat") {
        rows.push([what.length > 70 ? what.slice(0, 67) + "..." : what, ...times.map((t) => fmt(t, 2)), fmt(ratio, 2)]);
      }
    }
  });
  table(["pattern, input (ns per byte)", "1 KB", "10 KB", "100 KB", "1 MB", "1MB/10KB"], rows);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const max = (xs: number[]) => Math.max(...xs);
  console.log(`\nall ${probes.length * PROBE_KINDS.length} pattern x input combinations, ns per byte:`);
  table(
    ["size", "median", "max"],
    SIZES.map((s, k) => [`${s / 1024} KB`, fmt(median(perSize[k]), 2), fmt(max(perSize[k]), 2)]),
  );
  console.log(`\nworst 1 MB / 10 KB per-byte ratio: ${fmt(worst.ratio, 2)} (${worst.what}); traps ${module.traps}`);
  // A ratio above 1.5 can be a change of regime rather than growth (at 100 KB a random run starts to
  // contain a whole match, and the record takes the redaction path). Growth shows between 1 MB and 4 MB.
  suspects.sort((a, b) => b.ratio - a.ratio);
  const verdicts: (string | number)[][] = [];
  let superlinear = false;
  for (const sp of suspects.slice(0, 8)) {
    const one = sp.record(1 << 20);
    const four = sp.record(4 << 20);
    let t1 = Infinity;
    let t4 = Infinity;
    for (let trial = 0; trial < 3; trial++) {
      t1 = Math.min(t1, nsPerByte(module, one));
      t4 = Math.min(t4, nsPerByte(module, four));
    }
    const growth = t4 / t1;
    if (growth > 1.5) superlinear = true;
    verdicts.push([sp.what.length > 70 ? sp.what.slice(0, 67) + "..." : sp.what, fmt(sp.ratio, 2), fmt(t1, 2), fmt(t4, 2), fmt(growth, 2)]);
  }
  if (verdicts.length > 0) {
    console.log(`\nthe ${verdicts.length} highest 1MB/10KB ratios, measured again at 1 MB and 4 MB (best of 3):`);
    table(["pattern, input", "1MB/10KB", "1 MB ns/B", "4 MB ns/B", "4MB/1MB"], verdicts);
  }
  console.log(`\ntime per byte ${superlinear ? "GROWS with size: SUPERLINEAR" : "stays flat from 1 MB to 4 MB everywhere: LINEAR"}`);
}

if (!ONLY || ONLY === "keys") keys();
if (!ONLY || ONLY === "redos") redos();
