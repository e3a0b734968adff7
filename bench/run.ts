// `npm run bench` (after `npm run build`): node dist/bench/run.js [--quick] [--only NAME[,NAME]]
//
//   host         1. Node host: copy-only vs tripline (empty program, default pack)
//   scaling      2. 10 / 100 / 500 generated rules, and the .wasm size at 500
//   correlation  3. 1k / 100k / 1M live keys in one event_count correlation
//   fluent-bit   4.+5. the real Fluent Bit: no filter, copy-only, tripline,
//                Lua (nothing / the pack by hand), grep, and .aot builds when
//                flb-wamrc is available
//   fleet        6. one fleet aggregator: CPU per 1,000 records/s and memory
//                per 1,000 keys (bench/fleet.ts)
//
// --quick: smaller inputs and one repetition (a smoke run, well under a minute
// of measuring; the .wasm build of section 2 adds its own compile time).
// Tables go to stdout, progress to stderr, everything to bench/results.json.
import { writeFileSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { fluentBitBinary } from "../tests/e2e/fluent-bit.js";
import { hostSection, scalingSection, correlationSection, nodeLog, defaultPackStats } from "./node/sections.js";
import { fluentBitSection } from "./fluent-bit/section.js";
import { fluentBitVersion } from "./fluent-bit/run.js";
import { fleetSection } from "./fleet.js";

const SECTIONS = ["host", "scaling", "correlation", "fluent-bit", "fleet"] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]): { quick: boolean; only: Set<Section> } {
  let quick = false;
  let only = new Set<Section>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") quick = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const value = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      const names = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (names.length === 0 || bad.length) {
        console.error(`--only takes one or more of: ${SECTIONS.join(", ")}${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}`);
        process.exit(2);
      }
      only = new Set(names as Section[]);
    } else if (a === "--help" || a === "-h") {
      console.log("usage: node dist/bench/run.js [--quick] [--only host|scaling|correlation|fluent-bit|fleet[,...]]");
      process.exit(0);
    } else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  return { quick, only };
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? "unknown";
}

const { quick, only } = parseArgs(process.argv.slice(2));
const log = (s: string) => process.stderr.write(s + "\n");
const bin = fluentBitBinary();
const env = {
  date: new Date().toISOString(),
  nproc: cpus().length,
  cpu: cpuModel(),
  node: process.version,
  fluentBit: bin ? `${fluentBitVersion(bin)} (${bin})` : "not found",
  mode: quick ? "quick" : "full",
  defaultPack: defaultPackStats(),
};
const header =
  `tripline benchmark (${env.mode}) ${env.date}\n` +
  `CPU: ${env.cpu}, nproc ${env.nproc}; Node ${env.node}; Fluent Bit: ${env.fluentBit}\n` +
  `Default pack (rules/ at run time): ${env.defaultPack.rules} detection rules, ${env.defaultPack.correlations} correlations, ${env.defaultPack.states} DFA states\n`;
console.log(header);

// binaryen (loaded by asc for the .wasm builds) installs an uncaughtException
// handler that prints its whole source with any error: report errors ourselves.
async function main(): Promise<void> {
  const results: Record<string, unknown> = { env };
  const started = performance.now();
  const o = { quick, log };

  if (only.has("host") || only.has("scaling")) {
    log("generating records");
    const { records, text } = nodeLog(quick);
    if (only.has("host")) {
      const r = hostSection(o, records, text);
      console.log(r.text);
      results.host = r.rows;
      results.replay = r.replay;
    }
    if (only.has("scaling")) {
      const r = await scalingSection(o, records);
      console.log(r.text);
      results.scaling = { rows: r.rows, ratio500to10: r.ratio, ratioAdded500to10: r.ratioAdded, wasmBytes500: r.wasmBytes500, wasmBuildMs500: r.wasmMs500 };
    }
  }
  if (only.has("correlation")) {
    const r = correlationSection(o);
    console.log(r.text);
    results.correlation = { threshold: r.threshold, rows: r.rows };
  }
  if (only.has("fluent-bit")) {
    const r = await fluentBitSection({ quick, log, bin });
    console.log(r.text);
    const { text: _text, ...rest } = r;
    results.fluentBit = rest;
  }
  if (only.has("fleet")) {
    const { text, ...rest } = await fleetSection({ quick, log, bin });
    console.log(text);
    results.fleet = rest;
  }

  const seconds = (performance.now() - started) / 1000;
  results.seconds = seconds;
  const out = path.join(PACKAGE_ROOT, "bench", "results.json");
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  log(`done in ${seconds.toFixed(1)} s; results in ${path.relative(process.cwd(), out) || out}`);
}

try {
  await main();
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
