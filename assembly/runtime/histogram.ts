// Log-bucket histograms of response times: bucket k holds values in
// [MIN x BASE^k, MIN x BASE^(k+1)); a percentile read from it is within
// BASE - 1 (relative) of the true value. Fixed size, so a key's latency
// profile costs the same whatever the traffic.
import { HISTOGRAM_BUCKETS, HISTOGRAM_MIN, HISTOGRAM_BASE } from "./schema";

const LOG_BASE = Math.log(HISTOGRAM_BASE);

export function bucketOf(x: f64): i32 {
  if (!(x > HISTOGRAM_MIN)) return 0;
  const k = <i32>Math.floor(Math.log(x / HISTOGRAM_MIN) / LOG_BASE);
  return k >= HISTOGRAM_BUCKETS ? HISTOGRAM_BUCKETS - 1 : k;
}

/** Adds `x` to the u32 counts at `h`. */
@inline export function record(h: usize, x: f64): void {
  const at = h + (<usize>bucketOf(x) << 2);
  store<u32>(at, load<u32>(at) + 1);
}

/** The q-quantile (0-1) of `total` values: the geometric middle of its bucket. */
export function quantile(h: usize, total: u32, q: f64): f64 {
  if (total == 0) return NaN;
  let rank = <u64>Math.ceil(q * <f64>total);
  if (rank < 1) rank = 1;
  let seen: u64 = 0;
  for (let k = 0; k < HISTOGRAM_BUCKETS; k++) {
    seen += <u64>load<u32>(h + (<usize>k << 2));
    if (seen >= rank) return HISTOGRAM_MIN * Math.pow(HISTOGRAM_BASE, <f64>k + 0.5);
  }
  return HISTOGRAM_MIN * Math.pow(HISTOGRAM_BASE, <f64>HISTOGRAM_BUCKETS);
}

export const HISTOGRAM_BYTES: i32 = HISTOGRAM_BUCKETS * 4;
