// Stage 7: periodic statistics, on event time like everything else. When a
// record's time reaches the end of the current interval, that record carries
// the interval's numbers in `tripline.stats` and the route "stats", so
// rewrite_tag sends a copy to alert.stats like any alert.
// Counted per interval: records, matched, alerted, dropped, records per
// shape (what tripline recognised), per-rule matches and alerts, hits per
// site section (first path segment; the busiest SITE_SECTIONS kept,
// space-saving style) with their response-time percentiles. Counted since
// start: per correlation its live keys, evictions, late, out-of-order and
// keyless events.
import { Field, Shape, SITE_SECTIONS, SECTION_NAME_BYTES, HISTOGRAM_BUCKETS } from "../runtime/schema";
import { wordHash } from "../runtime/hash";
import { samePadded } from "../runtime/span";
import { Record } from "../record/record";
import { FieldReader } from "../fields/reader";
import { FieldValue } from "../fields/value";
import { parseNumber } from "../match/number";
import { Matches } from "../rules/select";
import { Alerts } from "../correlation/alerts";
import { record as recordLatency, HISTOGRAM_BYTES } from "../runtime/histogram";

const INDEX = 256; // power of two, at least 2 x SITE_SECTIONS

export class Totals {
  records: i64 = 0;
  matched: i64 = 0;
  alerted: i64 = 0;
  alerts: i64 = 0;
  dropped: i64 = 0;
  shapes: StaticArray<i64> = new StaticArray<i64>(<i32>Shape.Count);
}

/** One tracked site section. */
@unmanaged export class Section {
  hash: u32;
  nameLength: u32;
  hits: i64;
  /** Requests that carried a response time. */
  timed: u32;
  reserved: u32;
}

const SECTION = offsetof<Section>();

export class Stats {
  from: i64 = i64.MIN_VALUE;
  records: i64 = 0;
  matched: i64 = 0;
  alerted: i64 = 0;
  dropped: i64 = 0;
  shapes: StaticArray<i64> = new StaticArray<i64>(<i32>Shape.Count);
  /** Since start, whatever the interval: what `tripline test` reports. */
  total: Totals = new Totals();
  ruleMatches: StaticArray<i64>;
  ruleAlerts: StaticArray<i64>;
  /** Section records, names (SECTION_NAME_BYTES each) and latency histograms. */
  sections: usize = heap.alloc(<usize>SITE_SECTIONS * SECTION);
  names: usize = heap.alloc(SITE_SECTIONS * SECTION_NAME_BYTES);
  latencies: usize = heap.alloc(<usize>SITE_SECTIONS * <usize>HISTOGRAM_BYTES);
  sectionCount: i32 = 0;
  hits: i64 = 0;
  // Open-addressing index over the section hashes: slot + 1, 0 = empty.
  private index: StaticArray<u8> = new StaticArray<u8>(INDEX);
  private value: FieldValue = new FieldValue();

  constructor(public interval: i64, rules: i32, correlations: i32, public fields: FieldReader) {
    this.ruleMatches = new StaticArray<i64>(rules);
    this.ruleAlerts = new StaticArray<i64>(correlations);
  }

  @inline section(k: i32): Section {
    return changetype<Section>(this.sections + <usize>k * SECTION);
  }

  @inline nameOf(k: i32): usize {
    return this.names + <usize>k * SECTION_NAME_BYTES;
  }

  @inline latencyOf(k: i32): usize {
    return this.latencies + <usize>k * <usize>HISTOGRAM_BYTES;
  }

  reset(from: i64): void {
    this.from = from;
    this.records = 0;
    this.matched = 0;
    this.alerted = 0;
    this.dropped = 0;
    memory.fill(changetype<usize>(this.shapes), 0, <usize>Shape.Count * 8);
    memory.fill(changetype<usize>(this.ruleMatches), 0, <usize>this.ruleMatches.length * 8);
    memory.fill(changetype<usize>(this.ruleAlerts), 0, <usize>this.ruleAlerts.length * 8);
    this.sectionCount = 0;
    this.hits = 0;
    memory.fill(changetype<usize>(this.index), 0, INDEX);
  }

  /** True when the record at `t` closes the interval (the caller then writes and resets). */
  due(t: i64): bool {
    if (this.interval <= 0) return false;
    if (this.from == i64.MIN_VALUE) {
      this.reset(t - (t % this.interval));
      return false;
    }
    return t >= this.from + this.interval;
  }

