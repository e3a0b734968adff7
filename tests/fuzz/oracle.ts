// The fuzz oracle: what the module must do with a record, worked out in plain
// JavaScript from the rule IR and the documented semantics (src/compiler/rules/
// load.ts, assembly/ comments), independently of the module's code.
//
//   - A record is processed only when it is one valid JSON object
//     (JSON.parse agrees); anything else comes back byte-identical.
//   - Fields are read from top-level members by their raw (unescaped) key
//     bytes, the last duplicate winning; null counts as absent. Strings are
//     matched on their decoded UTF-8 bytes (lone surrogates -> U+FFFD),
//     other values on their JSON text. URL fields are also matched
//     URL-decoded. Case-insensitive means ASCII folding only.
//   - Numbers parse the whole field text as a decimal; CIDR takes IPv4 and
//     IPv6 text.
//   - event_count correlations: per group key, the newest N event times; an
//     alert when they span less than the timespan; cooldown; lateness
//     against the newest event time; LRU key cap.
//
// Where an answer depends on floating-point rounding or on an address form
// the oracle does not model, a predicate is "unknown" and the record is only
// checked structurally.
import type { Condition, CorrelationRule, DetectionRule, Predicate, RuleSet } from "../../src/compiler/ir.js";
import { LEVELS } from "../../src/compiler/ir.js";

// From the specification (README "Fields", "Rules"): the keys whose values are
// also matched URL-decoded, and the keys that tell a record's format.
const URL_KEYS = new Set(["path", "query", "url", "uri", "request", "request_uri", "referer", "cs-uri-stem", "cs-uri-query"]);
const FORMAT_KEYS: Record<string, string[]> = {
  access: ["path", "request", "url", "uri", "cs-uri-stem"],
  auth: ["ident", "program", "auth_result", "SYSLOG_IDENTIFIER"],
  syslog: ["ident", "program", "pri", "SYSLOG_IDENTIFIER"],
};

/** A rule's logsource as a condition: one of its formats' keys present (json or none: every record). */
function formatCondition(formats: string[], pos: Predicate["pos"]): Condition | null {
  if (formats.length === 0 || formats.includes("json")) return null;
  const args: Condition[] = [];
  for (const f of formats) for (const key of FORMAT_KEYS[f] ?? []) args.push({ k: "pred", pred: { kind: "exists", fields: [key], value: true, pos } });
  return args.length === 0 ? null : { k: "or", args };
}

export type Tri = boolean | undefined;

const utf8 = new TextEncoder();
/** Decodes like the host: invalid sequences become U+FFFD, a BOM is kept (Fluent Bit never strips one). */
export const lenientText = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Bytes as a string of char codes 0-255. */
export function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// ---------------------------------------------------------------- JSON shape

export type ValueKind = "string" | "number" | "true" | "false" | "null" | "object" | "array";

export interface TopMember {
  /** Raw key bytes between the quotes, as latin1. */
  rawKey: string;
  keyEscaped: boolean;
  keyStart: number; // offset of the key's opening quote
  valueStart: number;
  valueEnd: number; // exclusive
  kind: ValueKind;
  valueEscaped: boolean;
}

export interface Parsed {
  members: TopMember[];
  /** Offset of the closing brace. */
  closeAt: number;
}

/** The input as JSON.parse sees it: a plain object, or null (anything else, or invalid). */
export function parseObject(bytes: Uint8Array): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(lenientText.decode(bytes));
  } catch {
    return null;
  }
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** End (exclusive) of the string whose opening quote is at `i`, and whether it has escapes. */
function stringEnd(b: Uint8Array, i: number): [number, boolean] {
  let escaped = false;
  i++;
  while (b[i] !== 0x22) {
    if (b[i] === 0x5c) {
      escaped = true;
      i += 2;
    } else i++;
  }
  return [i + 1, escaped];
}

/** End (exclusive) of the value at `i` (iterative: nesting may be 10,000 deep). */
function valueEnd(b: Uint8Array, i: number): number {
  let depth = 0;
  for (;;) {
    const c = b[i];
    if (c === 0x22) i = stringEnd(b, i)[0];
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (depth > 0) i++;
    else {
      while (i < b.length && !isWs(b[i]) && b[i] !== 0x2c && b[i] !== 0x7d && b[i] !== 0x5d) i++;
      return i;
    }
    if (depth === 0) return i;
  }
}

function kindAt(c: number): ValueKind {
  if (c === 0x22) return "string";
  if (c === 0x7b) return "object";
  if (c === 0x5b) return "array";
  if (c === 0x74) return "true";
  if (c === 0x66) return "false";
  if (c === 0x6e) return "null";
  return "number";
}

