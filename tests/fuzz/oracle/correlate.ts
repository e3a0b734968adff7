// Correlations by brute force, from SEMANTICS.md "Correlation" and README
// "Correlations": every event of every live key is kept in full (no ring
// buffers, no running sums), and each decision is made by scanning that
// list.
//
// Uncertainty: an event the oracle cannot pin down (a rule it cannot decide,
// a time or key that is one of several, a lateness that depends on such an
// event) is kept as alternatives, and a key holds one simulation per
// combination of alternatives ("worlds", at most 32): an alert is expected
// exactly when every world agrees. What the specification leaves open is
// computed both ways where that is cheap (spike warm-up, reuse of events by
// temporal_ordered chains) and must agree too; elsewhere the key (or the
// whole correlation) becomes "unsure" and its alerts are checked for shape
// only. `why` counts how often.
//
// Exact regimes: anomaly is exact for fewer than 1,000 samples (after that
// the module weighs each new sample 1/1,000: a key past 999 samples becomes
// unsure); percentile is read from log buckets (within 15% of the true
// value between 1e-5 and 4,000): decisions are made only where the true
// quantile is more than that away from the limit, and the observed value is
// checked against that bound. Percentile rules with a `factor` (a baseline
// learned from earlier intervals) are checked structurally.
import type { CorrelationRule } from "../../../src/compiler/ir.js";
import { numberOf } from "./predicates.js";
import { shown } from "./json.js";
import { UNKNOWN, type Tri, type Val } from "./view.js";

/** What one record does to one correlation's alert list. */
export type AlertExpect =
  | { kind: "none" }
  | { kind: "unknown"; why: string }
  | {
      kind: "alert";
      /** Fields that must be equal. */
      fields: Record<string, unknown>;
      /** Numeric fields that must lie in [lo, hi]. */
      approx: Record<string, [number, number]>;
      /** Fields that must be present (a number, a string or null), value not checked. */
      loose: string[];
      /** value_count samples: each one of these (cut), distinct, `count` of them. */
      samples?: { from: string[]; count: number };
      /** event_count addresses: each one of these (cut), distinct, at most five. */
      addresses?: string[];
    };

type Alert = Extract<AlertExpect, { kind: "alert" }>;

export interface CorrelationInput {
  /** Event time (ms); several: one of them; undefined when unknown. */
  t: number | number[] | undefined;
  /** Whether the record is an event of this correlation (it matched one of its rules). */
  fed: Tri;
  /** Per rule of the correlation (its `rules` order): matched, not, unknown. */
  steps: Tri[];
  /** Group-by values (bytes), null when absent, a list when one of several, UNKNOWN when unknown. */
  group: (string | null | (string | null)[] | typeof UNKNOWN)[];
  /** The value field's possible readings (value_count, anomaly, percentile), UNKNOWN when not bounded. */
  values: (Val | null)[] | typeof UNKNOWN;
  /** The address field's value (event_count alerts list addresses). */
  address: string | null | typeof UNKNOWN;
}

/** One event of a key, as one world sees it. */
interface Ev {
  t: number;
  /** Which record (all alternatives of one record share it). */
  arrival: number;
  steps: number[];
  value?: string;
  x?: number;
  address: string | null | typeof UNKNOWN;
}

const SAMPLE_BYTES = 39;
const MAX_WORLDS = 32;

/** A value cut at 39 bytes on a UTF-8 character boundary (README: samples). */
export function cut(bytes: string): string {
  if (bytes.length <= SAMPLE_BYTES) return bytes;
  let n = SAMPLE_BYTES;
  while (n > 0 && (bytes.charCodeAt(n) & 0xc0) === 0x80) n--;
  return bytes.slice(0, n);
}

const iso = (ms: number) => new Date(ms).toISOString();
const NONE: AlertExpect = { kind: "none" };

/**
 * A key's life in one world: every event it had since it was created, and
 * what the alerts so far leave behind (the cooldown, a spike or a slow
 * interval in progress, a completed chain).
 */
