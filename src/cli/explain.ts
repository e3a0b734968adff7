// `tripline explain`'s reading of one record. The module says what it saw
// (its `inspect` export: shape, formats, fields, the predicates that held,
// the rules that matched, the state of the correlations fed) and then what
// it did (the real `filter` call: alerts raised). This file adds what only
// the rule source knows: which predicate is which Sigma test, at which
// file:line:column of which selection, and for a rule that did not match,
// the first part of its condition that failed.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Condition, Predicate, RuleSet, DetectionRule } from "../compiler/ir.js";
import { Tables } from "../compiler/program/predicates.js";
import { compileCondition } from "../compiler/program/condition.js";
import { formatMask, ALL_FORMATS } from "../compiler/program/logsource.js";
import { FORMATS } from "../compiler/schema.js";
import { tagMatches } from "./fluent-bit-config.js";

/** What the module's inspect export returns (assembly/output/inspect.ts). */
export interface Inspected {
  readable: boolean;
  shape?: string;
  formats?: string[];
  time?: string;
  fields?: Record<string, string>;
  url_decoded?: Record<string, string>;
  predicates?: number[];
  rules?: string[];
  correlations?: CorrelationState[];
}

export interface CorrelationState {
  rule: string;
  type: string;
  key?: string;
  missing_key?: boolean;
  new_key?: boolean;
  last_alert?: string;
  events_in_window?: number;
  distinct_values?: number;
  seen?: (string | null)[];
  threshold?: number;
  window?: number;
  cooldown?: number;
  [more: string]: unknown;
}

export interface RuleVerdict {
  id: string;
  title: string;
  level: string;
  matched: boolean;
  /** For a rule that matched but only feeds correlations (generate: false). */
  silentFor?: string[];
  /** For a rule that did not match: why (first failing part), when any of its tests held or it was asked about. */
  nearMiss?: string;
}

/** The predicate numbering the encoder uses (src/compiler/program/encode.ts), rebuilt from the same rules. */
export class RuleIndex {
  private readonly tables = new Tables();
  private readonly silent = new Map<string, string[]>();
  private readonly lines = new Map<string, string[]>();
  /** The fields of the record being explained (to show what a failing test saw). */
  private fields: Record<string, string> = {};

  constructor(readonly set: RuleSet) {
    for (const rule of set.rules) compileCondition(rule.condition, this.tables);
    for (const c of set.correlations) {
      if (c.generate) continue;
      for (const r of c.rules) this.silent.set(set.rules[r].id, [...(this.silent.get(set.rules[r].id) ?? []), c.id]);
    }
  }

  private id(pred: Predicate): number {
    return this.tables.predicate(pred);
  }

  /** Whether the condition holds given the predicates that fired (absence is the negation of presence, as in the module). */
  holds(c: Condition, fired: Set<number>): boolean {
    switch (c.k) {
      case "pred":
        return c.pred.kind === "exists" && !c.pred.value ? !fired.has(this.id({ ...c.pred, value: true })) : fired.has(this.id(c.pred));
      case "const":
        return c.value;
      case "not":
        return !this.holds(c.arg, fired);
      case "and":
        return c.args.every((a) => this.holds(a, fired));
      case "or":
        return c.args.some((a) => this.holds(a, fired));
    }
  }

  /** How many of the condition's positive tests held: a measure of how close a rule came. */
  private progress(c: Condition, fired: Set<number>): number {
    switch (c.k) {
      case "pred":
        return c.pred.kind === "exists" && !c.pred.value ? 0 : fired.has(this.id(c.pred)) ? 1 : 0;
      case "const":
        return 0;
      case "not":
        return 0;
      default:
        return c.args.reduce((n, a) => n + this.progress(a, fired), 0);
    }
  }

  /** The first part of a false condition that fails: the first false operand of an `and`, the closest operand of an `or`. */
  private firstFailing(c: Condition, fired: Set<number>): string {
    switch (c.k) {
      case "pred": {
        const field = c.pred.fields.find((f) => f in this.fields);
        const saw = field === undefined ? `the record has no ${c.pred.fields.join(" or ")}` : `${field} is ${JSON.stringify(this.fields[field])}`;
        return `${this.describe(c.pred)} did not hold: ${saw}`;
      }
      case "const":
        return "the condition is always false";
      case "not":
        return `not (${this.held(c.arg, fired)}) failed: that part held`;
      case "and":
        return this.firstFailing(c.args.find((a) => !this.holds(a, fired))!, fired);
      case "or": {
        const closest = c.args.reduce((best, a) => (this.progress(a, fired) > this.progress(best, fired) ? a : best), c.args[0]);
        return c.args.length > 1 ? `none of ${c.args.length} alternatives held; the closest: ${this.firstFailing(closest, fired)}` : this.firstFailing(closest, fired);
      }
    }
  }

  /** A test that held inside a condition that held (for `not`). */
  private held(c: Condition, fired: Set<number>): string {
    if (c.k === "pred") return this.describe(c.pred);
    if (c.k === "and" || c.k === "or") {
      const part = c.args.find((a) => this.holds(a, fired));
      return part ? this.held(part, fired) : "it";
    }
    return "it";
  }

  /** `selection: path|contains '..' (rules/x.yml:12:9)`; without the position when `short`. */
  describe(p: Predicate, short = false): string {
    const field = p.fields[0] ?? "?";
    const what =
      p.kind === "string" ? `${field}|${p.op}${p.cased ? "|cased" : ""} ${JSON.stringify(p.value)}` : p.kind === "number" ? `${field}|${p.op} ${p.value}` : p.kind === "cidr" ? `${field}|cidr ${p.value}` : `${field}|exists ${p.value}`;
    const selection = this.selectionAt(p.pos.file, p.pos.line);
    return `${selection ? `${selection}: ` : ""}${what}${short ? "" : ` (${path.relative(process.cwd(), p.pos.file) || p.pos.file}:${p.pos.line}:${p.pos.col})`}`;
  }

