// Syslog lines: RFC 3164 as in /var/log/auth.log (with or without <pri>,
// with or without a hostname), RFC 5424, and ISO timestamps as rsyslog
// writes them:
//   Nov 20 10:00:00 web1 sshd[812]: Failed password for root from 203.0.113.9 port 52311 ssh2
//   <38>1 2026-11-20T10:00:00Z web1 sshd 812 - - Failed password ...
// Fills host, program, pid and message, then reads the message as sshd, PAM
// or sudo would write it (auth.ts); an sshd line without an address gets the
// one its process named before (sessions.ts).
import { Field } from "../../runtime/schema";
import { CharCode, isBlank, isDigit } from "../../runtime/ascii";
import { startsWith } from "../../runtime/span";
import { FieldSink, word } from "../sink";
import { tokenEnd, skipBlanks, byteEnd } from "./text";
import { syslogTime, isoTime, NO_TIME } from "./time";
import { parseAuthMessage } from "./auth";
import { parseApacheBody } from "./error";
import { SshSessions, sessionKey } from "./sessions";

const AUTH = word("auth");
const SYSLOG = word("syslog");

/**
 * Parses a syslog line into `out`; false when it is not one. `reference` (ms) gives RFC 3164 times their year;
 * `sessions` (when given) lends sshd lines the address of their process.
 */
export function parseSyslog(p: usize, len: i32, reference: i64, out: FieldSink, sessions: SshSessions | null = null): bool {
  let at = 0;
  if (len > 0 && load<u8>(p) == CharCode.LessThan) {
    at = byteEnd(p, len, 0, CharCode.GreaterThan) + 1;
    if (at >= len) return false;
    if (startsWith(p, len, at, "1 ")) return parse5424(p, len, at + 2, out, sessions);
  }
  let time = syslogTime(p, len, at, reference);
  let timeEnd: i32;
  if (time != NO_TIME) {
    // "Nov 20 10:00:00": month, day, clock.
    timeEnd = tokenEnd(p, len, skipBlanks(p, len, tokenEnd(p, len, skipBlanks(p, len, at + 3))));
  } else if (at + 19 <= len && isDigit(<u32>load<u8>(p + <usize>at)) && load<u8>(p + <usize>(at + 4)) == CharCode.Minus) {
    time = isoTime(p, len, at);
    timeEnd = tokenEnd(p, len, at);
  } else {
    return false;
  }
  at = skipBlanks(p, len, timeEnd);
  // A hostname never ends in ':' nor carries "[pid]": without one, the program follows the time.
  const firstEnd = tokenEnd(p, len, at);
  if (firstEnd >= len) return false;
  const last = <u32>load<u8>(p + <usize>(firstEnd - 1));
  const hostless = last == CharCode.Colon || (last == CharCode.CloseBracket && firstEnd - 1 > at);
  let hostAt = at;
  let hostEnd = at;
  if (!hostless) {
    hostEnd = firstEnd;
    at = skipBlanks(p, len, firstEnd);
  }
  // program[pid]: message; some hosts write "[program]:" or "[program] ".
  let programAt = at;
  let programEnd = at;
  let pidAt = -1;
  let pidEnd = -1;
  if (hostless && load<u8>(p + <usize>at) == CharCode.OpenBracket) {
    programAt = at + 1;
    programEnd = byteEnd(p, firstEnd, programAt, CharCode.CloseBracket);
    if (programEnd == programAt || programEnd >= firstEnd) return false;
    at = programEnd + 1;
    // "[sshd] message": no colon to find.
    if (at < len && load<u8>(p + <usize>at) != CharCode.Colon) at = firstEnd - 1;
  } else {
    while (at < len) {
      const c = <u32>load<u8>(p + <usize>at);
      if (c == CharCode.OpenBracket || c == CharCode.Colon || isBlank(c)) break;
      at++;
    }
    programEnd = at;
  }
  if (programEnd == programAt || at >= len) return false;
  if (load<u8>(p + <usize>at) == CharCode.OpenBracket) {
    pidAt = at + 1;
    at = byteEnd(p, len, at, CharCode.CloseBracket);
    pidEnd = at;
    at++;
  }
  if (at >= len || (load<u8>(p + <usize>at) != CharCode.Colon && at != firstEnd - 1)) return false;
  const messageAt = skipBlanks(p, len, at + 1);
  out.time = time;
  if (hostEnd > hostAt) out.set(Field.Host, p + <usize>hostAt, hostEnd - hostAt);
  out.set(Field.Program, p + <usize>programAt, programEnd - programAt);
  if (pidAt >= 0) out.set(Field.Pid, p + <usize>pidAt, pidEnd - pidAt);
  const session = sessions != null ? sessionKey(p + <usize>hostAt, hostEnd - hostAt, p + <usize>programAt, programEnd - programAt, p + <usize>pidAt, pidAt >= 0 ? pidEnd - pidAt : 0) : 0;
  withAuth(p + <usize>messageAt, len - messageAt, isApache(p, programAt, programEnd), out, sessions, session);
  out.set(Field.Message, p + <usize>messageAt, len - messageAt);
  return true;
}

