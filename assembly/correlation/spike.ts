// Rate spike: events per interval against the moving average of the previous
// `baseline` intervals (quiet intervals count as zero). Fires when the current
// interval reaches `minCount` and exceeds `factor` x the average, once per
// spike; when an interval closes below that line again a recovery is raised.
// Payload: i64 bucket | f64 count | f64 sum | i32 filled | i32 ring head |
//          i32 in spike | i32 pad | f64 peak | f64 ring[baseline]
export function spikePayload(baseline: i32): i32 {
  return 48 + baseline * 8;
}

export const SPIKE_NONE = 0;
export const SPIKE_FIRED = 1;
export const SPIKE_RECOVERED = 2;

export let spikeObserved: f64 = 0;
export let spikeBaseline: f64 = 0;
/** Index of the interval the last fired or recovered result is about. */
export let spikeInterval: i64 = 0;

function pushBucket(p: usize, baseline: i32, count: f64): void {
  const ring = p + 48;
  const filled = load<i32>(p, 24);
  const head = load<i32>(p, 28);
  let sum = load<f64>(p, 16);
  if (filled == baseline) sum -= load<f64>(ring + <usize>head * 8);
  else store<i32>(p, filled + 1, 24);
  store<f64>(ring + <usize>head * 8, count);
  store<f64>(p, sum + count, 16);
  store<i32>(p, (head + 1) % baseline, 28);
}

function average(p: usize): f64 {
  const filled = load<i32>(p, 24);
  return filled == 0 ? 0 : load<f64>(p, 16) / <f64>filled;
}

export function addToRate(p: usize, created: bool, baseline: i32, interval: i64, factor: f64, minCount: f64, t: i64): i32 {
  const bucket = t / interval;
  let result = SPIKE_NONE;
  if (created) {
    store<i64>(p, bucket);
  } else if (bucket > load<i64>(p)) {
    // Close the current interval, then any quiet ones in between.
    const closed = load<f64>(p, 8);
    const line = average(p) * factor;
    if (load<i32>(p, 32) != 0 && closed <= line) {
      store<i32>(p, 0, 32);
      spikeObserved = closed;
      spikeBaseline = average(p);
      spikeInterval = load<i64>(p);
      result = SPIKE_RECOVERED;
    }
    pushBucket(p, baseline, closed);
    let gap = bucket - load<i64>(p) - 1;
    if (gap > <i64>baseline) gap = <i64>baseline;
    for (let k: i64 = 0; k < gap; k++) pushBucket(p, baseline, 0);
    store<i64>(p, bucket);
    store<f64>(p, 0, 8);
  }
  // Events older than the current interval count in it (documented approximation).
  const count = load<f64>(p, 8) + 1;
  store<f64>(p, count, 8);
  if (result != SPIKE_NONE) return result;
  const ready = load<i32>(p, 24) == baseline;
  if (ready && load<i32>(p, 32) == 0 && count >= minCount && count > average(p) * factor) {
    store<i32>(p, 1, 32);
    spikeObserved = count;
    spikeBaseline = average(p);
    spikeInterval = bucket;
    return SPIKE_FIRED;
  }
  return SPIKE_NONE;
}
