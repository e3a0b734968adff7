// temporal and temporal_ordered (assembly/correlation/temporal.ts) against
// SEMANTICS.md: temporal fires when every listed rule was seen for the key
// with latest - earliest < timespan; temporal_ordered when the rules were
// seen in order, the chain's start within the timespan.
import { noteSeen, checkAllSeen, addOrdered, initTemporal, temporalPayload } from "../../assembly/correlation/temporal";
import { Outcome, Status } from "../../assembly/correlation/outcome";
import { zeroed } from "./helpers";

const SPAN: i64 = 60000;

function key(rules: i32): usize {
  const p = zeroed(temporalPayload(rules));
  initTemporal(p, rules);
  return p;
}

function unordered(p: usize, rules: i32, step: i32, t: i64): Outcome {
  const out = new Outcome();
  noteSeen(p, step, t);
  checkAllSeen(p, rules, t, SPAN, out);
  return out;
}

function ordered(p: usize, rules: i32, step: i32, t: i64): Outcome {
  const out = new Outcome();
  addOrdered(p, rules, step, t, SPAN, out);
  return out;
}

describe("temporal", () => {
  it("fires when every rule was seen within the timespan, in any order", () => {
    const p = key(2);
    expect(unordered(p, 2, 1, 0).status).toBe(Status.None);
    const out = unordered(p, 2, 0, 59999);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(2);
    expect(out.first).toBe(0);
    expect(out.last).toBe(59999);
  });

  it("does not fire when the rules lie a full timespan apart", () => {
    const p = key(2);
    unordered(p, 2, 0, 0);
    expect(unordered(p, 2, 1, 60000).status).toBe(Status.None);
  });

  it("takes each rule's latest sighting", () => {
    const p = key(3);
    unordered(p, 3, 0, 0);
    unordered(p, 3, 1, 10000);
    unordered(p, 3, 0, 50000);
    const out = unordered(p, 3, 2, 100000); // latest: 50 s, 10 s, 100 s -> 90 s apart
    expect(out.status).toBe(Status.None);
    const again = unordered(p, 3, 1, 100500); // latest: 50 s, 100.5 s, 100 s
    expect(again.status).toBe(Status.Fired);
    expect(again.first).toBe(50000);
    expect(again.last).toBe(100500);
  });
});

describe("temporal_ordered", () => {
  it("fires on the rules in order, the chain's start within the timespan", () => {
    const p = key(3);
    expect(ordered(p, 3, 1, 0).status).toBe(Status.None); // no chain to continue
    expect(ordered(p, 3, 0, 10000).status).toBe(Status.None);
    expect(ordered(p, 3, 2, 20000).status).toBe(Status.None); // step 1 missing
    expect(ordered(p, 3, 1, 30000).status).toBe(Status.None);
    const out = ordered(p, 3, 2, 40000);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(3);
    expect(out.first).toBe(10000);
    expect(out.last).toBe(40000);
  });

  it("measures the timespan from the chain's start", () => {
    const late = key(2);
    ordered(late, 2, 0, 0);
    expect(ordered(late, 2, 1, 60000).status).toBe(Status.None);
    const inTime = key(2);
    ordered(inTime, 2, 0, 0);
    expect(ordered(inTime, 2, 1, 59999).status).toBe(Status.Fired);
  });

  it("a later start of the chain keeps it alive", () => {
    const p = key(2);
    ordered(p, 2, 0, 0);
    ordered(p, 2, 0, 50000);
    const out = ordered(p, 2, 1, 100000); // from the start at 50 s
    expect(out.status).toBe(Status.Fired);
    expect(out.first).toBe(50000);
  });

  it("a step before its predecessor in time does not continue the chain", () => {
    const p = key(2);
    ordered(p, 2, 0, 30000);
    expect(ordered(p, 2, 1, 20000).status).toBe(Status.None); // arrives later, happened earlier
  });
});