class Sim {
  events: Ev[] = [];
  lastAlert: number | null = null;
  /** The state is no longer known (an earlier answer was): why. */
  poisoned: string | null = null;
  // spike / percentile intervals (late events count in the current one)
  created = 0;
  cur = 0;
  counts = new Map<number, number>();
  inSpike = false;
  pct = new Map<number, { x: number; late: boolean }[]>();
  inAlert: Tri = false;
  /** temporal_ordered: events of records before this one were used by a completed chain. */
  chainFrom = 0;
  /** The key has had an event in this world (spike and percentile intervals start with it). */
  started = false;
  /** The newest event time of the key (events may have been pruned). */
  newest = Number.NEGATIVE_INFINITY;
  /** percentile: an interval the oracle cannot judge is simulated both ways (forked worlds): the answer forced here. */
  forceAbove: Tri = undefined;
  needsFork = false;

  /**
   * `reading`: where the specification leaves a choice open, the simulation
   * of each choice (spike: 0 = intervals since the key's first event only,
   * 1 = earlier intervals count as quiet; temporal_ordered: 0 = a completed
   * chain's events are used up, 1 = they may start another).
   */
  constructor(
    readonly co: CorrelationOracle,
    readonly reading: number,
  ) {}

  clone(): Sim {
    const s = new Sim(this.co, this.reading);
    s.events = [...this.events];
    s.lastAlert = this.lastAlert;
    s.poisoned = this.poisoned;
    s.created = this.created;
    s.cur = this.cur;
    s.counts = new Map(this.counts);
    s.inSpike = this.inSpike;
    s.pct = new Map([...this.pct].map(([k, v]) => [k, [...v]]));
    s.inAlert = this.inAlert;
    s.chainFrom = this.chainFrom;
    s.started = this.started;
    s.newest = this.newest;
    return s;
  }

  /** Everything that decides future answers (worlds with equal signatures are merged). */
  signature(): string {
    return JSON.stringify([
      this.reading, this.lastAlert, this.poisoned, this.created, this.cur, [...this.counts], this.inSpike, [...this.pct], this.inAlert, this.chainFrom, this.started,
      this.events.map((e) => [e.t, e.arrival, e.steps, e.value, e.x]),
    ]);
  }

  /**
   * Forgets what can no longer matter: events older than `horizon` (the
   * oldest time a future event may have, minus the timespan) can be in no
   * window with a future event; intervals before the baseline.
   */
  prune(horizon: number): void {
    const type = this.co.c.type;
    if (type === "event_count" || type === "value_count" || type === "temporal" || type === "temporal_ordered") {
      if (this.events.length > 0 && this.events[0].t < horizon) this.events = this.events.filter((e) => e.t >= horizon);
    } else if (type === "spike") {
      const keep = this.cur - this.co.c.spike!.baselineIntervals - 2;
      for (const b of this.counts.keys()) if (b < keep) this.counts.delete(b);
      this.events = [];
    } else if (type === "percentile") {
      this.events = [];
    }
  }

  /** Steps this world, or forks it where the oracle cannot decide between two states (percentile intervals). */
  stepAll(e: Ev): [Sim, AlertExpect][] {
    const before = this.co.c.type === "percentile" && !this.poisoned ? this.clone() : null;
    const out = this.step(e);
    if (!this.needsFork || !before) return [[this, out]];
    const worlds: [Sim, AlertExpect][] = [];
    for (const above of [true, false]) {
      const w = before.clone();
      w.forceAbove = above;
      const o = w.step(e);
      w.forceAbove = undefined;
      worlds.push([w, o]);
    }
    return worlds;
  }

  step(e: Ev): AlertExpect {
    this.needsFork = false;
    if (this.poisoned) return { kind: "unknown", why: this.poisoned };
    const behind = this.newest > e.t;
    const first = !this.started;
    this.started = true;
    this.newest = Math.max(this.newest, e.t);
    this.events.push(e);
    const out = this.decide(e, behind, first);
    if (out.kind === "unknown" && this.needsFork) return out;
    if (out.kind === "unknown") {
      // Whether an alert went out (and so the cooldown) is no longer known.
      this.poisoned = out.why;
      return out;
    }
    if (out.kind === "none") return out;
    if (out.fields.status === "fired") {
      // README: quiet for `cooldown` on either side of the key's last alert.
      if (this.lastAlert !== null && Math.abs(e.t - this.lastAlert) < this.co.c.cooldownSec * 1000) return NONE;
      this.lastAlert = this.lastAlert === null ? e.t : Math.max(this.lastAlert, e.t);
    }
    return out;
  }

