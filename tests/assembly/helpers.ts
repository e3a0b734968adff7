// Shared by the specs: byte buffers the module's readers accept (8 bytes of
// slack after the value: the scanners load 8 bytes at a time), kept alive
// for the whole spec, and zeroed payload memory for correlation state.
import { Span } from "../../assembly/runtime/span";
import { Members, Kind } from "../../assembly/record/members";

const kept = new Array<ArrayBuffer>();

/** The UTF-8 bytes of `s` in a buffer with 8 bytes of slack. */
export function bytes(s: string): Span {
  const b = String.UTF8.encode(s);
  const buf = new ArrayBuffer(b.byteLength + 8);
  memory.copy(changetype<usize>(buf), changetype<usize>(b), <usize>b.byteLength);
  kept.push(buf);
  return new Span(changetype<usize>(buf), b.byteLength);
}

/** `n` zeroed bytes that stay put (correlation payloads). */
export function zeroed(n: i32): usize {
  const p = heap.alloc(<usize>n);
  memory.fill(p, 0, <usize>n);
  return p;
}

/** Bytes at `p` as text. */
export function text(p: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(p, <usize>len);
}

/** Epoch milliseconds of a UTC calendar time (the calendar of the standard library, not the module's). */
export function utc(year: i32, month: i32, day: i32, hour: i32, minute: i32, second: i32, ms: i32 = 0): i64 {
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** A member's value as text, or "(absent)". */
export function memberText(members: Members, key: i32): string {
  if (members.kind(key) == Kind.Absent) return "(absent)";
  return text(members.start(key), <i32>(members.end(key) - members.start(key)));
}