  /** Counts a record that is not one JSON object: passed through unread. */
  countUnread(): void {
    this.total.records++;
    unchecked((this.total.shapes[<i32>Shape.NotJson] += 1));
    if (this.interval <= 0 || this.from == i64.MIN_VALUE) return;
    this.records++;
    unchecked((this.shapes[<i32>Shape.NotJson] += 1));
  }

  /** Counts the record; returns whether it closes the interval. */
  count(record: Record, matches: Matches, alerts: Alerts, dropped: bool): bool {
    const total = this.total;
    total.records++;
    unchecked((total.shapes[<i32>record.shape] += 1));
    if (matches.count > 0) total.matched++;
    if (alerts.count > 0) total.alerted++;
    total.alerts += alerts.count;
    if (dropped) total.dropped++;
    if (this.interval <= 0) return false;
    const due = this.due(record.time);
    this.records++;
    unchecked((this.shapes[<i32>record.shape] += 1));
    if (matches.count > 0) this.matched++;
    if (alerts.count > 0) this.alerted++;
    if (dropped) this.dropped++;
    for (let k = 0; k < matches.count; k++) unchecked((this.ruleMatches[unchecked(matches.ids[k])] += 1));
    for (let k = 0; k < alerts.count; k++) unchecked((this.ruleAlerts[alerts.at(k).correlation] += 1));
    if (record.shape != Shape.NotJson) this.countSection(record);
    return due && !dropped;
  }

  /** Counts a hit on the record's site section (the uri_section field: "/api/v1/x" -> "/api"), with its response time. */
  private countSection(record: Record): void {
    if (!this.fields.has(record, Field.UriSection)) return;
    const v = this.value;
    this.fields.readKey(Field.UriSection, record, v);
    const len = min(v.len, SECTION_NAME_BYTES);
    this.hits++;
    const k = this.findOrAdd(v.ptr, len);
    const s = this.section(k);
    s.hits++;
    if (record.members.has(Field.ResponseTime)) {
      this.fields.readKey(Field.ResponseTime, record, v);
      const x = parseNumber(v.ptr, v.len);
      if (isFinite(x) && x >= 0) {
        recordLatency(this.latencyOf(k), x);
        s.timed++;
      }
    }
  }

  /**
   * The section named `len` bytes at `name` (hash `h`), or -1 - the free
   * index position where it would go. The hash reads only the name's length
   * and first and last 8 bytes, so the name itself is compared: sections
   * such as /product-1234-catalog and /product-5678-catalog stay apart.
   */
  private find(h: u32, name: usize, len: i32): i32 {
    let i = h & (INDEX - 1);
    while (true) {
      const e = <i32>unchecked(this.index[i]);
      if (e == 0) return -1 - <i32>i;
      const s = this.section(e - 1);
      // samePadded's loads stay within the name's SECTION_NAME_BYTES.
      if (s.hash == h && <i32>s.nameLength == len && samePadded(this.nameOf(e - 1), name, len)) return e - 1;
      i = (i + 1) & (INDEX - 1);
    }
  }

  private findOrAdd(name: usize, len: i32): i32 {
    const h = wordHash(name, len);
    const found = this.find(h, name, len);
    if (found >= 0) return found;
    let k = this.sectionCount;
    let start: i64 = 0;
    const full = k == SITE_SECTIONS;
    if (full) {
      // Space-saving: the least-hit section gives way, and the newcomer inherits its count.
      k = 0;
      for (let j = 1; j < SITE_SECTIONS; j++) if (this.section(j).hits < this.section(k).hits) k = j;
      start = this.section(k).hits;
    } else {
      this.sectionCount++;
    }
    const s = this.section(k);
    s.hash = h;
    s.hits = start;
    s.timed = 0;
    s.nameLength = <u32>len;
    memory.copy(this.nameOf(k), name, <usize>len);
    memory.fill(this.latencyOf(k), 0, <usize>HISTOGRAM_BYTES);
    if (full) this.reindex();
    else unchecked((this.index[-1 - found] = <u8>(k + 1)));
    return k;
  }

  private reindex(): void {
    memory.fill(changetype<usize>(this.index), 0, INDEX);
    for (let k = 0; k < this.sectionCount; k++) {
      const s = this.section(k);
      const at = -1 - this.find(s.hash, this.nameOf(k), <i32>s.nameLength);
      unchecked((this.index[at] = <u8>(k + 1)));
    }
  }
}
