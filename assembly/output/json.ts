// Small JSON writers for the values tripline adds (alert fields, group values).
import { Bytes } from "../runtime/bytes";

const HEX = "0123456789abcdef";

/** Writes bytes as a JSON string, quotes included. Bytes >= 0x80 are copied as they are. */
export function writeString(out: Bytes, p: usize, len: i32): void {
  out.byte(0x22);
  writeEscaped(out, p, len);
  out.byte(0x22);
}

/** Writes bytes escaped for the inside of a JSON string. */
export function writeEscaped(out: Bytes, p: usize, len: i32): void {
  for (let i = 0; i < len; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x22 || c == 0x5c) {
      out.byte(0x5c);
      out.byte(c);
    } else if (c < 0x20 || c == 0x7f) {
      out.ascii("\\u00");
      out.byte(<u8>HEX.charCodeAt(c >> 4));
      out.byte(<u8>HEX.charCodeAt(c & 15));
    } else {
      out.byte(c);
    }
  }
}

/** Writes a finite number; integers exactly, others with up to 6 decimals. */
export function writeNumber(out: Bytes, v: f64): void {
  if (!isFinite(v)) {
    out.ascii("null");
    return;
  }
  if (v == Math.floor(v) && Math.abs(v) < 9e15) {
    out.decimal(<i64>v);
    return;
  }
  const negative = v < 0;
  if (negative) v = -v;
  const whole = Math.floor(v);
  let frac = <i64>Math.round((v - whole) * 1e6);
  let w = <i64>whole;
  if (frac >= 1000000) {
    w++;
    frac -= 1000000;
  }
  if (negative) out.byte(0x2d);
  out.decimal(w);
  if (frac == 0) return;
  out.byte(0x2e);
  let digits = 6;
  while (frac % 10 == 0) {
    frac /= 10;
    digits--;
  }
  let scale: i64 = 1;
  for (let k = 1; k < digits; k++) scale *= 10;
  while (scale > 1 && frac < scale) {
    out.byte(0x30);
    scale /= 10;
  }
  out.decimal(frac);
}

function pad2(out: Bytes, v: i64): void {
  out.byte(<u8>(0x30 + v / 10));
  out.byte(<u8>(0x30 + v % 10));
}

/** Writes epoch milliseconds as a quoted ISO 8601 UTC time, e.g. "2026-11-20T10:00:00.000Z". */
export function writeTime(out: Bytes, ms: i64): void {
  let days = ms / 86400000;
  let rest = ms % 86400000;
  if (rest < 0) {
    rest += 86400000;
    days--;
  }
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const day = doy - (153 * mp + 2) / 5 + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out.byte(0x22);
  out.decimal(year);
  out.byte(0x2d);
  pad2(out, month);
  out.byte(0x2d);
  pad2(out, day);
  out.byte(0x54);
  pad2(out, rest / 3600000);
  out.byte(0x3a);
  pad2(out, (rest / 60000) % 60);
  out.byte(0x3a);
  pad2(out, (rest / 1000) % 60);
  out.byte(0x2e);
  const millis = rest % 1000;
  out.byte(<u8>(0x30 + millis / 100));
  pad2(out, millis % 100);
  out.ascii('Z"');
}
