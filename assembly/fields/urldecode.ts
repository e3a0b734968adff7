// URL-decodes a path or query once: %XX becomes the byte, '+' a space.
// Rules on URL fields see both the value as logged and this decoded form,
// so a pattern matches "%27%20or%201=1" and "' or 1=1" alike.
import { Bytes } from "../runtime/bytes";
import { CharCode, hexValue } from "../runtime/ascii";
import { ONES, HIGHS, repeated, zeroBytes, leadingBytes } from "../runtime/swar";

/** True when decoding would change the value (a '%' or '+'), 8 bytes a step; the value must lie in a buffer with 8 bytes of slack. */
export function needsUrlDecode(p: usize, len: i32): bool {
  const pct = repeated(CharCode.Percent);
  const plus = repeated(CharCode.Plus);
  let i = 0;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(p + <usize>i);
    if ((((v ^ pct) - ONES) & ~(v ^ pct) | ((v ^ plus) - ONES) & ~(v ^ plus)) & HIGHS) return true;
  }
  // The last bytes as one word, those past `len` masked to zero (neither '%' nor '+').
  const v = leadingBytes(p + <usize>i, len - i);
  return (zeroBytes(v ^ pct) | zeroBytes(v ^ plus)) != 0;
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