  private decide(e: Ev, behind: boolean, first: boolean): AlertExpect {
    switch (this.co.c.type) {
      case "event_count":
        return this.eventCount(e);
      case "value_count":
        return this.valueCount(e, behind);
      case "temporal":
        return this.temporal(e, behind);
      case "temporal_ordered":
        return this.temporalOrdered(e, behind);
      case "spike":
        return this.spike(e, first);
      case "anomaly":
        return this.anomaly(e);
      case "percentile":
        return this.percentile(e, first);
    }
  }

  /**
   * README: the key keeps its newest N event times (of equal times, the one
   * that came later is the newer); this event completes a window when N
   * times, it among them, taken from the kept ones and it, lie within the
   * timespan. The alert names the window that starts latest.
   */
  private eventCount(e: Ev): AlertExpect {
    const c = this.co.c;
    const n = this.co.threshold;
    const newer = (x: Ev, y: Ev) => y.t - x.t || y.arrival - x.arrival;
    const kept = this.events.filter((x) => x !== e).sort(newer).slice(0, n);
    // Oldest first, this event after the kept times equal to it.
    const times = [...kept.filter((x) => x.t <= e.t), e, ...kept.filter((x) => x.t > e.t)].sort((x, y) => -newer(x, y));
    const at = times.indexOf(e);
    let window: [number, number] | null = null;
    for (let j = Math.min(at, times.length - n); j >= 0 && j > at - n && window === null; j--) {
      if (times[j + n - 1].t - times[j].t < c.timespanSec * 1000) window = [times[j].t, times[j + n - 1].t];
    }
    if (window === null) return NONE;
    const a = this.co.alert("fired", { count: n, threshold: n, window: c.timespanSec }, window[0], window[1]);
    if (c.addressField) a.loose.push("addresses"); // filled in per key (every address the key may have seen)
    return a;
  }

  /**
   * >= N distinct values, each last seen less than timespan before the key's
   * newest event (README: a value more than the timespan before it is not
   * counted).
   */
  private valueCount(e: Ev, behind: boolean): AlertExpect {
    const c = this.co.c;
    const n = this.co.threshold;
    const span = c.timespanSec * 1000;
    const newest = this.newest;
    if (newest - e.t >= span) return NONE;
    const lastSeen = new Map<string, number>();
    for (const x of this.events) lastSeen.set(x.value!, Math.max(lastSeen.get(x.value!) ?? Number.NEGATIVE_INFINITY, x.t));
    const live = [...lastSeen].filter(([, l]) => newest - l < span);
    const liveBefore = new Set(this.events.filter((x) => x !== e && newest - x.t < span).map((x) => x.value!));
    if (behind && !liveBefore.has(e.value!) && liveBefore.size >= n) {
      // The key keeps at most N values (README); which one makes room for an older newcomer is not specified.
      return { kind: "unknown", why: "value_count: an out-of-order value arriving at a full key" };
    }
    if (live.length < n) return NONE;
    const kept = live.map(([, l]) => l).sort((a, b) => b - a).slice(0, n);
    const a = this.co.alert("fired", { count: n, threshold: n, field: c.condition.fieldName, window: c.timespanSec }, kept[n - 1], newest);
    if (behind) {
      // Which values a full key kept when an older one came is not specified.
      delete a.fields.first;
      a.loose.push("first");
    }
    a.samples = { from: live.map(([v]) => cut(v)), count: Math.min(3, n) };
    return a;
  }

