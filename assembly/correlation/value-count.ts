// value_count: at least `needed` distinct values of a field for the key,
// each seen within the timespan. The entry keeps up to `needed` (value hash,
// last seen) pairs and the first SAMPLES distinct values, truncated, for the alert.
// Payload: u32 count | u32 samples | (u64 hash, i64 time)[needed] | sample area
export const SAMPLES = 3;
export const SAMPLE_BYTES = 40; // u8 length + up to 39 bytes

export function valueCountPayload(needed: i32): i32 {
  return 8 + needed * 16 + SAMPLES * SAMPLE_BYTES;
}

/** The oldest last-seen time among the live values (the window's first event). */
export function oldestValue(p: usize): i64 {
  const count = load<i32>(p);
  let oldest = i64.MAX_VALUE;
  for (let k = 0; k < count; k++) {
    const t = load<i64>(p + 8 + <usize>k * 16, 8);
    if (t < oldest) oldest = t;
  }
  return oldest;
}

export function sampleArea(p: usize, needed: i32): usize {
  return p + 8 + <usize>needed * 16;
}

/** Records value `v` (hash `h`) at `t`; returns the number of distinct live values. */
export function addValue(p: usize, needed: i32, h: u64, t: i64, span: i64, v: usize, vlen: i32): i32 {
  let count = load<i32>(p);
  const pairs = p + 8;
  // Forget values last seen a full timespan before t.
  let k = 0;
  while (k < count) {
    const at = pairs + <usize>k * 16;
    if (t - load<i64>(at, 8) >= span) {
      count--;
      memory.copy(at, pairs + <usize>count * 16, 16);
    } else {
      k++;
    }
  }
  for (k = 0; k < count; k++) {
    const at = pairs + <usize>k * 16;
    if (load<u64>(at) == h) {
      if (t > load<i64>(at, 8)) store<i64>(at, t, 8);
      store<i32>(p, count);
      return count;
    }
  }
  if (count == needed) {
    // Full (an alert is cooling down): the least recently seen value makes room.
    let oldest = 0;
    for (k = 1; k < count; k++) if (load<i64>(pairs + <usize>k * 16, 8) < load<i64>(pairs + <usize>oldest * 16, 8)) oldest = k;
    store<u64>(pairs + <usize>oldest * 16, h);
    store<i64>(pairs + <usize>oldest * 16, t, 8);
  } else {
    store<u64>(pairs + <usize>count * 16, h);
    store<i64>(pairs + <usize>count * 16, t, 8);
    count++;
  }
  store<i32>(p, count);
  keepSample(p, needed, v, vlen);
  return count;
}

function keepSample(p: usize, needed: i32, v: usize, vlen: i32): void {
  const samples = load<i32>(p, 4);
  const area = sampleArea(p, needed);
  // The most recent SAMPLES values: shift out the oldest when full.
  let slot = samples;
  if (samples == SAMPLES) {
    memory.copy(area, area + SAMPLE_BYTES, (SAMPLES - 1) * SAMPLE_BYTES);
    slot = SAMPLES - 1;
  } else {
    store<i32>(p, samples + 1, 4);
  }
  const at = area + <usize>slot * SAMPLE_BYTES;
  let n = vlen < SAMPLE_BYTES - 1 ? vlen : SAMPLE_BYTES - 1;
  // Cut on a character boundary, never inside a UTF-8 sequence.
  if (n < vlen) while (n > 0 && (load<u8>(v + <usize>n) & 0xc0) == 0x80) n--;
  store<u8>(at, <u8>n);
  memory.copy(at + 1, v, <usize>n);
}
