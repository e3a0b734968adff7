// temporal: every referenced rule seen for the key within the timespan.
// temporal_ordered: the rules seen in the order listed, the whole chain
// within the timespan. Payload: i64 per rule (last seen for temporal; for
// ordered, the start time of the latest chain that has reached that step).
import { Outcome, Status } from "./outcome";

const NONE: i64 = i64.MIN_VALUE;

export function temporalPayload(rules: i32): i32 {
  return rules * 8;
}

export function initTemporal(p: usize, rules: i32): void {
  for (let k = 0; k < rules; k++) store<i64>(p + <usize>k * 8, NONE);
}

/** Notes rule `step` seen at `t`. */
export function noteSeen(p: usize, step: i32, t: i64): void {
  const at = p + <usize>step * 8;
  if (load<i64>(at) < t) store<i64>(at, t);
}

/** Fires when every rule was last seen within `span`. */
export function checkAllSeen(p: usize, rules: i32, t: i64, span: i64, out: Outcome): void {
  let earliest = t;
  let latest = t;
  for (let k = 0; k < rules; k++) {
    const seen = load<i64>(p + <usize>k * 8);
    if (seen == NONE) return;
    earliest = min(earliest, seen);
    latest = max(latest, seen);
  }
  if (latest - earliest >= span) return;
  out.status = Status.Fired;
  out.count = <f64>rules;
  out.first = earliest;
  out.last = latest;
}

/** Advances the chain with rule `step` at `t`; fires when the last step completes it within `span`. */
export function addOrdered(p: usize, rules: i32, step: i32, t: i64, span: i64, out: Outcome): void {
  let start: i64;
  if (step == 0) {
    start = t;
  } else {
    const before = load<i64>(p + <usize>(step - 1) * 8);
    if (before == NONE || t - before >= span || t < before) return;
    start = before;
  }
  const at = p + <usize>step * 8;
  if (load<i64>(at) == NONE || load<i64>(at) < start) store<i64>(at, start);
  if (step < rules - 1) return;
  initTemporal(p, rules); // a completed chain starts over
  out.status = Status.Fired;
  out.count = <f64>rules;
  out.first = start;
  out.last = t;
}