/** Top-level members of bytes that JSON.parse accepted as an object. */
export function scanTop(b: Uint8Array): Parsed {
  const members: TopMember[] = [];
  let i = 0;
  const skip = () => {
    while (isWs(b[i])) i++;
  };
  skip();
  i++; // {
  skip();
  while (b[i] !== 0x7d) {
    if (b[i] === 0x2c) {
      i++;
      skip();
    }
    const keyStart = i;
    const [keyEnd, keyEscaped] = stringEnd(b, i);
    i = keyEnd;
    skip();
    i++; // :
    skip();
    const valueStart = i;
    const kind = kindAt(b[i]);
    let valueEscaped = false;
    if (kind === "string") [i, valueEscaped] = stringEnd(b, i);
    else i = valueEnd(b, i);
    members.push({ rawKey: latin1(b.subarray(keyStart + 1, keyEnd - 1)), keyEscaped, keyStart, valueStart, valueEnd: i, kind, valueEscaped });
    skip();
  }
  return { members, closeAt: i };
}

/** Decodes a JSON string body into UTF-8 bytes; lone surrogates become U+FFFD. */
export function unescapeString(b: Uint8Array, start: number, end: number): Uint8Array {
  const out: number[] = [];
  const hex = (at: number) => parseInt(String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]), 16);
  const push = (cp: number) => {
    for (const x of utf8.encode(String.fromCodePoint(cp))) out.push(x);
  };
  let i = start;
  while (i < end) {
    const c = b[i];
    if (c !== 0x5c) {
      out.push(c);
      i++;
      continue;
    }
    const e = b[i + 1];
    i += 2;
    if (e === 0x75) {
      let cp = hex(i);
      i += 4;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (i + 6 <= end && b[i] === 0x5c && b[i + 1] === 0x75 && hex(i + 2) >= 0xdc00 && hex(i + 2) <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (hex(i + 2) - 0xdc00);
          i += 6;
        } else cp = 0xfffd;
      } else if (cp >= 0xdc00 && cp <= 0xdfff) cp = 0xfffd;
      push(cp);
    } else {
      const simple: Record<number, number> = { 0x6e: 0x0a, 0x74: 0x09, 0x72: 0x0d, 0x62: 0x08, 0x66: 0x0c };
      out.push(simple[e] ?? e);
    }
  }
  return Uint8Array.from(out);
}

// ---------------------------------------------------------------- predicates

/**
 * Record keys the module's raw-line reading may fill in when a record lacks
 * them (assembly/record/raw/fields.ts FIELD_NAMES).
 */
export const CANONICAL_FIELDS = new Set([
  "uri_stem", "client_ip", "user", "method", "path", "query", "protocol", "status", "size", "referer", "user_agent",
  "response_time", "host", "program", "pid", "message", "auth_result", "auth_user", "auth_method", "event_type", "format",
]);

/** A slot's value: latin1 bytes, null when absent, undefined when the oracle cannot tell. */
export type SlotValue = string | null | undefined;

function memberValue(bytes: Uint8Array, m: TopMember): string {
  if (m.kind !== "string") return latin1(bytes.subarray(m.valueStart, m.valueEnd));
  if (m.valueEscaped) return latin1(unescapeString(bytes, m.valueStart + 1, m.valueEnd - 1));
  return latin1(bytes.subarray(m.valueStart + 1, m.valueEnd - 1));
}

/** What tripline's syslog/auth line reading may fill in (assembly/record/raw/syslog.ts). */
const SYSLOG_FIELDS = new Set(["host", "program", "pid", "message", "auth_result", "auth_method", "auth_user", "client_ip", "event_type", "format"]);
const AUTH_MESSAGE_FIELDS = new Set(["auth_result", "auth_method", "auth_user", "client_ip", "event_type"]);

/**
 * Fields of an Apache/Nginx access line (common or combined, optional
 * trailing response time), as documented in assembly/record/raw/access.ts;
 * null when the line is not one.
 */
