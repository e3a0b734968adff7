// The correlations section of the program (read by assembly/program/load.ts):
//   u32 count; per correlation: span id, span title, span route (JSON strings),
//   u32 level, u32 type, u32 n + u32 tags, u32 n + u32 rules,
//   u32 n + (u32 slot, span JSON name) group-by, i32 value slot (-1: none),
//   span value name (JSON), i32 address slot (-1: none), f64 timespan ms,
//   f64 cooldown ms, u32 threshold, spike: u32 baseline, f64 interval ms,
//   f64 factor, f64 increase, f64 min count; anomaly: f64 zscore,
//   f64 min samples; percentile: f64 quantile, f64 interval ms, f64 limit,
//   f64 factor, u32 baseline, f64 min count; u32 key capacity;
//   u32 flags (1: local, `scope: local`).
import { RuleError, type CorrelationRule, type RuleSet } from "../ir.js";
import type { ByteWriter } from "./writer.js";
import { CORRELATION_TYPES, LEVELS, MAX_THRESHOLD, payloadBytes, storeBytes } from "../schema.js";

export interface CorrelationSlots {
  groupBy: number[];
  value: number;
  address: number;
}

/** Linear memory a wasm32 module can use, less headroom for everything else. */
export const STATE_BUDGET_BYTES = 3 * 1024 ** 3;

/** The most memory one correlation's keys can take at `maxKeys` (the layouts of assembly/correlation). */
export function worstCaseBytes(c: CorrelationRule, maxKeys: number): number {
  const threshold = c.type === "event_count" || c.type === "value_count" ? countThreshold(c) : 0;
  const payload = payloadBytes(c.type, { threshold, rules: c.rules.length, baseline: c.spike?.baselineIntervals ?? 0 });
  return storeBytes(payload, maxKeys);
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

export function writeCorrelations(w: ByteWriter, set: RuleSet, slots: CorrelationSlots[], tagIndex: Map<string, number>, maxKeys: number): void {
  w.u32(set.correlations.length);
  set.correlations.forEach((c, k) => {
    const counting = c.type === "event_count" || c.type === "value_count";
    w.span(JSON.stringify(c.id));
    w.span(JSON.stringify(c.title));
    w.span(JSON.stringify(routeName(c)));
    w.u32(LEVELS.indexOf(c.level));
    w.u32(CORRELATION_TYPES.indexOf(c.type));
    w.list([...new Set(c.tags)].map((t) => tagIndex.get(t)!));
    w.list(c.rules);
    w.u32(slots[k].groupBy.length);
    slots[k].groupBy.forEach((slot, g) => {
      w.u32(slot);
      w.span(JSON.stringify(c.groupByNames[g]));
    });
    w.i32(slots[k].value);
    const valueName = c.anomaly?.fieldName ?? c.percentile?.fieldName ?? c.condition.fieldName;
    w.span(valueName === undefined ? "" : JSON.stringify(valueName));
    w.i32(c.type === "event_count" ? slots[k].address : -1);
    w.f64(c.timespanSec * 1000);
    w.f64(c.cooldownSec * 1000);
    w.u32(counting ? countThreshold(c) : 0);
    w.u32(c.spike?.baselineIntervals ?? 0);
    w.f64((c.spike?.intervalSec ?? 0) * 1000);
    w.f64(c.spike?.factor ?? 0);
    w.f64(c.spike?.increase ?? 0);
    w.f64(c.spike?.minCount ?? 0);
    w.f64(c.anomaly?.zscore ?? 0);
    w.f64(c.anomaly?.minSamples ?? 0);
    const p = c.percentile;
    w.f64(p?.quantile ?? 0);
    w.f64((p?.intervalSec ?? 0) * 1000);
    w.f64(p?.limit ?? Infinity);
    w.f64(p?.factor ?? Infinity);
    w.u32(p?.baselineIntervals ?? 0);
    w.f64(p?.minCount ?? 0);
    w.u32(maxKeys);
    w.u32(c.local ? 1 : 0);
  });
}
