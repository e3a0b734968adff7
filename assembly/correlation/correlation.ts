// Stage 6: correlation. State per group key over event-time windows. Event
// time is the record's (see record/record.ts), never the wall clock, so a
// replayed log raises exactly the alerts live traffic would.
//
// One record is one event for each correlation it feeds, however many of
// the correlation's rules it matched (Sigma counts events, not rule hits);
// temporal correlations note every rule it matched.
//
// Out of order: each correlation keeps a watermark (the newest event time
// it has seen). Events up to `lateness` behind it are placed where they
// belong (and counted as out of order); older ones are counted as late and
// left out.
import { CorrelationType, SAMPLES, ADDRESSES } from "../runtime/schema";
import { Span } from "../runtime/span";
import { sortIds } from "../runtime/sort";
import { hashBytes, mix64 } from "../runtime/hash";
import { Record } from "../record/record";
import { Slot, FieldReader } from "../fields/reader";
import { FieldValue } from "../fields/value";
import { parseNumber } from "../match/number";
import { Rule } from "../rules/rule";
import { Matches } from "../rules/select";
import { Store, Entry, NEVER } from "./store";
import { GroupKey, groupKey } from "./key";
import { Outcome, Status } from "./outcome";
import { Alerts } from "./alerts";
import { Shards } from "./shard";
import { keepSample, sampleAt, sampleLength, sampleCut } from "./samples";
import { EventCountState, addEvent, addressArea } from "./event-count";
import { ValueCountState, addValue, sampleArea } from "./value-count";
import { initTemporal, noteSeen, checkAllSeen, addOrdered } from "./temporal";
import { SpikeLine, addToRate } from "./spike";
import { addSample } from "./anomaly";
import { PercentileLine, addValueAt } from "./percentile";

export class Correlation {
  id: Span = new Span(); // JSON string
  title: Span = new Span(); // JSON string
  route: Span = new Span(); // JSON string for the rewrite_tag field
  level: u32 = 0;
  type: u32 = 0;
  tags: StaticArray<i32> = new StaticArray<i32>(0);
  rules: StaticArray<i32> = new StaticArray<i32>(0);
  groupSlots: StaticArray<Slot> = new StaticArray<Slot>(0);
  groupNames: StaticArray<Span> = new StaticArray<Span>(0); // JSON strings
  /** value_count's distinct field; anomaly's and percentile's numeric field. */
  valueSlot: Slot | null = null;
  valueName: Span = new Span(); // JSON string
  /** Client addresses listed in event_count alerts. */
  addressSlot: Slot | null = null;
  /**
   * The address is the correlation's only group-by field: every event of a
   * key has that one address, so the alert lists the key's value and no
   * samples are kept per event.
   */
  addressIsKey: bool = false;
  span: i64 = 0; // ms
  cooldown: i64 = 0; // ms
  threshold: i32 = 0; // events / distinct values needed
  spike: SpikeLine = new SpikeLine();
  zscore: f64 = 0;
  minSamples: f64 = 0;
  percentile: PercentileLine = new PercentileLine();
  /** `scope: local`: in a fleet it runs on the edges, never on an aggregator. */
  local: bool = false;
  store: Store = new Store(1, 0);
  watermark: i64 = NEVER;
  /** Events older than the watermark by more than the lateness: left out. */
  late: i64 = 0;
  /** Events behind the watermark but within the lateness: placed where they belong. */
  outOfOrder: i64 = 0;
  /** Events whose record had none of the group-by fields: nothing to count them against. */
  missingKey: i64 = 0;
  /** value_count / anomaly / percentile events without a usable value. */
  missingValue: i64 = 0;
}

export class CorrelationStage {
  private stamps: StaticArray<u32>;
  private steps: StaticArray<u64>;
  private touched: StaticArray<i32>;
  private stamp: u32 = 0;
  private key: GroupKey = new GroupKey();
  private value: FieldValue = new FieldValue();
  private outcome: Outcome = new Outcome();