export function parseAccessLine(s: string): Map<string, string> | null {
  const len = s.length;
  const space = (i: number) => s[i] === " " || s[i] === "\t";
  const tokenEnd = (at: number) => {
    while (at < len && !space(at)) at++;
    return at;
  };
  const skip = (at: number) => {
    while (at < len && space(at)) at++;
    return at;
  };
  const quotedEnd = (at: number) => {
    for (let i = at + 1; i < len; i++) if (s[i] === '"' && (i + 1 === len || space(i + 1))) return i + 1;
    return -1;
  };
  const digit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
  const ipEnd = tokenEnd(0);
  if (ipEnd === 0 || ipEnd >= len) return null;
  let at = skip(ipEnd);
  at = skip(tokenEnd(at)); // ident
  const userAt = at;
  const userEnd = tokenEnd(at);
  at = skip(userEnd);
  if (at >= len || s[at] !== "[") return null;
  while (at < len && s[at] !== "]") at++;
  at = skip(at + 1);
  if (at >= len || s[at] !== '"') return null;
  const requestAt = at + 1;
  const requestEnd = quotedEnd(at);
  if (requestEnd < 0) return null;
  at = skip(requestEnd);
  const statusAt = at;
  const statusEnd = tokenEnd(at);
  if (statusEnd - statusAt !== 3 || !digit(s[statusAt])) return null;
  at = skip(statusEnd);
  const sizeAt = at;
  const sizeEnd = tokenEnd(at);
  const f = new Map<string, string>();
  const set = (k: string, v: string) => {
    if (!f.has(k)) f.set(k, v);
  };
  set("format", "access");
  set("client_ip", s.slice(0, ipEnd));
  if (!(userEnd - userAt === 1 && s[userAt] === "-")) set("user", s.slice(userAt, userEnd));
  const req = s.slice(requestAt, requestEnd - 1);
  const rTokenEnd = (i: number) => {
    while (i < req.length && req[i] !== " " && req[i] !== "\t") i++;
    return i;
  };
  const rSkip = (i: number) => {
    while (i < req.length && (req[i] === " " || req[i] === "\t")) i++;
    return i;
  };
  const methodEnd = rTokenEnd(0);
  if (methodEnd < req.length) {
    set("method", req.slice(0, methodEnd));
    const targetAt = rSkip(methodEnd);
    const targetEnd = rTokenEnd(targetAt);
    const target = req.slice(targetAt, targetEnd);
    set("path", target);
    const q = target.indexOf("?");
    if (q >= 0) set("query", target.slice(q + 1));
    const protoAt = rSkip(targetEnd);
    if (protoAt < req.length) set("protocol", req.slice(protoAt, rTokenEnd(protoAt)));
  } else set("path", req);
  set("status", s.slice(statusAt, statusAt + 3));
  set("size", s.slice(sizeAt, sizeEnd));
  at = skip(sizeEnd);
  if (at < len && s[at] === '"') {
    const refEnd = quotedEnd(at);
    if (refEnd < 0) return f;
    set("referer", s.slice(at + 1, refEnd - 1));
    at = skip(refEnd);
    if (at < len && s[at] === '"') {
      const agentEnd = quotedEnd(at);
      if (agentEnd < 0) return f;
      set("user_agent", s.slice(at + 1, agentEnd - 1));
      at = skip(agentEnd);
    }
  }
  while (at < len) {
    const end = tokenEnd(at);
    let from = at;
    if (s.startsWith("rt=", at) || s.startsWith("request_time=", at)) from = at + (s[at] === "r" && s[at + 1] === "t" ? 3 : 13);
    if (from < end && digit(s[from])) {
      set("response_time", s.slice(from, end));
      break;
    }
    at = skip(end);
  }
  return f;
}

/**
 * The record as the rules read it. A record holding a raw line
 * ({"log": ...}) gets, for keys it lacks, the members of a JSON line or the
 * fields of an access line (both modelled); a syslog/auth line (not
 * modelled) makes the keys that reading may fill unknown. A record from a
 * syslog parser (message + ident) likewise for the auth fields.
 */
export class RecordView {
  private readonly byKey = new Map<string, TopMember>();
  private readonly cache = new Map<string, SlotValue>();
  private inner?: RecordView;
  private lineFields?: Map<string, string>;
  /** Canonical keys the module may fill from a raw line in a way the oracle does not model. */
  private unknownFields = new Set<string>();

  constructor(
    readonly bytes: Uint8Array,
    readonly parsed: Parsed,
    owned: string[] = [],
    nested = false,
  ) {
    for (const m of parsed.members) if (!m.keyEscaped) this.byKey.set(m.rawKey, m);
    if (nested) return;
    const log = this.byKey.get("log");
    if (log && log.kind === "string") {
      let line = fromLatin1(memberValue(bytes, log));
      let n = line.length;
      while (n > 0 && (line[n - 1] === 0x0a || line[n - 1] === 0x0d)) n--;
      line = line.subarray(0, n);
      if (n > 0 && line[0] === 0x7b) {
        if (parseObject(line) !== null) {
          this.inner = new RecordView(line, scanTop(line), owned, true);
          for (const k of owned) this.inner.byKey.delete(k);
        }
      } else {
        const access = parseAccessLine(latin1(line));
        if (access) this.lineFields = access;
        else this.unknownFields = SYSLOG_FIELDS;
      }
    } else {
      const message = this.byKey.get("message");
      if (message && message.kind === "string" && this.byKey.has("ident")) this.unknownFields = AUTH_MESSAGE_FIELDS;
    }
  }

