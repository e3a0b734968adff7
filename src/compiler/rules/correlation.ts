// The `correlation:` block of a Sigma correlation rule (spec v2), plus the
// tripline extensions cooldown / spike / anomaly.

import { RuleError, type CorrelationRule, type CorrelationType, type NumberOp, type SourcePos } from "../ir.js";
import { CORRELATION_TYPES as SCHEMA_TYPES } from "../schema.js";
import { resolveField, type FieldMap } from "../fields/map.js";
import { badChoice } from "../yaml/choice.js";
import { parseDuration } from "./duration.js";
import type { Header } from "./header.js";
import type { Problems } from "../yaml/problems.js";
import { asBool, asMap, asNumber, asString, asStringList, checkKeys, entry } from "../yaml/shape.js";
import { didYouMean } from "../yaml/suggest.js";
import type { YMap, YNode, YScalar } from "../yaml/yaml-positions.js";

export const CORRELATION_TYPES: CorrelationType[] = [...SCHEMA_TYPES];
const CORRELATION_KEYS = ["type", "rules", "group-by", "timespan", "condition", "generate", "cooldown", "spike", "anomaly", "percentile"];
const CONDITION_OPS: (NumberOp | "eq")[] = ["gt", "gte", "lt", "lte", "eq"];

// Defaults of the extensions (documented in load.ts).
const SPIKE_DEFAULTS = { baseline: 10, factor: 3, minCount: 20 };
const ANOMALY_DEFAULTS = { zscore: 3, minSamples: 30 };
const PERCENTILE_DEFAULTS = { quantile: 95, baseline: 10, minCount: 20 };
/** The field whose values threshold alerts list as `addresses`. */
const ADDRESS_FIELD = "c-ip";

/** What a name in `rules:` refers to. */
export interface RuleRef {
  kind: "rule" | "correlation";
  /** Index into RuleSet.rules (detection rules only). */
  index: number;
  /** The detection rule accepts any record key (json logsource). */
  anyKey: boolean;
}

export interface CorrelationContext {
  fieldMap: FieldMap;
  problems: Problems;
  lookup(name: string): RuleRef | undefined;
  /** Every id and name, for "did you mean". */
  knownNames(): Iterable<string>;
}

