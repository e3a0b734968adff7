// Encodes a validated rule set as the program the module runs. Layout
// (little-endian; "span" = u32 length + bytes + padding to 4; "list" = u32
// count + u32 values):
//   header: u32 magic "TRPL", u32 version, u32 total length, u32 checksum of
//     everything after the header (FNV-1a over little-endian u32 words)
//   then the sections of schema.PROGRAM_SECTIONS, each u32 id, u32 length:
//   options      span namespace, u32 MAX_ROUTES + span route field names,
//                f64 statistics interval ms (0: off), f64 lateness ms,
//                u64 hash seed, u32 flags (1: read raw lines), u32 shards
//                (0: no fleet), span shard field name
//   keys         u32 n + span keys (schema.FIXED_KEYS first), list owned keys
//   slots        u32 n, per slot a list of candidate keys
//   tests        u32 predicates, u32 tested slots, per slot: u32 slot,
//                u32 formats, list exists predicates, u32 n + automata
//                (automata.ts), u32 n + (u32 op, f64 value, u32 predicate),
//                u32 n + (u32 predicate, u32 prefix, 16 bytes network)
//   tags         u32 n + span JSON strings
//   rules        u32 n, per rule: span id, span title (JSON strings), u32 level,
//                u32 action, u32 flags (1 silent, 2 always evaluate, 4 any
//                trigger), u32 formats, list tags, u32 n + span globs,
//                u32 code length + code (padded), u32 n + (u32 slot, u32 kind)
//   triggers     u32 predicates, per predicate a list of rules it wakes
//   correlations see correlations.ts
// The module reads it in assembly/program/load.ts and checks all of it.
import { createHash } from "node:crypto";
import { LITTLE_ENDIAN } from "../match/bytes.js";
import { RuleError, RuleErrors, type Predicate, type RuleSet } from "../ir.js";
import { ByteWriter } from "./writer.js";
import { Tables } from "./predicates.js";
import { compileCondition, MAX_STACK, type CompiledCondition } from "./condition.js";
import { buildAutomata, writeAutomaton, type SlotAutomaton } from "./automata.js";
import { formatMask, unionMask, ALL_FORMATS } from "./logsource.js";
import { parseCidr } from "./cidr.js";
import { writeCorrelations, silentRules, countThreshold, worstCaseBytes, STATE_BUDGET_BYTES } from "./correlations.js";
import { MAGIC, VERSION, ACTIONS, LEVELS, NUMBER_OPS, REDACT_KINDS, PROGRAM_SECTIONS, MAX_ROUTES, MAX_SHARDS } from "../schema.js";

export { MAGIC, VERSION };

export interface EncodeOptions {
  /** Key of the object added to matching records. */
  namespace?: string;
  /** Top-level string key rewrite_tag routes alerts on (further alerts: `<key>_2` ...). */
  alertField?: string;
  /** State budget per automaton. */
  maxStates?: number;
  /** Group keys kept per correlation (least recently used evicted beyond). */
  maxKeys?: number;
  /** Seconds an event may lag the newest one and still be correlated. */
  latenessSec?: number;
  /** Hash seed for group keys and value_count's distinct values (a u64); derived from the program when absent, so builds repeat. */
  seed?: number | bigint;
  /** Seconds of event time between statistics records; 0 turns them off. */
  statsIntervalSec?: number;
  /** Where new cache entries go: compiled automata, parsed rule files (default: the user's cache; see ../cache.ts). */
  cacheDir?: string;
  /** Aggregators correlation keys are sharded over (0 or absent: no fleet; see assembly/correlation/shard.ts). */
  shards?: number;
}

export const DEFAULT_STATS_INTERVAL_SEC = 300;
export const DEFAULT_MAX_KEYS = 10000;
/** Each key costs index and entry memory; beyond this a module would not fit in 4 GiB. */
export const MAX_KEYS = 4_000_000;
export const DEFAULT_LATENESS_SEC = 60;
/** Correlations that remember each rule (temporal) track at most this many. */
export const MAX_TEMPORAL_RULES = 64;

export interface FieldAutomata {
  field: string;
  automata: number;
  states: number;
}

export interface Program {
  bytes: Uint8Array;
  stats: { rules: number; correlations: number; predicates: number; automata: number; states: number; slots: number; fields: FieldAutomata[] };
}