  constructor(
    public correlations: StaticArray<Correlation>,
    public rules: StaticArray<Rule>,
    public fields: FieldReader,
    public lateness: i64,
    public seed: u64,
    public shards: Shards,
  ) {
    const n = correlations.length;
    this.stamps = new StaticArray<u32>(n);
    this.steps = new StaticArray<u64>(n);
    this.touched = new StaticArray<i32>(n);
  }

  /** Feeds the record to every correlation its matched rules feed, in correlation order. */
  observe(matches: Matches, record: Record, alerts: Alerts): void {
    if (this.correlations.length == 0) return;
    const stamp = ++this.stamp;
    let n = 0;
    for (let k = 0; k < matches.count; k++) {
      const rule = unchecked(this.rules[unchecked(matches.ids[k])]);
      const feeds = rule.correlations;
      for (let j = 0, length = feeds.length; j < length; j++) {
        const c = unchecked(feeds[j]);
        if (unchecked(this.stamps[c]) != stamp) {
          unchecked((this.stamps[c] = stamp));
          unchecked((this.steps[c] = 0));
          unchecked((this.touched[n++] = c));
        }
        unchecked((this.steps[c] |= <u64>1 << <u64>unchecked(rule.steps[j])));
      }
    }
    sortIds(this.touched, n);
    for (let k = 0; k < n; k++) {
      const c = unchecked(this.touched[k]);
      this.observeOne(c, unchecked(this.steps[c]), record, alerts);
    }
  }

  private observeOne(index: i32, steps: u64, record: Record, alerts: Alerts): void {
    const c = unchecked(this.correlations[index]);
    const shards = this.shards;
    if (shards.total > 0 && shards.atEdge != c.local) {
      // A fleet: local correlations run on the edges only, the others on
      // the aggregators only; an edge notes which aggregator owns the key.
      if (shards.atEdge) {
        groupKey(this.seed, c.groupSlots, this.fields, record, this.value, this.key);
        if (this.key.present) shards.note(this.key.hash);
        else c.missingKey++;
      }
      return;
    }
    const t = record.time;
    if (c.watermark == NEVER || t > c.watermark) c.watermark = t;
    else if (c.watermark - t > this.lateness) {
      c.late++;
      return;
    } else if (t < c.watermark) {
      c.outOfOrder++;
    }
    groupKey(this.seed, c.groupSlots, this.fields, record, this.value, this.key);
    if (!this.key.present) {
      // An aggregator's keyless events were counted at the edge.
      if (shards.total == 0 || shards.atEdge) c.missingKey++;
      return;
    }
    // Aggregator: another shard's key.
    if (shards.total > 0 && !shards.atEdge && !shards.owns(this.key.hash)) return;
    // Types that read a value need it before the entry is touched.
    let valueHash: u64 = 0;
    let x: f64 = NaN;
    const v = this.value;
    if (c.type == CorrelationType.ValueCount) {
      if (c.valueSlot == null || !this.fields.read(c.valueSlot!, record, v)) {
        c.missingValue++;
        return;
      }
      // Seeded like the group key: distinct values are told apart by hash
      // alone, and an unseeded hash lets values be prepared offline that
      // collide and so count once, keeping a key under its threshold.
      valueHash = mix64(hashBytes(0xcbf29ce484222325 ^ this.seed, v.ptr, v.len));
    } else if (c.type == CorrelationType.Anomaly || c.type == CorrelationType.Percentile) {
      if (c.valueSlot != null && this.fields.read(c.valueSlot!, record, v)) x = parseNumber(v.ptr, v.len);
      if (!isFinite(x)) {
        c.missingValue++;
        return;
      }
    }
    const store = c.store;
    const e = store.touch(this.key.hash, t);
    const entry = changetype<Entry>(store.at(e));
    const p = store.payload(e);
    const created = store.created;
    if (created && (c.type == CorrelationType.Temporal || c.type == CorrelationType.TemporalOrdered)) initTemporal(p, c.rules.length);
    const out = this.outcome;
    out.reset();
    if (c.type == CorrelationType.EventCount) {
      if (c.addressSlot != null && !c.addressIsKey && this.fields.read(c.addressSlot!, record, v)) {
        const state = changetype<EventCountState>(p);
        state.addresses = keepSample(addressArea(p, c.threshold), state.addresses, ADDRESSES, v.ptr, v.len, true);
      }
      addEvent(p, c.threshold, t, c.span, out);
    } else if (c.type == CorrelationType.ValueCount) {
      addValue(p, c.threshold, valueHash, t, c.span, v.ptr, v.len, out);
    } else if (c.type == CorrelationType.Temporal || c.type == CorrelationType.TemporalOrdered) {
      if (c.type == CorrelationType.Temporal) {
        // Every rule the record matched is noted before the check.
        for (let step = 0; step < c.rules.length; step++) if ((steps & (<u64>1 << <u64>step)) != 0) noteSeen(p, step, t);
        checkAllSeen(p, c.rules.length, t, c.span, out);
      } else {
        // Last step first: one record advances a chain by one step at most.
        for (let step = c.rules.length - 1; step >= 0; step--) if ((steps & (<u64>1 << <u64>step)) != 0) addOrdered(p, c.rules.length, step, t, c.span, out);
      }
    } else if (c.type == CorrelationType.Spike) {
      addToRate(p, created, c.spike, t, out);
    } else if (c.type == CorrelationType.Anomaly) {
      addSample(p, x, c.minSamples, c.zscore, t, out);
    } else {
      addValueAt(p, created, c.percentile, x, t, out);
    }
    if (out.status == Status.None) return;
    // A recovery always goes out: it closes a report already made.
    if (out.status == Status.Fired) {
      // Quiet for `cooldown` either side of the last alert: an event placed
      // before it (out of order) is as close to it as one after.
      if (entry.lastAlert != NEVER && abs(t - entry.lastAlert) < c.cooldown) return;
      if (entry.lastAlert == NEVER || t > entry.lastAlert) entry.lastAlert = t;
    }
    this.raise(index, c, p, record, alerts);
  }