export function buildCorrelation(
  node: YNode,
  header: Header,
  pos: SourcePos,
  ctx: CorrelationContext,
): CorrelationRule | undefined {
  const { problems } = ctx;
  const before = problems.count;
  const map = asMap(node, "correlation", problems);
  if (map === undefined) return undefined;
  const aliases = entry(map, "aliases");
  if (aliases !== undefined) problems.add(aliases.keyNode.pos, "correlation 'aliases' are not supported by tripline");
  checkKeys({ ...map, entries: map.entries.filter((e) => e.key !== "aliases") }, CORRELATION_KEYS, "correlation", problems);

  const missing = (key: string) => problems.add(map.pos, `missing required key '${key}' in correlation`);
  const get = (key: string) => entry(map, key)?.value;

  // type
  let type: CorrelationType | undefined;
  const typeNode = get("type");
  if (typeNode === undefined) missing("type");
  else {
    const s = asString(typeNode, "correlation type", problems);
    if (s !== undefined && (CORRELATION_TYPES as string[]).includes(s)) type = s as CorrelationType;
    else if (s !== undefined) problems.add(typeNode.pos, badChoice("correlation type", s, CORRELATION_TYPES));
  }

  // rules
  const rulesNode = get("rules");
  const rules: number[] = [];
  let anyKey = false;
  if (rulesNode === undefined) missing("rules");
  else {
    const refs = asStringList(rulesNode, "correlation rules", problems, true);
    if (refs !== undefined && refs.length === 0) problems.add(rulesNode.pos, "correlation rules must not be an empty list");
    for (const ref of refs ?? []) {
      const r = ctx.lookup(ref.value);
      if (r === undefined) problems.add(ref.node.pos, `unknown rule '${ref.value}'${didYouMean(ref.value, ctx.knownNames())}`);
      else if (r.kind === "correlation") {
        problems.add(ref.node.pos, `'${ref.value}' is a correlation rule; a correlation cannot use another correlation`);
      } else if (rules.includes(r.index)) problems.add(ref.node.pos, `rule '${ref.value}' is listed twice`);
      else {
        rules.push(r.index);
        anyKey ||= r.anyKey;
      }
    }
    if ((type === "temporal" || type === "temporal_ordered") && refs !== undefined && refs.length < 2) {
      problems.add(rulesNode.pos, `correlation type ${type} needs at least two rules`);
    }
  }

  const field = (name: string, at: YScalar): string[] | undefined => {
    try {
      return resolveField(ctx.fieldMap, name, at.pos, anyKey);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      problems.errors.push(e);
      return undefined;
    }
  };

  // group-by: optional; without it one key covers the whole stream (a global threshold).
  const groupBy: string[][] = [];
  const groupByNames: string[] = [];
  const groupByPos: SourcePos[] = [];
  const groupNode = get("group-by");
  if (groupNode !== undefined) {
    for (const g of asStringList(groupNode, "group-by", problems, true) ?? []) {
      const keys = field(g.value, g.node);
      if (keys !== undefined) {
        groupBy.push(keys);
        groupByNames.push(g.value);
        groupByPos.push(g.node.pos);
      }
    }
  }

  // timespan (Sigma requires it for every type), cooldown
  const timespanNode = get("timespan");
  let timespanSec: number | undefined;
  if (timespanNode === undefined) missing("timespan");
  else timespanSec = parseDuration(timespanNode, "timespan", problems);
  const cooldownNode = get("cooldown");
  const cooldownSec = cooldownNode === undefined ? timespanSec : parseDuration(cooldownNode, "cooldown", problems, true);

  const generateNode = get("generate");
  const generate = generateNode === undefined ? false : asBool(generateNode, "generate", problems);

  // condition
  const condNode = entry(map, "condition");
  let condition: CorrelationRule["condition"] | undefined;
  if (type === "spike" || type === "anomaly" || type === "percentile") {
    if (condNode !== undefined) problems.add(condNode.keyNode.pos, `correlation type ${type} takes no condition (set its '${type}' block instead)`);
  } else if (condNode !== undefined && type !== undefined) {
    condition = readCondition(condNode.value, type, field, problems);
  } else if (type === "temporal" || type === "temporal_ordered") {
    condition = { op: "gte", value: rules.length }; // every listed rule seen
  } else if (type !== undefined) missing("condition");

  // extensions
  const spikeEntry = entry(map, "spike");
  const anomalyEntry = entry(map, "anomaly");
  const percentileEntry = entry(map, "percentile");
  for (const [e, name] of [[spikeEntry, "spike"], [anomalyEntry, "anomaly"], [percentileEntry, "percentile"]] as const) {
    if (e !== undefined && type !== undefined && type !== name) problems.add(e.keyNode.pos, `'${name}' settings only apply to a correlation of type ${name}`);
  }
  let spike: CorrelationRule["spike"];
  let anomaly: CorrelationRule["anomaly"];
  let percentile: CorrelationRule["percentile"];
  if (type === "spike") {
    spike = readSpike(spikeEntry?.value, timespanSec ?? 0, problems);
    if (spike !== undefined) condition = { op: "gte", value: spike.minCount };
  }
  if (type === "anomaly") {
    if (anomalyEntry === undefined) problems.add(map.pos, "correlation type anomaly needs an 'anomaly' block with a 'field'");
    else anomaly = readAnomaly(anomalyEntry.value, field, problems);
    if (anomaly !== undefined) condition = { op: "gte", value: anomaly.minSamples };
  }
  if (type === "percentile") {
    if (percentileEntry === undefined) problems.add(map.pos, "correlation type percentile needs a 'percentile' block with a 'field' and a 'limit' or 'factor'");
    else percentile = readPercentile(percentileEntry.value, timespanSec ?? 0, field, problems);
    if (percentile !== undefined) condition = { op: "gte", value: percentile.minCount };
  }
  // Where the value field is named (value_count's condition, anomaly, percentile): warnings point there.
  const valueBlock = type === "value_count" ? condNode?.value : type === "anomaly" ? anomalyEntry?.value : type === "percentile" ? percentileEntry?.value : undefined;
  const valueFieldPos = valueBlock?.t === "map" ? entry(valueBlock, "field")?.value.pos : undefined;
  // Threshold alerts list the client addresses involved, where records have one.
  let addressField: string[] | undefined;
  if (type === "event_count") {
    try {
      addressField = resolveField(ctx.fieldMap, ADDRESS_FIELD, pos, anyKey);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
    }
  }

  if (problems.count > before) return undefined;
  if (header.id === undefined || header.title === undefined || type === undefined) return undefined;
  if (timespanSec === undefined || cooldownSec === undefined || condition === undefined || generate === undefined) return undefined;
  return {
    id: header.id,
    ...(header.name !== undefined ? { name: header.name } : {}),
    title: header.title,
    level: header.level,
    tags: header.tags,
    ...(header.description !== undefined ? { description: header.description } : {}),
    type,
    rules,
    groupBy,
    groupByNames,
    groupByPos,
    timespanSec,
    condition,
    cooldownSec,
    ...(spike !== undefined ? { spike } : {}),
    ...(anomaly !== undefined ? { anomaly } : {}),
    ...(percentile !== undefined ? { percentile } : {}),
    ...(valueFieldPos !== undefined ? { valueFieldPos } : {}),
    ...(addressField !== undefined ? { addressField } : {}),
    generate,
    ...(header.scope.includes("local") ? { local: true } : {}),
    pos,
  };
}

