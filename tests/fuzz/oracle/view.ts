// A record as the rules read it, worked out from SEMANTICS.md "Fields":
// top-level members by decoded key (null counts as absent), the canonical
// keys the module fills from a raw `log` line or from the shapes of Fluent
// Bit's parsers (only ever added, never replacing a record's own member),
// the parts derived from the request target, the record's formats and its
// event time. Values are bytes, one char per byte.
//
// Where the specification leaves a case open (duplicate keys with different
// values, a line in a shape the oracle does not read, two shapes at once)
// the value is UNKNOWN and the record is checked structurally where it
// matters; `unknowns` says why, for the coverage report.
import { decodeString, latin1, memberText, parseObject, scanTop, type Parsed, type TopMember, type ValueKind } from "./json.js";
import { authMessage, clfTime, isoTime, readLine, rfc3164Time, withoutPort, type LineReading } from "./lines.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export const UNKNOWN = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export interface Val {
  /** The value's bytes (strings decoded, other values their JSON text); undefined when present with a value the oracle cannot tell. */
  text: string | undefined;
  /** JSON kind, or "text" for bytes the module reads out of a line or derives. */
  kind: Exclude<ValueKind, "null"> | "text";
  /** Where the bytes come from. */
  origin: "record" | "inner" | "line" | "derived" | "constant";
  /** Duplicate keys with different values: one of these (which one is not specified). */
  candidates?: string[];
  /** The duplicates differ in kind too. */
  mixed?: boolean;
}

/** A key's reading: a value, null (absent; JSON null counts as absent), or UNKNOWN (may or may not be there). */
export type Reading = Val | null | Unknown;

/** Keys whose presence or value decides how the module reads a record (raw line, parser shapes). */
const SHAPE_KEYS = ["log", "message", "ident", "client", "level", "host", "code", "remote", "user"];
const TIME_KEYS = ["time", "timestamp", "@timestamp", "ts", "date"];
const FORMAT_KEYS = {
  access: ["path", "request", "url", "uri", "cs-uri-stem"],
  auth: ["ident", "program", "SYSLOG_IDENTIFIER", "auth_result"],
  syslog: ["ident", "program", "SYSLOG_IDENTIFIER", "pri"],
};
export type Tri = boolean | undefined;

/** Members by decoded key; duplicates with different values are UNKNOWN (the specification does not say which wins). */
function membersByKey(bytes: Uint8Array, parsed: Parsed, origin: "record" | "inner", options?: Map<string, Reading[]>): Map<string, Reading> {
  const seen = new Map<string, TopMember[]>();
  for (const m of parsed.members) {
    const list = seen.get(m.key);
    if (list) list.push(m);
    else seen.set(m.key, [m]);
  }
  const out = new Map<string, Reading>();
  for (const [key, list] of seen) {
    const read = (m: TopMember): Reading => (m.kind === "null" ? null : { text: memberText(bytes, m), kind: m.kind, origin });
    const values = list.map(read);
    const first = values[0];
    const same = values.every((v) => (v === null ? first === null : first !== null && first !== UNKNOWN && v !== UNKNOWN && v.kind === first.kind && v.text === first.text));
    if (same) out.set(key, first);
    else if (values.every((v) => v !== null && v !== UNKNOWN)) {
      // Present either way, which value counts is not specified: present, value unknown (the candidates kept for group keys).
      const mixed = !values.every((v) => (v as Val).kind === (first as Val).kind);
      out.set(key, { text: undefined, kind: (first as Val).kind, origin, candidates: [...new Set(values.map((v) => (v as Val).text!))], mixed });
      options?.set(key, values);
    } else {
      out.set(key, UNKNOWN);
      options?.set(key, values);
    }
  }
  return out;
}

