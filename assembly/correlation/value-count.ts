// value_count: at least `needed` distinct values of a field for the key,
// each seen within the timespan. The entry keeps up to `needed` (value hash,
// last seen) pairs and the most recent values, cut short, for the alert.
import { VALUE_COUNT_FIXED, SAMPLES } from "../runtime/schema";
import { Outcome, Status } from "./outcome";
import { keepSample } from "./samples";

@unmanaged export class ValueCountState {
  count: i32;
  samples: i32;
  reserved: i64;
}

@unmanaged class Seen {
  hash: u64;
  time: i64;
}

const SEEN = offsetof<Seen>();

export function valueCountPayload(needed: i32): i32 {
  return VALUE_COUNT_FIXED + needed * <i32>SEEN;
}

@inline function pairs(p: usize): usize {
  return p + offsetof<ValueCountState>();
}

/** The sample area follows the pairs. */
@inline export function sampleArea(p: usize, needed: i32): usize {
  return pairs(p) + <usize>needed * SEEN;
}

/**
 * Records value `v` (hash `h`) at `t`; fires when `needed` distinct values
 * are live: seen within the timespan before the key's newest event, which
 * is `t` unless t came out of order. A value arriving a full timespan
 * before the newest is outside the window and not counted.
 */
export function addValue(p: usize, needed: i32, h: u64, t: i64, span: i64, v: usize, vlen: i32, out: Outcome): void {
  const state = changetype<ValueCountState>(p);
  let count = state.count;
  const seen = pairs(p);
  let newest = t;
  for (let k = 0; k < count; k++) newest = max(newest, changetype<Seen>(seen + <usize>k * SEEN).time);
  if (newest - t >= span) return;
  // Forget values last seen a full timespan before the newest event.
  let k = 0;
  while (k < count) {
    const at = changetype<Seen>(seen + <usize>k * SEEN);
    if (newest - at.time >= span) {
      count--;
      memory.copy(changetype<usize>(at), seen + <usize>count * SEEN, SEEN);
    } else {
      k++;
    }
  }
  let known = false;
  for (k = 0; k < count; k++) {
    const at = changetype<Seen>(seen + <usize>k * SEEN);
    if (at.hash == h) {
      if (t > at.time) at.time = t;
      known = true;
      break;
    }
  }
  if (!known) {
    let slot = count;
    if (count == needed) {
      // Full (an alert is cooling down): the least recently seen value makes room.
      slot = 0;
      for (k = 1; k < count; k++) if (changetype<Seen>(seen + <usize>k * SEEN).time < changetype<Seen>(seen + <usize>slot * SEEN).time) slot = k;
    } else {
      count++;
    }
    const at = changetype<Seen>(seen + <usize>slot * SEEN);
    at.hash = h;
    at.time = t;
  }
  state.samples = keepSample(sampleArea(p, needed), state.samples, SAMPLES, v, vlen, true);
  state.count = count;
  if (count < needed) return;
  let oldest = i64.MAX_VALUE;
  for (k = 0; k < count; k++) oldest = min(oldest, changetype<Seen>(seen + <usize>k * SEEN).time);
  out.status = Status.Fired;
  out.count = <f64>count;
  out.first = oldest;
  out.last = newest;
}
