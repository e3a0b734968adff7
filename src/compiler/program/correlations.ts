// Correlation section of the program, read by assembly/correlation/correlation.ts:
//   u16 count; when count > 0: f64 lateness ms, u32 hash seed, then per correlation
//   span id, span title, span route (JSON strings), u8 level, u8 type,
//   u8 n + u16 tags, u8 n + u16 rules, u8 n + (u16 slot, span JSON name) group-by,
//   i32 value slot, span value name, f64 timespan ms, f64 cooldown ms,
//   f64 threshold, f64 interval ms, u16 baseline, f64 factor, f64 min count,
//   f64 zscore, f64 min samples, u32 key capacity
import { LEVELS, RuleError, type CorrelationRule, type RuleSet } from "../ir.js";
import type { ByteWriter } from "./writer.js";

export interface CorrelationSlots {
  groupBy: number[];
  value: number;
  anomaly: number;
}

export interface CorrelationOptions {
  /** How far behind the newest event time an event may arrive and still count. */
  latenessSec: number;
  /** Group keys kept per correlation before the least recently used is evicted. */
  maxKeys: number;
  /** Hash seed; random per build unless given (tests fix it). */
  seed: number;
}

const TYPES = { event_count: 0, value_count: 1, temporal: 2, temporal_ordered: 3, spike: 4, anomaly: 5 } as const;
/** Events or distinct values one key may need: each costs 8-16 bytes per key. */
export const MAX_THRESHOLD = 1000;

/** Linear memory a wasm32 module can use, less headroom for everything else. */
export const STATE_BUDGET_BYTES = 3 * 1024 ** 3;

/**
 * The most memory one correlation's keys can take at `maxKeys`, mirroring
 * assembly/correlation/store.ts and the payload of each type.
 */
export function worstCaseBytes(c: CorrelationRule, maxKeys: number): number {
  const needed = c.type === "event_count" || c.type === "value_count" ? countThreshold(c) : 0;
  const payload =
    c.type === "event_count" ? 8 + needed * 8
    : c.type === "value_count" ? 8 + needed * 16 + 3 * 40
    : c.type === "temporal" || c.type === "temporal_ordered" ? c.rules.length * 8
    : c.type === "spike" ? 48 + (c.spike?.baselineIntervals ?? 0) * 8
    : 24;
  const entry = Math.ceil((32 + payload) / 8) * 8;
  let index = 16;
  while (index < maxKeys * 2) index *= 2;
  return maxKeys * entry + index * 4;
}

/** A route name rewrite_tag can put in a tag: only A-Z a-z 0-9 . - survive. */
export function routeName(c: CorrelationRule): string {
  return (c.name ?? c.id).replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || "alert";
}

/** The number of events (or distinct values) that trips the correlation. */
export function countThreshold(c: CorrelationRule): number {
  const { op, value } = c.condition;
  if (op !== "gt" && op !== "gte") {
    throw new RuleError(c.pos, `correlation '${c.id}': condition '${op}' is not supported; a streaming filter can only raise an alert when a count is reached (use gt or gte)`);
  }
  const needed = op === "gte" ? Math.ceil(value) : Math.floor(value) + 1;
  if (needed < 1 || needed > MAX_THRESHOLD) {
    throw new RuleError(c.pos, `correlation '${c.id}': the threshold must be between 1 and ${MAX_THRESHOLD} events (got ${needed})`);
  }
  return needed;
}

export function silentRules(set: RuleSet): boolean[] {
  const referenced = set.rules.map(() => false);
  const generated = set.rules.map(() => false);
  for (const c of set.correlations) {
    for (const r of c.rules) {
      referenced[r] = true;
      if (c.generate) generated[r] = true;
    }
  }
  return referenced.map((ref, r) => ref && !generated[r]);
}

export function writeCorrelations(
  w: ByteWriter,
  set: RuleSet,
  slots: CorrelationSlots[],
  tagIndex: Map<string, number>,
  options: CorrelationOptions,
): void {
  w.u16(set.correlations.length);
  if (set.correlations.length === 0) return;
  w.f64(options.latenessSec * 1000);
  w.u32(options.seed);
  set.correlations.forEach((c, k) => {
    const isCount = c.type === "event_count" || c.type === "value_count";
    w.span(JSON.stringify(c.id));
    w.span(JSON.stringify(c.title));
    w.span(JSON.stringify(routeName(c)));
    w.u8(LEVELS.indexOf(c.level));
    w.u8(TYPES[c.type]);
    const tags = [...new Set(c.tags)].slice(0, 255);
    w.u8(tags.length);
    for (const t of tags) w.u16(tagIndex.get(t)!);
    w.u8(c.rules.length);
    for (const r of c.rules) w.u16(r);
    w.u8(slots[k].groupBy.length);
    slots[k].groupBy.forEach((slot, g) => {
      w.u16(slot);
      w.span(JSON.stringify(c.groupByNames[g]));
    });
    const valueSlot = c.type === "anomaly" ? slots[k].anomaly : slots[k].value;
    w.i32(valueSlot);
    w.span(JSON.stringify(c.type === "anomaly" ? c.anomaly!.fieldName : (c.condition.fieldName ?? "")));
    w.f64(c.timespanSec * 1000);
    w.f64(c.cooldownSec * 1000);
    w.f64(isCount ? countThreshold(c) : 0);
    w.f64((c.spike?.intervalSec ?? 0) * 1000);
    w.u16(c.spike?.baselineIntervals ?? 0);
    w.f64(c.spike?.factor ?? 0);
    w.f64(c.spike?.minCount ?? 0);
    w.f64(c.anomaly?.zscore ?? 0);
    w.f64(c.anomaly?.minSamples ?? 0);
    w.u32(options.maxKeys);
  });
}
