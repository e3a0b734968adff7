// percentile (tripline): a key's q-th percentile of a numeric field (the
// response time, per endpoint or site section) over each interval. When an
// interval closes, it fires if that percentile is above `limit`, or above
// `factor` x the key's baseline (a moving average of earlier intervals'
// percentiles, from `baseline` intervals on); a later interval back under
// the line raises a recovery. Intervals with fewer than `minCount` values
// are not judged.
import { PERCENTILE_FIXED } from "../runtime/schema";
import { Outcome, Status } from "./outcome";
import { record, quantile } from "../runtime/histogram";

@unmanaged export class PercentileState {
  bucket: i64;
  count: u32;
  filled: u32;
  baseline: f64;
  inAlert: u32;
  reserved: u32;
}

export class PercentileLine {
  quantile: f64 = 0.95;
  interval: i64 = 60000;
  limit: f64 = Infinity;
  factor: f64 = Infinity;
  baseline: i32 = 10;
  minCount: f64 = 1;
}

export function percentilePayload(): i32 {
  return PERCENTILE_FIXED;
}

@inline function histogram(p: usize): usize {
  return p + offsetof<PercentileState>();
}

export function addValueAt(p: usize, created: bool, line: PercentileLine, x: f64, t: i64, out: Outcome): void {
  const s = changetype<PercentileState>(p);
  const bucket = t / line.interval;
  if (created) s.bucket = bucket;
  if (bucket > s.bucket) {
    closeInterval(p, line, t, out);
    memory.fill(histogram(p), 0, <usize>(PERCENTILE_FIXED - <i32>offsetof<PercentileState>()));
    s.bucket = bucket;
    s.count = 0;
  }
  record(histogram(p), x);
  s.count++;
}

function closeInterval(p: usize, line: PercentileLine, t: i64, out: Outcome): void {
  const s = changetype<PercentileState>(p);
  if (<f64>s.count < line.minCount) return;
  const value = quantile(histogram(p), s.count, line.quantile);
  const ready = s.filled >= <u32>line.baseline;
  const above = value > line.limit || (ready && value > s.baseline * line.factor);
  if (above && s.inAlert == 0) {
    s.inAlert = 1;
    out.status = Status.Fired;
  } else if (!above && s.inAlert != 0) {
    s.inAlert = 0;
    out.status = Status.Recovered;
  }
  if (out.status != Status.None) {
    out.count = value;
    out.baseline = ready ? s.baseline : NaN;
    out.first = s.bucket * line.interval;
    out.last = t;
  }
  // The baseline learns from normal intervals only, so a slow period does not become normal.
  if (!above) {
    s.filled++;
    const weight = 1 / <f64>min(s.filled, <u32>max(line.baseline, 1));
    s.baseline = s.filled == 1 ? value : s.baseline + weight * (value - s.baseline);
  }
}
