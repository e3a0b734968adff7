// URL-decodes a path or query once: %XX becomes the byte, '+' a space.
// Rules on URL fields see both the value as logged and this decoded form,
// so a pattern matches "%27%20or%201=1" and "' or 1=1" alike.
import { Bytes } from "../runtime/bytes";

function hexDigit(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

/** True when decoding would change the value. */
export function needsUrlDecode(p: usize, len: i32): bool {
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x25 || c == 0x2b) return true;
  }
  return false;
}

export function urlDecode(p: usize, len: i32, out: Bytes): void {
  out.reset();
  out.reserve(len); // decoding never lengthens
  let w = out.ptr;
  let i = 0;
  while (i < len) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x25 && i + 2 < len) {
      const hi = hexDigit(<u32>load<u8>(p + <usize>(i + 1)));
      const lo = hexDigit(<u32>load<u8>(p + <usize>(i + 2)));
      if (hi >= 0 && lo >= 0) {
        store<u8>(w++, <u8>((hi << 4) | lo));
        i += 3;
        continue;
      }
    }
    store<u8>(w++, c == 0x2b ? 0x20 : c);
    i++;
  }
  out.length = <i32>(w - out.ptr);
}