  /** Every rule seen for the key with latest - earliest < timespan (latest sighting of each rule). */
  private temporal(e: Ev, behind: boolean): AlertExpect {
    const c = this.co.c;
    if (behind) return { kind: "unknown", why: "temporal: an event behind the key's newest" };
    const rules = c.rules.length;
    const latest: number[] = [];
    for (let s = 0; s < rules; s++) {
      let l = Number.NEGATIVE_INFINITY;
      for (const x of this.events) if (x.steps.includes(s)) l = Math.max(l, x.t);
      if (l === Number.NEGATIVE_INFINITY) return NONE;
      latest.push(l);
    }
    const lo = Math.min(...latest);
    const hi = Math.max(...latest);
    if (hi - lo >= c.timespanSec * 1000) return NONE;
    return this.co.alert("fired", { count: rules, threshold: rules, window: c.timespanSec }, lo, hi);
  }

  /**
   * The rules in order (each step's event after the previous one's), the last
   * step being this event, the chain's start within timespan. Whether events
   * of one completed chain may start another is not specified: both are
   * computed, and they must agree.
   */
  private temporalOrdered(e: Ev, behind: boolean): AlertExpect {
    const c = this.co.c;
    const rules = c.rules.length;
    if (e.steps.length > 1) return { kind: "unknown", why: "temporal_ordered: one record matching several steps" };
    if (behind || this.events.some((x, i) => i > 0 && x.t < this.events[i - 1].t)) return { kind: "unknown", why: "temporal_ordered: events out of order" };
    if (!e.steps.includes(rules - 1)) return NONE;
    const span = c.timespanSec * 1000;
    const at = this.events.length - 1;
    // Greedy from the end: the latest event of each earlier step before the next one.
    const from = this.reading === 0 ? this.chainFrom : 0;
    let before = at;
    let start: number | null = e.t;
    for (let s = rules - 2; s >= 0 && start !== null; s--) {
      let found = -1;
      for (let i = before - 1; i >= 0; i--) {
        if (this.events[i].arrival < from) break;
        if (this.events[i].steps.includes(s)) {
          found = i;
          break;
        }
      }
      if (found < 0) start = null;
      else {
        before = found;
        start = this.events[found].t;
      }
    }
    if (start === null || e.t - start >= span) return NONE;
    this.chainFrom = e.arrival + 1;
    return this.co.alert("fired", { count: rules, threshold: rules, window: c.timespanSec }, start, e.t);
  }

  /**
   * Events per interval against the average of the previous `baseline`
   * intervals (quiet ones count 0); a late event counts in the current
   * interval (README). An interval that closes at or below the line ends a
   * spike with a recovery, quiet intervals included. Two readings of
   * "previous intervals" for a new key (A: only intervals since the key's
   * first event, once `baseline` of them have passed; B: intervals before
   * it count as quiet) must agree.
   */
  private spike(e: Ev, first: boolean): AlertExpect {
    const sp = this.co.c.spike!;
    const I = sp.intervalSec * 1000;
    const B = sp.baselineIntervals;
    const b = Math.floor(e.t / I);
    if (first) {
      this.cur = b;
      this.created = b;
    }
    const count = (i: number) => this.counts.get(i) ?? 0;
    const avg = (i: number): number => {
      const filled = this.reading === 1 ? B : Math.min(B, i - this.created);
      if (filled <= 0) return 0;
      let s = 0;
      for (let j = i - filled; j < i; j++) s += count(j);
      return s / filled;
    };
    const line = (i: number) => sp.factor * avg(i) + sp.increase;
    const fields = (observed: number, baseline: number) => ({
      observed,
      baseline,
      factor: sp.factor,
      ...(sp.increase !== 0 ? { increase: sp.increase } : {}),
      interval: sp.intervalSec,
    });
    const closing = b > this.cur ? this.cur : null;
    const last = Math.min(b - 1, this.cur + B + 1);
    if (b > this.cur) this.cur = b;
    this.counts.set(this.cur, count(this.cur) + 1);
    const c = count(this.cur);
    let out: AlertExpect = NONE;
    if (closing !== null && this.inSpike) {
      for (let i = closing; i <= last; i++) {
        const ci = count(i);
        const li = line(i);
        if (Math.abs(ci - li) < 1e-9) return { kind: "unknown", why: "spike: an interval exactly on the line" };
        if (ci <= li) {
          this.inSpike = false;
          out = this.co.alert("recovered", fields(ci, avg(i)), i * I, e.t);
          break;
        }
      }
    }
    const ready = this.reading === 1 || this.cur - this.created >= B;
    const l = line(this.cur);
    const candidate = !this.inSpike && ready && c >= sp.minCount;
    if (candidate && Math.abs(c - l) < 1e-9) return { kind: "unknown", why: "spike: a count exactly on the line" };
    if (candidate && c > l) {
      if (out.kind === "alert") return { kind: "unknown", why: "spike: a recovery and a new spike on one event" };
      this.inSpike = true;
      out = this.co.alert("fired", fields(c, avg(this.cur)), this.cur * I, Math.max(e.t, this.cur * I)); // README: last is never before the interval
    }
    return out;
  }

