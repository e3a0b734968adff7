// Correlation rules: state per group key over event-time windows. Event time
// is the record timestamp Fluent Bit passes, never the wall clock, so a
// replayed log raises exactly the alerts live traffic would.
//
// Out of order: each correlation keeps a watermark (the newest event time it
// has seen). Events up to `lateness` behind it are placed where they belong;
// older ones are counted as late and left out.
import { Reader, Span, readSpan } from "../program/reader";
import { Store, HEADER } from "./store";
import { Slot, readSlot, valuePtr, valueLen } from "../fields/slot";
import { Scan } from "../record/scan";
import { groupHash, groupPresent, hashValue, mix64 } from "./key";
import { parseNumber } from "../match/number";
import { Alert, AlertKind, nextAlert } from "./alert";
import { eventCountPayload, addEvent, newestEvent } from "./event-count";
import { valueCountPayload, addValue, sampleArea, oldestValue } from "./value-count";
import { temporalPayload, initTemporal, addUnordered, addOrdered } from "./temporal";
import { spikePayload, addToRate, SPIKE_FIRED, SPIKE_RECOVERED, spikeObserved, spikeBaseline, spikeInterval } from "./spike";
import { ANOMALY_PAYLOAD, addSample, anomalyMean, anomalyDeviation } from "./anomaly";

export const enum Type {
  EventCount = 0,
  ValueCount = 1,
  Temporal = 2,
  TemporalOrdered = 3,
  Spike = 4,
  Anomaly = 5,
}

const NEVER: i64 = i64.MIN_VALUE;

export class Correlation {
  id: Span = new Span(0, 0); // JSON string
  title: Span = new Span(0, 0); // JSON string
  route: Span = new Span(0, 0); // JSON string for the rewrite_tag field
  level: u8 = 0;
  type: u8 = 0;
  tags: StaticArray<u16> = new StaticArray<u16>(0);
  rules: StaticArray<u16> = new StaticArray<u16>(0);
  groupSlots: StaticArray<i32> = new StaticArray<i32>(0);
  groupNames: Span[] = []; // JSON strings
  valueSlot: i32 = -1;
  valueName: Span = new Span(0, 0);
  span: i64 = 0; // ms
  cooldown: i64 = 0; // ms
  threshold: f64 = 0; // events / distinct values needed
  interval: i64 = 0; // spike, ms
  baseline: i32 = 0; // spike, intervals
  factor: f64 = 0;
  minCount: f64 = 0;
  zscore: f64 = 0;
  minSamples: f64 = 0;
  seed: u64 = 0;
  store: Store = new Store(1, 0);
  watermark: i64 = NEVER;
  late: i64 = 0;
}

export let lateness: i64 = 60000;

function payloadSize(c: Correlation): i32 {
  if (c.type == Type.EventCount) return eventCountPayload(<i32>c.threshold);
  if (c.type == Type.ValueCount) return valueCountPayload(<i32>c.threshold);
  if (c.type == Type.Temporal || c.type == Type.TemporalOrdered) return temporalPayload(c.rules.length);
  if (c.type == Type.Spike) return spikePayload(c.baseline);
  return ANOMALY_PAYLOAD;
}

function readU16s(r: Reader): StaticArray<u16> {
  const n = <i32>r.u8();
  const list = new StaticArray<u16>(n);
  for (let k = 0; k < n; k++) list[k] = r.u16();
  return list;
}

export function readCorrelations(r: Reader, ruleCount: i32): Correlation[] {
  const list = new Array<Correlation>(0);
  const n = <i32>r.u16();
  if (n == 0) return list;
  lateness = <i64>r.f64();
  const seed = r.u32();
  for (let k = 0; k < n; k++) {
    const c = new Correlation();
    c.id = readSpan(r);
    c.title = readSpan(r);
    c.route = readSpan(r);
    c.level = r.u8();
    c.type = r.u8();
    c.tags = readU16s(r);
    c.rules = readU16s(r);
    const groups = <i32>r.u8();
    c.groupSlots = new StaticArray<i32>(groups);
    for (let g = 0; g < groups; g++) {
      c.groupSlots[g] = r.u16();
      c.groupNames.push(readSpan(r));
    }
    c.valueSlot = r.i32();
    c.valueName = readSpan(r);
    c.span = <i64>r.f64();
    c.cooldown = <i64>r.f64();
    c.threshold = r.f64();
    c.interval = <i64>r.f64();
    c.baseline = r.u16();
    c.factor = r.f64();
    c.minCount = r.f64();
    c.zscore = r.f64();
    c.minSamples = r.f64();
    const capacity = <i32>r.u32();
    c.seed = mix64((<u64>seed << 32) | <u64>k);
    c.store = new Store(capacity, payloadSize(c));
    list.push(c);
  }
  return list;
}

