// URL-decodes a path or query once: %XX becomes the byte, '+' a space.
// Rules on URL fields see both the value as logged and this decoded form,
// so a pattern matches "%27%20or%201=1" and "' or 1=1" alike.
import { Bytes } from "../runtime/bytes";
import { CharCode, hexValue } from "../runtime/ascii";

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** True when decoding would change the value (a '%' or '+'), 8 bytes a step. */
export function needsUrlDecode(p: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(p + <usize>i);
    const pct = v ^ 0x2525252525252525;
    const plus = v ^ 0x2b2b2b2b2b2b2b2b;
    if ((((pct - ONES) & ~pct) | ((plus - ONES) & ~plus)) & HIGHS) return true;
  }
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == CharCode.Percent || c == CharCode.Plus) return true;
  }
  return false;
}

export function urlDecode(p: usize, len: i32, out: Bytes): void {
  out.reset();
  out.reserve(len); // decoding never lengthens
  let w = out.ptr;
  let i = 0;
  while (i < len) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == CharCode.Percent && i + 2 < len) {
      const hi = hexValue(<u32>load<u8>(p + <usize>(i + 1)));
      const lo = hexValue(<u32>load<u8>(p + <usize>(i + 2)));
      if (hi >= 0 && lo >= 0) {
        store<u8>(w++, <u8>((hi << 4) | lo));
        i += 3;
        continue;
      }
    }
    store<u8>(w++, <u8>(c == CharCode.Plus ? CharCode.Space : c));
    i++;
  }
  out.length = <i32>(w - out.ptr);
}
