// Section 6 (`--only fleet`): sizing a fleet's aggregators. One aggregator
// Fluent Bit (forward input, threaded -> tripline built with --shards 1 from
// examples/fleet/rules.yml, on the tag tripline.shard.0 -> file output) is fed
// edge records by a second Fluent Bit (tail -> forward), as an edge would.
// Measured on the aggregator process alone, from /proc when it has written
// every record: CPU (user + sys), RSS (VmRSS) and peak RSS (VmHWM).
//   - CPU per 1,000 records/s: CPU seconds per record x 1,000 = the cores
//     an aggregator needs for 1,000 records a second (with and without the
//     filter, so the module's share shows).
//   - Memory per 1,000 keys: the RSS difference, once every record is out,
//     between the same records over few and over many distinct keys (client
//     addresses). Not the peak: the forward input buffers the sender's
//     burst (about 100 MiB here, with or without the filter), which hides
//     the keys' state; that state stays, the buffers are released.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync, statSync, openSync, readSync, closeSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { buildWasm, readSources } from "../src/compiler/compile.js";
import { loadRules } from "../src/compiler/rules/load.js";
import { worstCaseBytes } from "../src/compiler/program/correlations.js";
import { WORK } from "./fluent-bit/section.js";
import { table, fmt, bytes } from "./table.js";
import { freePort, waitForPort } from "../tests/e2e/fluent-bit.js";

const RULES = path.join(PACKAGE_ROOT, "examples", "fleet", "rules.yml");
const TICKS = 100; // USER_HZ: /proc/<pid>/stat times are in 1/100 s on Linux

export interface FleetRow {
  run: string;
  records: number;
  keys: number;
  cpuSec: number;
  /** VmRSS once every record is out. */
  rss: number;
  peakRss: number;
}

export interface FleetSection {
  text: string;
  rows: FleetRow[];
  /** Cores per 1,000 records/s, the whole aggregator and the module's share. */
  coresPer1kRecordsPerSec: number | null;
  filterCoresPer1kRecordsPerSec: number | null;
  bytesPer1kKeys: number | null;
  /** The same from the module's entry layouts (no measurement noise). */
  layoutBytesPer1kKeys: number | null;
}

/** Edge output lines (what a fleet edge forwards): failed logins over `keys` addresses, round robin. */
function edgeRecords(records: number, keys: number): string {
  const out: string[] = [];
  for (let n = 0; n < records; n++) {
    const k = n % keys;
    const ip = `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
    const log = `${ip} - - [20/Nov/2026:10:00:00 +0000] "POST /login HTTP/1.1" 401 9 "-" "python-requests/2.31"`;
    out.push(JSON.stringify({ log, tripline: { rules: ["fleet-failed-login"], level: "low", tags: ["attack.credential_access", "attack.t1110"] }, tripline_shards: "0" }));
  }
  return out.join("\n") + "\n";
}

function lineCount(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  for (let read; (read = readSync(fd, buf, 0, buf.length, null)) > 0; ) for (let i = 0; i < read; i++) if (buf[i] === 10) n++;
  closeSync(fd);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One aggregator run: returns its CPU seconds, RSS and peak RSS once every record is out. */
async function aggregatorRun(bin: string, dir: string, wasm: string | null, input: string, records: number): Promise<{ cpuSec: number; rss: number; peakRss: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const out = path.join(dir, "out.jsonl");
  const filter = wasm
    ? `[FILTER]\n    Name wasm\n    Match tripline.shard.*\n    Wasm_Path ${wasm}\n    Function_Name filter\n    Wasm_Stack_Size 64K\n    Wasm_Heap_Size 64K\n`
    : "";
  writeFileSync(
    path.join(dir, "aggregator.conf"),
    `[SERVICE]\n    Flush 1\n    Log_Level warn\n[INPUT]\n    Name forward\n    Listen 127.0.0.1\n    Port ${port}\n    Threaded true\n${filter}[OUTPUT]\n    Name file\n    Match *\n    Path ${dir}\n    File out.jsonl\n    Format plain\n`,
  );
  writeFileSync(path.join(dir, "parsers.conf"), "[PARSER]\n    Name json\n    Format json\n");
  writeFileSync(
    path.join(dir, "sender.conf"),
    `[SERVICE]\n    Flush 1\n    Grace 120\n    Log_Level warn\n    Parsers_File parsers.conf\n[INPUT]\n    Name tail\n    Path ${input}\n    Tag tripline.shard.0\n    Parser json\n    Read_From_Head true\n    Exit_On_Eof true\n[OUTPUT]\n    Name forward\n    Match *\n    Host 127.0.0.1\n    Port ${port}\n    Retry_Limit no_limits\n`,
  );
  const aggregator = spawn(bin, ["-c", "aggregator.conf"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  aggregator.stderr.on("data", (d) => (log += d));
  try {
    await waitForPort(port, 20000);
    const sender = spawn(bin, ["-c", "sender.conf"], { cwd: dir, stdio: "ignore" });
    // Give up when nothing more arrives for a minute.
    let seen = -1;
    let stalledSince = Date.now();
    for (let n = lineCount(out); n < records && Date.now() - stalledSince < 60_000; n = lineCount(out)) {
      if (n !== seen) [seen, stalledSince] = [n, Date.now()];
      await sleep(500);
    }
    sender.kill("SIGTERM");
    if (lineCount(out) < records) throw new Error(`the aggregator wrote ${lineCount(out)} of ${records} records\n${log.slice(-1000)}`);
    const stat = readFileSync(`/proc/${aggregator.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14, 15)
    const status = readFileSync(`/proc/${aggregator.pid}/status`, "utf8");
    const kib = (name: string) => {
      const m = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status);
      return m ? Number(m[1]) * 1024 : NaN;
    };
    return { cpuSec, rss: kib("VmRSS"), peakRss: kib("VmHWM") };
  } finally {
    aggregator.kill("SIGKILL");
  }
}

