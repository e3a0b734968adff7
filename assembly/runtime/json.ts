// JSON text writers shared by the stages that write into records: the
// redaction (rewritten string members) and the output (namespace, alerts,
// statistics). Input strings are raw bytes; bytes >= 0x80 are copied as
// they are, so UTF-8 passes through and nothing is re-encoded.
import { Bytes } from "./bytes";
import { CharCode } from "./ascii";
import { civilFromDays, dayOf } from "./calendar";

/** Writes bytes as a JSON string, quotes included. */
export function writeString(out: Bytes, p: usize, len: i32): void {
  out.byte(CharCode.Quote);
  writeEscaped(out, p, len);
  out.byte(CharCode.Quote);
}

/** Writes bytes escaped for the inside of a JSON string. */
export function writeEscaped(out: Bytes, p: usize, len: i32): void {
  out.reserve(len);
  let run = 0; // bytes that need no escape are copied in runs
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c != CharCode.Quote && c != CharCode.Backslash && c >= 0x20 && c != 0x7f) continue;
    out.copy(p + <usize>run, i - run);
    run = i + 1;
    if (c == CharCode.Quote || c == CharCode.Backslash) {
      out.byte(CharCode.Backslash);
      out.byte(c);
    } else {
      out.ascii("\\u00");
      out.hex(c);
    }
  }
  out.copy(p + <usize>run, len - run);
}

/** Writes a finite number: integers exactly, others with up to 6 decimals; NaN and infinities as null. */
export function writeNumber(out: Bytes, v: f64): void {
  if (!isFinite(v)) {
    out.ascii("null");
    return;
  }
  if (v == Math.floor(v) && Math.abs(v) < 9e15) {
    out.decimal(<i64>v);
    return;
  }
  if (Math.abs(v) >= 9e15) {
    // Beyond exact integers: scientific notation keeps the magnitude honest.
    writeScientific(out, v);
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
  if (negative && (w != 0 || frac != 0)) out.byte(CharCode.Minus);
  out.decimal(w);
  if (frac == 0) return;
  out.byte(CharCode.Dot);
  let digits = 6;
  while (frac % 10 == 0) {
    frac /= 10;
    digits--;
  }
  let scale: i64 = 1;
  for (let k = 1; k < digits; k++) scale *= 10;
  while (scale > 1 && frac < scale) {
    out.byte(CharCode.Zero);
    scale /= 10;
  }
  out.decimal(frac);
}

/** d.dddddde+N with 7 significant digits. */
function writeScientific(out: Bytes, v: f64): void {
  if (v < 0) {
    out.byte(CharCode.Minus);
    v = -v;
  }
  let exp = <i32>Math.floor(Math.log10(v));
  let mantissa = v / Math.pow(10, <f64>exp);
  if (mantissa >= 10) {
    mantissa /= 10;
    exp++;
  }
  let digits = <i64>Math.round(mantissa * 1e6);
  if (digits >= 10000000) {
    digits /= 10;
    exp++;
  }
  out.decimal(digits / 1000000);
  const frac = digits % 1000000;
  if (frac != 0) {
    out.byte(CharCode.Dot);
    let f = frac;
    let width = 6;
    while (f % 10 == 0) {
      f /= 10;
      width--;
    }
    let scale: i64 = 1;
    for (let k = 1; k < width; k++) scale *= 10;
    while (scale > 1 && f < scale) {
      out.byte(CharCode.Zero);
      scale /= 10;
    }
    out.decimal(f);
  }
  out.byte(CharCode.LowerE);
  out.decimal(exp);
}

function pad2(out: Bytes, v: i64): void {
  out.byte(<u32>(0x30 + v / 10));
  out.byte(<u32>(0x30 + v % 10));
}

/** Writes epoch milliseconds as a quoted ISO 8601 UTC time, e.g. "2026-11-20T10:00:00.000Z". */
export function writeTime(out: Bytes, ms: i64): void {
  const days = dayOf(ms);
  const rest = ms - days * 86400000;
  const date = civilFromDays(days);
  out.byte(CharCode.Quote);
  out.decimal(date / 10000);
  out.byte(CharCode.Minus);
  pad2(out, (date / 100) % 100);
  out.byte(CharCode.Minus);
  pad2(out, date % 100);
  out.byte(0x54);
  pad2(out, rest / 3600000);
  out.byte(CharCode.Colon);
  pad2(out, (rest / 60000) % 60);
  out.byte(CharCode.Colon);
  pad2(out, (rest / 1000) % 60);
  out.byte(CharCode.Dot);
  const millis = rest % 1000;
  out.byte(<u32>(0x30 + millis / 100));
  pad2(out, millis % 100);
  out.ascii('Z"');
}
