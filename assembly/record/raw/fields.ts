// Where raw-line parsers put what they find: the canonical keys tripline's
// field mapping knows (README, "Fields"). Each is filled only when the record
// does not carry that key itself and some rule reads it.
import { Scan, Kind } from "../scan";
import { KeyTable } from "../keys";
import { Span } from "../../program/reader";

export const enum Field {
  ClientIp = 0,
  User,
  Method,
  Path,
  Query,
  Protocol,
  Status,
  Size,
  Referer,
  UserAgent,
  ResponseTime,
  Host,
  Program,
  Pid,
  Message,
  AuthResult,
  AuthUser,
  AuthMethod,
  EventType,
  Format,
  UriStem,
  Count,
}

export const FIELD_NAMES: string[] = [
  "client_ip", "user", "method", "path", "query", "protocol", "status", "size", "referer", "user_agent",
  "response_time", "host", "program", "pid", "message", "auth_result", "auth_user", "auth_method", "event_type", "format",
  "uri_stem",
];

/** The record key index of each canonical field (-1 when no rule reads it). */
export class RawFields {
  keys: StaticArray<i32> = new StaticArray<i32>(Field.Count);
  any: bool = false;

  constructor(table: KeyTable) {
    for (let f = 0; f < Field.Count; f++) {
      const name = String.UTF8.encode(FIELD_NAMES[f]);
      const k = table.find(changetype<usize>(name), name.byteLength);
      this.keys[f] = k;
      if (k >= 0) this.any = true;
    }
  }
}

/** Sets a canonical field to bytes [p, p+len) unless the record has it already. */
export function setField(scan: Scan, fields: RawFields, f: i32, p: usize, len: i32): void {
  const key = unchecked(fields.keys[f]);
  if (key < 0 || unchecked(scan.kind[key]) != <u8>Kind.Absent) return;
  unchecked((scan.kind[key] = <u8>Kind.Text));
  unchecked((scan.valueStart[key] = p));
  unchecked((scan.valueEnd[key] = p + <usize>len));
}

/** Sets a canonical field to a constant (program-lifetime static data). */
export function setConstant(scan: Scan, fields: RawFields, f: i32, value: Span): void {
  setField(scan, fields, f, value.ptr, value.len);
}

export function constant(s: string): Span {
  const b = String.UTF8.encode(s);
  // Kept alive by the returned span's owner: constants are module globals.
  keep.push(b);
  return new Span(changetype<usize>(b), b.byteLength);
}

const keep: ArrayBuffer[] = [];
