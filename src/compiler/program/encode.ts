// Encodes a validated rule set as the program the module embeds. The layout,
// in order (little-endian; "span" = u16 length + bytes):
//   u32 magic "TRPL", u32 version
//   span namespace key, span alert field key, f64 statistics interval ms (0: off)
//   u16 keyCount, span key...; u16 namespace key index + 1, u16 alert key index + 1
//   u16 slotCount, { u8 n, u16 key... }...
//   u16 predicateCount
//   u16 automatonCount, automaton... (see automata.ts), sorted by slot
//   u16 numberCount, { u16 slot, u8 op, f64 value, u16 predicate }... sorted by slot
//   u16 cidrCount, { u16 slot, u16 predicate, u8 prefix, 16 bytes network }... sorted by slot
//   u16 existsCount, { u16 slot, u16 predicate }... sorted by slot
//   u16 tagCount, span JSON string...
//   u16 ruleCount, per rule: span id, span title (JSON strings), u8 level, u8 action,
//     u8 silent, u8 n + u16 tags, u8 n + span tag globs, u8 always-evaluate,
//     u16 code length + code, u8 n + (u16 slot, u8 kind) redactions
//   per predicate: u16 n, u16 rule...
//   correlations (see ../correlation/encode.ts)
// The module reads it in assembly/program/program.ts.
import { LEVELS, RuleError, RuleErrors, type Predicate, type RuleSet } from "../ir.js";
import { ByteWriter } from "./writer.js";
import { Tables } from "./predicates.js";
import { compileCondition, MAX_STACK, type CompiledCondition } from "./condition.js";
import { buildAutomata, writeAutomaton } from "./automata.js";
import { formatCondition } from "./logsource.js";
import { parseCidr } from "./cidr.js";
import { writeCorrelations, silentRules, countThreshold, worstCaseBytes, STATE_BUDGET_BYTES } from "./correlations.js";

export const MAGIC = 0x4c505254;
const RAW_SOURCE_KEYS = ["log", "message", "ident"];
export const VERSION = 1;

export interface EncodeOptions {
  /** Key of the object added to matching records. */
  namespace?: string;
  /** Top-level string key rewrite_tag routes alerts on. */
  alertField?: string;
  /** State budget per field automaton. */
  maxStates?: number;
  /** Group keys kept per correlation (least recently used evicted beyond). */
  maxKeys?: number;
  /** Seconds an event may lag the newest one and still be correlated. */
  latenessSec?: number;
  /** Hash seed for group keys; random per build when absent. */
  seed?: number;
  /** Seconds of event time between statistics records; 0 turns them off. */
  statsIntervalSec?: number;
}

export const DEFAULT_STATS_INTERVAL_SEC = 300;

export const DEFAULT_MAX_KEYS = 10000;
/** Each key costs index and entry memory up front of its chunk; beyond this a module would not fit in 4 GiB. */
export const MAX_KEYS = 4_000_000;
export const DEFAULT_LATENESS_SEC = 60;

export interface Program {
  bytes: Uint8Array;
  stats: { rules: number; correlations: number; predicates: number; automata: number; states: number; slots: number };
}

