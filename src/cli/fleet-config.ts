// `tripline config --role edge|aggregator --shards host:port,...`: the
// Fluent Bit configuration of one node of a fleet (one module built with
// `tripline build --shards N` runs on every node; assembly/correlation/shard.ts).
//
// Edge: tail -> wasm (detection, local correlations, tripline_shards) ->
// rewrite_tag alerts -> one rewrite_tag per aggregator copying the record to
// tripline.shard.<i> when its shard list holds i -> main output, alert
// output, one forward output per aggregator.
// Aggregator i: forward input -> wasm on tripline.shard.* (the tag tells the
// module which shard it is) -> rewrite_tag alerts -> outputs.
//
// Nothing is lost when an aggregator restarts: inputs and rewrite_tag
// emitters buffer on disk (storage.type filesystem), the forwards wait for
// the aggregator's acknowledgement (Require_ack_response) and retry without
// limit, and the aggregator buffers what it acknowledged on disk too.
import { UsageError, type Parsed } from "./args.js";
import { str } from "./options.js";
import { MAX_SHARDS, SHARD_TAG_PREFIX } from "../compiler/schema.js";
import type { ConfigOptions } from "./fluent-bit-config.js";

export type Role = "edge" | "aggregator";

export interface Aggregator {
  host: string;
  port: number;
}

export interface FleetOptions extends ConfigOptions {
  role: Role;
  aggregators: Aggregator[];
  /** Aggregator role: which of the listed aggregators this one is. */
  index?: number;
  /** Fluent Bit's storage.path: the on-disk buffer. */
  storage: string;
}

/** `host:port,host:port,...` (user input: every mistake is a one-line usage error). */
export function parseAggregators(list: string): Aggregator[] {
  const items = list.split(",").map((s) => s.trim());
  if (items.length > MAX_SHARDS) throw new UsageError(`--shards lists ${items.length} aggregators; at most ${MAX_SHARDS}`);
  const seen = new Set<string>();
  return items.map((item) => {
    const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(item);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) throw new UsageError(`--shards: '${item}' is not host:port (e.g. 10.0.0.5:24224)`);
    if (seen.has(item)) throw new UsageError(`--shards lists '${item}' twice: each aggregator owns its own shard`);
    seen.add(item);
    return { host: m[1].replace(/^\[|\]$/g, ""), port };
  });
}

/** One section: its kind (input, filter, output), a comment, and its keys in order. */
interface Section {
  kind: "input" | "filter" | "output";
  comment?: string;
  keys: [string, string][];
}

interface Config {
  header: string;
  service: [string, string][];
  sections: Section[];
}

const wasmFilter = (o: FleetOptions, match: string): Section => ({
  kind: "filter",
  keys: [
    ["Name", "wasm"],
    ["Match", match],
    ["Wasm_Path", o.wasm],
    ["Function_Name", "filter"],
    ["Event_Format", "json"],
    ["Wasm_Stack_Size", "64K"],
    ["Wasm_Heap_Size", "64K"],
  ],
});

const alertCopy = (o: FleetOptions, match: string): Section => ({
  kind: "filter",
  comment: `Records that tripped a correlation carry ${o.alertField}; copy them to alert.<route>.`,
  keys: [
    ["Name", "rewrite_tag"],
    ["Match", match],
    ["Rule", `$${o.alertField} ^(.+)$ alert.$${o.alertField} true`],
    ["Emitter_Name", "tripline_alerts"],
    ["Emitter_Storage.type", "filesystem"],
  ],
});

const outputs = (o: FleetOptions, match: string, what: string): Section[] => [
  { kind: "output", comment: what, keys: [["Name", "stdout"], ["Match", match], ["Format", "json_lines"]] },
  { kind: "output", keys: [["Name", "file"], ["Match", "alert.*"], ["Path", "."], ["File", "tripline-alerts.jsonl"], ["Format", "plain"]] },
];

