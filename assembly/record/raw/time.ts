// Timestamps written in log lines, as epoch milliseconds. A raw line's own
// time is the event time (tail without a parser stamps records with the
// time it read them; a replay must raise the alerts live traffic raised).
// Times without a zone are taken as UTC; syslog times without a year take
// the year of the time Fluent Bit stamped (the previous year when that puts
// the event more than a day in the future: December lines read in January).
import { isDigit } from "../../runtime/ascii";
import { daysFromCivil, civilFromDays, dayOf } from "../../runtime/calendar";

export const NO_TIME: i64 = i64.MIN_VALUE;
const DAY_MS: i64 = 86400000;

const MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

/** Month 1-12 of a three-letter English name at `at`, or 0. */
export function monthAt(p: usize, at: i32): i32 {
  const a = <u32>load<u8>(p + <usize>at) | 0x20;
  const b = <u32>load<u8>(p + <usize>at + 1) | 0x20;
  const c = <u32>load<u8>(p + <usize>at + 2) | 0x20;
  for (let m = 0; m < 12; m++) {
    if (a == <u32>MONTHS.charCodeAt(m * 3) && b == <u32>MONTHS.charCodeAt(m * 3 + 1) && c == <u32>MONTHS.charCodeAt(m * 3 + 2)) return m + 1;
  }
  return 0;
}

/** `n` digits at `at` as a number, or -1. */
export function digitsAt(p: usize, len: i32, at: i32, n: i32): i32 {
  if (at < 0 || at + n > len) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = <u32>load<u8>(p + <usize>(at + k));
    if (!isDigit(c)) return -1;
    v = v * 10 + <i32>(c - 0x30);
  }
  return v;
}

function civil(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32): i64 {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return NO_TIME;
  return (daysFromCivil(year, month, day) * 86400 + <i64>hour * 3600 + <i64>minute * 60 + <i64>second) * 1000;
}

/** HH:MM:SS at `at`: seconds of the day, or -1. */
function clock(p: usize, len: i32, at: i32): i32 {
  const h = digitsAt(p, len, at, 2);
  const m = digitsAt(p, len, at + 3, 2);
  const s = digitsAt(p, len, at + 6, 2);
  if (h < 0 || m < 0 || s < 0 || h > 23 || m > 59 || s > 60 || load<u8>(p + <usize>at + 2) != 0x3a || load<u8>(p + <usize>at + 5) != 0x3a) return -1;
  return h * 3600 + m * 60 + s;
}

/** The index after a fraction ".123456" at `at` (`at` itself when there is none). */
function fractionEnd(p: usize, len: i32, at: i32): i32 {
  if (at >= len || load<u8>(p + <usize>at) != 0x2e) return at;
  let i = at + 1;
  while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
  return i;
}

/** Milliseconds of the fraction from `at` (its dot) to `end` (fractionEnd); digits past the third are cut. */
function fractionMs(p: usize, at: i32, end: i32): i64 {
  let ms: i64 = 0;
  let scale: i64 = 100;
  for (let i = at + 1; i < end; i++) {
    ms += <i64>(load<u8>(p + <usize>i) - 0x30) * scale;
    scale /= 10;
  }
  return ms;
}

/** Common Log Format, `20/Nov/2026:10:00:00 +0000`, at `at`. */
export function clfTime(p: usize, len: i32, at: i32): i64 {
  if (at + 20 > len) return NO_TIME;
  const day = digitsAt(p, len, at, 2);
  const month = load<u8>(p + <usize>at + 2) == 0x2f ? monthAt(p, at + 3) : 0;
  const year = digitsAt(p, len, at + 7, 4);
  const secs = clock(p, len, at + 12);
  if (day < 0 || month == 0 || year < 0 || secs < 0) return NO_TIME;
  let t = civil(year, month, day, 0, 0, 0);
  if (t == NO_TIME) return NO_TIME;
  t += <i64>secs * 1000;
  return t - zoneOffset(p, len, at + 20);
}

/** ` +hhmm` / ` -hh:mm` after a time: the zone's offset east of UTC in ms (0 when absent). */
function zoneOffset(p: usize, len: i32, at: i32): i64 {
  if (at < len && load<u8>(p + <usize>at) == 0x20) at++;
  if (at >= len) return 0;
  const sign = <u32>load<u8>(p + <usize>at);
  if (sign != 0x2b && sign != 0x2d) return 0;
  const h = digitsAt(p, len, at + 1, 2);
  const colon = at + 3 < len && load<u8>(p + <usize>at + 3) == 0x3a ? 1 : 0;
  const m = digitsAt(p, len, at + 3 + colon, 2);
  if (h < 0 || m < 0) return 0;
  const offset = (<i64>h * 60 + <i64>m) * 60000;
  return sign == 0x2d ? -offset : offset;
}