/** `{ gte: 10 }`, plus `field: x` for value_count. */
function readCondition(
  node: YNode,
  type: CorrelationType,
  field: (name: string, at: YScalar) => string[] | undefined,
  problems: Problems,
): CorrelationRule["condition"] | undefined {
  const map = asMap(node, "correlation condition", problems);
  if (map === undefined) return undefined;
  checkKeys(map, [...CONDITION_OPS, "field"], "correlation condition", problems);
  const ops = map.entries.filter((e) => (CONDITION_OPS as string[]).includes(e.key));
  if (ops.length === 0) {
    problems.add(map.pos, "correlation condition needs one of gt, gte, lt, lte or eq");
    return undefined;
  }
  if (ops.length > 1) {
    problems.add(ops[1].keyNode.pos, "correlation condition takes exactly one of gt, gte, lt, lte or eq (ranges are not supported)");
    return undefined;
  }
  const value = asNumber(ops[0].value, `condition '${ops[0].key}'`, problems, { integer: true, min: 0 });
  const out: CorrelationRule["condition"] = { op: ops[0].key as NumberOp | "eq", value: value ?? 0 };
  const f = entry(map, "field");
  if (type === "value_count") {
    if (f === undefined) {
      problems.add(map.pos, "correlation type value_count needs 'field' in its condition");
      return undefined;
    }
    const name = asString(f.value, "condition field", problems);
    const keys = name === undefined ? undefined : field(name, f.value as YScalar);
    if (keys === undefined || name === undefined) return undefined;
    out.field = keys;
    out.fieldName = name;
  } else if (f !== undefined) {
    problems.add(f.keyNode.pos, `'field' in the condition is only used by value_count, not ${type}`);
    return undefined;
  }
  return value === undefined ? undefined : out;
}

/**
 * `spike: {interval, baseline, factor, increase, min_count}`: fires above
 * factor x baseline + increase. With only `increase` the factor is 1 (an
 * additive threshold); with neither, the factor defaults to 3.
 */
function readSpike(node: YNode | undefined, timespanSec: number, problems: Problems): CorrelationRule["spike"] | undefined {
  const out = { intervalSec: timespanSec, baselineIntervals: SPIKE_DEFAULTS.baseline, factor: SPIKE_DEFAULTS.factor, increase: 0, minCount: SPIKE_DEFAULTS.minCount };
  if (node === undefined) return out;
  const map = asMap(node, "spike", problems);
  if (map === undefined) return undefined;
  const before = problems.count;
  checkKeys(map, ["interval", "baseline", "factor", "increase", "min_count"], "spike", problems);
  let factorGiven = false;
  for (const e of map.entries) {
    if (e.key === "interval") out.intervalSec = parseDuration(e.value, "spike interval", problems) ?? 0;
    else if (e.key === "baseline") out.baselineIntervals = asNumber(e.value, "spike baseline", problems, { integer: true, min: 1, max: 1000 }) ?? 0;
    else if (e.key === "factor") {
      out.factor = asNumber(e.value, "spike factor", problems, { min: 0, minExclusive: true }) ?? 0;
      factorGiven = true;
    } else if (e.key === "increase") out.increase = asNumber(e.value, "spike increase", problems, { min: 0 }) ?? 0;
    else if (e.key === "min_count") out.minCount = asNumber(e.value, "spike min_count", problems, { integer: true, min: 0 }) ?? 0;
  }
  if (!factorGiven && entry(map, "increase") !== undefined) out.factor = 1;
  return problems.count === before ? out : undefined;
}

