// Token helpers for the raw-line parsers: log lines separate fields with
// blanks (space or tab).
import { isBlank } from "../../runtime/ascii";

/** Index of the next blank at or after `at`, or `len`. */
export function tokenEnd(p: usize, len: i32, at: i32): i32 {
  while (at < len && !isBlank(<u32>load<u8>(p + <usize>at))) at++;
  return at;
}

export function skipBlanks(p: usize, len: i32, at: i32): i32 {
  while (at < len && isBlank(<u32>load<u8>(p + <usize>at))) at++;
  return at;
}

/** Index of `c` at or after `at`, or `len`. */
export function byteEnd(p: usize, len: i32, at: i32, c: u32): i32 {
  while (at < len && <u32>load<u8>(p + <usize>at) != c) at++;
  return at;
}

/** Index of the last occurrence of the ASCII `word` that starts before `before`, or -1. */
export function lastIndexOf(p: usize, before: i32, word: string): i32 {
  const n = word.length;
  const first = <u32>word.charCodeAt(0);
  for (let i = before - n; i >= 0; i--) {
    if (<u32>load<u8>(p + <usize>i) != first) continue;
    let k = 1;
    while (k < n && <u32>load<u8>(p + <usize>(i + k)) == <u32>word.charCodeAt(k)) k++;
    if (k == n) return i;
  }
  return -1;
}