  /** z-score of x against the key's earlier samples (population standard deviation), from min_samples on. */
  private anomaly(e: Ev): AlertExpect {
    const c = this.co.c;
    const an = c.anomaly!;
    const xs = this.events.slice(0, -1).map((x) => x.x!);
    const x = e.x!;
    if (xs.length >= 999) return { kind: "unknown", why: "anomaly: past 1,000 samples (weighted baseline)" };
    if (Math.abs(x) > 1e15 || xs.some((v) => Math.abs(v) > 1e15)) return { kind: "unknown", why: "anomaly: values too large for an exact baseline" };
    if (xs.length < an.minSamples) return NONE;
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) * (v - mean), 0) / xs.length;
    const sd = Math.sqrt(variance);
    const scale = Math.max(1, ...xs.map(Math.abs), Math.abs(x));
    if (sd <= 1e-9 * scale) {
      if (Math.abs(x - mean) <= 1e-9 * scale) return NONE;
      return { kind: "unknown", why: "anomaly: a constant baseline (z-score undefined)" };
    }
    const score = Math.abs(x - mean) / sd;
    if (Math.abs(score - an.zscore) <= 1e-6 * an.zscore) return { kind: "unknown", why: "anomaly: a z-score on the threshold" };
    if (score < an.zscore) return NONE;
    const a = this.co.alert("fired", { threshold: an.zscore, field: an.fieldName, window: c.timespanSec }, e.t, e.t);
    const tol = (v: number, rel: number): [number, number] => [v - Math.abs(v) * rel - 1e-6, v + Math.abs(v) * rel + 1e-6];
    a.approx = { observed: tol(x, 1e-9), mean: tol(mean, 1e-7), stddev: tol(sd, 1e-7), zscore: tol(score, 1e-6) };
    return a;
  }

  /** The q-quantile of the interval's values, judged when the interval closes. */
  private percentile(e: Ev, first: boolean): AlertExpect {
    void first;
    const pc = this.co.c.percentile!;
    if (pc.factor !== null) return { kind: "unknown", why: "percentile with a factor (a learned baseline)" };
    const I = pc.intervalSec * 1000;
    const b = Math.floor(e.t / I);
    if (first) this.cur = b;
    let out: AlertExpect = NONE;
    if (b > this.cur) {
      out = this.closePercentile(this.cur, e.t);
      for (const k of this.pct.keys()) if (k < b) this.pct.delete(k);
      this.cur = b;
    }
    const list = this.pct.get(this.cur) ?? [];
    list.push({ x: e.x!, late: b < this.cur });
    this.pct.set(this.cur, list);
    return out;
  }

  private closePercentile(i: number, t: number): AlertExpect {
    const pc = this.co.c.percentile!;
    const all = this.pct.get(i) ?? [];
    this.pct.delete(i);
    const bounds = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const rank = Math.max(1, Math.ceil(pc.quantile * sorted.length));
      return [sorted[Math.max(0, rank - 2)], sorted[Math.min(sorted.length - 1, rank)]];
    };
    const judge = (values: number[]): Tri | "skip" => {
      if (values.length < pc.minCount) return "skip";
      const [lo, hi] = bounds(values);
      // The histogram reads within 15% from 1e-5 to 4,000 (beyond, it reads no less than about 4,000).
      if (lo < 1e-5) return undefined;
      if (Math.min(lo, 4000) / 1.15 > pc.limit!) return true;
      if (hi <= 4000 && hi * 1.15 <= pc.limit!) return false;
      return undefined;
    };
    const withLate = judge(all.map((v) => v.x));
    const withoutLate = all.some((v) => v.late) ? judge(all.filter((v) => !v.late).map((v) => v.x)) : withLate;
    if (withLate === "skip" && withoutLate === "skip") return NONE;
    let above: Tri = withLate === withoutLate ? (withLate as Tri) : undefined;
    if (above === undefined) {
      // Not the oracle's to judge (within the histogram's error of the limit, outside its range, or a late
      // value decides): both answers are simulated from here on.
      if (this.forceAbove === undefined) {
        this.needsFork = true;
        return { kind: "unknown", why: "percentile: an interval the oracle cannot judge (histogram error, range, or a late value)" };
      }
      above = this.forceAbove;
    }
    const before = this.inAlert;
    this.inAlert = above;
    if (above === before) return NONE;
    const [lo0, hi0] = bounds(all.map((v) => v.x));
    const [lo1, hi1] = all.some((v) => v.late) && all.some((v) => !v.late) ? bounds(all.filter((v) => !v.late).map((v) => v.x)) : [lo0, hi0];
    const [lo, hi] = [Math.min(lo0, lo1), Math.max(hi0, hi1)];
    const a = this.co.alert(above ? "fired" : "recovered", { quantile: pc.quantile * 100, limit: pc.limit, interval: pc.intervalSec, field: pc.fieldName }, i * pc.intervalSec * 1000, t);
    if (hi <= 4000) a.approx = { observed: [lo / 1.16, hi * 1.16] };
    a.loose = hi <= 4000 ? ["baseline"] : ["baseline", "observed"];
    return a;
  }
}