  /** Value of one record key, as the module reads it after its raw-line reading. */
  private read(key: string): SlotValue {
    const own = this.readOwn(key);
    if (own !== null || key !== "uri_stem" || this.has("uri_stem")) return own;
    // uri_stem (cs-uri-stem) is cut from a string path, up to its first '?' (assembly/record/raw/line.ts).
    const kind = this.kindOf("path");
    if (kind !== "string" && kind !== "text") return null;
    const path = this.readOwn("path");
    if (path == null) return path;
    const q = path.indexOf("?");
    return q >= 0 ? path.slice(0, q) : path;
  }

  private has(key: string): boolean {
    return this.kindOf(key) !== undefined;
  }

  /** The kind of a key after raw-line reading: a member's kind, "text" for a field from a line, undefined when absent. */
  private kindOf(key: string): string | undefined {
    const m = this.byKey.get(key) ?? this.inner?.byKey.get(key);
    if (m) return m.kind;
    return this.lineFields?.has(key) ? "text" : undefined;
  }

  private readOwn(key: string): SlotValue {
    const m = this.byKey.get(key);
    if (m) return m.kind === "null" ? null : memberValue(this.bytes, m);
    const i = this.inner?.byKey.get(key);
    if (i) return i.kind === "null" ? null : memberValue(this.inner!.bytes, i);
    const fromLine = this.lineFields?.get(key);
    if (fromLine !== undefined) return fromLine;
    return this.unknownFields.has(key) ? undefined : null;
  }

  /** Value (latin1 bytes) of the first candidate key present and not null; undefined when unknown. */
  slot(fields: string[]): SlotValue {
    const id = fields.join("\0");
    if (this.cache.has(id)) return this.cache.get(id);
    let value: SlotValue = null;
    for (const f of fields) {
      value = this.read(latin1(utf8.encode(f)));
      if (value !== null) break;
    }
    this.cache.set(id, value);
    return value;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** %XX -> byte, '+' -> space (documented in assembly/fields/urldecode.ts). */
export function urlDecode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length) {
      const hi = hexDigit(s.charCodeAt(i + 1));
      const lo = hexDigit(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out += String.fromCharCode((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out += c === 0x2b ? " " : s[i];
  }
  return out;
}

const lowerAscii = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const escapeChar = (c: string) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0");

/** A Sigma value (wildcards * ?, escapes \* \? \\) as a RegExp over latin1 bytes. */
export function sigmaRegExp(op: "contains" | "startswith" | "endswith" | "equals", value: string, cased: boolean): RegExp {
  let body = "";
  let text = "";
  const flush = () => {
    let bytes = latin1(utf8.encode(text));
    if (!cased) bytes = lowerAscii(bytes);
    body += bytes.replace(/[^]/g, escapeChar);
    text = "";
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\" && (value[i + 1] === "*" || value[i + 1] === "?" || value[i + 1] === "\\")) {
      text += value[++i];
    } else if (ch === "*") {
      flush();
      body += "[^]*";
    } else if (ch === "?") {
      flush();
      body += "[^]";
    } else text += ch;
  }
  flush();
  const start = op === "startswith" || op === "equals" ? "^" : "";
  const end = op === "endswith" || op === "equals" ? "$" : "";
  return new RegExp(start + body + end);
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseDecimal(s: string): number {
  return NUMBER.test(s) ? Number(s.replace(/^\+/, "")) : NaN;
}

function parseIPv4(s: string): number[] | undefined | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1);
  // Leading zeros: octal in inet_aton, decimal in some parsers; the oracle takes no side.
  if (parts.some((p) => p.length > 1 && p[0] === "0")) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((x) => x <= 255) ? bytes : null;
}

/** 16 bytes of an IPv6 (or IPv4-mapped) address, null when it is not one, undefined when unsure. */
function parseIPv6(s: string): number[] | undefined | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    // An embedded IPv4 tail fills the last two groups.
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    if (v4 === null) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = s[lastColon - 1] === ":" ? s.slice(0, lastColon + 1) : s.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const words = [...head.map((g) => parseInt(g, 16))];
  const back = [...rest.map((g) => parseInt(g, 16)), ...tail];
  if (halves.length === 1) {
    words.push(...tail);
    if (words.length !== 8) return null;
  } else {
    if (words.length + back.length > 7) return null;
    while (words.length + back.length < 8) words.push(0);
    words.push(...back);
  }
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function addressBytes(s: string): number[] | undefined | null {
  if (s.includes(":")) return parseIPv6(s);
  const v4 = parseIPv4(s);
  if (v4 === undefined || v4 === null) {
    // Something address-like the oracle cannot judge (e.g. "1.2.3.4.5" is plainly not one).
    return v4 === undefined ? undefined : null;
  }
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
}

function cidrNetwork(value: string): { net: number[]; prefix: number } {
  const [addr, len] = value.split("/");
  const bytes = addressBytes(addr);
  if (!bytes) throw new Error(`oracle cannot parse CIDR ${value}`);
  const v4 = !addr.includes(":");
  const prefix = len === undefined ? 128 : Number(len) + (v4 ? 96 : 0);
  return { net: bytes, prefix };
}

function inNetwork(addr: number[], net: number[], prefix: number): boolean {
  for (let i = 0, bits = prefix; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr[i] & mask) !== (net[i] & mask)) return false;
  }
  return true;
}