/** httpd, httpd/backend1, apache2: the programs that send Apache's error log to syslog. */
function isApache(p: usize, at: i32, end: i32): bool {
  return startsWith(p, end, at, "httpd") || startsWith(p, end, at, "apache");
}

function parse5424(p: usize, len: i32, at: i32, out: FieldSink, sessions: SshSessions | null): bool {
  // TIMESTAMP HOST APP PROCID MSGID SD MSG
  const time = isoTime(p, len, at);
  at = skipBlanks(p, len, tokenEnd(p, len, at));
  const hostAt = at;
  const hostEnd = tokenEnd(p, len, at);
  at = skipBlanks(p, len, hostEnd);
  const appAt = at;
  const appEnd = tokenEnd(p, len, at);
  at = skipBlanks(p, len, appEnd);
  const pidAt = at;
  const pidEnd = tokenEnd(p, len, at);
  at = skipBlanks(p, len, pidEnd);
  at = skipBlanks(p, len, tokenEnd(p, len, at)); // msgid
  if (at >= len) return false;
  // Structured data: "-", or one or more [id key="value" ...] elements, whose values may hold ']'.
  if (load<u8>(p + <usize>at) == CharCode.OpenBracket) {
    while (at < len && load<u8>(p + <usize>at) == CharCode.OpenBracket) at = elementEnd(p, len, at);
  } else at = tokenEnd(p, len, at);
  at = skipBlanks(p, len, at);
  out.time = time;
  out.set(Field.Host, p + <usize>hostAt, hostEnd - hostAt);
  out.set(Field.Program, p + <usize>appAt, appEnd - appAt);
  out.set(Field.Pid, p + <usize>pidAt, pidEnd - pidAt);
  const session = sessions != null ? sessionKey(p + <usize>hostAt, hostEnd - hostAt, p + <usize>appAt, appEnd - appAt, p + <usize>pidAt, pidEnd - pidAt) : 0;
  withAuth(p + <usize>at, len - at, isApache(p, appAt, appEnd), out, sessions, session);
  out.set(Field.Message, p + <usize>at, len - at);
  return true;
}

/** Just past the structured-data element opening at `at`: its ']' outside quoted values (\" escapes a quote). */
function elementEnd(p: usize, len: i32, at: i32): i32 {
  let quoted = false;
  for (let i = at + 1; i < len; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c == CharCode.Backslash) i++;
    else if (c == CharCode.Quote) quoted = !quoted;
    else if (c == CharCode.CloseBracket && !quoted) return i + 1;
  }
  return len;
}

/**
 * The `format` field says whether the message was an authentication event,
 * or (from an Apache program) an Apache error line sent through syslog (then `format` is error and
 * `message` the error's own text: called before the syslog message is set).
 * `session`: the key of an sshd process (0 for other programs).
 */
function withAuth(message: usize, len: i32, apache: bool, out: FieldSink, sessions: SshSessions | null, session: u64): void {
  len = max(len, 0);
  if (parseAuthMessage(message, len, out)) {
    out.constant(Field.Format, AUTH);
    if (session != 0) sessions!.attend(session, out.time, out);
  }
  else if (!(apache && parseApacheBody(message, len, 0, out))) out.constant(Field.Format, SYSLOG);
}
