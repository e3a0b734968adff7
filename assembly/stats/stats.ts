// Periodic statistics, on event time like everything else. When a record's
// time reaches the end of the current interval, that record carries the
// interval's numbers in `tripline.stats` and the route "stats", so
// rewrite_tag sends a copy to alert.stats like any alert.
// Counted per interval: records, matched, alerted, dropped, per-rule matches
// and alerts, hits per site section (first path segment; the 64 busiest are
// kept, space-saving style). Counted since start: per-correlation evictions
// and late events, and the live keys.
import { Program } from "../program/program";
import { hashBytes } from "../record/keys";

export const SECTIONS = 64;
const INDEX = 256; // power of two, at least 2 x SECTIONS
const SECTION_BYTES = 48;

export class Stats {
  interval: i64 = 0; // ms; 0 = off
  from: i64 = i64.MIN_VALUE;
  records: i64 = 0;
  matched: i64 = 0;
  alerted: i64 = 0;
  dropped: i64 = 0;
  ruleMatches: StaticArray<i64>;
  ruleAlerts: StaticArray<i64>;
  sectionHash: StaticArray<u32> = new StaticArray<u32>(SECTIONS);
  sectionHits: StaticArray<i64> = new StaticArray<i64>(SECTIONS);
  sectionName: usize = heap.alloc(SECTIONS * SECTION_BYTES);
  sections: i32 = 0;
  hits: i64 = 0;
  // Open-addressing index over sectionHash: slot + 1, 0 = empty. Rebuilt when a
  // section is replaced, which only happens once 64 are tracked.
  sectionIndex: StaticArray<u8> = new StaticArray<u8>(INDEX);

  constructor(public program: Program) {
    this.interval = program.statsInterval;
    this.ruleMatches = new StaticArray<i64>(program.rules.length);
    this.ruleAlerts = new StaticArray<i64>(program.correlations.length);
  }

  reset(from: i64): void {
    this.from = from;
    this.records = 0;
    this.matched = 0;
    this.alerted = 0;
    this.dropped = 0;
    for (let k = 0; k < this.ruleMatches.length; k++) unchecked((this.ruleMatches[k] = 0));
    for (let k = 0; k < this.ruleAlerts.length; k++) unchecked((this.ruleAlerts[k] = 0));
    this.sections = 0;
    this.hits = 0;
    memory.fill(changetype<usize>(this.sectionIndex), 0, INDEX);
  }

  private findSection(h: u32): i32 {
    let i = h & (INDEX - 1);
    while (true) {
      const e = <i32>unchecked(this.sectionIndex[i]);
      if (e == 0) return -1 - <i32>i; // absent: -1 - free index position
      if (unchecked(this.sectionHash[e - 1]) == h) return e - 1;
      i = (i + 1) & (INDEX - 1);
    }
  }

  private reindex(): void {
    memory.fill(changetype<usize>(this.sectionIndex), 0, INDEX);
    for (let k = 0; k < this.sections; k++) {
      const at = -1 - this.findSection(unchecked(this.sectionHash[k]));
      unchecked((this.sectionIndex[at] = <u8>(k + 1)));
    }
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

  /** Counts a hit on the section of a request path ("/api/v1/x" -> "/api"). */
  section(path: usize, len: i32): void {
    if (len <= 0 || load<u8>(path) != 0x2f) return;
    let end = 1;
    while (end < len) {
      const c = load<u8>(path + <usize>end);
      if (c == 0x2f || c == 0x3f || c == 0x23) break;
      end++;
    }
    if (end > SECTION_BYTES - 1) end = SECTION_BYTES - 1;
    this.hits++;
    const h = hashBytes(path, end);
    const found = this.findSection(h);
    if (found >= 0) {
      unchecked((this.sectionHits[found] += 1));
      return;
    }
    let slot = this.sections;
    let start: i64 = 0;
    if (slot == SECTIONS) {
      // Space-saving: the least-hit section gives way, and the newcomer inherits its count.
      slot = 0;
      for (let k = 1; k < SECTIONS; k++) if (unchecked(this.sectionHits[k]) < unchecked(this.sectionHits[slot])) slot = k;
      start = unchecked(this.sectionHits[slot]);
      unchecked((this.sectionHash[slot] = h));
      this.reindex();
    } else {
      this.sections++;
      unchecked((this.sectionHash[slot] = h));
      unchecked((this.sectionIndex[-1 - found] = <u8>(slot + 1)));
    }
    unchecked((this.sectionHits[slot] = start + 1));
    const at = this.sectionName + <usize>slot * SECTION_BYTES;
    store<u8>(at, <u8>end);
    memory.copy(at + 1, path, <usize>end);
  }
}