/** ISO 8601, `2026-11-20T10:00:00.123Z`, `2026-11-20 10:00:00+01:00`, at `at`. */
export function isoTime(p: usize, len: i32, at: i32): i64 {
  const year = digitsAt(p, len, at, 4);
  const month = digitsAt(p, len, at + 5, 2);
  const day = digitsAt(p, len, at + 8, 2);
  if (year < 0 || month < 0 || day < 0 || load<u8>(p + <usize>at + 4) != 0x2d || load<u8>(p + <usize>at + 7) != 0x2d) return NO_TIME;
  const sep = at + 10 < len ? <u32>load<u8>(p + <usize>at + 10) : 0;
  if (sep != 0x54 && sep != 0x20) return NO_TIME;
  const secs = clock(p, len, at + 11);
  if (secs < 0) return NO_TIME;
  let t = civil(year, month, day, 0, 0, 0);
  if (t == NO_TIME) return NO_TIME;
  const z = fractionEnd(p, len, at + 19);
  t += <i64>secs * 1000 + fractionMs(p, at + 19, z);
  if (z < len && (load<u8>(p + <usize>z) | 0x20) == 0x7a) return t;
  return t - zoneOffset(p, len, z);
}

/**
 * RFC 3164, `Nov 20 10:00:00` (the day may be space-padded), at `at`;
 * `reference` (ms) supplies the year.
 */
export function syslogTime(p: usize, len: i32, at: i32, reference: i64): i64 {
  if (at + 15 > len) return NO_TIME;
  const month = monthAt(p, at);
  if (month == 0 || load<u8>(p + <usize>at + 3) != 0x20) return NO_TIME;
  let dayAt = at + 4;
  if (load<u8>(p + <usize>dayAt) == 0x20) dayAt++;
  let day = digitsAt(p, len, dayAt, 2);
  let clockAt = dayAt + 3;
  if (day < 0) {
    day = digitsAt(p, len, dayAt, 1);
    clockAt = dayAt + 2;
  }
  if (day < 0 || load<u8>(p + <usize>clockAt - 1) != 0x20) return NO_TIME;
  const secs = clock(p, len, clockAt);
  if (secs < 0) return NO_TIME;
  return withReferenceYear(month, day, secs, reference);
}

/** Apache's error log, `Wed Nov 20 10:00:00.123456 2026` (2.4) or without the fraction (2.2), at `at`. */
export function apacheErrorTime(p: usize, len: i32, at: i32): i64 {
  if (at + 24 > len || load<u8>(p + <usize>at + 3) != 0x20) return NO_TIME;
  const month = monthAt(p, at + 4);
  let day = digitsAt(p, len, at + 8, 2);
  if (day < 0 && load<u8>(p + <usize>at + 8) == 0x20) day = digitsAt(p, len, at + 9, 1);
  const secs = clock(p, len, at + 11);
  if (month == 0 || day < 0 || secs < 0) return NO_TIME;
  const end = fractionEnd(p, len, at + 19);
  const ms = fractionMs(p, at + 19, end);
  const yearAt = end + 1;
  const year = digitsAt(p, len, yearAt, 4);
  if (year < 0) return NO_TIME;
  const t = civil(year, month, day, 0, 0, 0);
  return t == NO_TIME ? NO_TIME : t + <i64>secs * 1000 + ms;
}

/** nginx's error log, `2026/11/20 10:00:00`, at `at`. */
export function nginxErrorTime(p: usize, len: i32, at: i32): i64 {
  const year = digitsAt(p, len, at, 4);
  const month = digitsAt(p, len, at + 5, 2);
  const day = digitsAt(p, len, at + 8, 2);
  if (year < 0 || month < 0 || day < 0 || load<u8>(p + <usize>at + 4) != 0x2f || load<u8>(p + <usize>at + 7) != 0x2f || load<u8>(p + <usize>at + 10) != 0x20) return NO_TIME;
  const secs = clock(p, len, at + 11);
  if (secs < 0) return NO_TIME;
  const t = civil(year, month, day, 0, 0, 0);
  return t == NO_TIME ? NO_TIME : t + <i64>secs * 1000;
}

function withReferenceYear(month: i32, day: i32, secs: i32, reference: i64): i64 {
  const year = <i32>(civilFromDays(dayOf(reference)) / 10000);
  let t = civil(year, month, day, 0, 0, 0);
  if (t == NO_TIME) return NO_TIME;
  t += <i64>secs * 1000;
  if (t - reference > DAY_MS) {
    t = civil(year - 1, month, day, 0, 0, 0);
    if (t == NO_TIME) return NO_TIME;
    t += <i64>secs * 1000;
  }
  return t;
}
