// Anomaly: z-score of a numeric field against the key's running mean and
// standard deviation. The first WEIGHT_CAP samples give the exact mean and
// population variance (Welford); after that each sample weighs 1/WEIGHT_CAP,
// so the baseline follows slow drift. Fires from `minSamples` samples on,
// when |x - mean| >= zscore x stddev; the sample is then added to the
// baseline.
import { ANOMALY_FIXED } from "../runtime/schema";
import { Outcome, Status } from "./outcome";

@unmanaged export class AnomalyState {
  n: f64;
  mean: f64;
  variance: f64;
}

const WEIGHT_CAP: f64 = 1000;

export function anomalyPayload(): i32 {
  return ANOMALY_FIXED;
}

export function addSample(p: usize, x: f64, minSamples: f64, zscore: f64, t: i64, out: Outcome): void {
  const s = changetype<AnomalyState>(p);
  const mean = s.mean;
  const variance = s.variance;
  if (s.n >= minSamples) {
    const deviation = Math.sqrt(variance);
    const score = deviation > 0 ? Math.abs(x - mean) / deviation : 0;
    if (deviation > 0 && score >= zscore) {
      out.status = Status.Fired;
      out.count = x;
      out.baseline = mean;
      out.deviation = deviation;
      out.score = score;
      out.first = t;
      out.last = t;
    }
  }
  if (s.n < WEIGHT_CAP) s.n += 1;
  const alpha = 1 / s.n;
  const delta = x - mean;
  s.mean = mean + alpha * delta;
  s.variance = (1 - alpha) * (variance + alpha * delta * delta);
}
