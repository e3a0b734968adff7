// Alerts raised while processing the current record; output/alert.ts writes them.
export const enum AlertKind {
  Fired = 0,
  Recovered = 1, // a rate spike ended
}

export class Alert {
  correlation: i32 = 0;
  kind: i32 = AlertKind.Fired;
  count: f64 = 0; // events, distinct values, or the observed value for spike/anomaly
  baseline: f64 = NaN; // spike: moving average; anomaly: mean
  deviation: f64 = NaN; // anomaly: standard deviation
  first: i64 = 0; // ms
  last: i64 = 0; // ms
  samples: usize = 0; // value_count: sample area of the entry, or 0
  sampleCount: i32 = 0;
}

export const pending: Alert[] = [new Alert(), new Alert(), new Alert(), new Alert()];
export let pendingCount = 0;

export function resetAlerts(): void {
  pendingCount = 0;
}

/** Reserves the next alert slot (grown on demand; reused across records). */
export function nextAlert(correlation: i32): Alert {
  if (pendingCount == pending.length) pending.push(new Alert());
  const a = pending[pendingCount++];
  a.correlation = correlation;
  a.kind = AlertKind.Fired;
  a.count = 0;
  a.baseline = NaN;
  a.deviation = NaN;
  a.samples = 0;
  a.sampleCount = 0;
  return a;
}
