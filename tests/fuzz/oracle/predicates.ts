// Predicates and conditions over a RecordView, from the Sigma semantics in
// SEMANTICS.md "Detection" and README "Detection": string tests on bytes,
// case-insensitive for ASCII letters unless cased, Sigma wildcards * and ?,
// `re` in JavaScript syntax over bytes, numbers compared on the value's
// text, CIDR for IPv4 and IPv6, exists. URL fields are also tested
// URL-decoded once.
//
// JavaScript's RegExp runs on UTF-16 code units; the module matches bytes.
// Each byte becomes one char: ASCII as itself, bytes >= 0x80 as a char of
// the private use area (U+E080..U+E0FF), which no case folding, `\s` or `\w`
// touches. So `.` is one byte, `[^a]` any other byte, and the `i` flag folds
// ASCII letters only.
import type { Condition, Predicate } from "../../../src/compiler/ir.js";
import { UNKNOWN, type Reading, type RecordView, type Tri } from "./view.js";
import { utf8Latin1 } from "./json.js";

/** The keys whose values are also matched URL-decoded (SEMANTICS.md "Fields"). */
export const URL_FIELD_KEYS = new Set(["path", "query", "url", "uri", "request", "request_uri", "referer", "cs-uri-stem", "cs-uri-query"]);

/** Bytes (one char per byte) as the subject of a RegExp built by this file. */
export function subject(bytes: string): string {
  return bytes.replace(/[\x80-\xff]/g, (c) => String.fromCharCode(0xe000 + c.charCodeAt(0)));
}

const escapeChar = (c: string) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");