/** Shard field of the default namespace (encode.ts: `<namespace>_shards`). */
function shardField(o: FleetOptions): string {
  return o.alertField.replace(/_alert$/, "_shards");
}

function edge(o: FleetOptions): Config {
  const n = o.aggregators.length;
  const tag = o.match.replace(/\*+$/, "").replace(/\.$/, "") + ".input";
  const field = shardField(o);
  return {
    header: `Edge of a fleet of ${n} aggregator${n === 1 ? "" : "s"}. Build the module with --shards ${n}.`,
    service: [],
    sections: [
      {
        kind: "input",
        keys: [
          ["Name", "tail"],
          ["Path", o.log],
          ["Tag", tag],
          ...(o.parser ? ([["Parser", o.parser]] as [string, string][]) : []),
          ["DB", `${o.storage}/tail.db`],
          ["storage.type", "filesystem"],
          ...(o.fromHead ? ([["Read_From_Head", "true"], ["Exit_On_Eof", "true"]] as [string, string][]) : []),
        ],
      },
      wasmFilter(o, o.match),
      alertCopy(o, o.match),
      ...o.aggregators.map(
        (_, i): Section => ({
          kind: "filter",
          comment:
            i === 0
              ? `${field} lists the aggregators owning the record's correlation keys ("0,2").\n` +
                `One rewrite_tag per aggregator (a rewrite_tag copies a record once), matching\n` +
                `the source tags only, so copies never loop back.`
              : undefined,
          keys: [
            ["Name", "rewrite_tag"],
            ["Match", o.match],
            ["Rule", `$${field} (^|,)${i}(,|$) ${SHARD_TAG_PREFIX}${i} true`],
            ["Emitter_Name", `tripline_shard_${i}`],
            ["Emitter_Storage.type", "filesystem"],
          ],
        }),
      ),
      ...outputs(o, o.match, "The main stream: every record, tagged by detection, once."),
      ...o.aggregators.map(
        (a, i): Section => ({
          kind: "output",
          comment: i === 0 ? "One forward per aggregator; acknowledged, retried without limit, buffered on disk." : undefined,
          keys: [
            ["Name", "forward"],
            ["Match", `${SHARD_TAG_PREFIX}${i}`],
            ["Host", a.host],
            ["Port", String(a.port)],
            ["Require_ack_response", "true"],
            ["Retry_Limit", "no_limits"],
          ],
        }),
      ),
    ],
  };
}

function aggregator(o: FleetOptions): Config {
  const n = o.aggregators.length;
  const i = o.index!;
  const me = o.aggregators[i];
  const match = `${SHARD_TAG_PREFIX}*`;
  return {
    header:
      `Aggregator ${i} of ${n} (${me.host}:${me.port}). Build the module with --shards ${n}: the\n` +
      `same module as the edges. It reads its shard from the tag ${SHARD_TAG_PREFIX}${i}.`,
    service: [],
    sections: [
      {
        kind: "input",
        comment: "Threaded: WAMR's stack check fails inside the forward input's coroutine.",
        keys: [
          ["Name", "forward"],
          ["Listen", me.host],
          ["Port", String(me.port)],
          ["Threaded", "true"],
          ["storage.type", "filesystem"],
        ],
      },
      wasmFilter(o, match),
      alertCopy(o, match),
      ...outputs(o, match, "The edges' copies (the originals went to the edges' main output): null them if unneeded."),
    ],
  };
}

/** The service keys every fleet node needs: the on-disk buffer and a short retry backoff. */
function service(o: FleetOptions): [string, string][] {
  return [
    ["Flush", "1"],
    ["Log_Level", "info"],
    // Fluent Bit 5.1's default; 4.1.x's 24 KiB overflows on deeply nested records.
    ["Coro_Stack_Size", "65536"],
    ...(o.parser ? ([["Parsers_File", o.parsersFile ?? "parsers.conf"]] as [string, string][]) : []),
    ["storage.path", o.storage],
    ["storage.sync", "normal"],
    ["storage.backlog.mem_limit", "64M"],
    // A restarted aggregator gets its backlog within seconds, not minutes.
    ["scheduler.base", "2"],
    ["scheduler.cap", "15"],
  ];
}

