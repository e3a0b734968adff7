// Anomaly: z-score of a numeric field against the key's running mean and
// standard deviation. The first `cap` samples give the exact mean and
// population variance (Welford); after that each sample weighs 1/cap, so
// the baseline follows slow drift. Fires from `minSamples` samples on, when
// |x - mean| >= zscore * stddev; the sample is then added to the baseline.
// Payload: f64 n | f64 mean | f64 variance
export const ANOMALY_PAYLOAD = 24;
const WEIGHT_CAP: f64 = 1000;

export let anomalyMean: f64 = 0;
export let anomalyDeviation: f64 = 0;

export function addSample(p: usize, x: f64, minSamples: f64, zscore: f64): bool {
  let n = load<f64>(p);
  const mean = load<f64>(p, 8);
  const variance = load<f64>(p, 16);
  let fired = false;
  if (n >= minSamples) {
    const deviation = Math.sqrt(variance);
    if (deviation > 0 && Math.abs(x - mean) >= zscore * deviation) {
      fired = true;
      anomalyMean = mean;
      anomalyDeviation = deviation;
    }
  }
  if (n < WEIGHT_CAP) n += 1;
  const alpha = 1 / n;
  const delta = x - mean;
  store<f64>(p, n);
  store<f64>(p, mean + alpha * delta, 8);
  store<f64>(p, (1 - alpha) * (variance + alpha * delta * delta), 16);
  return fired;
}
