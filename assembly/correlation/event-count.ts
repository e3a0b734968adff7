// event_count: at least `needed` events for the key with the newest minus
// the oldest less than the timespan. The entry keeps the newest `needed`
// event times in order (a sorted ring), so out-of-order events land in
// place, and the most recent distinct client addresses for the alert.
import { EVENT_COUNT_FIXED } from "../runtime/schema";
import { Outcome, Status } from "./outcome";

@unmanaged export class EventCountState {
  count: i32;
  addresses: i32;
  reserved: i64;
}

@inline export function eventTimes(p: usize): usize {
  return p + offsetof<EventCountState>();
}

/** The address samples follow the times. */
@inline export function addressArea(p: usize, needed: i32): usize {
  return p + offsetof<EventCountState>() + <usize>needed * 8;
}

export function eventCountPayload(needed: i32): i32 {
  return EVENT_COUNT_FIXED + needed * 8;
}

/** Adds an event at `t`; fires when `needed` events lie within `span`. */
export function addEvent(p: usize, needed: i32, t: i64, span: i64, out: Outcome): void {
  const state = changetype<EventCountState>(p);
  let count = state.count;
  const times = eventTimes(p);
  // Insert t keeping ascending order; when full, drop the oldest.
  if (count == needed) {
    if (t <= load<i64>(times)) return; // older than everything kept: cannot complete a window
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
  state.count = count;
  if (count < needed) return;
  const oldest = load<i64>(times);
  const newest = load<i64>(times + <usize>(count - 1) * 8);
  if (newest - oldest >= span) return;
  out.status = Status.Fired;
  out.count = <f64>needed;
  out.first = oldest;
  out.last = newest;
}