  /** Records the alert with copies of its group values and samples. */
  private raise(index: i32, c: Correlation, p: usize, record: Record, alerts: Alerts): void {
    const out = this.outcome;
    const a = alerts.next(index);
    a.status = out.status;
    a.count = out.count;
    a.baseline = out.baseline;
    a.deviation = out.deviation;
    a.score = out.score;
    a.first = out.first;
    a.last = out.last;
    const v = this.value;
    a.groupAt = alerts.arena.length;
    for (let g = 0; g < c.groupSlots.length; g++) {
      if (this.fields.read(unchecked(c.groupSlots[g]), record, v)) alerts.store(v.ptr, v.len);
      else alerts.store(0, -1);
    }
    a.groupCount = c.groupSlots.length;
    a.samplesAt = alerts.arena.length;
    if (c.type == CorrelationType.ValueCount) {
      const state = changetype<ValueCountState>(p);
      const area = sampleArea(p, c.threshold);
      for (let k = 0; k < state.samples && k < SAMPLES; k++) alerts.store(sampleAt(area, k), sampleLength(area, k));
      a.sampleCount = min(state.samples, SAMPLES);
    }
    a.addressesAt = alerts.arena.length;
    if (c.type == CorrelationType.EventCount && c.addressIsKey) {
      // `v` holds the group value just stored: the one address of this key.
      alerts.store(v.ptr, sampleCut(v.ptr, v.len));
      a.addressCount = 1;
    } else if (c.type == CorrelationType.EventCount && c.addressSlot != null) {
      const state = changetype<EventCountState>(p);
      const area = addressArea(p, c.threshold);
      for (let k = 0; k < state.addresses && k < ADDRESSES; k++) alerts.store(sampleAt(area, k), sampleLength(area, k));
      a.addressCount = min(state.addresses, ADDRESSES);
    }
  }
}