const NUMBER_OPS = { gt: 0, gte: 1, lt: 2, lte: 3 } as const;
const ACTIONS = { tag: 0, drop: 1, redact: 2 } as const;
const REDACT_KINDS = { card: 0, password: 1, bearer: 2 } as const;
const SAFE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export function encodeProgram(set: RuleSet, options: EncodeOptions = {}): Program {
  const namespace = options.namespace ?? "tripline";
  const alertField = options.alertField ?? `${namespace}_alert`;
  for (const key of [namespace, alertField]) {
    if (!SAFE_KEY.test(key)) throw new Error(`'${key}' is not usable as a record key: use 1-64 of A-Z a-z 0-9 _ . -`);
  }
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_KEYS) {
    throw new RangeError(`the key cap must be a whole number from 1 to ${MAX_KEYS}, got ${maxKeys}`);
  }
  const tables = new Tables();
  tables.keys.id(namespace, namespace);
  tables.keys.id(alertField, alertField);
  // What the module's raw-line reading looks at (assembly/record/raw/line.ts).
  for (const key of RAW_SOURCE_KEYS) tables.keys.id(key, key);
  const statsInterval = options.statsIntervalSec ?? DEFAULT_STATS_INTERVAL_SEC;
  // Statistics count hits per site section, read from the request path.
  if (statsInterval > 0) tables.keys.id("path", "path");
  const errors: RuleError[] = [];

  const compiled: CompiledCondition[] = set.rules.map((rule) => {
    const gate = formatCondition(rule.logsource.formats, rule.pos);
    const cond = gate ? { k: "and" as const, args: [gate, rule.condition] } : rule.condition;
    const c = compileCondition(cond, tables);
    if (c.maxDepth > MAX_STACK) errors.push(new RuleError(rule.pos, `condition of rule '${rule.id}' is nested too deeply (${c.maxDepth} > ${MAX_STACK})`));
    return c;
  });
  const redactSlots = set.rules.map((rule) => rule.redact.map((r) => tables.slot(r.fields)));
  const correlationSlots = set.correlations.map((c) => ({
    groupBy: c.groupBy.map((fields) => tables.slot(fields)),
    value: c.condition.field ? tables.slot(c.condition.field) : -1,
    anomaly: c.anomaly ? tables.slot(c.anomaly.field) : -1,
  }));

  const predicates = tables.predicates.items;
  let automata: ReturnType<typeof buildAutomata> = [];
  try {
    automata = buildAutomata(predicates, tables.slots.items.map((keys) => keys.map((k) => tables.keys.items[k])), options.maxStates ?? 50000);
  } catch (err) {
    if (err instanceof RuleError) errors.push(err);
    else throw err;
  }
  for (const c of set.correlations) {
    try {
      if (c.type === "event_count" || c.type === "value_count") countThreshold(c);
    } catch (err) {
      if (err instanceof RuleError) errors.push(err);
      else throw err;
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
  const cidrs = predicates.map((p, id) => ({ ...p, id })).filter((p) => p.pred.kind === "cidr");
  const cidrNetworks = new Map<number, { prefix: number; network: Uint8Array }>();
  for (const p of cidrs) {
    const pred = p.pred as Extract<Predicate, { kind: "cidr" }>;
    const net = parseCidr(pred.value);
    if (!net) errors.push(new RuleError(pred.pos, `invalid CIDR '${pred.value}'`));
    else cidrNetworks.set(p.id, net);
  }
  if (errors.length > 0) throw new RuleErrors(errors);

  const w = new ByteWriter();
  w.u32(MAGIC);
  w.u32(VERSION);
  w.span(namespace);
  w.span(alertField);
  w.f64(statsInterval * 1000);
  w.u16(tables.keys.items.length);
  for (const key of tables.keys.items) w.span(key);
  w.u16(tables.keys.id(namespace, namespace) + 1);
  w.u16(tables.keys.id(alertField, alertField) + 1);
  w.u16(tables.slots.items.length);
  for (const keys of tables.slots.items) {
    w.u8(keys.length);
    for (const k of keys) w.u16(k);
  }
  w.u16(predicates.length);

  w.u16(automata.length);
  for (const a of automata) writeAutomaton(w, a);

  const bySlot = <T extends { slot: number }>(list: T[]) => list.sort((a, b) => a.slot - b.slot);
  const numbers = bySlot(predicates.map((p, id) => ({ ...p, id })).filter((p) => p.pred.kind === "number"));
  w.u16(numbers.length);
  for (const p of numbers) {
    const pred = p.pred as Extract<Predicate, { kind: "number" }>;
    w.u16(p.slot);
    w.u8(NUMBER_OPS[pred.op]);
    w.f64(pred.value);
    w.u16(p.id);
  }
  bySlot(cidrs);
  w.u16(cidrs.length);
  for (const p of cidrs) {
    const net = cidrNetworks.get(p.id)!;
    w.u16(p.slot);
    w.u16(p.id);
    w.u8(net.prefix);
    w.bytes(net.network);
  }
  // exists:false is compiled by the front end as not(exists:true).
  const exists = bySlot(predicates.map((p, id) => ({ ...p, id })).filter((p) => p.pred.kind === "exists"));
  w.u16(exists.length);
  for (const p of exists) {
    w.u16(p.slot);
    w.u16(p.id);
  }

  const tagIndex = new Map<string, number>();
  for (const rule of set.rules) for (const tag of rule.tags) if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);
  for (const c of set.correlations) for (const tag of c.tags) if (!tagIndex.has(tag)) tagIndex.set(tag, tagIndex.size);
  w.u16(tagIndex.size);
  for (const tag of tagIndex.keys()) w.span(JSON.stringify(tag));

  const silent = silentRules(set);
  w.u16(set.rules.length);
  set.rules.forEach((rule, r) => {
    const c = compiled[r];
    w.span(JSON.stringify(rule.id));
    w.span(JSON.stringify(rule.title));
    w.u8(LEVELS.indexOf(rule.level));
    w.u8(ACTIONS[rule.action]);
    w.u8(silent[r] ? 1 : 0);
    const tags = [...new Set(rule.tags)].slice(0, 255);
    w.u8(tags.length);
    for (const t of tags) w.u16(tagIndex.get(t)!);
    w.u8(rule.logsource.tags.length);
    for (const g of rule.logsource.tags) w.span(g);
    w.u8(c.alwaysEvaluate ? 1 : 0);
    w.u16(c.code.length);
    w.bytes(Uint8Array.from(c.code));
    w.u8(rule.redact.length);
    rule.redact.forEach((red, k) => {
      w.u16(redactSlots[r][k]);
      w.u8(REDACT_KINDS[red.kind]);
    });
  });

  const rulesOf: number[][] = predicates.map(() => []);
  compiled.forEach((c, r) => {
    if (c.alwaysEvaluate) return;
    for (const p of c.predicates) rulesOf[p].push(r);
  });
  for (const list of rulesOf) {
    w.u16(list.length);
    for (const r of list) w.u16(r);
  }
  writeCorrelations(w, set, correlationSlots, tagIndex, {
    latenessSec: options.latenessSec ?? DEFAULT_LATENESS_SEC,
    maxKeys,
    seed: options.seed ?? Math.floor(Math.random() * 0x100000000),
  });

  return {
    bytes: w.finish(),
    stats: {
      rules: set.rules.length,
      correlations: set.correlations.length,
      predicates: predicates.length,
      automata: automata.length,
      states: automata.reduce((n, a) => n + a.dfa.stateCount, 0),
      slots: tables.slots.items.length,
    },
  };
}
