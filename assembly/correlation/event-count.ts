// event_count: at least `needed` events for the key with the newest minus
// the oldest less than the timespan. The entry keeps the newest `needed`
// event times in order (a sorted ring), so out-of-order events land in place.
// Payload: u32 count | i64 times[needed]
export function eventCountPayload(needed: i32): i32 {
  return 8 + needed * 8;
}

/** The newest event time kept, after addEvent (events may arrive out of order). */
export let newestEvent: i64 = 0;

/** Adds an event at `t`; returns the oldest time of a full window within `span`, or i64.MIN_VALUE. */
export function addEvent(p: usize, needed: i32, t: i64, span: i64): i64 {
  let count = load<i32>(p);
  const times = p + 8;
  // Insert t keeping ascending order; when full, drop the oldest.
  if (count == needed) {
    if (t <= load<i64>(times)) return i64.MIN_VALUE; // older than everything kept: cannot complete a window
    memory.copy(times, times + 8, <usize>(count - 1) * 8);
    count--;
  }
  let i = count;
  while (i > 0 && load<i64>(times + <usize>(i - 1) * 8) > t) {
    store<i64>(times + <usize>i * 8, load<i64>(times + <usize>(i - 1) * 8));
    i--;
  }
  store<i64>(times + <usize>i * 8, t);
  count++;
  store<i32>(p, count);
  if (count < needed) return i64.MIN_VALUE;
  const oldest = load<i64>(times);
  const newest = load<i64>(times + <usize>(count - 1) * 8);
  newestEvent = newest;
  return newest - oldest < span ? oldest : i64.MIN_VALUE;
}