export class RecordView {
  /** The record's own members. */
  readonly own: Map<string, Reading>;
  /** What the module adds where the record has no such member. */
  readonly filled = new Map<string, Reading>();
  /** The event time the record states in a line (ms); null: none (Fluent Bit's time is used); undefined: unknown. */
  lineTime: number | null | undefined = null;
  /** When lineTime is unknown: the times the module may take (Fluent Bit's, or one a line states), if the oracle can list them. */
  timeOptions?: number[];
  line?: LineReading;
  lineKind: "none" | "json" | "access" | "error" | "syslog" | "unknown" | "bad-json" = "none";
  /** Why some reading is unknown (coverage report). */
  readonly unknowns: string[] = [];
  /** For keys that are UNKNOWN because of a line the oracle does not read: what they may hold (absent, or a piece of the line). */
  readonly guesses = new Map<string, (string | null)[]>();
  /** Duplicate members that decide the shape: the record read once per combination (rules are evaluated in each). */
  worlds?: RecordView[];
  /** Duplicate members, some null: the readings one of which counts. */
  readonly dupOptions = new Map<string, Reading[]>();
  /** Canonical values whose bytes come from the raw line (a redaction of `log` may change them). */
  fromLine = false;

  constructor(
    readonly bytes: Uint8Array,
    readonly parsed: Parsed,
    readonly fbTime: number,
    owned: string[],
    overrides: [string, Reading][] = [],
  ) {
    this.own = membersByKey(bytes, parsed, "record", this.dupOptions);
    for (const [k, r] of overrides) {
      this.own.set(k, r);
      this.dupOptions.delete(k);
    }
    this.readShapes(owned);
    this.dashUser();
    this.derive();
  }

  /**
   * Duplicate `log` members: the record read once per candidate line, and
   * what all readings agree on kept (values that differ become candidates).
   */
  private readWorlds(choices: [string, Reading][][], owned: string[]): void {
    const worlds = choices.map((overrides) => new RecordView(this.bytes, this.parsed, this.fbTime, owned, overrides));
    this.worlds = worlds;
    const keys = new Set(worlds.flatMap((w) => [...w.filled.keys()]));
    for (const k of keys) {
      const rs = worlds.map((w) => w.get(k));
      const first = rs[0];
      const same = rs.every((r) => r === first || (r !== null && r !== UNKNOWN && first !== null && first !== UNKNOWN && r.text === first.text && r.kind === first.kind && r.text !== undefined));
      if (same) {
        this.fill(k, first);
        if (first === UNKNOWN && worlds[0].guesses.has(k) && worlds.every((w) => w.guesses.has(k))) this.guesses.set(k, [...new Set(worlds.flatMap((w) => w.guesses.get(k)!))]);
        continue;
      }
      const options = new Set<string | null>();
      let bounded = true;
      worlds.forEach((w, i) => {
        const r = rs[i];
        if (r === null) options.add(null);
        else if (r === UNKNOWN) {
          const g = w.guesses.get(k);
          if (g) for (const v of g) options.add(v);
          else bounded = false;
        } else if (r.text !== undefined) options.add(r.text);
        else if (r.candidates) for (const v of r.candidates) options.add(v);
        else bounded = false;
      });
      if (bounded && !options.has(null)) this.fill(k, { text: undefined, kind: "text", origin: "line", candidates: [...options] as string[] });
      else {
        this.maybe(k);
        if (rs.every((r) => r === null || (r !== UNKNOWN && r.text !== undefined))) this.dupOptions.set(k, rs);
        else if (bounded) this.guesses.set(k, [...options]);
      }
    }
    const times = worlds.map((w) => w.time);
    if (times.some((t) => t === undefined)) this.lineTime = undefined;
    else {
      const all = [...new Set(times.flatMap((t) => t as number | number[]))];
      if (all.length === 1) this.lineTime = all[0] === this.fbTime ? null : all[0];
      else {
        this.lineTime = undefined;
        this.timeOptions = all;
      }
    }
    const kinds = new Set(worlds.map((w) => w.lineKind));
    this.lineKind = kinds.size === 1 ? worlds[0].lineKind : "unknown";
    this.fromLine = worlds.some((w) => w.fromLine);
    for (const w of worlds) this.unknowns.push(...w.unknowns);
    this.unknowns.push("duplicate 'log' members");
  }

  /** The reading of one record key after the module's line reading and derivation. */
  get(key: string): Reading {
    if (this.own.has(key)) return this.own.get(key)!;
    return this.filled.get(key) ?? null;
  }

