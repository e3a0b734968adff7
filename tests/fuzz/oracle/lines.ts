// Raw log lines, read from their formats (not from the module's readers):
// the Apache/Nginx access line (Common/Combined Log Format, optional trailing
// response time), the Apache and nginx error log lines (the shapes
// SEMANTICS.md points at), syslog (RFC 3164 with/without <pri> and host,
// RFC 5424, ISO timestamps) and what sshd, PAM and sudo write in a syslog
// message. Strings are bytes, one char per byte.
//
// Each reader is strict: it recognises the documented shapes exactly. A line
// that looks like one of the formats but is not in a shape the oracle knows
// is "unknown": every field the module may read out of it is then unknown,
// and the harness checks that record structurally (and counts it).

/** A field read from a line: its bytes, or undefined when present with a value the oracle cannot tell. */
export type LineFields = Map<string, string | undefined>;

export interface LineReading {
  kind: "access" | "error" | "syslog" | "none" | "unknown";
  fields: LineFields;
  /** Keys that may or may not be filled (the oracle cannot tell). */
  maybe: Set<string>;
  /** Event time the line states (ms), null when it states none, undefined when the oracle cannot tell. */
  time: number | null | undefined;
  /** Why the reading is (partly) unknown, for the coverage report. */
  why?: string;
}

/** Every key a line reading may fill (the canonical fields of SEMANTICS.md). */
export const LINE_KEYS = [
  "client_ip", "user", "method", "path", "protocol", "status", "size", "referer", "user_agent", "response_time",
  "host", "program", "pid", "message", "auth_result", "auth_user", "auth_method", "event_type", "format",
  "level", "module", "error_code", "vhost",
];

const AUTH_KEYS = ["auth_result", "auth_user", "auth_method", "client_ip", "event_type"];

export function unknownLine(why: string): LineReading {
  return { kind: "unknown", fields: new Map(), maybe: new Set(LINE_KEYS), time: undefined, why };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const DAY_MS = 86_400_000;

/** UTC epoch ms of a calendar date and clock, or undefined when it is no real date. */
export function utc(year: number, month: number, day: number, h: number, m: number, s: number, ms = 0): number | undefined {
  if (month < 1 || month > 12 || day < 1 || h > 23 || m > 59 || s > 59) return undefined;
  const t = Date.UTC(year, month - 1, day, h, m, s, ms);
  const d = new Date(t);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  if (year < 100) return undefined; // Date.UTC maps years 0-99 to 1900-1999
  return t;
}

/** Common Log Format time `20/Nov/2026:10:00:00 +0000` (zone optional); undefined when not one. */
export function clfTime(s: string): number | undefined {
  const m = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d)(?: ([+-])(\d\d)(\d\d))?$/.exec(s);
  if (!m || !MONTHS.includes(m[2])) return undefined;
  const t = utc(+m[3], MONTHS.indexOf(m[2]) + 1, +m[1], +m[4], +m[5], +m[6]);
  if (t === undefined) return undefined;
  const offset = m[7] ? (m[7] === "-" ? -1 : 1) * (+m[8] * 60 + +m[9]) * 60_000 : 0;
  if (m[8] && (+m[8] > 23 || +m[9] > 59)) return undefined;
  return t - offset;
}

/** ISO 8601 `2026-11-20T10:00:00.123Z`, `2026-11-20 10:00:00+01:00`, no zone = UTC; undefined when not one. */
export function isoTime(s: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (!m) return undefined;
  const ms = m[7] ? +m[7].slice(0, 3).padEnd(3, "0") : 0;
  const t = utc(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], ms);
  if (t === undefined) return undefined;
  const zone = m[8];
  if (!zone || zone === "Z" || zone === "z") return t;
  const z = /^([+-])(\d\d):?(\d\d)$/.exec(zone)!;
  if (+z[2] > 23 || +z[3] > 59) return undefined;
  return t - (z[1] === "-" ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60_000;
}

/**
 * RFC 3164 `Nov 20 10:00:00`: the year of the reference time (Fluent Bit's),
 * the previous year when that puts the event more than a day after it.
 */
export function rfc3164Time(month: string, day: number, clock: string, reference: number): number | undefined {
  const [h, mi, s] = clock.split(":").map(Number);
  const year = new Date(reference).getUTCFullYear();
  let t = utc(year, MONTHS.indexOf(month) + 1, day, h, mi, s);
  if (t !== undefined && t - reference > DAY_MS) t = utc(year - 1, MONTHS.indexOf(month) + 1, day, h, mi, s);
  else if (t === undefined && month === "Feb" && day === 29) {
    // Feb 29 of a year that has none in the reference year: the previous year may have it; not the oracle's to say.
    return undefined;
  }
  return t;
}

// ---------------------------------------------------------------- access