const SAFE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** The route field names: `<alert>`, `<alert>_2`, ... */
export function routeFields(alertField: string): string[] {
  return Array.from({ length: MAX_ROUTES }, (_, k) => (k === 0 ? alertField : `${alertField}_${k + 1}`));
}

function section(name: (typeof PROGRAM_SECTIONS)[number]): number {
  return PROGRAM_SECTIONS.indexOf(name);
}

/**
 * FNV-1a, 32 bits, over little-endian u32 words (then any last 1-3 bytes):
 * a quarter of the steps of the byte-wise hash, which the module pays under
 * WAMR's interpreter at every start. Each step is a bijection of the running
 * hash, so any one damaged word always changes the result.
 */
export function checksum(bytes: Uint8Array): number {
  const words = bytes.length >>> 2;
  // A word view where the bytes are aligned (the program always is: a
  // DataView read per word costs a build about 10 ms more on 4 MB).
  const aligned = (bytes.byteOffset & 3) === 0 && LITTLE_ENDIAN;
  const view = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, words) : null;
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let h = 2166136261;
  if (view) for (let i = 0; i < words; i++) h = Math.imul(h ^ view[i], 16777619);
  else for (let i = 0; i < words; i++) h = Math.imul(h ^ data.getUint32(i << 2, true), 16777619);
  for (let i = words << 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

/** A 64-bit seed derived from the program: the first 8 bytes of its SHA-256 (native, so a 4 MB program costs a build about 2 ms, not 20). */
function seedOf(bytes: Uint8Array): bigint {
  return createHash("sha256").update(bytes).digest().readBigUInt64LE(0);
}

export function encodeProgram(set: RuleSet, options: EncodeOptions = {}): Program {
  const namespace = options.namespace ?? "tripline";
  const alertField = options.alertField ?? `${namespace}_alert`;
  for (const key of [namespace, alertField]) {
    if (!SAFE_KEY.test(key)) throw new RangeError(`'${key}' is not usable as a record key: use 1-64 of A-Z a-z 0-9 _ . -`);
  }
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_KEYS) {
    throw new RangeError(`the key cap must be a whole number from 1 to ${MAX_KEYS}, got ${maxKeys}`);
  }
  const statsInterval = options.statsIntervalSec ?? DEFAULT_STATS_INTERVAL_SEC;
  const latenessSec = options.latenessSec ?? DEFAULT_LATENESS_SEC;
  const shards = options.shards ?? 0;
  if (!Number.isInteger(shards) || shards < 0 || shards > MAX_SHARDS) {
    throw new RangeError(`the number of shards must be a whole number from 1 to ${MAX_SHARDS}, got ${shards}`);
  }
  const shardField = `${namespace}_shards`;
  const routes = routeFields(alertField);
  const tables = new Tables();
  const owned = [namespace, ...routes, shardField].map((k) => tables.key(k));
  const errors: RuleError[] = [];
  const attempt = (f: () => void) => {
    try {
      f();
    } catch (err) {
      if (err instanceof RuleError) errors.push(err);
      else if (err instanceof RuleErrors) errors.push(...err.errors);
      else throw err;
    }
  };

  const masks = set.rules.map((rule) => formatMask(rule.logsource.formats));
  const compiled: CompiledCondition[] = set.rules.map((rule) => {
    const c = compileCondition(rule.condition, tables);
    if (c.maxDepth > MAX_STACK) errors.push(new RuleError(rule.pos, `condition of rule '${rule.id}' is nested too deeply (${c.maxDepth} > ${MAX_STACK}, the module's condition stack)`));
    return c;
  });
  const redactSlots = set.rules.map((rule) => rule.redact.map((r) => tables.slot(r.fields)));
  const correlationSlots = set.correlations.map((c) => ({
    groupBy: c.groupBy.map((fields) => tables.slot(fields)),
    value: c.condition.field ? tables.slot(c.condition.field) : c.anomaly ? tables.slot(c.anomaly.field) : c.percentile ? tables.slot(c.percentile.field) : -1,
    address: c.addressField ? tables.slot(c.addressField) : -1,
  }));

  const predicates = tables.predicates.items;
  // A predicate's formats: those of the rules that read it.
  const predicateMasks = predicates.map(() => 0);
  compiled.forEach((c, r) => {
    for (const p of c.reads) predicateMasks[p] = unionMask(predicateMasks[p], masks[r]);
  });
  let automata: SlotAutomaton[] = [];
  attempt(() => {
    automata = buildAutomata(predicates, tables.slots.items.map((keys) => keys.map((k) => tables.keys.items[k])), options.maxStates ?? 50000, undefined, options.cacheDir);
  });
  for (const c of set.correlations) {
    if (c.type === "event_count" || c.type === "value_count") attempt(() => countThreshold(c));
    if ((c.type === "temporal" || c.type === "temporal_ordered") && c.rules.length > MAX_TEMPORAL_RULES) {
      errors.push(new RuleError(c.pos, `correlation '${c.id}' lists ${c.rules.length} rules; a ${c.type} correlation tracks at most ${MAX_TEMPORAL_RULES}`));
    }
  }
  if (errors.length === 0 && set.correlations.length > 0) {
    // Every correlation may fill its cap: the sum must fit the module's memory.
    const total = set.correlations.reduce((n, c) => n + worstCaseBytes(c, maxKeys), 0);
    if (total > STATE_BUDGET_BYTES) {
      const gib = (b: number) => (b / 1024 ** 3).toFixed(1);
      errors.push(
        new RuleError(set.correlations[0].pos, `at ${maxKeys} keys per correlation the ${set.correlations.length} correlations could hold ${gib(total)} GiB of state, over the ${gib(STATE_BUDGET_BYTES)} GiB a module can safely use: lower --max-keys or the thresholds`),
      );
    }
  }
  const cidrNetworks = new Map<number, { prefix: number; network: Uint8Array }>();
  predicates.forEach((p, id) => {
    if (p.pred.kind !== "cidr") return;
    const net = parseCidr(p.pred.value);
    if (!net) errors.push(new RuleError(p.pred.pos, `invalid CIDR '${p.pred.value}'`));
    else cidrNetworks.set(id, net);
  });
  if (errors.length > 0) throw new RuleErrors(errors);

  const tagIndex = new Map<string, number>();
  for (const rule of set.rules) for (const tag of rule.tags) if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);
  for (const c of set.correlations) for (const tag of c.tags) if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);

  // Room for the automata (most of the program: targets, two offsets per state) up front: no copying as it grows.
  const w = new ByteWriter(automata.reduce((n, a) => n + a.dfa.next.byteLength + 8 * a.dfa.stateCount + 1024, 1 << 16));
  w.u32(MAGIC);
  w.u32(VERSION);
  w.u32(0); // total length, patched
  w.u32(0); // checksum, patched
  let seedAt = 0;
  w.section(section("options"), () => {
    w.span(namespace);
    w.u32(routes.length);
    for (const r of routes) w.span(r);
    w.f64(statsInterval * 1000);
    w.f64(latenessSec * 1000);
    seedAt = w.length;
    w.u64(0n); // seed, patched
    w.u32(set.rules.length > 0 || statsInterval > 0 ? 1 : 0);
    w.u32(shards);
    w.span(shardField);
  });
  w.section(section("keys"), () => {
    w.u32(tables.keys.items.length);
    for (const key of tables.keys.items) w.span(key);
    w.list(owned);
  });
  w.section(section("slots"), () => {
    w.u32(tables.slots.items.length);
    for (const keys of tables.slots.items) w.list(keys);
  });
  const fieldStats = writeTests(w, tables, automata, predicateMasks, cidrNetworks);
  w.section(section("tags"), () => {
    w.u32(tagIndex.size);
    for (const tag of tagIndex.keys()) w.span(JSON.stringify(tag));
  });
  const silent = silentRules(set);
  w.section(section("rules"), () => {
    w.u32(set.rules.length);
    set.rules.forEach((rule, r) => {
      const c = compiled[r];
      w.span(JSON.stringify(rule.id));
      w.span(JSON.stringify(rule.title));
      w.u32(LEVELS.indexOf(rule.level));
      w.u32(ACTIONS.indexOf(rule.action));
      w.u32((silent[r] ? 1 : 0) | (c.alwaysEvaluate ? 2 : 0) | (c.anyTrigger ? 4 : 0));
      w.u32(masks[r]);
      w.list([...new Set(rule.tags)].map((t) => tagIndex.get(t)!));
      w.u32(rule.logsource.tags.length);
      for (const g of rule.logsource.tags) w.span(g);
      w.u32(c.code.length);
      w.bytes(Uint8Array.from(c.code));
      w.align4();
      w.u32(rule.redact.length);
      rule.redact.forEach((red, k) => {
        w.u32(redactSlots[r][k]);
        w.u32(REDACT_KINDS.indexOf(red.kind));
      });
    });
  });
  w.section(section("triggers"), () => {
    const wakes: number[][] = predicates.map(() => []);
    compiled.forEach((c, r) => {
      if (c.alwaysEvaluate) return;
      for (const p of c.predicates) wakes[p].push(r);
    });
    w.u32(wakes.length);
    for (const list of wakes) w.list(list);
  });
  w.section(section("correlations"), () => writeCorrelations(w, set, correlationSlots, tagIndex, maxKeys));

  const bytes = w.finish();
  const view = new DataView(bytes.buffer);
  view.setUint32(8, bytes.length, true);
  view.setBigUint64(seedAt, options.seed === undefined ? seedOf(bytes) : BigInt.asUintN(64, BigInt(options.seed)), true);
  view.setUint32(12, checksum(bytes.subarray(16)), true);
  return {
    bytes,
    stats: {
      rules: set.rules.length,
      correlations: set.correlations.length,
      predicates: predicates.length,
      automata: automata.length,
      states: automata.reduce((n, a) => n + a.dfa.stateCount, 0),
      slots: tables.slots.items.length,
      fields: fieldStats,
    },
  };
}

