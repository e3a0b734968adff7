// Stage 1: the record. Validates the JSON, notes the members the rules read,
// reads raw lines (tail without a parser) and the messages of Fluent Bit's
// syslog and apache_error parsers, normalises the shapes of the stock
// parsers, and tells which formats the record has and when it happened.
import { Field, ShapeKey, Format, Shape } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { CharCode } from "../runtime/ascii";
import { KeyTable } from "./keys";
import { Members, Kind, ESCAPED, IN_LINE, IN_RECORD, keyBit } from "./members";
import { ObjectScanner, ObjectShape } from "./scan";
import { unescapeJson } from "./unescape";
import { FieldSink, word } from "./sink";
import { parseAccess } from "./raw/access";
import { parseErrorLine, setClient, setApacheMessage } from "./raw/error";
import { parseSyslog } from "./raw/syslog";
import { SshSessions, parsedSessionKey } from "./raw/sessions";
import { parseAuthMessage } from "./raw/auth";
import { isoTime, clfTime, NO_TIME } from "./raw/time";

const ACCESS = word("access");
const JSON_FORMAT = word("json");
const ERROR_FORMAT = word("error");

/** One record as the later stages see it. Reused for every record. */
export class Record {
  /** The record's bytes (the host's copy, or the redacted rewrite). */
  ptr: usize = 0;
  len: i32 = 0;
  members: Members;
  object: ObjectShape = new ObjectShape();
  /** Bits of Format. */
  formats: u32 = 0;
  shape: Shape = Shape.Unknown;
  /** Event time, epoch ms: the line's own time when it states one, else Fluent Bit's. */
  time: i64 = 0;
  /** Which member the decoded line (IN_LINE values) was copied from: log or message; -1 for none. */
  lineKey: i32 = -1;
  /** The decoded line, for IN_LINE values. */
  line: Bytes = new Bytes(1024);
  /** Changes with every record, so caches keyed on a record can tell records apart. */
  serial: u32 = 0;

  constructor(keyCount: i32) {
    this.members = new Members(keyCount);
  }
}

export class RecordReader {
  private scanner: ObjectScanner;
  private inner: ObjectScanner;
  private innerMembers: Members;
  private innerObject: ObjectShape = new ObjectShape();
  private sink: FieldSink;
  private client: Bytes = new Bytes(64);
  private serials: u32 = 0;
  /** The address each sshd process named last; `learn` after reading a record keeps what it offered. */
  sessions: SshSessions = new SshSessions();

  /**
   * `readLines`: some rule reads what only a raw line or a parsed message
   * holds, or is limited to a format; otherwise raw lines are left alone.
   */
  constructor(public keys: KeyTable, public owned: StaticArray<bool>, public readLines: bool, out: Record) {
    this.scanner = new ObjectScanner(keys, owned);
    this.inner = new ObjectScanner(keys, null);
    this.innerMembers = new Members(keys.count);
    this.sink = new FieldSink(out.members);
  }

  /** Reads the record at `p`; false when it is not one valid JSON object. `time` is Fluent Bit's (ms). */
  read(p: usize, len: i32, time: i64, out: Record): bool {
    out.ptr = p;
    out.len = len;
    out.serial = ++this.serials;
    out.time = time;
    out.lineKey = -1;
    out.formats = 0;
    out.shape = Shape.NotJson;
    this.sessions.begin();
    if (!this.scanner.scan(p, len, out.members, out.object)) return false;
    out.shape = Shape.Parsed;
    if (this.readLines) this.readText(out);
    out.formats = formatsOf(out.members, out.shape);
    return true;
  }

  private readText(out: Record): void {
    const m = out.members;
    const sink = this.sink;
    sink.time = NO_TIME;
    if (m.kind(ShapeKey.Log) == Kind.String) {
      this.copyLine(ShapeKey.Log, out);
      this.readLine(out);
    } else if (m.kind(Field.Message) == Kind.String && m.has(ShapeKey.Ident)) {
      // A record of a syslog parser: read sshd/PAM/sudo out of its message.
      this.copyLine(Field.Message, out);
      sink.flags = IN_LINE;
      if (parseAuthMessage(out.line.ptr, out.line.length, sink)) {
        const session = parsedSessionKey(m);
        if (session != 0) this.sessions.attend(session, out.time, sink);
      }
    } else if (m.has(ShapeKey.Client) && m.has(Field.Level) && m.kind(Field.Message) == Kind.String) {
      // A record of the apache_error parser: the address without its port, and what the message says.
      this.readClient(out);
      this.copyLine(Field.Message, out);
      sink.flags = IN_LINE;
      sink.constant(Field.Format, ERROR_FORMAT);
      setApacheMessage(out.line.ptr, out.line.length, sink);
    } else if (m.has(Field.Host) && m.has(ShapeKey.Code) && !m.has(ShapeKey.Remote)) {
      // apache2: its `host` is the client address (nginx's is the ident column, syslog's the hostname).
      m.alias(Field.ClientIp, Field.Host);
    }
    if (m.has(ShapeKey.Code) && isDash(m, Field.User)) m.set(Field.User, Kind.Absent, 0, 0); // "-": nobody logged in
    // A parsed JSON record that still carries its time key (the parser left it): that is its event time.
    if (sink.time == NO_TIME && out.lineKey < 0) sink.time = timeOf(m);
    if (sink.time != NO_TIME) out.time = sink.time;
  }

  /** The member `key` decoded into the record's line buffer, trailing newlines cut. */
  private copyLine(key: i32, out: Record): void {
    const m = out.members;
    const line = out.line;
    line.reset();
    const start = m.start(key);
    const n = <i32>(m.end(key) - start);
    if (m.flags(key) & ESCAPED) unescapeJson(start + 1, n - 2, line);
    else line.copy(start + 1, n - 2);
    while (line.length > 0) {
      const c = <u32>load<u8>(line.ptr + <usize>(line.length - 1));
      if (c != CharCode.Newline && c != CharCode.Return) break;
      line.length--;
    }
    out.lineKey = key;
  }