interface Key {
  worlds: Sim[];
  /** Not known at all (a value the oracle cannot bound, too many worlds): why. */
  unsure: string | null;
  /** Every client address the key may have seen (event_count alerts list some of them). */
  addresses: Set<string>;
  addressUnknown: boolean;
}

export class CorrelationOracle {
  watermarkLo = Number.NEGATIVE_INFINITY;
  watermarkHi = Number.NEGATIVE_INFINITY;
  readonly keys = new Map<string, Key>();
  /** The whole correlation is no longer known (why). */
  unsure: string | null = null;
  late = 0;
  outOfOrder = 0;
  missingKey = 0;
  missingValue = 0;
  evictions = 0;
  /** The counters above (and the key count) are exact. */
  countsExact = true;
  /** Key order (LRU) is exact. */
  private lruExact = true;
  private arrivals = 0;
  readonly route: string;
  readonly threshold: number;

  constructor(
    readonly c: CorrelationRule,
    readonly index: number,
    readonly maxKeys: number,
    readonly latenessMs: number,
    readonly why: (reason: string) => void,
  ) {
    this.route = c.name ?? c.id;
    const { op, value } = c.condition;
    this.threshold = op === "gt" ? Math.floor(value) + 1 : Math.ceil(value);
  }

  alert(status: "fired" | "recovered", extra: Record<string, unknown>, first: number, last: number): Alert {
    const c = this.c;
    return {
      kind: "alert",
      fields: { rule: c.id, title: c.title, level: c.level, type: c.type, status, route: this.route, tags: [...new Set(c.tags)], ...extra, first: iso(first), last: iso(last) },
      approx: {},
      loose: [],
    };
  }

  private giveUp(reason: string): AlertExpect {
    if (!this.unsure) this.unsure = reason;
    this.countsExact = false;
    this.why(`correlation unsure: ${reason}`);
    return { kind: "unknown", why: reason };
  }