/**
 * `percentile: {field, quantile, interval, limit, factor, baseline, min_count}`:
 * the quantile (1-99.9, default 95) of `field` per key and interval, above
 * `limit` (in the field's unit) or above `factor` x the key's baseline.
 */
function readPercentile(
  node: YNode,
  timespanSec: number,
  field: (name: string, at: YScalar) => string[] | undefined,
  problems: Problems,
): CorrelationRule["percentile"] | undefined {
  const map = asMap(node, "percentile", problems);
  if (map === undefined) return undefined;
  const before = problems.count;
  checkKeys(map, ["field", "quantile", "interval", "limit", "factor", "baseline", "min_count"], "percentile", problems);
  let keys: string[] | undefined;
  let fieldName: string | undefined;
  const f = entry(map, "field");
  if (f === undefined) problems.add(map.pos, "percentile needs a 'field' (the numeric field, e.g. time-taken)");
  else {
    fieldName = asString(f.value, "percentile field", problems);
    if (fieldName !== undefined) keys = field(fieldName, f.value as YScalar);
  }
  const num = (key: string, opts: Parameters<typeof asNumber>[3]): number | undefined => {
    const e = entry(map, key);
    return e === undefined ? undefined : asNumber(e.value, `percentile ${key}`, problems, opts);
  };
  const quantile = num("quantile", { min: 1, max: 99.9 }) ?? PERCENTILE_DEFAULTS.quantile;
  const intervalEntry = entry(map, "interval");
  const intervalSec = intervalEntry === undefined ? timespanSec : (parseDuration(intervalEntry.value, "percentile interval", problems) ?? 0);
  const limit = num("limit", { min: 0, minExclusive: true }) ?? null;
  const factor = num("factor", { min: 0, minExclusive: true }) ?? null;
  const baselineIntervals = num("baseline", { integer: true, min: 1, max: 1000 }) ?? PERCENTILE_DEFAULTS.baseline;
  const minCount = num("min_count", { integer: true, min: 1 }) ?? PERCENTILE_DEFAULTS.minCount;
  if (limit === null && factor === null && problems.count === before) problems.add(map.pos, "percentile needs a 'limit' (fires above it) or a 'factor' (fires above factor x the baseline), or both");
  if (problems.count > before || keys === undefined || fieldName === undefined) return undefined;
  return { field: keys, fieldName, quantile: quantile / 100, intervalSec, limit, factor, baselineIntervals, minCount };
}

function readAnomaly(
  node: YNode,
  field: (name: string, at: YScalar) => string[] | undefined,
  problems: Problems,
): CorrelationRule["anomaly"] | undefined {
  const map: YMap | undefined = asMap(node, "anomaly", problems);
  if (map === undefined) return undefined;
  const before = problems.count;
  checkKeys(map, ["field", "zscore", "min_samples"], "anomaly", problems);
  let zscore = ANOMALY_DEFAULTS.zscore;
  let minSamples = ANOMALY_DEFAULTS.minSamples;
  let keys: string[] | undefined;
  let fieldName: string | undefined;
  const f = entry(map, "field");
  if (f === undefined) problems.add(map.pos, "anomaly needs a 'field' (the numeric field to watch)");
  else {
    fieldName = asString(f.value, "anomaly field", problems);
    if (fieldName !== undefined) keys = field(fieldName, f.value as YScalar);
  }
  const z = entry(map, "zscore");
  if (z !== undefined) zscore = asNumber(z.value, "anomaly zscore", problems, { min: 0, minExclusive: true }) ?? 0;
  const m = entry(map, "min_samples");
  // At most the 1,000 samples the baseline counts (assembly/correlation/anomaly.ts, WEIGHT_CAP): its count stops there.
  if (m !== undefined) minSamples = asNumber(m.value, "anomaly min_samples", problems, { integer: true, min: 2, max: 1000 }) ?? 0;
  if (problems.count > before || keys === undefined || fieldName === undefined) return undefined;
  return { field: keys, fieldName, zscore, minSamples };
}