function build(o: FleetOptions): Config {
  if (o.role === "aggregator") {
    if (o.index === undefined) throw new UsageError(`--role aggregator needs --index (0 to ${o.aggregators.length - 1}): which of the --shards this node is`);
    if (o.index >= o.aggregators.length) throw new UsageError(`--index ${o.index} is past the ${o.aggregators.length} aggregators of --shards`);
  }
  const c = o.role === "edge" ? edge(o) : aggregator(o);
  c.service = service(o);
  return c;
}

const PREAMBLE =
  "Generated by 'tripline config --role'. Fluent Bit >= 4.1.2. wasm_path is resolved\n" +
  "against Fluent Bit's working directory. storage.path must be one per process.";

const comment = (text: string, indent: string) => text.split("\n").map((l) => `${indent}# ${l}\n`).join("");

export function fleetClassic(o: FleetOptions): string {
  const c = build(o);
  const width = Math.max(...[...c.service, ...c.sections.flatMap((s) => s.keys)].map(([k]) => k.length)) + 1;
  const keys = (list: [string, string][]) => list.map(([k, v]) => `    ${k.padEnd(width)}${v}\n`).join("");
  let out = comment(`${PREAMBLE}\n${c.header}`, "") + "\n[SERVICE]\n" + keys(c.service);
  for (const s of c.sections) out += `\n${s.comment ? comment(s.comment, "") : ""}[${s.kind.toUpperCase()}]\n${keys(s.keys)}`;
  return out;
}

export function fleetYaml(o: FleetOptions): string {
  const c = build(o);
  const value = (v: string) => (/^[A-Za-z0-9_./-]+$/.test(v) && !/^(true|false|null|yes|no|on|off)$/i.test(v) && !/^[0-9]/.test(v) ? v : `'${v.replace(/'/g, "''")}'`);
  let out = comment(`${PREAMBLE}\n${c.header}`, "") + "service:\n";
  for (const [k, v] of c.service) out += `  ${k.toLowerCase()}: ${value(v)}\n`;
  out += "\npipeline:\n";
  for (const kind of ["input", "filter", "output"] as const) {
    out += `  ${kind}s:\n`;
    for (const s of c.sections.filter((x) => x.kind === kind)) {
      if (s.comment) out += comment(s.comment, "    ");
      s.keys.forEach(([k, v], j) => (out += `${j === 0 ? "    - " : "      "}${k.toLowerCase()}: ${value(v)}\n`));
    }
  }
  return out;
}

/** The fleet options of `tripline config` (the hook in commands/config.ts). */
export function fleetConfig(p: Parsed, format: "classic" | "yaml", base: ConfigOptions): string {
  const role = str(p, "role");
  const shards = str(p, "shards");
  if (role === undefined) throw new UsageError("--shards goes with --role edge or --role aggregator");
  if (shards === undefined) throw new UsageError("--role needs --shards host:port,... (the aggregators, in the same order on every node)");
  if (role !== "edge" && role !== "aggregator") throw new UsageError(`--role is edge or aggregator, not '${role}'`);
  const index = str(p, "index");
  if (index !== undefined && !/^\d{1,3}$/.test(index)) throw new UsageError(`--index needs a whole number (0 for the first of --shards), got '${index}'`);
  if (role === "edge" && index !== undefined) throw new UsageError("--index goes with --role aggregator");
  const o: FleetOptions = {
    ...base,
    role,
    aggregators: parseAggregators(shards),
    index: index === undefined ? undefined : Number(index),
    storage: str(p, "storage") ?? "/var/lib/fluent-bit/tripline",
  };
  return format === "yaml" ? fleetYaml(o) : fleetClassic(o);
}
