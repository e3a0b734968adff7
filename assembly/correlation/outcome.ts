// What one observation of a key concluded: passed from the type's update
// to the alert, instead of module globals.
export const enum Status {
  None = 0,
  Fired = 1,
  /** A spike or slow interval ended: reported once, never suppressed. */
  Recovered = 2,
}

export class Outcome {
  status: Status = Status.None;
  /** Events or distinct values counted; for spike, anomaly and percentile the observed value. */
  count: f64 = 0;
  /** spike: the baseline average; anomaly: the mean; percentile: the baseline percentile. */
  baseline: f64 = NaN;
  /** anomaly: the standard deviation. */
  deviation: f64 = NaN;
  /** anomaly: the observed z-score. */
  score: f64 = NaN;
  first: i64 = 0;
  last: i64 = 0;

  reset(): void {
    this.status = Status.None;
    this.count = 0;
    this.baseline = NaN;
    this.deviation = NaN;
    this.score = NaN;
    this.first = 0;
    this.last = 0;
  }
}