function tri(values: Tri[], any: boolean): Tri {
  let unknown = false;
  for (const v of values) {
    if (v === any) return any;
    if (v === undefined) unknown = true;
  }
  return unknown ? undefined : !any;
}

function globRegExp(glob: string): RegExp {
  return new RegExp("^" + glob.split("*").map((p) => p.replace(/[^]/g, escapeChar)).join("[^]*") + "$");
}

class PredicateEvaluator {
  /** A number with more than 300 digits was compared in the current record. */
  longNumber = false;
  private readonly regexps = new Map<Predicate, RegExp>();
  private readonly networks = new Map<Predicate, { net: number[]; prefix: number }>();

  eval(p: Predicate, view: RecordView): Tri {
    const value = view.slot(p.fields);
    if (value === undefined) return undefined;
    switch (p.kind) {
      case "exists":
        return (value !== null) === p.value;
      case "string": {
        if (value === null) return false;
        let re = this.regexps.get(p);
        if (!re) {
          re = p.op === "re" ? new RegExp(p.value, p.cased ? "" : "i") : sigmaRegExp(p.op, p.value, p.cased);
          this.regexps.set(p, re);
        }
        const subject = (s: string) => (p.op !== "re" && !p.cased ? lowerAscii(s) : s);
        if (re.test(subject(value))) return true;
        if (p.fields.some((f) => URL_KEYS.has(f)) && /[%+]/.test(value) && re.test(subject(urlDecode(value)))) return true;
        return false;
      }
      case "number": {
        if (value === null) return false;
        const x = parseDecimal(value);
        if (Number.isNaN(x)) return false;
        if ((value.match(/[0-9]/g)?.length ?? 0) > 300) this.longNumber = true;
        // The module accumulates digits in a double: within rounding distance of the
        // threshold the answer is not the oracle's to give.
        if (Math.abs(x - p.value) <= 1e-6 * Math.max(1, Math.abs(p.value))) return undefined;
        return p.op === "gt" ? x > p.value : p.op === "gte" ? x >= p.value : p.op === "lt" ? x < p.value : x <= p.value;
      }
      case "cidr": {
        if (value === null || value.length > 45) return false;
        const addr = addressBytes(value);
        if (addr === undefined) return undefined;
        if (addr === null) return false;
        let n = this.networks.get(p);
        if (!n) this.networks.set(p, (n = cidrNetwork(p.value)));
        return inNetwork(addr, n.net, n.prefix);
      }
    }
  }
}

function evalCondition(c: Condition, view: RecordView, preds: PredicateEvaluator): Tri {
  switch (c.k) {
    case "const":
      return c.value;
    case "pred":
      return preds.eval(c.pred, view);
    case "not": {
      const v = evalCondition(c.arg, view, preds);
      return v === undefined ? undefined : !v;
    }
    case "and":
      return tri(c.args.map((a) => evalCondition(a, view, preds)), false);
    case "or":
      return tri(c.args.map((a) => evalCondition(a, view, preds)), true);
  }
}

// ---------------------------------------------------------------- correlations

const NEVER = Number.NEGATIVE_INFINITY;

interface KeyState {
  times: number[];
  lastAlert: number;
  first: number;
}

export interface ExpectedAlert {
  rule: string;
  title: string;
  level: string;
  type: string;
  status: "fired";
  tags: string[];
  group: Record<string, string | null>;
  key: string;
  count: number;
  threshold: number;
  window: number;
  first: string;
  last: string;
}

class EventCount {
  watermark = NEVER;
  readonly keys = new Map<string, KeyState>();
  readonly needed: number;
  late = 0;
  evicted = 0;

  constructor(
    readonly c: CorrelationRule,
    readonly index: number,
    readonly maxKeys: number,
    readonly latenessMs: number,
  ) {
    const { op, value } = c.condition;
    this.needed = op === "gte" ? Math.ceil(value) : Math.floor(value) + 1;
  }