  private readLine(out: Record): void {
    const sink = this.sink;
    const p = out.line.ptr;
    const len = out.line.length;
    sink.flags = IN_LINE;
    if (len > 0 && load<u8>(p) == CharCode.OpenBrace) {
      if (this.inner.scan(p, len, this.innerMembers, this.innerObject)) {
        out.members.adopt(this.innerMembers, this.owned);
        sink.constant(Field.Format, JSON_FORMAT);
        sink.time = timeOf(this.innerMembers);
        out.shape = Shape.JsonLine;
      } else {
        out.shape = Shape.Unknown;
      }
      return;
    }
    if (parseAccess(p, len, sink)) {
      sink.constant(Field.Format, ACCESS);
      out.shape = Shape.AccessLine;
    } else if (parseErrorLine(p, len, sink)) {
      out.shape = Shape.ErrorLine;
    } else if (parseSyslog(p, len, out.time, sink, this.sessions)) {
      // An Apache error line sent through syslog carries a level: it is an error-log record too.
      out.shape = out.members.has(Field.Level) ? Shape.ErrorLine : Shape.SyslogLine;
    } else {
      out.shape = Shape.Unknown;
    }
  }

  private readClient(out: Record): void {
    const m = out.members;
    const start = m.start(ShapeKey.Client);
    const n = <i32>(m.end(ShapeKey.Client) - start);
    if (m.kind(ShapeKey.Client) != Kind.String) return;
    if (m.flags(ShapeKey.Client) & ESCAPED) {
      this.client.reset();
      unescapeJson(start + 1, n - 2, this.client);
      this.sink.flags = 0;
      setClient(this.client.ptr, this.client.length, this.sink);
    } else {
      this.sink.flags = IN_RECORD;
      setClient(start + 1, n - 2, this.sink);
    }
  }
}

const TIME_KEYS: u64 = keyBit(ShapeKey.Time) | keyBit(ShapeKey.Timestamp) | keyBit(ShapeKey.AtTimestamp) | keyBit(ShapeKey.Ts) | keyBit(ShapeKey.Date);

/** A JSON record's own time: the first of time, timestamp, @timestamp, ts, date that reads as one. */
function timeOf(m: Members): i64 {
  if (!m.mayHave(TIME_KEYS)) return NO_TIME; // most records: one test instead of five
  for (let key = <i32>ShapeKey.Time; key <= <i32>ShapeKey.Date; key++) {
    const kind = m.kind(key);
    if (kind == Kind.Absent) continue;
    const start = m.start(key);
    const n = <i32>(m.end(key) - start);
    let t = NO_TIME;
    if (kind == Kind.Number) t = epochTime(start, n);
    else if (kind == Kind.String && n > 2) {
      t = isoTime(start + 1, n - 2, 0);
      if (t == NO_TIME) t = clfTime(start + 1, n - 2, 0);
    }
    if (t != NO_TIME) return t;
  }
  return NO_TIME;
}

function isDash(m: Members, key: i32): bool {
  const start = m.start(key);
  return m.kind(key) == Kind.String && m.end(key) - start == 3 && load<u8>(start + 1) == CharCode.Minus;
}

/** Epoch seconds (or milliseconds, when larger than 1e12) written as a JSON number. */
function epochTime(p: usize, len: i32): i64 {
  let v: f64 = 0;
  let i = 0;
  let scale: f64 = 0;
  for (; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == CharCode.Dot && scale == 0) {
      scale = 1;
      continue;
    }
    if (c - 0x30 >= 10) return NO_TIME;
    if (scale == 0) v = v * 10 + <f64>(c - 0x30);
    else {
      scale /= 10;
      v += <f64>(c - 0x30) * scale;
    }
  }
  if (len == 0) return NO_TIME;
  return v > 1e12 ? <i64>v : <i64>(v * 1000);
}

/** Keys that tell the syslog, auth and error-log formats; an access record has none of them. */
const NOT_ACCESS_KEYS: u64 =
  keyBit(ShapeKey.Ident) | keyBit(Field.Program) | keyBit(ShapeKey.SyslogIdentifier) | keyBit(Field.AuthResult) | keyBit(ShapeKey.Pri) | keyBit(ShapeKey.Client);

/**
 * Formats by the keys a record carries (Fluent Bit's parsers and tripline's
 * own line reading set them alike): access records have a request target,
 * syslog and auth records a program or ident, error records an error-log
 * client with a level.
 */
function formatsOf(m: Members, shape: Shape): u32 {
  let f: u32 = 0;
  if (m.has(Field.Path) || m.has(ShapeKey.Request) || m.has(ShapeKey.Url) || m.has(ShapeKey.Uri) || m.has(ShapeKey.CsUriStem)) f |= 1 << Format.Access;
  // One test settles the checks below for a record with none of their keys (an access record).
  if (shape != Shape.ErrorLine && !m.mayHave(NOT_ACCESS_KEYS)) return f;
  const program = m.has(ShapeKey.Ident) || m.has(Field.Program) || m.has(ShapeKey.SyslogIdentifier);
  if (program || m.has(Field.AuthResult)) f |= 1 << Format.Auth;
  if (program || m.has(ShapeKey.Pri)) f |= 1 << Format.Syslog;
  if (shape == Shape.ErrorLine || (m.has(ShapeKey.Client) && m.has(Field.Level) && m.has(Field.Message))) f |= 1 << Format.Error;
  return f;
}