/** A Sigma value (wildcards * ?, escapes \* \? \\) as a RegExp over subject(). */
export function sigmaRegExp(op: "contains" | "startswith" | "endswith" | "equals", value: string, cased: boolean): RegExp {
  let body = "";
  let text = "";
  const flush = () => {
    body += subject(utf8Latin1(text)).replace(/[^]/g, escapeChar);
    text = "";
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\" && (value[i + 1] === "*" || value[i + 1] === "?" || value[i + 1] === "\\")) text += value[++i];
    else if (ch === "*") {
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
  return new RegExp(start + body + end, cased ? "" : "i");
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** URL-decoded once: %XX -> the byte, + -> space; anything else as is. */
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

/**
 * A number's text as a number: NaN when it is plainly not one (letters,
 * empty), undefined when the specification does not say ("+1", ".5", "1.",
 * blanks around it, hexadecimal-looking forms are all left open).
 */
export function numberOf(text: string): number | undefined {
  if (/^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d*)?\s*$/.test(text) || /^[+-]?0[xXbBoO]/.test(text)) return undefined;
  if (/^\s*[+-]?(?:infinity|nan)\s*$/i.test(text)) return undefined;
  return NaN;
}

function parseIPv4(s: string): number[] | null | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = m.slice(1);
  // Leading zeros: octal to inet_aton, decimal to others, refused by inet_pton. Not specified.
  if (parts.some((p) => p.length > 1 && p[0] === "0")) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((x) => x <= 255) ? bytes : null;
}

/** 16 bytes of an IPv6 address (RFC 4291 text forms, embedded IPv4 tail included); null when it is not one. */
function parseIPv6(s: string): number[] | null | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
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
  const words = head.map((g) => parseInt(g, 16));
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

interface Address {
  bytes: number[];
  v4: boolean;
  /** An IPv6 address of the IPv4-mapped block ::ffff:0:0/96. */
  mapped: boolean;
}

function address(s: string): Address | null | undefined {
  if (s.includes(":")) {
    const b = parseIPv6(s);
    if (!b) return b;
    const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
    return { bytes: b, v4: false, mapped };
  }
  const v4 = parseIPv4(s);
  if (!v4) return v4;
  return { bytes: v4, v4: true, mapped: false };
}

/** Whether `addr` is in the network `cidr` (a/len); undefined where the families meet (IPv4-mapped addresses: not specified). */
export function inCidr(addr: Address, cidr: string): Tri {
  const [netText, lenText] = cidr.split("/");
  const net = address(netText);
  if (!net) throw new Error(`oracle cannot parse CIDR ${cidr}`);
  const prefix = lenText === undefined ? (net.v4 ? 32 : 128) : Number(lenText);
  if (net.v4 !== addr.v4) {
    if (addr.mapped || net.mapped) return undefined;
    return false;
  }
  for (let i = 0, bits = prefix; i < addr.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((addr.bytes[i] & mask) !== (net.bytes[i] & mask)) return false;
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

/** Fluent Bit tag glob: `*` any run of characters, everything else itself. */
export function globRegExp(glob: string): RegExp {
  return new RegExp("^" + glob.split("*").map((p) => subject(utf8Latin1(p)).replace(/[^]/g, escapeChar)).join("[^]*") + "$");
}

export class PredicateEvaluator {
  /** A number with more than 300 digits was compared in the current record. */
  longNumber = false;
  private readonly regexps = new Map<Predicate, RegExp>();

  private regexp(p: Extract<Predicate, { kind: "string" }>): RegExp {
    let re = this.regexps.get(p);
    if (!re) {
      if (p.op === "re") {
        if (/[^\x00-\x7f]|\\x[89a-fA-F]|\\u00[89a-fA-F]|\\u0[1-9a-fA-F]|\\u[1-9a-fA-F]/.test(p.value)) throw new Error(`oracle: regex ${p.value} is not ASCII (how a byte engine reads it is not specified)`);
        re = new RegExp(p.value, p.cased ? "" : "i");
      } else re = sigmaRegExp(p.op, p.value, p.cased);
      this.regexps.set(p, re);
    }
    return re;
  }

  private readonly charRegexps = new Map<Predicate, RegExp>();

  /** The Sigma pattern with `?` as one UTF-8 character (a lead byte and its continuation bytes). */
  private charRegexp(p: Extract<Predicate, { kind: "string" }>): RegExp {
    let re = this.charRegexps.get(p);
    if (!re) {
      const one = this.regexp(p);
      re = new RegExp(one.source.replace(/\[\^\](?!\*)/g, "(?:[^][\\ue080-\\ue0bf]{0,3})"), one.flags);
      this.charRegexps.set(p, re);
    }
    return re;
  }

  eval(p: Predicate, view: RecordView): Tri {
    const direct: Reading = view.slot(p.fields);
    if (direct !== UNKNOWN && (direct === null || direct.text !== undefined)) return this.evalReading(p, direct);
    if (p.kind === "exists" && direct !== UNKNOWN) return p.value;
    // Duplicate members: the answer for each value one of them may hold; known when they all agree.
    const options = view.slotOptions(p.fields);
    if (options === UNKNOWN) return undefined;
    const answers = options.map((o) => this.evalReading(p, o));
    return answers.every((a) => a === answers[0]) ? answers[0] : undefined;
  }

  private evalReading(p: Predicate, r: Reading): Tri {
    if (r === UNKNOWN) return undefined;
    if (p.kind === "exists") return (r !== null) === p.value;
    if (r === null) return false;
    if (r.text === undefined) return undefined;
    const value = r.text;
    switch (p.kind) {
      case "string": {
        const re = this.regexp(p);
        if (p.op === "re") {
          if (/\\[sS]/.test(p.value) && value.includes("\xa0")) return undefined;
          if (/(^|[^\\])\./.test(p.value) && /[\n\r]/.test(value)) return undefined;
        }
        const holds = (re: RegExp) =>
          re.test(subject(value)) || (p.fields.some((f) => URL_FIELD_KEYS.has(f)) && /[%+]/.test(value) && re.test(subject(urlDecode(value))));
        const result = holds(re);
        if (p.op !== "re" && /[\x80-\xff]/.test(value) && /(^|[^\\])\?/.test(p.value)) {
          // `?` over a multi-byte character: one byte or one character is not specified; both must agree.
          if (holds(this.charRegexp(p)) !== result) return undefined;
        }
        return result;
      }
      case "number": {
        const x = numberOf(value);
        if (x === undefined) return undefined;
        if (Number.isNaN(x)) return false;
        if ((value.match(/[0-9]/g)?.length ?? 0) > 300) this.longNumber = true;
        // Within rounding distance of the threshold the answer is not the oracle's to give.
        if (Math.abs(x - p.value) <= 1e-9 * Math.max(1, Math.abs(p.value))) return undefined;
        return p.op === "gt" ? x > p.value : p.op === "gte" ? x >= p.value : p.op === "lt" ? x < p.value : x <= p.value;
      }
      case "cidr": {
        const a = address(value);
        if (a === undefined) return undefined;
        if (a === null) return false;
        return inCidr(a, p.value);
      }
    }
  }

  condition(c: Condition, view: RecordView): Tri {
    switch (c.k) {
      case "const":
        return c.value;
      case "pred":
        return this.eval(c.pred, view);
      case "not": {
        const v = this.condition(c.arg, view);
        return v === undefined ? undefined : !v;
      }
      case "and":
        return tri(c.args.map((a) => this.condition(a, view)), false);
      case "or":
        return tri(c.args.map((a) => this.condition(a, view)), true);
    }
  }
}
