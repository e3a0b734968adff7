// anomaly (assembly/correlation/anomaly.ts) against README "Correlations":
// the z-score of a value against the key's running mean and (population)
// standard deviation, from min_samples samples on; exact for the first
// 1,000 samples, then each new one weighs 1/1,000.
import { addSample, anomalyPayload, AnomalyState } from "../../assembly/correlation/anomaly";
import { Outcome, Status } from "../../assembly/correlation/outcome";
import { zeroed } from "./helpers";

function sample(p: usize, x: f64, minSamples: f64 = 5, zscore: f64 = 3): Outcome {
  const out = new Outcome();
  addSample(p, x, minSamples, zscore, 1000, out);
  return out;
}

function close(actual: f64, expected: f64): void {
  expect(Math.abs(actual - expected)).toBeLessThan(1e-9 * Math.max(1, Math.abs(expected)));
}

describe("anomaly", () => {
  it("is quiet before min_samples samples, whatever the value", () => {
    const p = zeroed(anomalyPayload());
    sample(p, 100);
    sample(p, 101);
    expect(sample(p, 1e9).status).toBe(Status.None);
  });

  it("reports the exact mean, standard deviation and z-score", () => {
    const p = zeroed(anomalyPayload());
    const values: f64[] = [100, 110, 90, 100, 100];
    for (let i = 0; i < values.length; i++) expect(sample(p, values[i]).status).toBe(Status.None);
    // mean 100, population variance (0 + 100 + 100 + 0 + 0) / 5 = 40
    const out = sample(p, 120);
    expect(out.status).toBe(Status.Fired);
    close(out.count, 120);
    close(out.baseline, 100);
    close(out.deviation, Math.sqrt(40));
    close(out.score, 20 / Math.sqrt(40));
    // The outlier joins the baseline: [100, 110, 90, 100, 100, 120]
    const mean: f64 = 620.0 / 6.0;
    let sq: f64 = 0;
    const all: f64[] = [100, 110, 90, 100, 100, 120];
    for (let i = 0; i < all.length; i++) sq += (all[i] - mean) * (all[i] - mean);
    const sd = Math.sqrt(sq / 6);
    const next = sample(p, 140);
    expect(next.status).toBe(Status.Fired);
    close(next.baseline, mean);
    close(next.deviation, sd);
    close(next.score, (140 - mean) / sd);
  });

  it("fires below the mean too, and not under the threshold", () => {
    const p = zeroed(anomalyPayload());
    const values: f64[] = [10, 12, 8, 10, 10];
    for (let i = 0; i < values.length; i++) sample(p, values[i]);
    // sd = sqrt(1.6) = 1.2649: 7 is 2.37 sd away (under 3), 5 is 3.95 away
    expect(sample(p, 7).status).toBe(Status.None);
    const q = zeroed(anomalyPayload());
    for (let i = 0; i < values.length; i++) sample(q, values[i]);
    const out = sample(q, 5);
    expect(out.status).toBe(Status.Fired);
    close(out.score, 5 / Math.sqrt(1.6));
  });

  it("past 1,000 samples each new one weighs 1/1,000", () => {
    const p = zeroed(anomalyPayload());
    for (let i = 0; i < 1000; i++) sample(p, i % 2 == 0 ? 0 : 2); // mean 1, sd 1
    const out = sample(p, 1001);
    expect(out.status).toBe(Status.Fired);
    close(out.baseline, 1);
    close(out.deviation, 1);
    // The mean moves by (1001 - 1) / 1000.
    close(changetype<AnomalyState>(p).mean, 2);
  });
});