const ACCESS = /^(\S+) (\S+) (\S+) \[([^\]]*)\] "([^"]*)" (\d{3}) (\S+)(?: "([^"]*)" "([^"]*)")?(?: (.*))?$/;

function accessLine(s: string): LineReading | null {
  const m = ACCESS.exec(s);
  if (!m) {
    // Something in the access shape the oracle does not read exactly (tabs, quotes in values, extra tokens).
    if (/^\S+\s+\S+\s+\S+\s+\[/.test(s)) return unknownLine("access line in an unusual shape");
    return null;
  }
  const f: LineFields = new Map();
  const maybe = new Set<string>();
  f.set("client_ip", m[1]);
  if (m[3] !== "-") f.set("user", m[3]);
  const req = /^(\S+) (\S+)(?: (\S+))?$/.exec(m[5]);
  if (req) {
    f.set("method", req[1]);
    f.set("path", req[2]);
    if (req[3] !== undefined) f.set("protocol", req[3]);
  } else {
    // A request that is not METHOD TARGET [PROTO]: what becomes of it is not specified.
    for (const k of ["method", "path", "protocol"]) maybe.add(k);
  }
  f.set("status", m[6]);
  f.set("size", m[7]);
  if (m[8] !== undefined) f.set("referer", m[8]);
  if (m[9] !== undefined) f.set("user_agent", m[9]);
  const trailer = m[10];
  if (trailer !== undefined) {
    const rt = /^(?:rt=|request_time=)?(\d[0-9.]*)$/.exec(trailer);
    if (rt) f.set("response_time", rt[1]);
    else {
      // Tokens after the documented fields: whether one of them is read as the response time is not specified.
      maybe.add("response_time");
      if (trailer.includes('"') && m[8] === undefined) maybe.add("referer").add("user_agent");
    }
  }
  f.set("format", "access");
  const time = clfTime(m[4]);
  const why = time === undefined ? "access line with an unreadable time" : !req ? "access line with an odd request" : maybe.size > 0 ? "access line with trailing tokens" : undefined;
  return { kind: "access", fields: f, maybe, time, why };
}

// ---------------------------------------------------------------- error logs

/** "192.0.2.7:52311" -> 192.0.2.7; "[2001:db8::1]:443" -> 2001:db8::1; "2001:db8::1" as is. */
export function withoutPort(s: string): string | undefined {
  const b = /^\[([^\]]*)\](?::\d+)?$/.exec(s);
  if (b) return b[1];
  const colons = s.split(":").length - 1;
  if (colons === 0) return s;
  if (colons === 1) return s.slice(0, s.indexOf(":"));
  if (/^[0-9a-fA-F:.]+$/.test(s)) return s;
  return undefined;
}

