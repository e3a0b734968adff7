// temporal: every referenced rule seen for the key within the timespan.
// temporal_ordered: the rules seen in the order listed, the whole chain within
// the timespan. Payload: i64 per rule (last seen for temporal; for ordered,
// the start time of the latest chain that has reached that step).
const NONE: i64 = i64.MIN_VALUE;

export function temporalPayload(rules: i32): i32 {
  return rules * 8;
}

export function initTemporal(p: usize, rules: i32): void {
  for (let k = 0; k < rules; k++) store<i64>(p + <usize>k * 8, NONE);
}

/** Returns the earliest time of a complete set, or NONE. */
export function addUnordered(p: usize, rules: i32, step: i32, t: i64, span: i64): i64 {
  const at = p + <usize>step * 8;
  if (load<i64>(at) < t) store<i64>(at, t);
  let earliest = t;
  let latest = t;
  for (let k = 0; k < rules; k++) {
    const seen = load<i64>(p + <usize>k * 8);
    if (seen == NONE) return NONE;
    if (seen < earliest) earliest = seen;
    if (seen > latest) latest = seen;
  }
  return latest - earliest < span ? earliest : NONE;
}

/** Returns the chain's start time when the last step completes it, or NONE. */
export function addOrdered(p: usize, rules: i32, step: i32, t: i64, span: i64): i64 {
  let start: i64;
  if (step == 0) {
    start = t;
  } else {
    const before = load<i64>(p + <usize>(step - 1) * 8);
    if (before == NONE || t - before >= span || t < before) return NONE;
    start = before;
  }
  const at = p + <usize>step * 8;
  if (load<i64>(at) == NONE || load<i64>(at) < start) store<i64>(at, start);
  if (step < rules - 1) return NONE;
  initTemporal(p, rules); // a completed chain starts over
  return start;
}