/** The tests section: every tested slot with its presence tests, automata, numbers and networks. */
function writeTests(
  w: ByteWriter,
  tables: Tables,
  automata: SlotAutomaton[],
  predicateMasks: number[],
  cidrNetworks: Map<number, { prefix: number; network: Uint8Array }>,
): FieldAutomata[] {
  const predicates = tables.predicates.items;
  type Group = { exists: number[]; automata: SlotAutomaton[]; numbers: number[]; cidrs: number[]; mask: number };
  const groups = new Map<number, Group>();
  const group = (slot: number): Group => {
    let g = groups.get(slot);
    if (!g) groups.set(slot, (g = { exists: [], automata: [], numbers: [], cidrs: [], mask: 0 }));
    return g;
  };
  predicates.forEach((p, id) => {
    const g = group(p.slot);
    g.mask = unionMask(g.mask, predicateMasks[id]);
    if (p.pred.kind === "exists") g.exists.push(id);
    else if (p.pred.kind === "number") g.numbers.push(id);
    else if (p.pred.kind === "cidr") g.cidrs.push(id);
  });
  for (const a of automata) group(a.slot).automata.push(a);
  const slots = [...groups.keys()].sort((a, b) => a - b);
  const fields: FieldAutomata[] = [];
  w.section(section("tests"), () => {
    w.u32(predicates.length);
    w.u32(slots.length);
    for (const slot of slots) {
      const g = groups.get(slot)!;
      w.u32(slot);
      w.u32(g.mask === 0 ? ALL_FORMATS : g.mask);
      w.list(g.exists);
      w.u32(g.automata.length);
      for (const a of g.automata) {
        // Indexed loops: this runs once per build over every state, before V8 has optimized anything.
        let mask = 0;
        for (const lists of [a.dfa.emitAnywhere, a.dfa.emitAtEnd]) {
          for (let s = 0; s < lists.length; s++) for (let i = 0; i < lists[s].length; i++) mask = unionMask(mask, predicateMasks[lists[s][i]]);
        }
        writeAutomaton(w, a, mask === 0 ? ALL_FORMATS : mask);
      }
      w.u32(g.numbers.length);
      for (const id of g.numbers) {
        const pred = predicates[id].pred as Extract<Predicate, { kind: "number" }>;
        w.u32(NUMBER_OPS.indexOf(pred.op));
        w.f64(pred.value);
        w.u32(id);
      }
      w.u32(g.cidrs.length);
      for (const id of g.cidrs) {
        const net = cidrNetworks.get(id)!;
        w.u32(id);
        w.u32(net.prefix);
        w.bytes(net.network);
      }
      if (g.automata.length > 0) {
        fields.push({ field: tables.slots.items[slot].map((k) => tables.keys.items[k]).join("|"), automata: g.automata.length, states: g.automata.reduce((n, a) => n + a.dfa.stateCount, 0) });
      }
    }
  });
  return fields;
}