/** The user of an Apache/nginx authentication message, null when it names none, undefined when unsure. */
function errorUser(message: string): string | null | undefined {
  let m = /^user ([^\s:"']+): authentication failure for /.exec(message) ?? /^user ([^\s:"']+) not found: /.exec(message);
  if (m) return m[1];
  m = /^Digest: user "([^"]*)": /.exec(message) ?? /^user "([^"]*)" was not found in "/.exec(message) ?? /^user "([^"]*)": password mismatch/.exec(message);
  if (m) return m[1];
  return /user/i.test(message) ? undefined : null;
}

const WEEKDAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const APACHE_ERROR = new RegExp(`^\\[${WEEKDAY} ${MONTH} (\\d\\d| \\d) (\\d\\d):(\\d\\d):(\\d\\d)(\\.\\d+)? (\\d{4})\\] \\[([^\\]\\s]+)\\]((?: \\[[^\\]]*\\])*) (.*)$`);
const NGINX_ERROR = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] \d+#\d+: (?:\*\d+ )?(.*)$/;

function errorLine(s: string): LineReading | null {
  let m = APACHE_ERROR.exec(s);
  if (m) {
    const f: LineFields = new Map();
    const maybe = new Set<string>();
    const frac = m[7] ? +m[7].slice(1, 4).padEnd(3, "0") : 0;
    const time = utc(+m[8], MONTHS.indexOf(m[2]) + 1, +m[3].trim(), +m[4], +m[5], +m[6], frac);
    f.set("format", "error");
    f.set("level", m[9]);
    if (m[9].includes(":")) f.set("module", m[9].slice(0, m[9].indexOf(":")));
    for (const g of m[10].matchAll(/ \[([^\]]*)\]/g)) {
      if (g[1].startsWith("client ")) {
        const ip = withoutPort(g[1].slice(7));
        if (ip === undefined) maybe.add("client_ip");
        else if (!f.has("client_ip")) f.set("client_ip", ip);
        else maybe.add("client_ip");
      }
    }
    const message = m[11];
    f.set("message", message);
    let rest = message;
    const code = /^(AH\d+): /.exec(message);
    if (code) {
      f.set("error_code", code[1]);
      rest = message.slice(code[0].length);
    } else if (/^AH\d/.test(message)) maybe.add("error_code");
    const user = errorUser(rest);
    if (user === undefined) maybe.add("user");
    else if (user !== null) f.set("user", user);
    return { kind: "error", fields: f, maybe, time, why: time === undefined ? "error line with an unreadable time" : undefined };
  }
  m = NGINX_ERROR.exec(s);
  if (m) {
    const f: LineFields = new Map();
    const maybe = new Set<string>();
    const time = utc(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]);
    f.set("format", "error");
    f.set("level", m[7]);
    const body = m[8];
    const at = body.lastIndexOf(", client: ");
    const message = at >= 0 ? body.slice(0, at) : body;
    f.set("message", message);
    const user = errorUser(message);
    if (user === undefined) maybe.add("user");
    else if (user !== null) f.set("user", user);
    if (at >= 0) {
      const t = /^, client: ([^,\s]+), server: ([^,]*)(?:, request: "([^"]*)")?(?:, upstream: "[^"]*")?(?:, host: "([^"]*)")?(?:, referrer: "([^"]*)")?$/.exec(body.slice(at));
      if (!t) for (const k of ["client_ip", "method", "path", "protocol", "vhost", "referer"]) maybe.add(k);
      else {
        const ip = withoutPort(t[1]);
        if (ip === undefined) maybe.add("client_ip");
        else f.set("client_ip", ip);
        if (t[3] !== undefined) {
          const req = /^(\S+) (\S+)(?: (\S+))?$/.exec(t[3]);
          if (req) {
            f.set("method", req[1]);
            f.set("path", req[2]);
            if (req[3] !== undefined) f.set("protocol", req[3]);
          } else for (const k of ["method", "path", "protocol"]) maybe.add(k);
        }
        if (t[4] !== undefined) f.set("vhost", t[4]);
        if (t[5] !== undefined) f.set("referer", t[5]);
      }
    }
    return { kind: "error", fields: f, maybe, time, why: time === undefined ? "error line with an unreadable time" : undefined };
  }
  if (/^\[/.test(s) || /^\d{4}\//.test(s)) return unknownLine("error line in an unusual shape");
  return null;
}

// ---------------------------------------------------------------- auth messages

/**
 * What sshd, PAM or sudo said in a syslog message: the fields, {} for a
 * message that is none of theirs, or undefined when the oracle does not know
 * the shape (a message with the words these programs use, in another form).
 */
export function authMessage(text: string): Map<string, string> | undefined {
  const r = authMessageHidden(hide(text));
  if (r) for (const [k, v] of r) r.set(k, reveal(v));
  // README: an IPv4 address written IPv4-mapped ("::ffff:1.2.3.4") is read as IPv4.
  const ip = r?.get("client_ip");
  if (ip !== undefined && ip.startsWith("::ffff:") && /^\d/.test(ip.slice(7)) && ip.indexOf(".", 7) > 0) r!.set("client_ip", ip.slice(7));
  return r;
}

function authMessageHidden(msg: string): Map<string, string> | undefined {
  const f = new Map<string, string>();
  let m = /^(Failed|Accepted) (\S+) for (invalid user )?(\S+) from (\S+) port \d+ ssh2(?:: \S+ \S+)?$/.exec(msg);
  if (m) {
    f.set("auth_result", m[1] === "Failed" ? "failure" : "success");
    f.set("auth_method", m[2]);
    f.set("auth_user", m[4]);
    f.set("client_ip", m[5]);
    return f;
  }
  m = /^Invalid user (\S+) from (\S+)(?: port \d+)?$/.exec(msg);
  if (m) {
    f.set("auth_result", "invalid_user");
    f.set("auth_user", m[1]);
    f.set("client_ip", m[2]);
    return f;
  }
  m = /^pam_unix\(sshd:auth\): authentication failure; logname=\S* uid=\d+ euid=\d+ tty=\S* ruser=\S* rhost=(\S+)(?: {1,2}user=(\S+))?$/.exec(msg);
  if (m) {
    // README: sshd's own PAM line carries no auth_result (sshd's "Failed ..." line is the attempt).
    f.set("auth_method", "password");
    f.set("client_ip", m[1]);
    if (m[2] !== undefined) f.set("auth_user", m[2]);
    return f;
  }
  m = /^ *(\S+) : (?:(\d+ incorrect password attempts) ; )?TTY=\S+ ; PWD=\S+ ; USER=\S+ ; COMMAND=\S.*$/.exec(msg);
  if (m) {
    f.set("event_type", "sudo");
    f.set("auth_user", m[1]);
    f.set("auth_result", m[2] ? "failure" : "success");
    return f;
  }
  const words =
    /Failed|Accepted|Invalid user|Illegal user|authentication (failure|error)|maximum authentication|not allowed|ROOT LOGIN|Connection (closed|reset)|Disconnect|identification|protocol version|Unable to negotiate|kex_exchange|Protocol major|Received disconnect|COMMAND=| : /i;
  return words.test(msg) ? undefined : f;
}

// ---------------------------------------------------------------- syslog

const PROGRAM = /^([^\s\[\]:]+)(?:\[(\d+)\])?:$/;

function syslogLine(s: string, reference: number): LineReading | null {
  const f: LineFields = new Map();
  const maybe = new Set<string>();
  let time: number | null | undefined;
  let rest: string;
  const pri = /^<\d{1,3}>/.exec(s);
  const body = pri ? s.slice(pri[0].length) : s;
  // RFC 5424: <pri>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
  if (pri && body.startsWith("1 ")) {
    const m = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[[^\]]*\]) ?(.*)$/.exec(body);
    if (!m) return unknownLine("RFC 5424 line in an unusual shape");
    time = m[1] === "-" ? null : isoTime(m[1]);
    if (m[2] === "-" || m[3] === "-" || m[4] === "-") return unknownLine("RFC 5424 nil host/app/procid");
    f.set("host", m[2]);
    f.set("program", m[3]);
    f.set("pid", m[4]);
    return withMessage(f, maybe, m[7], time);
  }
  let m = new RegExp(`^${MONTH} ( \\d|\\d\\d) (\\d\\d:\\d\\d:\\d\\d) (.*)$`).exec(body);
  if (m) {
    time = rfc3164Time(m[1], +m[2].trim(), m[3], reference);
    rest = m[4];
  } else {
    m = /^(\d{4}-\d\d-\d\dT\S+) (.*)$/.exec(body);
    if (!m) {
      if (pri || /^<[^>]*>(1 |[A-Za-z]{3} +\d|\d{4}-)/.test(s) || /^[A-Za-z]{3} +\d/.test(body) || /^\d{4}-/.test(body)) return unknownLine("syslog line in an unusual shape");
      return null;
    }
    time = isoTime(m[1]);
    rest = m[2];
  }
  // [host ]program[pid]: message
  const tokens = /^(\S+) (.*)$/.exec(rest);
  if (!tokens) return unknownLine("syslog line without a program");
  let program = PROGRAM.exec(tokens[1]);
  let message = tokens[2];
  if (!program) {
    f.set("host", tokens[1]);
    const next = /^(\S+) (.*)$/.exec(tokens[2]);
    program = next ? PROGRAM.exec(next[1]) : null;
    if (!next || !program) return unknownLine("syslog line without a program");
    message = next[2];
  }
  f.set("program", program[1]);
  if (program[2] !== undefined) f.set("pid", program[2]);
  return withMessage(f, maybe, message, time);
}

