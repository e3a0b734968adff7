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

/**
 * Adds an event at `t`; fires when `needed` events, t among them, lie
 * within `span`. An out-of-order t is checked against the kept times
 * around it before the oldest is dropped, so it can complete a window on
 * either side; times older than the kept ones are gone (at most `needed`
 * are kept per key), so a window needing them is missed.
 */
export function addEvent(p: usize, needed: i32, t: i64, span: i64, out: Outcome): void {
  const state = changetype<EventCountState>(p);
  const count = state.count;
  const times = eventTimes(p);
  // Where t goes: after every kept time not later than it.
  let at = count;
  while (at > 0 && timeAt(times, at - 1) > t) at--;
  // Runs of `needed` consecutive times with t placed (count + 1 of them)
  // that hold t, the newest first.
  for (let j = min(at, count + 1 - needed); j >= 0 && j > at - needed; j--) {
    const oldest = j == at ? t : timeAt(times, j);
    const end = j + needed - 1;
    const newest = end == at ? t : timeAt(times, end > at ? end - 1 : end);
    if (newest - oldest < span) {
      out.status = Status.Fired;
      out.count = <f64>needed;
      out.first = oldest;
      out.last = newest;
      break;
    }
  }
  if (count < needed) {
    // Room left: the later times move up one.
    memory.copy(times + <usize>(at + 1) * 8, times + <usize>at * 8, <usize>(count - at) * 8);
    store<i64>(times + <usize>at * 8, t);
    state.count = count + 1;
  } else if (at > 0) {
    // Full: the oldest gives way (t itself when it is the oldest).
    memory.copy(times, times + 8, <usize>(at - 1) * 8);
    store<i64>(times + <usize>(at - 1) * 8, t);
  }
}

@inline function timeAt(times: usize, k: i32): i64 {
  return load<i64>(times + <usize>k * 8);
}