export async function fleetSection(o: { quick: boolean; log: (s: string) => void; bin: string | null }): Promise<FleetSection> {
  const title = "6. Fleet sizing: one aggregator (forward in, tripline --shards, file out)";
  if (!o.bin || !existsSync("/proc/self/stat")) {
    return { text: `${title}\n  skipped: needs Fluent Bit and Linux /proc\n`, rows: [], coresPer1kRecordsPerSec: null, filterCoresPer1kRecordsPerSec: null, bytesPer1kKeys: null, layoutBytesPer1kKeys: null };
  }
  const records = o.quick ? 50_000 : 200_000;
  const fewKeys = 1_000;
  const manyKeys = o.quick ? 25_000 : 100_000;
  const dir = path.join(WORK, "fleet");
  mkdirSync(dir, { recursive: true });
  const wasm = path.join(dir, "aggregator.wasm");
  writeFileSync(wasm, buildWasm(readSources([RULES]), { statsIntervalSec: 0, shards: 1, maxKeys: manyKeys * 2 }).wasm);
  const rows: FleetRow[] = [];
  const runs: [string, string | null, number][] = [
    ["no filter", null, fewKeys],
    ["tripline", wasm, fewKeys],
    ["tripline", wasm, manyKeys],
  ];
  for (const [run, module, keys] of runs) {
    const input = path.join(dir, `edge-${records}-${keys}.jsonl`);
    if (!existsSync(input) || statSync(input).size === 0) writeFileSync(input, edgeRecords(records, keys));
    o.log(`fleet: ${run}, ${records} records over ${keys} keys`);
    const r = await aggregatorRun(o.bin, path.join(dir, `run-${run.replace(/ /g, "-")}-${keys}`), module, input, records);
    rows.push({ run, records, keys, ...r });
  }
  const [bare, few, many] = rows;
  const cores = (few.cpuSec / records) * 1000;
  const filterCores = ((few.cpuSec - bare.cpuSec) / records) * 1000;
  const perKeys = (many.rss - few.rss) / ((manyKeys - fewKeys) / 1000);
  // What the module keeps per key, from the entry layouts: the aggregator runs every correlation that is not `scope: local`.
  const layoutPerKeys = loadRules(readSources([RULES]))
    .correlations.filter((c) => !c.local)
    .reduce((sum, c) => sum + worstCaseBytes(c, 1000), 0);
  const text = table(
    title,
    [{ title: "run", right: false }, { title: "records" }, { title: "keys" }, { title: "CPU s" }, { title: "µs/record" }, { title: "RSS" }, { title: "peak RSS" }],
    rows.map((r) => [r.run, r.records, r.keys, fmt(r.cpuSec), fmt((r.cpuSec / r.records) * 1e6, 1), bytes(r.rss), bytes(r.peakRss)]),
    [
      `CPU per 1,000 records/s: ${fmt(cores, 3)} cores per aggregator (${fmt(filterCores, 3)} of them tripline's); one core takes about ${fmt(1000 / cores, 0)} records/s`,
      perKeys > 0
        ? `memory per 1,000 keys: ${bytes(perKeys)} measured (RSS once every record is out, ${manyKeys.toLocaleString("en-US")} keys over ${fewKeys.toLocaleString("en-US")})`
        : `memory per 1,000 keys: not measured (the RSS with ${manyKeys.toLocaleString("en-US")} keys was not above the one with ${fewKeys.toLocaleString("en-US")})`,
      `module state per 1,000 keys: ${bytes(layoutPerKeys)} by the entry layouts (examples/fleet/rules.yml: one event_count keyed by address on the aggregator; each correlation keyed by the same field adds its own)`,
      "RSS: VmRSS once every record is out; peak RSS: VmHWM, mostly the forward input's buffering of the sender's burst.",
      "Interpreted .wasm; a .aot build cuts the module's share 5-6x (section 5). CPU from /proc/<pid>/stat (1/100 s ticks).",
    ],
  );
  return { text, rows, coresPer1kRecordsPerSec: cores, filterCoresPer1kRecordsPerSec: filterCores, bytesPer1kKeys: perKeys > 0 ? perKeys : null, layoutBytesPer1kKeys: layoutPerKeys };
}
