// Numeric comparisons (gt/gte/lt/lte). Values are parsed from the field's
// text, so the string codes of Fluent Bit's apache2 parser ("404") compare too.
import { Fired } from "./fired";
import { NumberOp } from "../runtime/schema";

export class NumberTest {
  op: u32 = 0;
  value: f64 = 0;
  predicate: i32 = 0;
}

/** Parses a whole value as a decimal number; NaN when it is not one. */
export function parseNumber(p: usize, len: i32): f64 {
  // Status codes, sizes, small counts: plain digits take the short way.
  if (len > 0 && len <= 9) {
    let v: u32 = 0;
    let i = 0;
    for (; i < len; i++) {
      const d = <u32>load<u8>(p + <usize>i) - 0x30;
      if (d >= 10) break;
      v = v * 10 + d;
    }
    if (i == len) return <f64>v;
  }
  return parseDecimal(p, len);
}

function parseDecimal(p: usize, len: i32): f64 {
  let i = 0;
  let negative = false;
  if (i < len && load<u8>(p) == 0x2d) {
    negative = true;
    i++;
  } else if (i < len && load<u8>(p) == 0x2b) {
    i++;
  }
  // Digits beyond the 19th cannot change an f64; they only move the decimal
  // point, so a 400-digit value neither overflows nor becomes NaN.
  let mantissa: f64 = 0;
  let digits = 0;
  let kept = 0;
  let scale = 0;
  while (i < len) {
    const d = <u32>load<u8>(p + <usize>i) - 0x30;
    if (d >= 10) break;
    if (kept < 19) {
      mantissa = mantissa * 10 + <f64>d;
      if (mantissa != 0) kept++;
    } else {
      scale++;
    }
    digits++;
    i++;
  }
  if (i < len && load<u8>(p + <usize>i) == 0x2e) {
    i++;
    while (i < len) {
      const d = <u32>load<u8>(p + <usize>i) - 0x30;
      if (d >= 10) break;
      if (kept < 19) {
        mantissa = mantissa * 10 + <f64>d;
        scale--;
        if (mantissa != 0) kept++;
      }
      digits++;
      i++;
    }
  }
  if (digits == 0) return NaN;
  if (i < len && (<u32>load<u8>(p + <usize>i) | 0x20) == 0x65) {
    i++;
    let expNegative = false;
    if (i < len && (load<u8>(p + <usize>i) == 0x2d || load<u8>(p + <usize>i) == 0x2b)) {
      expNegative = load<u8>(p + <usize>i) == 0x2d;
      i++;
    }
    let exp = 0;
    let expDigits = 0;
    while (i < len) {
      const d = <u32>load<u8>(p + <usize>i) - 0x30;
      if (d >= 10) break;
      if (exp < 10000) exp = exp * 10 + <i32>d;
      expDigits++;
      i++;
    }
    if (expDigits == 0) return NaN;
    scale += expNegative ? -exp : exp;
  }
  if (i != len) return NaN;
  if (mantissa == 0) return negative ? -0.0 : 0;
  // Two steps keep 10^scale finite for values near the f64 limits.
  const half = scale / 2;
  const value = scale == 0 ? mantissa : mantissa * Math.pow(10, <f64>half) * Math.pow(10, <f64>(scale - half));
  return negative ? -value : value;
}

export function testNumber(t: NumberTest, value: f64, fired: Fired): void {
  if (isNaN(value)) return;
  let ok = false;
  if (t.op == NumberOp.Gt) ok = value > t.value;
  else if (t.op == NumberOp.Gte) ok = value >= t.value;
  else if (t.op == NumberOp.Lt) ok = value < t.value;
  else ok = value <= t.value;
  if (ok) fired.set(t.predicate);
}
