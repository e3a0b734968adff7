// A fleet on loopback: 2 edge and 3 aggregator Fluent Bits (separate
// processes), configured by `tripline config --role ...` (classic and YAML)
// and running one module built with `--shards 3` (examples/fleet/rules.yml).
//   - A brute force spread over both edges (3 + 3 failures, threshold 5) is
//     caught exactly once, by the aggregator that received the address.
//   - 100,000 failed logins from 50,000 addresses split over the aggregators
//     within 10 % of even, each address at exactly one aggregator.
//   - One aggregator is killed (SIGKILL) for 10 s while the second half flows,
//     then restarted on the same storage: no record is lost (every record the
//     edges read comes out of an edge once and out of its aggregator).
//   - What a restart costs: correlation state lives in memory, so a brute
//     force straddling the restart (3 failures before, 3 after) on the killed
//     aggregator's address raises nothing, where one aggregator that never
//     stopped would have alerted (the README says so).
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitTest, freePort, waitForPort, waitFor, errorLines, REPO_ROOT } from "./fluent-bit.js";
import { buildWasm, readSources } from "../../src/compiler/compile.js";
import { fleetClassic, fleetYaml, type FleetOptions } from "../../src/cli/fleet-config.js";
import { FluentBitHost } from "../../src/host/host.js";
import { Rng } from "../fuzz/rng.js";

const RULES = path.join(REPO_ROOT, "examples", "fleet", "rules.yml");
const AGGREGATORS = 3;
const BULK = 100_000;
const ADDRESSES = 50_000;
const ATTACKER = "203.0.113.66";

const line = (ip: string, n: number) => `${ip} - - [20/Nov/2026:10:00:00 +0000] "POST /login?n=${n} HTTP/1.1" 401 9 "-" "fleet-test"`;