  /** The rule's positive tests that held, described briefly. */
  private heldTests(c: Condition, fired: Set<number>, out: string[] = []): string[] {
    if (c.k === "pred" && !(c.pred.kind === "exists" && !c.pred.value) && fired.has(this.id(c.pred))) out.push(this.describe(c.pred, true));
    else if (c.k === "and" || c.k === "or") for (const a of c.args) this.heldTests(a, fired, out);
    return out;
  }

  /** The Sigma selection (key under `detection:`) a source line belongs to, or null. */
  private selectionAt(file: string, line: number): string | null {
    let lines = this.lines.get(file);
    if (!lines) {
      try {
        lines = readFileSync(file, "utf8").split("\n");
      } catch {
        lines = [];
      }
      this.lines.set(file, lines);
    }
    let indent = Infinity;
    let name: string | null = null;
    for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
      const m = /^(\s*)(?:- )?([A-Za-z0-9_.|-]+):/.exec(lines[i]);
      if (!m || m[1].length >= indent) continue;
      if (m[2] === "detection") return name;
      if (m[1].length === 0) return null;
      indent = m[1].length;
      name = m[2];
    }
    return null;
  }

  /** Every predicate that held, described. */
  predicates(fired: number[]): string[] {
    const items = this.tables.predicates.items;
    return fired.map((id) => (items[id] ? this.describe(items[id].pred) : `predicate #${id}`));
  }

  /** Each rule: matched (per the module) or not, and why not when some of its tests held. */
  verdicts(inspected: Inspected, tag: string, focus: string[] = []): RuleVerdict[] {
    const fired = new Set(inspected.predicates ?? []);
    this.fields = inspected.fields ?? {};
    const matched = new Set(inspected.rules ?? []);
    return this.set.rules.map((rule) => {
      const v: RuleVerdict = { id: rule.id, title: rule.title, level: rule.level, matched: matched.has(rule.id) };
      if (v.matched) {
        if (this.silent.has(rule.id)) v.silentFor = this.silent.get(rule.id);
        return v;
      }
      if (this.progress(rule.condition, fired) === 0 && !this.holds(rule.condition, fired) && !focus.includes(rule.id)) return v;
      if (this.holds(rule.condition, fired)) v.nearMiss = logsourceMiss(rule, inspected.formats ?? [], tag);
      else {
        const held = [...new Set(this.heldTests(rule.condition, fired))];
        v.nearMiss = `${this.firstFailing(rule.condition, fired)}${held.length > 0 ? ` [held: ${held.slice(0, 3).join("; ")}${held.length > 3 ? "; ..." : ""}]` : ""}`;
      }
      return v;
    });
  }
}

/** Why a rule whose condition held did not match: its logsource rules the record out. */
function logsourceMiss(rule: DetectionRule, formats: string[], tag: string): string {
  const mask = formatMask(rule.logsource.formats);
  const bits = formats.reduce((m, f) => m | (1 << (FORMATS as readonly string[]).indexOf(f)), 0);
  if (mask !== ALL_FORMATS && (mask & bits) === 0) return `its condition held, but its logsource wants ${rule.logsource.formats.join(" or ")} records and this one is ${formats.join(", ") || "of no known format"}`;
  if (rule.logsource.tags.length > 0 && !rule.logsource.tags.some((g) => tagMatches(g, tag))) return `its condition held, but its logsource wants tags ${rule.logsource.tags.join(", ")} and the record's tag is ${tag}`;
  return "its condition held, but the module did not select it (please report this)";
}

/** One correlation's state for the record's key, in words. */
export function correlationLine(c: CorrelationState, alerted: Record<string, unknown> | undefined): string {
  const key = c.missing_key ? "no group-by value in this record: not counted" : `key=${c.key === "" ? "(all records)" : c.key}`;
  const parts: string[] = [];
  if (c.missing_key) return `${c.rule} (${c.type}): ${key}`;
  if (c.type === "event_count") parts.push(`${c.new_key ? 0 : (c.events_in_window ?? 0)} event(s) in the last ${c.window}s before this one, threshold ${c.threshold}`);
  else if (c.type === "value_count") parts.push(`${c.new_key ? 0 : (c.distinct_values ?? 0)} distinct value(s) before this one, threshold ${c.threshold} within ${c.window}s`);
  else if (c.type === "temporal" || c.type === "temporal_ordered") parts.push(`rules seen for this key: ${c.new_key ? "none yet" : (c.seen ?? []).map((t) => t ?? "-").join(", ")} (within ${c.window}s)`);
  else {
    const state = Object.entries(c)
      .filter(([k]) => !["rule", "type", "key", "new_key", "last_alert", "cooldown"].includes(k))
      .map(([k, v]) => `${k} ${typeof v === "number" ? Math.round(v * 100) / 100 : v}`);
    parts.push(c.new_key ? "no history for this key yet" : state.join(", "));
  }
  if (c.last_alert) parts.push(`last alert ${c.last_alert} (cooldown ${c.cooldown}s)`);
  const outcome = alerted ? `ALERT: ${alerted.status === "recovered" ? "recovered" : "fired"}${alerted.count !== undefined ? ` (count ${alerted.count}/${alerted.threshold})` : alerted.observed !== undefined ? ` (observed ${alerted.observed})` : ""}` : "no alert from this record";
  return `${c.rule} (${c.type}): ${key}; ${parts.join("; ")} -> ${outcome}`;
}
