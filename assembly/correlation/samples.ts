// A few values kept per key for the alert: the most recent ones, each cut
// at SAMPLE_BYTES - 1 bytes on a UTF-8 character boundary. Bytes come from
// the record after redaction, so a masked secret is never kept.
import { SAMPLE_BYTES } from "../runtime/schema";
import { sameBytes } from "../runtime/span";

@unmanaged class Sample {
  length: u8;
}

/** How many bytes of `v` a sample keeps: at most SAMPLE_BYTES - 1, cut on a UTF-8 character boundary. */
export function sampleCut(v: usize, vlen: i32): i32 {
  let n = vlen < SAMPLE_BYTES - 1 ? vlen : SAMPLE_BYTES - 1;
  if (n < vlen) while (n > 0 && (load<u8>(v + <usize>n) & 0xc0) == 0x80) n--;
  return n;
}

/** Keeps `v` as the newest of at most `max` samples in `area`; `distinct` moves a value already kept to the newest place instead of keeping it twice. Returns the new count. */
export function keepSample(area: usize, count: i32, max: i32, v: usize, vlen: i32, distinct: bool): i32 {
  const n = sampleCut(v, vlen);
  if (distinct) {
    // A value seen again becomes the newest: the kept samples are then the
    // values seen last, which are the ones still inside the window.
    for (let k = 0; k < count; k++) {
      const at = area + <usize>k * SAMPLE_BYTES;
      if (<i32>changetype<Sample>(at).length == n && sameBytes(at + 1, v, n)) {
        memory.copy(at, at + SAMPLE_BYTES, <usize>(count - 1 - k) * SAMPLE_BYTES);
        const last = area + <usize>(count - 1) * SAMPLE_BYTES;
        changetype<Sample>(last).length = <u8>n;
        memory.copy(last + 1, v, <usize>n);
        return count;
      }
    }
  }
  let slot = count;
  if (count == max) {
    memory.copy(area, area + SAMPLE_BYTES, <usize>(max - 1) * SAMPLE_BYTES);
    slot = max - 1;
  } else {
    count++;
  }
  const at = area + <usize>slot * SAMPLE_BYTES;
  changetype<Sample>(at).length = <u8>n;
  memory.copy(at + 1, v, <usize>n);
  return count;
}

@inline export function sampleAt(area: usize, k: i32): usize {
  return area + <usize>k * SAMPLE_BYTES + 1;
}

@inline export function sampleLength(area: usize, k: i32): i32 {
  return <i32>changetype<Sample>(area + <usize>k * SAMPLE_BYTES).length;
}
