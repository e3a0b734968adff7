// Soak: millions of records through the Fluent Bit-exact host with the
// release build (build/tripline.wasm, default rule pack embedded), sampling
// the module's linear memory as it goes. The records are the fuzz harness's
// generator mix (realistic access and raw-line records with attack strings,
// malformed JSON, escapes, invalid UTF-8, deep nesting, numbers at their
// limits; huge records left out for speed), with client IPs spread over
// millions of addresses so every correlation's key store fills to its cap and
// keeps evicting. Event time advances 1 ms per record, so windows roll and
// statistics records go out every 300 s of event time.
//
//   node dist/bench/soak.js [--records N] [--every N] [--seed N]
//
// Prints one line per sample (memory, records/s, outcomes) and whether memory
// stayed flat. Exits 1 on a trap or a lost valid record, or if memory still
// grows in the second half of the run.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FluentBitHost } from "../src/host/host.js";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { RecordGenerator } from "../tests/fuzz/generators.js";
import { parseObject } from "../tests/fuzz/oracle.js";
import { Rng } from "../tests/fuzz/rng.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1].replace(/_/g, "")) : fallback;
};
const RECORDS = opt("records", 10_000_000);
const EVERY = opt("every", 100_000);
const SEED = opt("seed", 1);
const POOL = 50_000;

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// The record pool.
const rng = new Rng(SEED);
const gen = new RecordGenerator(rng);
const pool: { bytes: Uint8Array; valid: boolean }[] = [];
while (pool.length < POOL) {
  const rec = gen.next();
  if (rec.bytes.length > 64 * 1024) continue;
  pool.push({ bytes: rec.bytes, valid: parseObject(rec.bytes) !== null && rec.bytes.indexOf(0) < 0 });
}
// Client IPs: the pool's records are replayed with their IP member rewritten from a counter.
const enc = new TextEncoder();
const IP_MEMBER = /"(client_ip|remote|host|ip)":"[0-9A-Fa-f:.]*"/;
const variants = pool.map((p) => {
  const text = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(p.bytes);
  const m = IP_MEMBER.exec(text);
  if (!m || !p.valid || !/^[\x20-\x7e]*$/.test(text)) return null;
  return { before: text.slice(0, m.index), key: m[1], after: text.slice(m.index + m[0].length) };
});

const wasm = readFileSync(path.join(PACKAGE_ROOT, "build", "tripline.wasm"));
const host = new FluentBitHost(wasm);
const t0 = 1_700_000_000;
const samples: { at: number; memory: number; rate: number }[] = [];
let lostValid = 0;
const outcomes = { record: 0, tagged: 0, dropped: 0, lost: 0 };
let chunkStart = process.hrtime.bigint();
const startAll = chunkStart;

console.log(`soak: ${fmt(RECORDS)} records through build/tripline.wasm (${fmt(wasm.length)} bytes), sample every ${fmt(EVERY)}, seed ${SEED}`);
console.log(`memory at start: ${fmt(host.memoryBytes())} bytes\n`);
const header = ["records", "memory bytes", "records/s", "tagged", "dropped", "lost (invalid input)", "traps"];
console.log("  " + header.join("   "));

for (let i = 1; i <= RECORDS; i++) {
  const k = (i * 7919) % POOL;
  const v = variants[k];
  let bytes = pool[k].bytes;
  if (v && i % 2 === 0) {
    // Half the records carry a client from a counter: millions of distinct keys.
    const n = 0x0a000000 + ((i * 2654435761) >>> 8);
    bytes = enc.encode(`${v.before}"${v.key}":"${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}"${v.after}`);
  }
  const ms = t0 * 1000 + i;
  const outcome = host.call("web.access", [Math.floor(ms / 1000), (ms % 1000) * 1_000_000], bytes);
  if (outcome.kind === "record") {
    outcomes.record++;
    if (outcome.bytes.length !== bytes.length) outcomes.tagged++;
  } else if (outcome.kind === "dropped") outcomes.dropped++;
  else {
    outcomes.lost++;
    if (pool[k].valid) {
      lostValid++;
      if (lostValid <= 5) console.error(`LOST a valid record (#${i}): ${outcome.reason}`);
    }
  }
  if (i % EVERY === 0) {
    const now = process.hrtime.bigint();
    const rate = EVERY / (Number(now - chunkStart) / 1e9);
    chunkStart = now;
    samples.push({ at: i, memory: host.memoryBytes(), rate });
    console.log(
      "  " +
        [fmt(i), fmt(host.memoryBytes()), fmt(rate), fmt(outcomes.tagged), fmt(outcomes.dropped), fmt(outcomes.lost), fmt(host.counters.traps)]
          .map((c, j) => c.padStart(header[j].length))
          .join("   "),
    );
  }
}

const seconds = Number(process.hrtime.bigint() - startAll) / 1e9;
const last = samples[samples.length - 1];
const half = samples.filter((s) => s.at > RECORDS / 2);
const grewLate = half.some((s) => s.memory !== last.memory);
let settled = samples.length ? samples[0].at : 0;
for (let k = 1; k < samples.length; k++) if (samples[k].memory !== samples[k - 1].memory) settled = samples[k].at;
console.log(`\n${fmt(RECORDS)} records in ${fmt(seconds, 1)} s (${fmt(RECORDS / seconds)} records/s through the host)`);
console.log(`outcomes: ${fmt(outcomes.record)} records (${fmt(outcomes.tagged)} changed: tagged, alerts, statistics, redactions), ${fmt(outcomes.dropped)} dropped, ${fmt(outcomes.lost)} lost (all invalid input: ${lostValid === 0 ? "yes" : `NO, ${lostValid} valid records lost`}), traps ${host.counters.traps}`);
if (last) {
  console.log(`memory: ${fmt(samples[0].memory)} bytes at ${fmt(samples[0].at)}, ${fmt(last.memory)} at ${fmt(last.at)}; last change at ${fmt(settled)} records`);
  console.log(`memory ${grewLate ? "STILL GROWING in the second half" : "FLAT"} (second half of the run: ${half.length} samples, ${new Set(half.map((s) => s.memory)).size} distinct value(s))`);
}
process.exit(host.counters.traps > 0 || lostValid > 0 || grewLate ? 1 : 0);