  /** Feeds one matched occurrence; "unsure" when a group-by value is not the oracle's to know. */
  observe(t: number, view: RecordView): ExpectedAlert | null | "unsure" {
    const values = this.c.groupBy.map((fields) => view.slot(fields));
    if (values.some((v) => v === undefined)) return "unsure";
    if (t > this.watermark) this.watermark = t;
    else if (this.watermark - t > this.latenessMs) {
      this.late++;
      return null;
    }
    if (values.every((v) => v === null) && values.length > 0) return null;
    const key = JSON.stringify(values);
    let s = this.keys.get(key);
    if (s) this.keys.delete(key);
    else {
      if (this.keys.size >= this.maxKeys) {
        this.keys.delete(this.keys.keys().next().value!);
        this.evicted++;
      }
      s = { times: [], lastAlert: NEVER, first: t };
    }
    this.keys.set(key, s);
    const coolingDown = s.lastAlert !== NEVER && t - s.lastAlert < this.c.cooldownSec * 1000;
    // The newest `needed` event times, ascending.
    const times = s.times;
    if (times.length === this.needed) {
      if (t <= times[0]) return null;
      times.shift();
    }
    let i = times.length;
    while (i > 0 && times[i - 1] > t) i--;
    times.splice(i, 0, t);
    if (times.length < this.needed) return null;
    const span = times[times.length - 1] - times[0];
    if (!(span < this.c.timespanSec * 1000)) return null;
    if (coolingDown) return null;
    s.lastAlert = t;
    const text = (v: SlotValue) => (v == null ? null : lenientText.decode(fromLatin1(v)));
    return {
      rule: this.c.id,
      title: this.c.title,
      level: this.c.level,
      type: "event_count",
      status: "fired",
      tags: [...new Set(this.c.tags)],
      group: Object.fromEntries(this.c.groupByNames.map((name, g) => [name, text(values[g])])),
      key: values.map((v) => text(v) ?? "").join("|"),
      count: this.needed,
      threshold: this.needed,
      window: this.c.timespanSec,
      first: new Date(times[0]).toISOString(),
      last: new Date(times[times.length - 1]).toISOString(), // the newest event kept (events may arrive out of order)
    };
  }
}

/** The rewrite_tag route name of a correlation (src/compiler/program/correlations.ts documents the rule). */
export function routeName(c: CorrelationRule): string {
  return (c.name ?? c.id).replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || "alert";
}

// ---------------------------------------------------------------- statistics

/** The interval statistics the module counts on event time (assembly/stats/stats.ts). */
class StatsModel {
  from: number | null = null;
  records = 0;
  matched = 0;
  alerted = 0;
  dropped = 0;
  rules = new Map<string, number>();
  alerts: number[];
  /** Counts no longer exact (a record with an unknown outcome was counted). */
  unsure = false;

  constructor(
    readonly intervalMs: number,
    correlations: number,
  ) {
    this.alerts = new Array<number>(correlations).fill(0);
  }

  reset(from: number): void {
    this.from = from;
    this.records = this.matched = this.alerted = this.dropped = 0;
    this.rules.clear();
    this.alerts.fill(0);
    this.unsure = false;
  }

  /** Whether the record at `t` closes the interval (the module then writes the statistics unless it drops the record). */
  due(t: number): boolean {
    if (this.intervalMs <= 0) return false;
    if (this.from === null) {
      this.reset(t - (t % this.intervalMs));
      return false;
    }
    return t >= this.from + this.intervalMs;
  }
}

export interface ExpectedStats {
  from: string;
  to: string;
  /** Exact counts, when known. */
  counts?: { records: number; matched: number; alerted: number; dropped: number; rules: Record<string, number> };
  correlations?: Record<string, { alerts: number; keys: number; capacity: number; evictions: number; late: number }>;
  interval: number;
}

// ---------------------------------------------------------------- expectation

export interface Expectation {
  /** JSON.parse accepts the input as one object: the module must process it. */
  valid: boolean;
  parsed?: Parsed;
  /** Per rule: matches, does not, or the oracle cannot tell. */
  matches: Tri[];
  /** The exact namespace object without `stats`, when every relevant answer is certain. */
  namespace?: Record<string, unknown>;
  route?: string;
  /** The statistics this record carries (when it closes an interval and is not dropped). */
  stats?: ExpectedStats;
  /** Certain outcome: "pass" (byte-identical), "drop", "tag"; undefined when unsure. */
  outcome?: "pass" | "drop" | "tag";
  /** Whether a drop is allowed at all (some drop rule is true or unknown). */
  mayDrop: boolean;
  /** Whether the module must add the namespace (a visible rule is certainly true, an alert, or statistics). */
  mustTag: boolean;
  /** Record keys a redact rule that matches (or may) can rewrite. */
  redactKeys: string[];
  /** A numeric predicate read a number of more than 300 digits (see the long-number regression case). */
  longNumber?: boolean;
}

