// Rate spike: events per interval against the moving average of the
// previous `baseline` intervals (quiet intervals count as zero). Fires when
// the current interval reaches `minCount` and exceeds
// `factor` x average + `increase`, once per spike; when an interval closes
// back under that line a recovery is raised.
import { SPIKE_FIXED, SPIKE_UNIT } from "../runtime/schema";
import { Outcome, Status } from "./outcome";

@unmanaged export class SpikeState {
  /** Index of the current interval (time / interval). */
  bucket: i64;
  /** Events in the current interval. */
  count: f64;
  /** Sum of the baseline ring. */
  sum: f64;
  filled: i32;
  head: i32;
  inSpike: i32;
  reserved: i32;
  peak: f64;
}

export class SpikeLine {
  baseline: i32 = 0;
  interval: i64 = 0;
  factor: f64 = 0;
  increase: f64 = 0;
  minCount: f64 = 0;
}

export function spikePayload(baseline: i32): i32 {
  return SPIKE_FIXED + baseline * SPIKE_UNIT;
}

@inline function ring(p: usize): usize {
  return p + offsetof<SpikeState>();
}

function pushBucket(p: usize, baseline: i32, count: f64): void {
  const s = changetype<SpikeState>(p);
  if (s.filled == baseline) s.sum -= load<f64>(ring(p) + <usize>s.head * 8);
  else s.filled++;
  store<f64>(ring(p) + <usize>s.head * 8, count);
  s.sum += count;
  s.head = (s.head + 1) % baseline;
}

@inline function average(s: SpikeState): f64 {
  return s.filled == 0 ? 0 : s.sum / <f64>s.filled;
}

/** Closes interval `index` at `count` events; a spike that closes at or under the line recovers. */
function closeInterval(p: usize, line: SpikeLine, index: i64, count: f64, t: i64, out: Outcome): void {
  const s = changetype<SpikeState>(p);
  const avg = average(s);
  if (s.inSpike != 0 && count <= avg * line.factor + line.increase) {
    s.inSpike = 0;
    out.status = Status.Recovered;
    out.count = count;
    out.baseline = avg;
    out.first = index * line.interval;
    out.last = t;
  }
  pushBucket(p, line.baseline, count);
}

/** Counts an event at `t`. */
export function addToRate(p: usize, created: bool, line: SpikeLine, t: i64, out: Outcome): void {
  const s = changetype<SpikeState>(p);
  const bucket = t / line.interval;
  if (created) {
    s.bucket = bucket;
  } else if (bucket > s.bucket) {
    // Close the current interval, then the quiet ones in between: each
    // closes at its count against the line of the intervals before it.
    closeInterval(p, line, s.bucket, s.count, t, out);
    let gap = bucket - s.bucket - 1;
    if (gap > <i64>line.baseline) gap = <i64>line.baseline;
    for (let k: i64 = 1; k <= gap; k++) closeInterval(p, line, s.bucket + k, 0, t, out);
    s.bucket = bucket;
    s.count = 0;
  }
  // Events older than the current interval count in it (documented approximation).
  s.count += 1;
  if (out.status != Status.None) return;
  const avg = average(s);
  if (s.filled == line.baseline && s.inSpike == 0 && s.count >= line.minCount && s.count > avg * line.factor + line.increase) {
    s.inSpike = 1;
    out.status = Status.Fired;
    out.count = s.count;
    out.baseline = avg;
    // A late event counts in the current interval, whose start `first` is;
    // `last` never goes before it.
    out.first = s.bucket * line.interval;
    out.last = max(t, out.first);
  }
}