function withMessage(f: LineFields, maybe: Set<string>, message: string, time: number | null | undefined): LineReading {
  message = reveal(message);
  // Blanks after "program[pid]:" beyond the one separator: whether they belong to the message is not specified.
  const padded = /^\s/.test(message);
  f.set("message", padded ? undefined : message);
  const auth = authMessage(message.trimStart());
  if (auth === undefined) {
    for (const k of AUTH_KEYS) maybe.add(k);
    maybe.add("format");
    return { kind: "syslog", fields: f, maybe, time, why: "sshd/PAM/sudo message in a shape the oracle does not read" };
  }
  for (const [k, v] of auth) f.set(k, v);
  f.set("format", auth.size > 0 ? "auth" : "syslog");
  return { kind: "syslog", fields: f, maybe, time, why: time === undefined ? "syslog line with an unreadable time" : undefined };
}

/** Reads a raw line that is not a JSON object line. */
export function readLine(line: string, reference: number): LineReading {
  // Parsed with bytes >= 0x80 moved out of JavaScript's reach (\s would take 0xA0 for a blank): see hide().
  const r = accessLine(hide(line)) ?? errorLine(hide(line)) ?? syslogLine(hide(line), reference) ?? { kind: "none", fields: new Map(), maybe: new Set(), time: null };
  for (const [k, v] of r.fields) if (v !== undefined) r.fields.set(k, reveal(v));
  return r;
}

/** Bytes >= 0x80 as private-use characters, so \s, \S and \w see only ASCII (as a byte-level reader does). */
function hide(s: string): string {
  return s.replace(/[\x80-\xff]/g, (c) => String.fromCharCode(0xe000 + c.charCodeAt(0)));
}

function reveal(s: string): string {
  return s.replace(/[\ue080-\ue0ff]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xe000));
}
