// Fields from records that hold only a raw line (tail without a parser:
// {"log": "<line>"}): JSON application lines, Apache/Nginx access lines and
// syslog/auth lines are recognised in that order. Records parsed by Fluent
// Bit's syslog parsers ({"ident": "sshd", "message": ...}) get the same
// sshd/PAM/sudo reading of their message. Runs only when a rule reads a
// canonical field the record lacks.
import { Bytes } from "../../runtime/bytes";
import { Scan, Kind, scanRecord } from "../scan";
import { KeyTable } from "../keys";
import { readKey, valuePtr, valueLen } from "../../fields/slot";
import { RawFields, Field, setField } from "./fields";
import { parseAccess } from "./access";
import { parseSyslog, parseAuthMessage } from "./syslog";

const line = new Bytes(1024);
const message = new Bytes(256);
const stem = new Bytes(256);

export class RawParser {
  fields: RawFields;
  inner: Scan;
  logKey: i32;
  messageKey: i32;
  identKey: i32;
  pathKey: i32;

  constructor(public table: KeyTable) {
    this.fields = new RawFields(table);
    this.inner = new Scan(table, -1, -1);
    this.logKey = findKey(table, "log");
    this.messageKey = findKey(table, "message");
    this.identKey = findKey(table, "ident");
    this.pathKey = findKey(table, "path");
  }
}

function findKey(table: KeyTable, name: string): i32 {
  const b = String.UTF8.encode(name);
  return table.find(changetype<usize>(b), b.byteLength);
}

function isString(scan: Scan, key: i32): bool {
  return key >= 0 && unchecked(scan.kind[key]) == <u8>Kind.String;
}

/** Copies the members of a JSON line into the record's scan where the record lacks them. */
function adoptInner(scan: Scan, inner: Scan): void {
  const n = scan.kind.length;
  for (let k = 0; k < n; k++) {
    if (unchecked(scan.kind[k]) != <u8>Kind.Absent || unchecked(inner.kind[k]) == <u8>Kind.Absent) continue;
    if (k == scan.namespaceKey || k == scan.alertKey) continue;
    unchecked((scan.kind[k] = inner.kind[k]));
    unchecked((scan.valueStart[k] = inner.valueStart[k]));
    unchecked((scan.valueEnd[k] = inner.valueEnd[k]));
    unchecked((scan.escaped[k] = inner.escaped[k]));
  }
}

export function parseRaw(parser: RawParser, scan: Scan): void {
  if (!parser.fields.any) return;
  readLine(parser, scan);
  deriveStem(parser, scan);
}

/**
 * uri_stem (Sigma's cs-uri-stem) is the request path without its query.
 * Fluent Bit's apache2 and nginx parsers, and tripline's own, keep the query
 * in `path`; the stem is cut from it, for every record, when a rule needs it.
 */
function deriveStem(parser: RawParser, scan: Scan): void {
  const stemKey = parser.fields.keys[Field.UriStem];
  if (stemKey < 0 || parser.pathKey < 0 || unchecked(scan.kind[stemKey]) != <u8>Kind.Absent) return;
  const kind = unchecked(scan.kind[parser.pathKey]);
  if (kind != <u8>Kind.String && kind != <u8>Kind.Text) return;
  readKey(parser.pathKey, scan);
  let n = 0;
  while (n < valueLen && load<u8>(valuePtr + <usize>n) != 0x3f) n++;
  // Our own copy: valuePtr may point into a buffer the next decode reuses.
  stem.reset();
  stem.copy(valuePtr, n);
  setField(scan, parser.fields, Field.UriStem, stem.ptr, stem.length);
}

function readLine(parser: RawParser, scan: Scan): void {
  if (isString(scan, parser.logKey)) {
    readKey(parser.logKey, scan);
    // The decoded line must outlive this record's later stages: keep our own copy.
    line.reset();
    line.copy(valuePtr, valueLen);
    let p = line.ptr;
    let len = line.length;
    while (len > 0 && (load<u8>(p + <usize>(len - 1)) == 0x0a || load<u8>(p + <usize>(len - 1)) == 0x0d)) len--;
    if (len > 0 && load<u8>(p) == 0x7b) {
      if (scanRecord(p, len, parser.inner)) adoptInner(scan, parser.inner);
      return;
    }
    if (parseAccess(p, len, scan, parser.fields)) return;
    parseSyslog(p, len, scan, parser.fields);
    return;
  }
  // A record from a syslog parser: read sshd/PAM/sudo out of its message.
  if (isString(scan, parser.messageKey) && parser.identKey >= 0 && unchecked(scan.kind[parser.identKey]) != <u8>Kind.Absent) {
    if (parser.fields.keys[Field.AuthResult] < 0 && parser.fields.keys[Field.AuthUser] < 0 && parser.fields.keys[Field.ClientIp] < 0) return;
    readKey(parser.messageKey, scan);
    message.reset();
    message.copy(valuePtr, valueLen);
    parseAuthMessage(message.ptr, message.length, scan, parser.fields);
  }
}