  observe(input: CorrelationInput): AlertExpect {
    if (input.fed === false) return NONE;
    if (this.unsure) {
      this.why(`correlation unsure: ${this.unsure}`);
      return { kind: "unknown", why: this.unsure };
    }
    const times = input.t === undefined ? undefined : Array.isArray(input.t) ? input.t : [input.t];
    if (!times || times.length === 0) return this.giveUp("an event of unknown time");
    const maybe = input.fed === undefined;
    const L = this.latenessMs;
    // Lateness against the watermark (the newest event time seen): late events are left out.
    const onTime = times.filter((t) => !(this.watermarkLo - t > L));
    const surelyOnTime = times.every((t) => this.watermarkHi - t <= L);
    if (onTime.length === 0) {
      if (maybe) this.countsExact = false;
      else this.late++;
      return NONE;
    }
    // The group keys it may count against (duplicate members: one of their values).
    const groups = groupCandidates(input.group);
    if (!groups) return this.giveUp("a group-by value the oracle cannot tell");
    if (groups.some((g) => g.length > 1 && g.some((v) => v === ""))) return this.giveUp("an empty group-by value beside others (empty and absent may be one key)");
    const keyless = (g: (string | null)[]) => g.length > 0 && g.every((v) => v === null);
    const keyed = groups.filter((g) => !keyless(g));
    // Values (value_count, anomaly, percentile): the possible ones; none means a missing value.
    const type = this.c.type;
    const needsValue = type === "value_count" || type === "anomaly" || type === "percentile";
    let values: ({ value?: string; x?: number } | null)[] = [{}];
    if (needsValue) {
      if (input.values === UNKNOWN) return this.unsureKeys(keyed, "a value the oracle cannot tell");
      values = [];
      for (const v of input.values) {
        if (v === null) values.push(null);
        else if (type === "value_count") values.push({ value: v.text! });
        else {
          const n = numberOf(v.text!);
          if (n === undefined) {
            // A number form the specification leaves open ("+1", ".5", "1e"): not a number, or read leniently.
            values.push(null);
            const lenient = parseFloat(v.text!.trim());
            if (Number.isFinite(lenient)) values.push({ x: lenient });
          } else values.push(Number.isFinite(n) ? { x: n } : null);
        }
      }
    }
    // The rules it matched: the undecided ones may or may not be among them.
    let stepSets: number[][] = [[]];
    input.steps.forEach((st, k) => {
      if (st === true) stepSets = stepSets.map((set) => [...set, k]);
      else if (st === undefined) stepSets = stepSets.flatMap((set) => [set, [...set, k]]);
    });
    stepSets = stepSets.filter((set) => set.length > 0);
    if (stepSets.length > 8) return this.unsureKeys(keyed, "too many undecided rules in one record");
    if (type !== "temporal" && type !== "temporal_ordered") stepSets = [stepSets[0] ?? []];
    const certain = !maybe && times.length === 1 && surelyOnTime && groups.length === 1 && values.length === 1 && stepSets.length === 1;
    const arrival = this.arrivals++;
    // The watermark.
    if (certain) {
      const t = times[0];
      if (t < this.watermarkLo) this.outOfOrder++;
      else if (t < this.watermarkHi) this.countsExact = false;
      this.watermarkLo = Math.max(this.watermarkLo, t);
      this.watermarkHi = Math.max(this.watermarkHi, t);
      if (keyless(groups[0])) {
        this.missingKey++;
        return NONE;
      }
      if (values[0] === null) {
        this.missingValue++;
        return NONE;
      }
    } else {
      this.countsExact = false;
      this.watermarkHi = Math.max(this.watermarkHi, ...onTime);
      if (!maybe && surelyOnTime) this.watermarkLo = Math.max(this.watermarkLo, Math.min(...times));
    }
    // The events each key may get.
    const results: AlertExpect[] = [];
    const absentPossible = maybe || groups.length > 1 || !surelyOnTime || values.some((v) => v === null);
    const horizon = this.watermarkLo - L - this.c.timespanSec * 1000;
    for (const g of keyed) {
      const id = JSON.stringify(g);
      const alts: (Ev | null)[] = [];
      for (const t of onTime) {
        for (const v of values) {
          if (v === null) continue;
          for (const steps of stepSets) alts.push({ t, arrival, steps, value: v.value, x: v.x, address: input.address });
        }
      }
      if (absentPossible) alts.push(null);
      let key = this.keys.get(id);
      if (key && this.lruExact && certain) this.keys.delete(id);
      if (!key) {
        if (this.keys.size >= this.maxKeys) {
          if (!this.lruExact || !certain) return this.giveUp("key eviction order depends on uncertain events");
          const oldest = this.keys.keys().next().value!;
          this.keys.delete(oldest);
          this.evictions++;
        }
        const readings = type === "spike" || type === "temporal_ordered" ? [0, 1] : [0];
        key = { worlds: readings.map((r) => new Sim(this, r)), unsure: null, addresses: new Set(), addressUnknown: false };
      }
      this.keys.set(id, key);
      if (!certain) this.lruExact = false;
      if (key.unsure) {
        results.push({ kind: "unknown", why: key.unsure });
        continue;
      }
      const outs: AlertExpect[] = [];
      const worlds: Sim[] = [];
      for (const w of key.worlds) {
        alts.forEach((a, n) => {
          const sim = n === alts.length - 1 ? w : w.clone();
          if (a === null) {
            outs.push(NONE);
            worlds.push(sim);
          } else {
            for (const [world, out] of sim.stepAll(a)) {
              outs.push(out);
              worlds.push(world);
            }
          }
        });
      }
      if (input.address === UNKNOWN) key.addressUnknown = true;
      else if (input.address !== null) key.addresses.add(cut(input.address));
      // Forget what no longer matters, then merge worlds that agree on everything left.
      const merged = new Map<string, Sim>();
      for (const w of worlds) {
        w.prune(horizon);
        merged.set(w.signature(), w);
      }
      if (merged.size > MAX_WORLDS) {
        key.unsure = "too many uncertain events for one key";
        key.worlds = [];
      } else key.worlds = [...merged.values()];
      const first = JSON.stringify(outs[0]);
      const same = outs.every((o) => JSON.stringify(o) === first);
      if (!same) results.push({ kind: "unknown", why: outs.find((o) => o.kind === "unknown")?.kind === "unknown" ? (outs.find((o) => o.kind === "unknown") as { why: string }).why : "an uncertain event decides the alert" });
      else if (outs[0].kind === "alert" && keyed.length > 1) results.push({ kind: "unknown", why: "an alert for a key that is one of several" });
      else if (outs[0].kind === "alert") {
        const a = structuredClone(outs[0]);
        a.fields.group = Object.fromEntries(this.c.groupByNames.map((name, k) => [name, g[k] === null ? null : shown(g[k]!)]));
        a.fields.key = g.map((v) => (v === null ? "" : shown(v))).join("|");
        if (a.loose.includes("addresses") && !key.addressUnknown) {
          a.loose = a.loose.filter((l) => l !== "addresses");
          a.addresses = [...key.addresses];
        }
        results.push(a);
      } else results.push(outs[0]);
    }
    const unknown = results.find((r) => r.kind === "unknown");
    if (unknown) {
      this.why(`key unsure: ${(unknown as { why: string }).why}`);
      return unknown;
    }
    return results.find((r) => r.kind === "alert") ?? NONE;
  }

  /** The event's keys can no longer be known (a value the oracle cannot bound). */
  private unsureKeys(keyed: (string | null)[][], why: string): AlertExpect {
    this.countsExact = false;
    this.lruExact = false;
    for (const g of keyed) {
      const id = JSON.stringify(g);
      const key = this.keys.get(id);
      if (key) key.unsure ??= why;
      else if (this.keys.size >= this.maxKeys) return this.giveUp("a key that may evict another");
      else this.keys.set(id, { worlds: [], unsure: why, addresses: new Set(), addressUnknown: true });
    }
    this.why(`key unsure: ${why}`);
    return { kind: "unknown", why };
  }
}

/** Every combination of group-by values a record may have (duplicate members give several); null when unknown. */
function groupCandidates(group: CorrelationInput["group"]): (string | null)[][] | null {
  let out: (string | null)[][] = [[]];
  for (const g of group) {
    if (g === UNKNOWN) return null;
    const options: (string | null)[] = Array.isArray(g) ? g : [g];
    out = out.flatMap((prefix) => options.map((o) => [...prefix, o]));
    if (out.length > 64) return null;
  }
  return out;
}
