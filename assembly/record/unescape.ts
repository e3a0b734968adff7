// Decodes the body of a JSON string (between the quotes) into UTF-8 bytes.
// Only called for strings the scanner saw an escape in, and the scanner has
// already validated every escape. Lone surrogates become U+FFFD.
import { Bytes } from "../runtime/bytes";
import { hexValue } from "../runtime/ascii";

function hex4(p: usize): u32 {
  let v: u32 = 0;
  for (let k: usize = 0; k < 4; k++) v = (v << 4) | <u32>hexValue(<u32>load<u8>(p + k));
  return v;
}

export function appendUtf8(out: Bytes, cp: u32): void {
  if (cp < 0x80) {
    out.byte(<u8>cp);
  } else if (cp < 0x800) {
    out.byte(<u8>(0xc0 | (cp >> 6)));
    out.byte(<u8>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.byte(<u8>(0xe0 | (cp >> 12)));
    out.byte(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    out.byte(<u8>(0x80 | (cp & 0x3f)));
  } else {
    out.byte(<u8>(0xf0 | (cp >> 18)));
    out.byte(<u8>(0x80 | ((cp >> 12) & 0x3f)));
    out.byte(<u8>(0x80 | ((cp >> 6) & 0x3f)));
    out.byte(<u8>(0x80 | (cp & 0x3f)));
  }
}

export function unescapeJson(p: usize, len: i32, out: Bytes): void {
  // Decoding never lengthens a string (\uXXXX is 6 bytes for at most 3), so
  // one reservation covers it; runs without escapes are copied in bulk.
  out.reserve(len);
  let i = 0;
  while (i < len) {
    let run = i;
    while (run < len && load<u8>(p + <usize>run) != 0x5c) run++;
    if (run > i) {
      memory.copy(out.ptr + <usize>out.length, p + <usize>i, <usize>(run - i));
      out.length += run - i;
      i = run;
      if (i >= len) break;
    }
    const e = load<u8>(p + <usize>(i + 1));
    i += 2;
    if (e == 0x75) {
      let cp = hex4(p + <usize>i);
      i += 4;
      if (cp >= 0xd800 && cp < 0xdc00) {
        // A high surrogate pairs with a following \uDC00-\uDFFF.
        if (i + 6 <= len && load<u8>(p + <usize>i) == 0x5c && load<u8>(p + <usize>(i + 1)) == 0x75) {
          const low = hex4(p + <usize>(i + 2));
          if (low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          } else {
            cp = 0xfffd;
          }
        } else {
          cp = 0xfffd;
        }
      } else if (cp >= 0xdc00 && cp < 0xe000) {
        cp = 0xfffd;
      }
      appendUtf8(out, cp);
    } else if (e == 0x6e) out.byte(0x0a);
    else if (e == 0x74) out.byte(0x09);
    else if (e == 0x72) out.byte(0x0d);
    else if (e == 0x62) out.byte(0x08);
    else if (e == 0x66) out.byte(0x0c);
    else out.byte(e); // \" \\ \/
  }
}