/** 50,000 distinct addresses from a fixed-seed Rng, none of them the attacker's. */
function addresses(): string[] {
  const out = new Set<string>();
  const rng = new Rng(0x6d2b79f5);
  while (out.size < ADDRESSES) {
    const x = rng.u32();
    const ip = `${1 + ((x >>> 24) % 223)}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
    if (ip !== ATTACKER) out.add(ip);
  }
  return [...out];
}

/** A Fluent Bit process whose stdout (json_lines records) is collected line by line. */
class Node {
  records: Record<string, unknown>[] = [];
  log = "";
  private rest = "";
  private proc?: ChildProcess;
  exited?: Promise<number | null>;
  constructor(
    readonly name: string,
    readonly dir: string,
    private bin: string,
    private config: string,
  ) {}
  start(): void {
    this.rest = "";
    const proc = spawn(this.bin, ["-c", this.config], { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout!.setEncoding("utf8");
    proc.stdout!.on("data", (d: string) => {
      const lines = (this.rest + d).split("\n");
      this.rest = lines.pop()!;
      for (const l of lines) if (l.trim()) this.records.push(JSON.parse(l));
    });
    proc.stderr!.on("data", (d) => (this.log += d));
    this.exited = new Promise((resolve) => proc.on("exit", (code) => resolve(code)));
    this.proc = proc;
  }
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    this.proc?.kill(signal);
    return (await this.exited) ?? null;
  }
  alerts(): Record<string, unknown>[] {
    const file = path.join(this.dir, "tripline-alerts.jsonl");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : [];
  }
}

/** The first address of 198.18.0.x the module (on an edge) routes to `shard`. */
function addressOwnedBy(module: Uint8Array, shard: number): string {
  const host = new FluentBitHost(module);
  for (let k = 1; k < 255; k++) {
    const ip = `198.18.0.${k}`;
    const out = host.call("logs.input", 1_800_000_000, JSON.stringify({ log: line(ip, 0) }));
    if (out.kind === "record" && out.body.tripline_shards === String(shard)) return ip;
  }
  throw new Error(`no address of 198.18.0.x is owned by shard ${shard}`);
}

const idOf = (r: Record<string, unknown>) => String(r.log);
const ipOf = (r: Record<string, unknown>) => String(r.log).split(" ")[0];

fluentBitTest("a fleet of 2 edges and 3 aggregators: one owner per address, even split, nothing lost across an aggregator restart (examples/fleet)", { timeout: 180000 }, async (fb) => {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-fleet-"));
  const wasm = path.join(dir, "fleet.wasm");
  const module = buildWasm(readSources([RULES]), { statsIntervalSec: 0, shards: AGGREGATORS, maxKeys: 50000 }).wasm;
  writeFileSync(wasm, module);
  const VICTIM = 1;
  const straddler = addressOwnedBy(module, VICTIM);
  const ports = await Promise.all(Array.from({ length: AGGREGATORS }, () => freePort()));
  const aggregatorList = ports.map((port) => ({ host: "127.0.0.1", port }));
  const base = { wasm, match: "logs.*", alertField: "tripline_alert", fromHead: true, aggregators: aggregatorList };
  // Classic and YAML both run: even nodes get classic, odd ones YAML.
  const configFor = (o: FleetOptions, k: number) => (k % 2 === 0 ? { text: fleetClassic(o), ext: "conf" } : { text: fleetYaml(o), ext: "yaml" });
  const node = (name: string, o: Omit<FleetOptions, "storage" | "log">, k: number) => {
    const home = path.join(dir, name);
    mkdirSync(home);
    const log = path.join(home, "access.log");
    writeFileSync(log, "");
    const { text, ext } = configFor({ ...o, storage: path.join(home, "storage"), log }, k);
    // Edges keep running after the end of their log: retries to a stopped aggregator must go on.
    const config = path.join(home, `fluent-bit.${ext}`);
    writeFileSync(config, text.replace(/^\s*(Exit_On_Eof|exit_on_eof)\b.*\n/m, ""));
    return { node: new Node(name, home, fb.bin, config), log };
  };
  const aggregators = ports.map((_, i) => node(`aggregator${i}`, { ...base, role: "aggregator", index: i }, i).node);
  const edges = [0, 1].map((k) => node(`edge${k}`, { ...base, role: "edge" }, k));

  // The attacker: 3 failures on each edge (5 trip the correlation). The bulk:
  // every address twice, once on each edge; half before the restart, half during.
  const ips = addresses();
  const first: string[][] = [[], []];
  const second: string[][] = [[], []];
  for (let k = 0; k < 3; k++) for (const e of [0, 1]) first[e].push(line(ATTACKER, 2 * k + e));
  // The straddler: 3 failures before the restart (edge 0), 3 after (edge 1).
  for (let k = 0; k < 3; k++) {
    first[0].push(line(straddler, 10 + k));
    second[1].push(line(straddler, 20 + k));
  }
  ips.forEach((ip, a) => {
    for (const e of [0, 1]) (a < ADDRESSES / 2 ? first : second)[e].push(line(ip, 1000 + 2 * a + e));
  });
  const expected = first[0].length + first[1].length + second[0].length + second[1].length;
  assert.equal(expected, BULK + 12);
  for (const e of [0, 1]) writeFileSync(edges[e].log, first[e].join("\n") + "\n");

  const all = [...aggregators, ...edges.map((e) => e.node)];
  let killedAt = 0;
  const received = () => aggregators.reduce((n, a) => n + a.records.length, 0);
  const distinct = () => new Set(aggregators.flatMap((a) => a.records.map(idOf))).size;
  try {
    for (const a of aggregators) a.start();
    await Promise.all(ports.map((p) => waitForPort(p, 20000)));
    for (const e of edges) e.node.start();
    const firstCount = first[0].length + first[1].length;
    await waitFor(() => received() >= firstCount, 60000);
    assert.equal(received(), firstCount, `the first half reached the aggregators\n${aggregators.map((a) => a.log.slice(-800)).join("\n")}`);

    // Kill one aggregator outright, send the second half, restart it 10 s later.
    const victim = aggregators[VICTIM];
    await victim.stop("SIGKILL");
    killedAt = victim.records.length;
    for (const e of [0, 1]) appendFileSync(edges[e].log, second[e].join("\n") + "\n");
    await new Promise((r) => setTimeout(r, 10000));
    victim.start();
    await waitFor(() => distinct() >= expected && edges.every((e, k) => e.node.records.length >= first[k].length + second[k].length), 90000);
  } finally {
    for (const n of all) await n.stop("SIGTERM");
  }

  // The only errors: edges failing to reach the killed aggregator (outputs 0 and
  // 1 are stdout and file, so shard i's forward is output 2 + i); then they retry.
  const down = new RegExp(`\\[output:forward:forward\\.${2 + VICTIM}\\] (no upstream connections available|.*connection refused)`);
  for (const n of all) {
    assert.deepEqual(errorLines(n.log).filter((l) => !down.test(l)), [], `${n.name}\n${n.log.slice(-1500)}`);
    assert.doesNotMatch(n.log, /Got exception running wasm code/, n.name);
  }
  // Count in = count out: each edge passed every line of its log once to its main output...
  for (const e of [0, 1]) {
    const lines = first[e].length + second[e].length;
    assert.equal(edges[e].node.records.length, lines, `edge${e}: ${edges[e].node.records.length} of ${lines} records out`);
    assert.equal(new Set(edges[e].node.records.map(idOf)).size, lines);
  }
  // ... and every record reached the aggregators, the one killed included.
  const out = aggregators.reduce((n, a) => n + a.records.length, 0);
  assert.equal(distinct(), expected, `records lost: ${expected - distinct()}`);
  assert.equal(out, expected, `${out - expected} records delivered twice (at-least-once redelivery after the kill)`);

  // The killed aggregator's share of the second half came after its restart, from the edges' buffers.
  assert.ok(aggregators[VICTIM].records.length - killedAt > 0.9 * (BULK / 2 / AGGREGATORS), `${aggregators[VICTIM].records.length - killedAt} records reached the restarted aggregator`);

  // One owner per address, and an even split of records and addresses.
  const owner = new Map<string, number>();
  aggregators.forEach((a, i) => {
    for (const r of a.records) {
      const ip = ipOf(r);
      assert.equal(owner.get(ip) ?? i, i, `${ip} reached aggregators ${owner.get(ip)} and ${i}`);
      owner.set(ip, i);
    }
  });
  const even = (counts: number[], total: number, what: string) => {
    for (const c of counts) assert.ok(Math.abs(c - total / AGGREGATORS) <= 0.1 * (total / AGGREGATORS), `${what} per aggregator ${counts} not within 10 % of ${Math.round(total / AGGREGATORS)}`);
  };
  even(aggregators.map((a) => a.records.length), expected, "records");
  even(aggregators.map((_, i) => [...owner.values()].filter((o) => o === i).length), ADDRESSES + 2, "addresses");
  assert.equal(owner.get(straddler), VICTIM);

  // The brute force: exactly one alert in the whole fleet, from the attacker's aggregator; none from the edges.
  const alerts = aggregators.flatMap((a, i) => a.alerts().map((r) => ({ i, r })));
  assert.deepEqual(edges.flatMap((e) => e.node.alerts()), [], "3 failures per edge trip no local correlation");
  // The straddler's first 3 failures died with the killed aggregator's memory: no alert.
  assert.equal(alerts.length, 1, JSON.stringify(alerts.map((x) => x.r.tripline)));
  const [{ i, r }] = alerts;
  assert.equal(i, owner.get(ATTACKER));
  const ns = r.tripline as { rules?: unknown; alerts: Record<string, unknown>[] };
  assert.equal(ns.rules, undefined, "no double tags: the edge listed the rules");
  assert.equal(ns.alerts.length, 1);
  assert.equal(ns.alerts[0].rule, "fleet-brute-force");
  assert.equal(ns.alerts[0].key, ATTACKER);
  assert.equal(ns.alerts[0].count, 5);
});
