// Byte helpers for the raw-line parsers.
export function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x09;
}

export function isDigit(c: u8): bool {
  return <u32>c - 0x30 < 10;
}

/** Index of the next space at or after `at`, or `len`. */
export function tokenEnd(p: usize, len: i32, at: i32): i32 {
  while (at < len && !isSpace(load<u8>(p + <usize>at))) at++;
  return at;
}

export function skipSpaces(p: usize, len: i32, at: i32): i32 {
  while (at < len && isSpace(load<u8>(p + <usize>at))) at++;
  return at;
}

/** Index of `word` (ASCII, exact) at or after `from`, or -1. */
export function find(p: usize, len: i32, from: i32, word: string): i32 {
  const n = word.length;
  const first = <u8>word.charCodeAt(0);
  for (let i = from; i + n <= len; i++) {
    if (load<u8>(p + <usize>i) != first) continue;
    let k = 1;
    while (k < n && load<u8>(p + <usize>(i + k)) == <u8>word.charCodeAt(k)) k++;
    if (k == n) return i;
  }
  return -1;
}

export function startsWith(p: usize, len: i32, at: i32, word: string): bool {
  const n = word.length;
  if (at + n > len) return false;
  for (let k = 0; k < n; k++) if (load<u8>(p + <usize>(at + k)) != <u8>word.charCodeAt(k)) return false;
  return true;
}