export interface OracleOptions {
  maxKeys?: number;
  latenessSec?: number;
  namespace?: string;
  alertField?: string;
  /** Seconds of event time between statistics records (default 300; 0 = off). */
  statsIntervalSec?: number;
  /** Do not evaluate rules at all (every answer unknown): structure-only checks, and no JS regex runs on hostile input. */
  structural?: boolean;
}

interface Pending {
  t: number;
  matches: Tri[];
  alerts: number[];
  alertsUnsure: boolean;
  due: boolean;
  /** The module's count may differ (the long-number bug): later statistics are not exact. */
  longNumber: boolean;
}

export class Oracle {
  private readonly preds = new PredicateEvaluator();
  private readonly conditions: Condition[];
  private readonly globs: RegExp[][];
  private readonly silent: boolean[];
  private readonly counters: (EventCount | null)[];
  private readonly feeds: number[][]; // rule -> correlations it feeds
  private readonly stats: StatsModel;
  private pending: Pending | null = null;
  /** Correlation state is no longer known exactly (an unknown rule or group value fed it). */
  correlationsUnsure = false;
  readonly namespaceKey: string;
  readonly alertKey: string;
  readonly maxKeys: number;
  private readonly structural: boolean;

  constructor(
    readonly set: RuleSet,
    options: OracleOptions = {},
  ) {
    this.namespaceKey = options.namespace ?? "tripline";
    this.alertKey = options.alertField ?? `${this.namespaceKey}_alert`;
    this.maxKeys = options.maxKeys ?? 10000;
    this.structural = options.structural ?? false;
    this.conditions = set.rules.map((r) => {
      const gate = formatCondition(r.logsource.formats, r.pos);
      return gate ? { k: "and", args: [gate, r.condition] } : r.condition;
    });
    this.globs = set.rules.map((r) => r.logsource.tags.map(globRegExp));
    const referenced = set.rules.map(() => false);
    const generated = set.rules.map(() => false);
    this.feeds = set.rules.map(() => []);
    set.correlations.forEach((c, k) => {
      for (const r of c.rules) {
        referenced[r] = true;
        if (c.generate) generated[r] = true;
        this.feeds[r].push(k);
      }
    });
    this.silent = referenced.map((ref, r) => ref && !generated[r]);
    this.counters = set.correlations.map((c, k) =>
      c.type === "event_count" && c.rules.length === 1 && c.groupBy.length > 0
        ? new EventCount(c, k, this.maxKeys, (options.latenessSec ?? 60) * 1000)
        : null,
    );
    this.stats = new StatsModel((options.statsIntervalSec ?? 300) * 1000, set.correlations.length);
  }