/** Reads a number from the correlation's value slot; NaN when absent or not numeric. */
function numberValue(c: Correlation, slots: Slot[], scan: Scan): f64 {
  if (c.valueSlot < 0 || !readSlot(slots[c.valueSlot], scan)) return NaN;
  return parseNumber(valuePtr, valueLen);
}

/**
 * Feeds one matched rule occurrence (rule `step` of the correlation's list)
 * at event time `t` (ms). Raises at most one alert.
 */
export function observe(c: Correlation, index: i32, step: i32, t: i64, slots: Slot[], scan: Scan): void {
  if (t > c.watermark) c.watermark = t;
  else if (c.watermark - t > lateness) {
    c.late++;
    return;
  }
  const hash = groupHash(c.seed, c.groupSlots, slots, scan);
  if (!groupPresent) return;
  // value_count needs its value before the entry is touched.
  let valueHash: u64 = 0;
  let vptr: usize = 0;
  let vlen = 0;
  let x: f64 = NaN;
  if (c.type == Type.ValueCount) {
    if (!readSlot(slots[c.valueSlot], scan)) return;
    vptr = valuePtr;
    vlen = valueLen;
    valueHash = mix64(hashValue(0xcbf29ce484222325, vptr, vlen));
  } else if (c.type == Type.Anomaly) {
    x = numberValue(c, slots, scan);
    if (isNaN(x)) return;
  }
  const keys = c.store;
  const e = keys.touch(hash);
  const entry = keys.at(e);
  const p = entry + HEADER;
  if (keys.created) {
    store<i64>(entry, t, 24);
    if (c.type == Type.Temporal || c.type == Type.TemporalOrdered) initTemporal(p, c.rules.length);
  }
  const coolingDown = load<i64>(entry, 16) != NEVER && t - load<i64>(entry, 16) < c.cooldown;

  let first: i64 = NEVER;
  let count: f64 = 0;
  let kind = AlertKind.Fired;
  let baseline: f64 = NaN;
  let deviation: f64 = NaN;
  let samples: usize = 0;
  let sampleCount = 0;
  let last = t;
  if (c.type == Type.EventCount) {
    first = addEvent(p, <i32>c.threshold, t, c.span);
    count = c.threshold;
    last = newestEvent;
  } else if (c.type == Type.ValueCount) {
    const distinct = addValue(p, <i32>c.threshold, valueHash, t, c.span, vptr, vlen);
    if (<f64>distinct >= c.threshold) first = oldestValue(p);
    count = <f64>distinct;
    samples = sampleArea(p, <i32>c.threshold);
    sampleCount = load<i32>(p, 4);
  } else if (c.type == Type.Temporal) {
    first = addUnordered(p, c.rules.length, step, t, c.span);
    count = <f64>c.rules.length;
  } else if (c.type == Type.TemporalOrdered) {
    first = addOrdered(p, c.rules.length, step, t, c.span);
    count = <f64>c.rules.length;
  } else if (c.type == Type.Spike) {
    const r = addToRate(p, keys.created, c.baseline, c.interval, c.factor, c.minCount, t);
    if (r == SPIKE_FIRED || r == SPIKE_RECOVERED) {
      // The interval observed: the current one when firing, the one just closed on recovery.
      first = spikeInterval * c.interval;
      count = spikeObserved;
      baseline = spikeBaseline;
      if (r == SPIKE_RECOVERED) kind = AlertKind.Recovered;
    }
  } else {
    if (addSample(p, x, c.minSamples, c.zscore)) {
      first = t;
      count = x;
      baseline = anomalyMean;
      deviation = anomalyDeviation;
    }
  }
  if (first == NEVER) return;
  // A recovery always goes out: it closes a spike that was reported.
  if (kind == AlertKind.Fired) {
    if (coolingDown) return;
    store<i64>(entry, t, 16);
  }
  const a: Alert = nextAlert(index);
  a.kind = kind;
  a.count = count;
  a.baseline = baseline;
  a.deviation = deviation;
  a.first = first;
  a.last = last;
  a.samples = samples;
  a.sampleCount = sampleCount;
}
