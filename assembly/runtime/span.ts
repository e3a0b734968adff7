// A byte range in linear memory: strings of the program and values of a
// record are used in place, never copied into managed strings.
import { repeated, zeroBytes, leadingBytes } from "./swar";

export class Span {
  constructor(public ptr: usize = 0, public len: i32 = 0) {}

  @inline set(ptr: usize, len: i32): void {
    this.ptr = ptr;
    this.len = len;
  }

  equals(ptr: usize, len: i32): bool {
    return this.len == len && sameBytes(this.ptr, ptr, len);
  }
}

/**
 * Index of the first byte at or after `from` that is `a` or `b`, else `len`;
 * 8 bytes a step (the bytes must lie in a buffer with 8 bytes of slack).
 */
export function findEither(p: usize, from: i32, len: i32, a: u32, b: u32): i32 {
  const wa = repeated(a);
  const wb = repeated(b);
  let i = from;
  while (i < len) {
    const v = load<u64>(p + <usize>i);
    const hit = zeroBytes(v ^ wa) | zeroBytes(v ^ wb);
    if (hit != 0) {
      i += <i32>(ctz(hit) >> 3);
      return i < len ? i : len;
    }
    i += 8;
  }
  return len;
}

/** Whether `len` bytes at `a` and `b` are equal, 8 at a time (AssemblyScript's memory.compare goes byte by byte). */
export function sameBytes(a: usize, b: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < len; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/**
 * sameBytes for bytes that both lie in buffers with 8 bytes of slack
 * (record, line, program, memo entries): the last 1-8 bytes are one
 * overlapping or masked word compare instead of a byte loop.
 */
export function samePadded(a: usize, b: usize, len: i32): bool {
  if (len <= 8) return leadingBytes(a, len) == leadingBytes(b, len);
  const last = <usize>(len - 8);
  for (let i: usize = 0; i < last; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  return load<u64>(a + last) == load<u64>(b + last);
}

/** Bytes of `p` starting at `at` equal the ASCII `word` (exact case). */
export function startsWith(p: usize, len: i32, at: i32, word: string): bool {
  const n = word.length;
  if (at < 0 || at + n > len) return false;
  for (let k = 0; k < n; k++) if (<u32>load<u8>(p + <usize>(at + k)) != <u32>word.charCodeAt(k)) return false;
  return true;
}

/** Index of the ASCII `word` (exact case) at or after `from`, or -1. */
export function indexOf(p: usize, len: i32, from: i32, word: string): i32 {
  const n = word.length;
  const first = <u32>word.charCodeAt(0);
  for (let i = from; i + n <= len; i++) {
    if (<u32>load<u8>(p + <usize>i) != first) continue;
    let k = 1;
    while (k < n && <u32>load<u8>(p + <usize>(i + k)) == <u32>word.charCodeAt(k)) k++;
    if (k == n) return i;
  }
  return -1;
}