  private fill(key: string, r: Reading): void {
    if (this.own.has(key) || this.filled.has(key)) return;
    this.filled.set(key, r);
  }

  /** A key that may or may not be filled: UNKNOWN unless the record has it itself. */
  private maybe(key: string): void {
    if (this.own.has(key) || this.filled.has(key)) return;
    this.filled.set(key, UNKNOWN);
  }

  private isString(key: string): Tri {
    const r = this.get(key);
    if (r === UNKNOWN) return undefined;
    return r !== null && (r.kind === "string" || r.kind === "text");
  }

  private present(key: string): Tri {
    const r = this.get(key);
    return r === UNKNOWN ? undefined : r !== null;
  }

  private readShapes(owned: string[]): void {
    // Duplicate members that decide the record's shape: read once per combination of the values that may count.
    let choices: [string, Reading][][] = [[]];
    for (const k of SHAPE_KEYS) {
      const opts = this.dupOptions.get(k);
      if (!opts) continue;
      const distinct = [...new Map(opts.map((r) => [r === null || r === UNKNOWN ? null : `${r.kind}:${r.text}`, r])).values()] as Reading[];
      choices = choices.flatMap((c) => distinct.map((r) => [...c, [k, r] as [string, Reading]]));
    }
    if (choices.length > 1 && choices.length <= 16) {
      this.readWorlds(choices, owned);
      return;
    }
    const log = this.own.get("log");
    const message = this.own.get("message");
    const hasLog = log === UNKNOWN || (log != null && log.text === undefined) ? undefined : log != null && log.kind === "string";
    const messageString = message !== UNKNOWN && message != null && message.kind === "string" && !message.mixed;
    const identMessage = this.present("ident") === true && messageString;
    const errorRecord = this.present("client") === true && this.present("level") === true && messageString;
    if ((message === UNKNOWN || message?.mixed || (messageString && message.text === undefined)) && (this.present("ident") !== false || this.present("client") !== false)) {
      this.unknownShape("duplicate 'message' members of a parsed record");
      this.lineTime = null;
      return;
    }
    const logOptions = this.dupOptions.get("log");
    if (logOptions || (hasLog && (log as Val).text === undefined)) {
      this.unknownShape("duplicate 'log' members beside a parsed message");
      this.lineTime = undefined;
      this.timeOptions = [this.fbTime, ...new Set(((log as Val).candidates ?? []).flatMap((line) => guessTimes(line, this.fbTime)))];
      return;
    }
    if (hasLog === undefined) {
      this.unknownShape("duplicate 'log' members");
      return;
    }
    if (hasLog) {
      if (identMessage || errorRecord) this.unknowns.push("a raw line beside a parsed message");
      this.readRawLine((log as Val).text!, owned, identMessage || errorRecord);
    } else if (identMessage && errorRecord) {
      this.unknownShape("syslog and apache_error shapes at once");
      this.lineTime = null; // a parsed record: Fluent Bit's time
    } else if (identMessage) {
      // A record of Fluent Bit's syslog parser: its message read as sshd/PAM/sudo write it.
      const text = (message as Val).text!;
      const auth = authMessage(text);
      if (auth === undefined) {
        this.unknowns.push("sshd/PAM/sudo message in a shape the oracle does not read");
        this.guess(["auth_result", "auth_user", "auth_method", "client_ip", "event_type"], text);
      } else for (const [k, v] of auth) this.fill(k, { text: v, kind: "text", origin: k === "client_ip" || k === "auth_user" ? "record" : "constant" });
    } else if (errorRecord) {
      // apache_error: the address from `client` without its port, the code and user from the message.
      const client = this.own.get("client")!;
      if (client !== UNKNOWN && client !== null && client.kind === "string") {
        const ip = withoutPort(client.text!);
        if (ip === undefined) this.maybe("client_ip");
        else this.fill("client_ip", { text: ip, kind: "text", origin: "record" });
      } else this.maybe("client_ip");
      const text = (message as Val).text!;
      const code = /^(AH\d+): /.exec(text);
      if (code) this.fill("error_code", { text: code[1], kind: "text", origin: "record" });
      else if (/^AH\d/.test(text)) this.maybe("error_code");
      const rest = code ? text.slice(code[0].length) : text;
      const user =
        /^user ([^\s:"']+): authentication failure for /.exec(rest) ?? /^user ([^\s:"']+) not found: /.exec(rest) ?? /^Digest: user "([^"]*)": /.exec(rest);
      if (user) this.fill("user", { text: user[1], kind: "text", origin: "record" });
      else if (/user/i.test(rest)) this.maybe("user");
    } else {
      // apache2: its `host` is the client address.
      const shape = and3(this.present("host"), this.present("code"), not3(this.present("remote")));
      const host = this.get("host");
      if (shape === true && !this.own.has("client_ip")) this.filled.set("client_ip", host === UNKNOWN || host === null ? host : { ...host });
      else if (shape === undefined) this.maybe("client_ip");
    }
  }

  /** "-" is nobody logged in (apache2/nginx records carry it with a code). */
  private dashUser(): void {
    const user = this.own.get("user");
    const log = this.own.get("log");
    if (user && user !== UNKNOWN && user.kind === "string" && user.text === "-") {
      const code = this.present("code");
      // Listed under parsed records: whether it holds beside a raw line is not specified.
      const raw = log !== undefined && log !== null && (log === UNKNOWN || log.kind === "string" || log.mixed === true);
      if (code === true) this.own.set("user", raw ? UNKNOWN : null);
      else if (code === undefined) this.own.set("user", UNKNOWN);
    }
  }

  /** Marks `keys` unknown, with the pieces of `text` they may hold. */
  private guess(keys: Iterable<string>, text: string): void {
    const pieces = linePieces(text);
    for (const k of keys) {
      if (this.own.has(k) || this.filled.has(k)) continue;
      this.filled.set(k, UNKNOWN);
      this.guesses.set(k, [null, ...pieces]);
    }
  }

  /** A slot's possible values (null: absent) when its reading is UNKNOWN but bounded; UNKNOWN otherwise. */
  slotCandidates(fields: string[]): (string | null)[] | Unknown {
    const options = this.slotOptions(fields);
    if (options !== UNKNOWN) return [...new Set(options.map((o) => (o === null ? null : o.text!)))];
    const out = new Set<string | null>();
    for (const f of fields) {
      const key = utf8Key(f);
      const r = this.get(key);
      if (r === null) continue;
      if (r === UNKNOWN) {
        const dup = this.dupOptions.get(key);
        const g = this.guesses.get(key) ?? (dup && dup.every((d) => d === null || (d !== UNKNOWN && d.text !== undefined)) ? dup.map((d) => (d === null ? null : (d as Val).text!)) : undefined);
        if (!g) return UNKNOWN;
        for (const v of g) if (v !== null) out.add(v);
        if (!g.includes(null)) return [...out];
        continue;
      }
      if (r.text !== undefined) out.add(r.text);
      else if (r.candidates) for (const v of r.candidates) out.add(v);
      else return UNKNOWN;
      return [...out];
    }
    out.add(null);
    return [...out];
  }

  private unknownShape(why: string, text?: string): void {
    this.unknowns.push(why);
    const keys = ["client_ip", "user", "method", "path", "protocol", "status", "size", "referer", "user_agent", "response_time", "host", "program", "pid", "message", "auth_result", "auth_user", "auth_method", "event_type", "format", "level", "module", "error_code", "vhost"];
    if (text !== undefined) this.guess(keys, text);
    for (const k of keys) this.maybe(k);
    this.lineTime = undefined;
  }

  private readRawLine(text: string, owned: string[], beside: boolean): void {
    // The line: trailing CR/LF removed.
    const line = text.replace(/[\r\n]+$/, "");
    if (beside) {
      this.unknownShape("a raw line beside a parsed message", line);
      this.timeOptions = guessTimes(line, this.fbTime);
      return;
    }
    if (line.startsWith("{")) {
      const bytes = Uint8Array.from(line, (c) => c.charCodeAt(0));
      if (parseObject(bytes) === null) {
        this.lineKind = "bad-json";
        return;
      }
      this.lineKind = "json";
      const inner = membersByKey(bytes, scanTop(bytes), "inner");
      for (const [k, v] of inner) if (!owned.includes(k)) this.fill(k, v);
      // The module marks JSON lines with a format of its own choosing: not specified.
      this.maybe("format");
      this.lineTime = jsonLineTime(inner);
      if (this.lineTime === undefined) {
        this.unknowns.push("JSON line time not readable for sure");
        this.timeOptions = guessTimes(line, this.fbTime);
      }
      return;
    }
    if (/^\s+\{/.test(line)) {
      this.unknownShape("a JSON line after blanks", line);
      this.timeOptions = guessTimes(line, this.fbTime);
      return;
    }
    const r = readLine(line, this.fbTime);
    this.line = r;
    this.lineKind = r.kind;
    if (r.kind === "none") return;
    this.fromLine = true;
    if (r.why) this.unknowns.push(r.why);
    this.guess(r.maybe, line);
    for (const [k, v] of r.fields) {
      const constant = k === "format" || k === "auth_result" || k === "event_type";
      this.fill(k, { text: v, kind: "text", origin: constant ? "constant" : "line" });
    }
    // A line in a shape the oracle does not read, or with a time it cannot read: its time is unknown
    // (a reader may take digits from anywhere in it).
    this.lineTime = r.time;
  }

  /** uri_stem, query, uri_host, uri_extension from the request target (`path`). */
  private derive(): void {
    const keys = ["uri_stem", "query", "uri_host", "uri_extension"];
    const options = this.options("path");
    if (options === UNKNOWN) {
      for (const k of keys) this.maybe(k);
      return;
    }
    // One derivation per possible target (duplicate `path` members: one of them).
    const per: (Record<string, Reading> | undefined)[] = options.map((path) => {
      const out: Record<string, Reading> = { uri_stem: null, query: null, uri_host: null, uri_extension: null };
      if (path === null) return out;
      if (path.kind !== "string" && path.kind !== "text") return undefined; // not a request target: not specified
      const d = deriveTarget(path.text!);
      if (d === undefined) return undefined;
      const origin = path.origin === "line" ? "line" : "derived";
      for (const k of keys) {
        const v = d[k as keyof typeof d];
        out[k] = v === null ? null : { text: v, kind: "text", origin };
      }
      return out;
    });
    if (per.some((d) => d === undefined)) {
      for (const k of keys) this.maybe(k);
      const p = options.find((o) => o !== null && o.kind !== "string" && o.kind !== "text");
      this.unknowns.push(p ? "a non-string path" : "a request target the oracle cannot split for sure");
      return;
    }
    for (const k of keys) {
      const rs = per.map((d) => d![k]);
      const first = rs[0];
      const same = rs.every((r) => (r === null ? first === null : first !== null && first !== UNKNOWN && r !== UNKNOWN && r.text === first.text));
      if (same) {
        if (first !== null) this.fill(k, first);
      } else if (!this.own.has(k) && !this.filled.has(k)) {
        this.filled.set(k, UNKNOWN);
        this.dupOptions.set(k, rs);
      }
    }
  }

  /** The readings a key may have: one when it is known, several for duplicate members, UNKNOWN when not bounded. */
  options(key: string): (Val | null)[] | Unknown {
    const r = this.get(key);
    if (r === null) return [null];
    if (r === UNKNOWN) {
      const dup = this.dupOptions.get(key);
      if (!dup) return UNKNOWN;
      const out: (Val | null)[] = [];
      for (const d of dup) {
        if (d === UNKNOWN) return UNKNOWN;
        if (d === null) out.push(null);
        else if (d.text !== undefined) out.push(d);
        else if (d.candidates) for (const text of d.candidates) out.push({ ...d, text, candidates: undefined, mixed: undefined });
        else return UNKNOWN;
      }
      return out;
    }
    if (r.text !== undefined) return [r];
    if (!r.candidates || r.mixed) return UNKNOWN;
    return r.candidates.map((text) => ({ ...r, text, candidates: undefined }));
  }

  /** The readings a slot (first present candidate key) may have; UNKNOWN when not bounded. */
  slotOptions(fields: string[], from = 0): (Val | null)[] | Unknown {
    if (from >= fields.length) return [null];
    const mine = this.options(utf8Key(fields[from]));
    if (mine === UNKNOWN) return UNKNOWN;
    const out: (Val | null)[] = [];
    for (const o of mine) {
      if (o !== null) out.push(o);
      else {
        const rest = this.slotOptions(fields, from + 1);
        if (rest === UNKNOWN) return UNKNOWN;
        out.push(...rest);
      }
    }
    return out.length > 64 ? UNKNOWN : out;
  }

  /** The record's formats: true/false, or undefined when the oracle cannot tell. */
  format(f: string): Tri {
    if (f === "error") {
      if (this.lineKind === "error") return true;
      if (this.lineKind === "unknown") return undefined;
      return and3(this.present("client"), this.present("level"), this.present("message"));
    }
    const keys = FORMAT_KEYS[f as keyof typeof FORMAT_KEYS];
    if (!keys) return false; // json: no format bit of its own (a json rule sees every record)
    return or3(keys.map((k) => this.present(k)));
  }

  /** The first candidate key present (not null): its value, null when none is, UNKNOWN when the oracle cannot tell. */
  slot(fields: string[]): Reading {
    for (const f of fields) {
      const r = this.get(utf8Key(f));
      if (r === UNKNOWN) {
        return UNKNOWN;
      }
      if (r !== null) return r;
    }
    return null;
  }

  /** Event time (ms): the line's, else Fluent Bit's; undefined when unknown. */
  get time(): number | number[] | undefined {
    if (this.lineTime === undefined) {
      if (!this.timeOptions) return undefined;
      return this.timeOptions.length === 1 ? this.timeOptions[0] : this.timeOptions;
    }
    return this.lineTime ?? this.fbTime;
  }
}

const keyCache = new Map<string, string>();
function utf8Key(f: string): string {
  let k = keyCache.get(f);
  if (k === undefined) keyCache.set(f, (k = latin1(new TextEncoder().encode(f))));
  return k;
}

function and3(...xs: Tri[]): Tri {
  if (xs.some((x) => x === false)) return false;
  return xs.every((x) => x === true) ? true : undefined;
}

function not3(x: Tri): Tri {
  return x === undefined ? undefined : !x;
}

function or3(xs: Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.every((x) => x === false) ? false : undefined;
}

/** Pieces of a line a field read out of it may be: its blank-separated tokens, and their parts around = : , ; [ ] ( ). */
export function linePieces(text: string): string[] {
  const out = new Set<string>();
  for (const token of text.split(/[ \t]+/)) {
    if (token === "") continue;
    out.add(token);
    for (const part of token.split(/[=,;\[\]()"']+/)) {
      if (part === "") continue;
      out.add(part);
      out.add(part.replace(/[:.]+$/, ""));
      if (part.split(":").length === 2) out.add(part.slice(0, part.indexOf(":")));
    }
  }
  return [...out];
}

/**
 * Times the module may take from a line the oracle does not read for sure:
 * Fluent Bit's, and every time written where one of the formats puts one
 * (a superset: the module takes one of them).
 */
export function guessTimes(text: string, fb: number): number[] {
  const line = text.replace(/[\r\n]+$/, "");
  const out = new Set<number>([fb]);
  const add = (t: number | null | undefined) => {
    if (typeof t === "number") out.add(t);
  };
  if (line.startsWith("{")) {
    const bytes = Uint8Array.from(line, (c) => c.charCodeAt(0) & 0xff);
    if (parseObject(bytes) !== null) {
      for (const [k, r] of membersByKey(bytes, scanTop(bytes), "inner")) {
        if (!TIME_KEYS.includes(k) || r === UNKNOWN || r === null) continue;
        for (const v of r.text !== undefined ? [r.text] : (r.candidates ?? [])) {
          add(isoTime(v));
          add(clfTime(v));
          const n = Number(v);
          if (Number.isFinite(n) && n >= 0) for (const x of [n, n * 1000]) for (const f of [Math.floor, Math.round, Math.ceil]) add(f(x));
        }
      }
    }
    return [...out];
  }
  add(readLine(line, fb).time);
  const bracket = /\[([^\]]*)\]/.exec(line);
  if (bracket) {
    add(clfTime(bracket[1].slice(0, 26).trim()));
    add(clfTime(bracket[1].slice(0, 20))); // a zone the module may not read
    // Separators the module may not check: the digits where CLF puts them, with and without the zone.
    const loose = /^(\d\d).(\w{3}).(\d{4}).(\d\d:\d\d:\d\d)(?:.([+-]\d{4}))?/.exec(bracket[1]);
    if (loose) {
      add(clfTime(`${loose[1]}/${loose[2]}/${loose[3]}:${loose[4]}`));
      if (loose[5]) add(clfTime(`${loose[1]}/${loose[2]}/${loose[3]}:${loose[4]} ${loose[5]}`));
    }
  }
  const body = line.replace(/^<[^>]*>(1 )?/, "");
  add(isoTime(body.split(" ")[0]));
  const stamp = /^(\w{3}) +(\d{1,2}) (\d\d:\d\d:\d\d)/.exec(body);
  if (stamp && MONTHS.includes(stamp[1])) add(rfc3164Time(stamp[1], +stamp[2], stamp[3], fb));
  return [...out];
}

/** A JSON line's time: the first of time/timestamp/@timestamp/ts/date that reads as one. */
function jsonLineTime(inner: Map<string, Reading>): number | null | undefined {
  for (const k of TIME_KEYS) {
    const r = inner.get(k);
    if (r === undefined || r === null) continue;
    if (r === UNKNOWN || r.text === undefined) return undefined;
    let t: number | undefined;
    let clearlyNot = false;
    if (r.kind === "number") {
      if (/^\d+$/.test(r.text)) {
        const v = Number(r.text);
        t = v > 1e12 ? v : v * 1000;
        if (!Number.isSafeInteger(t)) return undefined;
      } else return undefined; // fractions round, negative and exponent forms are not specified
    } else if (r.kind === "string") {
      t = isoTime(r.text) ?? clfTime(r.text);
      if (t === undefined) clearlyNot = !/^\d{4}-\d\d-\d\d|^\d\d\/\w{3}\//.test(r.text) && !/^\d/.test(r.text);
    } else clearlyNot = true;
    if (t !== undefined) return t;
    if (!clearlyNot) return undefined;
  }
  return null;
}

/**
 * The parts of a request target: stem up to ? or # (without scheme://host),
 * query after the first ? up to #, host of an absolute http(s) URL without
 * user info and port, extension after the last dot of the stem's last
 * segment. undefined where the specification leaves the split open.
 */
export function deriveTarget(target: string): { uri_stem: string; query: string | null; uri_host: string | null; uri_extension: string | null } | undefined {
  let rest = target;
  let host: string | null = null;
  const abs = /^https?:\/\//i.exec(target);
  if (abs) {
    const end = target.slice(abs[0].length).search(/[\/?#]/);
    const authority = end < 0 ? target.slice(abs[0].length) : target.slice(abs[0].length, abs[0].length + end);
    if (authority === "" || authority.includes("[")) return undefined;
    const userless = authority.slice(authority.lastIndexOf("@") + 1);
    host = userless.includes(":") ? userless.slice(0, userless.indexOf(":")) : userless;
    rest = target.slice(abs[0].length + authority.length);
  } else if (/^https?:/i.test(target)) return undefined;
  const q = rest.indexOf("?");
  const h = rest.indexOf("#");
  if (h >= 0 && q > h) return undefined;
  const stemEnd = Math.min(q < 0 ? rest.length : q, h < 0 ? rest.length : h);
  const stem = rest.slice(0, stemEnd);
  const query = q >= 0 ? rest.slice(q + 1, h > q ? h : rest.length) : null;
  const segment = stem.slice(stem.lastIndexOf("/") + 1);
  const dot = segment.lastIndexOf(".");
  if (dot === segment.length - 1 && dot >= 0) return undefined;
  return { uri_stem: stem, query, uri_host: host, uri_extension: dot >= 0 ? segment.slice(dot + 1) : null };
}

export { decodeString };