  /** Works out the outcome of one call. Call settle() with what the module did before the next one. */
  expect(tag: string, time: [number, number], bytes: Uint8Array): Expectation {
    this.pending = null;
    const none: Expectation = { valid: false, matches: [], outcome: "pass", mayDrop: false, mustTag: false, redactKeys: [] };
    if (parseObject(bytes) === null) return none;
    const parsed = scanTop(bytes);
    const view = new RecordView(bytes, parsed, [this.namespaceKey, this.alertKey]);
    this.preds.longNumber = false;
    const rules = this.set.rules;
    const tagBytes = latin1(utf8.encode(tag));
    const matches: Tri[] = rules.map((_rule, r) => {
      if (this.structural) return undefined;
      if (this.globs[r].length > 0 && !this.globs[r].some((g) => g.test(tagBytes))) return false;
      return evalCondition(this.conditions[r], view, this.preds);
    });
    const t = (time[0] >>> 0) * 1000 + Math.floor((time[1] >>> 0) / 1e6);
    const alerts: { alert: ExpectedAlert; c: number }[] = [];
    let alertsUnsure = this.correlationsUnsure;
    matches.forEach((m, r) => {
      for (const k of this.feeds[r]) {
        const counter = this.counters[k];
        if (m === false) continue;
        if (m === undefined || !counter) {
          alertsUnsure = true;
          if (counter) this.correlationsUnsure = true;
          continue;
        }
        const a = counter.observe(t, view);
        if (a === "unsure") {
          alertsUnsure = true;
          this.correlationsUnsure = true;
        } else if (a) alerts.push({ alert: a, c: k });
      }
    });
    const due = this.stats.due(t);
    this.pending = { t, matches, alerts: alerts.map((a) => a.c), alertsUnsure, due, longNumber: this.preds.longNumber };
    const sure = matches.every((m) => m !== undefined) && !alertsUnsure;
    const isDrop = (r: number) => rules[r].action === "drop";
    const mayDrop = matches.some((m, r) => m !== false && isDrop(r));
    const certainDrop = matches.some((m, r) => m === true && isDrop(r));
    const statsDue = due && !mayDrop;
    const mustTag =
      !mayDrop && (matches.some((m, r) => m === true && !this.silent[r]) || (!alertsUnsure && alerts.length > 0) || statsDue);
    const redactKeys = [...new Set(rules.flatMap((rule, r) => (matches[r] !== false && rule.action === "redact" ? rule.redact.flatMap((x) => x.fields) : [])))];
    const result: Expectation = { valid: true, parsed, matches, mayDrop, mustTag, redactKeys, longNumber: this.preds.longNumber };
    if (statsDue) result.stats = this.expectedStats(t, matches, alerts.map((a) => a.c), sure);
    if (certainDrop) return { ...result, outcome: "drop" };
    if (!sure || mayDrop) return result;
    const visible = matches.map((m, r) => m === true && !this.silent[r]);
    if (!visible.some(Boolean) && alerts.length === 0 && !statsDue) return { ...result, outcome: "pass" };
    const listed: DetectionRule[] = rules.filter((_, r) => matches[r] === true && (alerts.length > 0 || visible[r]));
    const namespace: Record<string, unknown> = {};
    if (listed.length > 0) {
      let level = 0;
      for (const rule of listed) level = Math.max(level, LEVELS.indexOf(rule.level));
      for (const { c } of alerts) level = Math.max(level, LEVELS.indexOf(this.set.correlations[c].level));
      namespace.rules = listed.map((r) => r.id);
      namespace.level = LEVELS[level];
      namespace.tags = [...new Set(listed.flatMap((r) => r.tags))];
    }
    if (alerts.length > 0) namespace.alerts = alerts.map((a) => a.alert);
    const route = alerts.length > 0 ? routeName(this.set.correlations[alerts[0].c]) : statsDue ? "stats" : undefined;
    if (alerts.length > 1) return { ...result, outcome: "tag" }; // the order of several alerts is the module's
    return { ...result, outcome: "tag", namespace, route };
  }

  private expectedStats(t: number, matches: Tri[], alerts: number[], sure: boolean): ExpectedStats {
    const s = this.stats;
    const out: ExpectedStats = { from: new Date(s.from!).toISOString(), to: new Date(t).toISOString(), interval: s.intervalMs / 1000 };
    if (sure && !s.unsure) {
      const rules: Record<string, number> = {};
      const add = (id: string, n: number) => (rules[id] = (rules[id] ?? 0) + n);
      for (const [id, n] of s.rules) add(id, n);
      matches.forEach((m, r) => m && add(this.set.rules[r].id, 1));
      out.counts = {
        records: s.records + 1,
        matched: s.matched + (matches.some(Boolean) ? 1 : 0),
        alerted: s.alerted + (alerts.length > 0 ? 1 : 0),
        dropped: s.dropped,
        rules,
      };
    }
    if (!this.correlationsUnsure && this.counters.every((c) => c !== null)) {
      out.correlations = Object.fromEntries(
        this.set.correlations.map((c, k) => [
          c.id,
          {
            alerts: s.alerts[k] + alerts.filter((a) => a === k).length,
            keys: this.counters[k]!.keys.size,
            capacity: this.maxKeys,
            evictions: this.counters[k]!.evicted,
            late: this.counters[k]!.late,
          },
        ]),
      );
      if (!sure || s.unsure) for (const v of Object.values(out.correlations)) v.alerts = -1; // unknown
    }
    return out;
  }

  /** Advances the statistics with what the module actually did (it may drop a record the oracle was unsure about). */
  settle(dropped: boolean): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    const s = this.stats;
    if (s.intervalMs <= 0) return;
    const sure = p.matches.every((m) => m !== undefined) && !p.alertsUnsure;
    if (!sure || p.longNumber) s.unsure = true;
    s.records++;
    if (p.matches.some(Boolean)) s.matched++;
    if (p.alerts.length > 0) s.alerted++;
    if (dropped) s.dropped++;
    p.matches.forEach((m, r) => {
      if (m) s.rules.set(this.set.rules[r].id, (s.rules.get(this.set.rules[r].id) ?? 0) + 1);
    });
    for (const c of p.alerts) s.alerts[c]++;
    if (p.due && !dropped) s.reset(p.t - (p.t % s.intervalMs));
  }

  /** Statistics of the modelled correlations (late events, evicted keys). */
  correlationStats(): { late: number; evicted: number; keys: number }[] {
    return this.counters.map((c) => ({ late: c?.late ?? 0, evicted: c?.evicted ?? 0, keys: c?.keys.size ?? 0 }));
  }
}
