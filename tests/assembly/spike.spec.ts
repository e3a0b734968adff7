// spike (assembly/correlation/spike.ts) against README "Correlations":
// events in the current interval >= min_count and > factor x the average of
// the previous `baseline` intervals (quiet intervals count as 0) + increase;
// once per spike; a recovered alert when an interval closes back under the
// line. Interval i covers [i x interval, (i + 1) x interval).
import { addToRate, spikePayload, SpikeLine } from "../../assembly/correlation/spike";
import { Outcome, Status } from "../../assembly/correlation/outcome";
import { zeroed } from "./helpers";

class Rate {
  p: usize;
  started: bool = false;
  constructor(public line: SpikeLine) {
    this.p = zeroed(spikePayload(line.baseline));
  }

  at(t: i64): Outcome {
    const out = new Outcome();
    addToRate(this.p, !this.started, this.line, t, out);
    this.started = true;
    return out;
  }
}

function line(baseline: i32, interval: i64, factor: f64, increase: f64, minCount: f64): SpikeLine {
  const l = new SpikeLine();
  l.baseline = baseline;
  l.interval = interval;
  l.factor = factor;
  l.increase = increase;
  l.minCount = minCount;
  return l;
}

describe("spike", () => {
  it("fires once the current interval passes min_count and factor x the average", () => {
    const r = new Rate(line(3, 10000, 2, 0, 4));
    r.at(0);
    r.at(10000);
    r.at(20000); // one event in each of three intervals: average 1
    expect(r.at(30000).status).toBe(Status.None);
    expect(r.at(31000).status).toBe(Status.None);
    expect(r.at(32000).status).toBe(Status.None); // 3 > 2 x 1, but under min_count 4
    const out = r.at(33000);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(4);
    expect(out.baseline).toBe(1);
    expect(out.first).toBe(30000);
    expect(out.last).toBe(33000);
    expect(r.at(34000).status).toBe(Status.None, "once per spike");
  });

  it("quiet intervals count as 0 in the average", () => {
    const r = new Rate(line(2, 10000, 2, 0, 1));
    r.at(0);
    r.at(1000); // [0, 10): 2 events
    // [10, 20) quiet; in [20, 30) the average of [0, 10) and [10, 20) is 1: two events are not above 2 x 1, three are.
    r.at(20000);
    expect(r.at(21000).status).toBe(Status.None);
    const out = r.at(22000);
    expect(out.status).toBe(Status.Fired);
    expect(out.baseline).toBe(1);
  });

  it("the increase is added to the line", () => {
    const r = new Rate(line(2, 10000, 1, 3, 1));
    r.at(0);
    r.at(1);
    r.at(10000);
    r.at(10001); // average 2: the line is 1 x 2 + 3 = 5
    for (let k = 0; k < 5; k++) expect(r.at(20000 + k).status).toBe(Status.None, "at or under the line");
    const out = r.at(20005);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(6);
  });

  it("recovers when an interval closes at or under the line, once", () => {
    const r = new Rate(line(3, 10000, 2, 0, 4));
    r.at(0);
    r.at(10000);
    r.at(20000);
    for (let k = 0; k < 5; k++) r.at(30000 + k); // the spike: 5 events
    // [30, 40) closes with 5 > 2 x 1: still spiking.
    expect(r.at(40000).status).toBe(Status.None);
    // [40, 50) closes with 1 <= 2 x average(1, 1, 5).
    const out = r.at(50000);
    expect(out.status).toBe(Status.Recovered);
    expect(out.count).toBe(1);
    expect(out.baseline).toBeCloseTo(7.0 / 3.0);
    expect(out.first).toBe(40000);
    expect(out.last).toBe(50000);
    expect(r.at(60000).status).toBe(Status.None, "recovered once");
  });

  it("a late event counts in the current interval (README)", () => {
    const r = new Rate(line(1, 10000, 1, 0, 3));
    r.at(0); // [0, 10): 1
    r.at(10000);
    r.at(11000);
    const out = r.at(5000); // stamped in [0, 10), counted in [10, 20): the third
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(3);
  });
});
