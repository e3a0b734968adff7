// The fuzz oracle: what the module must do with each record, worked out
// from the specification (notes SEMANTICS.md and README.md: "Record in,
// record out", "Fields", "Formats", "Detection", "Correlation") and the
// rule front end's IR (rules with condition trees whose predicates list
// their candidate record keys). It imports nothing of the module, the
// program encoder, the automata or the log parsers, and copies none of
// them: fields are read by its own JSON and log-line readers (oracle/),
// predicates by JavaScript RegExp and number/address parsing, correlations
// by brute force over every event (oracle/correlate.ts).
//
// Every answer is three-valued: true, false, or unknown where the
// specification leaves the case open or the oracle does not read a shape.
// The harness checks exactly what is known and the structure of the rest;
// `coverage` counts records checked exactly and why the others were not.
import type { CorrelationRule, DetectionRule, RuleSet } from "../../src/compiler/ir.js";
import { LEVELS } from "../../src/compiler/ir.js";
import { latin1, parseObject, scanTop, utf8Latin1, type Parsed } from "./oracle/json.js";
import { RecordView, UNKNOWN, type Tri, type Val } from "./oracle/view.js";
import { PredicateEvaluator, globRegExp, subject } from "./oracle/predicates.js";
import { CorrelationOracle, type AlertExpect } from "./oracle/correlate.js";
import { redactionChanges } from "./oracle/redact.js";

export { lenientText, parseObject, scanTop, latin1 } from "./oracle/json.js";
export type { AlertExpect } from "./oracle/correlate.js";
export type { Tri } from "./oracle/view.js";

export interface ExpectedStats {
  from: string;
  to: string;
  interval: number;
  /** Records counted: one of these (records that are not JSON may or may not count, SEMANTICS.md is open). */
  records?: number[];
  counts?: { matched: number; dropped: number; rules: Record<string, number> };
  alerted?: number;
  correlations?: Record<string, Partial<Record<"alerts" | "keys" | "capacity" | "evictions" | "late" | "out_of_order" | "missing_key" | "missing_value", number>>>;
}

export interface Expectation {
  /** One JSON object (JSON.parse agrees): the module must process it. */
  valid: boolean;
  parsed?: Parsed;
  /** Per rule, after redaction (a redaction rule that masks nothing does not match). */
  matches: Tri[];
  /** Some drop rule matches. */
  drop: Tri;
  /** Some rule that tags on its own (not silent) matches. */
  visible: Tri;
  /** Per correlation. */
  alerts: AlertExpect[];
  /** The record closes a statistics interval (it then carries them unless dropped). */
  statsDue: Tri;
  stats?: ExpectedStats;
  /** Record keys (decoded, one char per byte) a matching redaction may rewrite. */
  redactKeys: string[];
  /** A redaction surely / maybe changes the record. */
  redacts: Tri;
  /** Per redacted key, substrings that must be gone. */
  secrets: { key: string; gone: string }[];
  /** A numeric predicate read a number of more than 300 digits. */
  longNumber: boolean;
  /** Everything about this record is known. */
  exact: boolean;
  /** Why not. */
  reasons: string[];
}

export interface OracleOptions {
  maxKeys?: number;
  latenessSec?: number;
  namespace?: string;
  alertField?: string;
  /** Seconds of event time between statistics records (default 300; 0 = off). */
  statsIntervalSec?: number;
  /** Evaluate nothing: structure-only checks (the release build, whose rules may postdate the build). */
  structural?: boolean;
}

/** How many records were checked exactly, and why the others were not. */
export class Coverage {
  valid = 0;
  invalid = 0;
  exact = 0;
  readonly reasons = new Map<string, number>();
  /** Alerts the module raised, per correlation type: compared with the oracle's in full, or checked for shape only. */
  readonly alerts = new Map<string, { exact: number; shape: number }>();

  alert(type: string, exact: boolean): void {
    let a = this.alerts.get(type);
    if (!a) this.alerts.set(type, (a = { exact: 0, shape: 0 }));
    if (exact) a.exact++;
    else a.shape++;
  }

  note(exp: Expectation): void {
    if (!exp.valid) {
      this.invalid++;
      return;
    }
    this.valid++;
    if (exp.exact) this.exact++;
    for (const r of new Set(exp.reasons)) this.reasons.set(r, (this.reasons.get(r) ?? 0) + 1);
  }

  merge(other: Coverage): void {
    this.valid += other.valid;
    this.invalid += other.invalid;
    this.exact += other.exact;
    for (const [r, n] of other.reasons) this.reasons.set(r, (this.reasons.get(r) ?? 0) + n);
    for (const [t, a] of other.alerts) {
      const mine = this.alerts.get(t) ?? { exact: 0, shape: 0 };
      this.alerts.set(t, { exact: mine.exact + a.exact, shape: mine.shape + a.shape });
    }
  }

  report(): string {
    const pct = (n: number) => (this.valid === 0 ? "0" : ((100 * n) / this.valid).toFixed(1));
    const lines = [`${this.valid} valid records (${this.invalid} not JSON objects): ${this.exact} checked exactly (${pct(this.exact)}%), ${this.valid - this.exact} partly structurally`];
    const alerts = [...this.alerts].sort().map(([t, a]) => `${t} ${a.exact}/${a.exact + a.shape}`);
    if (alerts.length > 0) lines.push(`alerts compared in full (of raised), per type: ${alerts.join(", ")}`);
    lines.push("why records were checked partly structurally (a record may have several reasons):");
    for (const [r, n] of [...this.reasons].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(6)}  ${r}`);
    return lines.join("\n");
  }
}

function or3(xs: Tri[]): Tri {
  if (xs.some((x) => x === true)) return true;
  return xs.every((x) => x === false) ? false : undefined;
}

/** The statistics the module keeps over each interval of event time (README: "Every 300 s of event time ..."). */
class StatsModel {
  from: number | null = null;
  records = 0;
  notJson = 0;
  matched = 0;
  dropped = 0;
  alerted = 0;
  rules = new Map<string, number>();
  alerts: number[];
  countsExact = true;
  alertsExact = true;
  /** The interval's start is known. */
  known = true;

  constructor(
    readonly intervalMs: number,
    correlations: number,
  ) {
    this.alerts = new Array<number>(correlations).fill(0);
  }

  reset(from: number): void {
    this.from = from;
    this.records = this.notJson = this.matched = this.dropped = this.alerted = 0;
    this.rules.clear();
    this.alerts.fill(0);
    this.countsExact = this.alertsExact = true;
    this.known = true;
  }
}

interface Redactions {
  members: Map<string, Set<string>>;
  line: Set<string>;
  path: Set<string>;
}

interface Pending {
  t: number | number[] | undefined;
  matches: Tri[];
  alerts: AlertExpect[];
  due: Tri;
  drop: Tri;
}

export class Oracle {
  private readonly preds = new PredicateEvaluator();
  private readonly globs: RegExp[][];
  private readonly silent: boolean[];
  readonly correlations: CorrelationOracle[];
  private readonly stats: StatsModel;
  private pending: Pending | null = null;
  private reasons: string[] = [];
  readonly namespaceKey: string;
  readonly alertKey: string;
  readonly routeFields: string[];
  readonly maxKeys: number;
  readonly coverage = new Coverage();
  private readonly structural: boolean;

  constructor(
    readonly set: RuleSet,
    options: OracleOptions = {},
  ) {
    this.namespaceKey = options.namespace ?? "tripline";
    this.alertKey = options.alertField ?? `${this.namespaceKey}_alert`;
    this.routeFields = [this.alertKey, `${this.alertKey}_2`, `${this.alertKey}_3`, `${this.alertKey}_4`];
    this.maxKeys = options.maxKeys ?? 10000;
    this.structural = options.structural ?? false;
    this.globs = set.rules.map((r) => r.logsource.tags.map(globRegExp));
    // Silent: referenced by correlations, none of which generates (SEMANTICS.md "Record in, record out").
    const referenced = set.rules.map(() => false);
    const generated = set.rules.map(() => false);
    for (const c of set.correlations) {
      for (const r of c.rules) {
        referenced[r] = true;
        if (c.generate) generated[r] = true;
      }
    }
    this.silent = referenced.map((ref, r) => ref && !generated[r]);
    const why = (reason: string) => this.reasons.push(reason);
    this.correlations = set.correlations.map((c, k) => new CorrelationOracle(c, k, this.maxKeys, (options.latenessSec ?? 60) * 1000, why));
    this.stats = new StatsModel((options.statsIntervalSec ?? 300) * 1000, set.correlations.length);
  }

  isSilent(r: number): boolean {
    return this.silent[r];
  }

  /** The route value of a correlation (its name, else its id: the fuzz rules use only A-Z a-z 0-9 . -). */
  routeOf(c: CorrelationRule): string {
    const route = c.name ?? c.id;
    if (!/^[A-Za-z0-9.-]+$/.test(route)) throw new Error(`oracle: route '${route}' needs reducing (not specified exactly); name correlations with A-Z a-z 0-9 . - only`);
    return route;
  }

  /** Works out the outcome of one call. Call settle() with what the module did before the next call. */
  expect(tag: string, time: [number, number], bytes: Uint8Array): Expectation {
    this.pending = null;
    this.reasons = [];
    const none: Expectation = {
      valid: false, matches: [], drop: false, visible: false, alerts: [], statsDue: false, redactKeys: [], redacts: false, secrets: [], longNumber: false, exact: true, reasons: [],
    };
    if (parseObject(bytes) === null) {
      if (this.stats.from !== null) this.stats.notJson++;
      this.coverage.note(none);
      return none;
    }
    const parsed = scanTop(bytes);
    const fbTime = (time[0] >>> 0) * 1000 + Math.floor((time[1] >>> 0) / 1e6);
    const owned = [this.namespaceKey, ...this.routeFields].map(utf8Latin1);
    const view = new RecordView(bytes, parsed, fbTime, owned);
    this.reasons.push(...view.unknowns);
    const rules = this.set.rules;
    this.preds.longNumber = false;
    const tagText = subject(latin1(new TextEncoder().encode(tag)));
    const evaluate = (rule: DetectionRule, v: RecordView): Tri => {
      const formats = rule.logsource.formats;
      if (formats.length > 0 && !formats.includes("json")) {
        const gate = or3(formats.map((f) => v.format(f)));
        if (gate === false) return false;
        const cond = this.preds.condition(rule.condition, v);
        if (cond === false) return false;
        return gate === true ? cond : undefined;
      }
      return this.preds.condition(rule.condition, v);
    };
    // Duplicate members that decide the shape: evaluated in each reading, known where all agree.
    const views = view.worlds ?? [view];
    let matches: Tri[] = rules.map((rule, r) => {
      if (this.structural) return undefined;
      if (this.globs[r].length > 0 && !this.globs[r].some((g) => g.test(tagText))) return false;
      const answers = views.map((v) => evaluate(rule, v));
      return answers.every((a) => a === answers[0]) ? answers[0] : undefined;
    });
    if (this.structural) this.reasons.push("structural target");
    matches.forEach((m, r) => m === undefined && !this.structural && this.reasons.push(`rule ${rules[r].id} undecided`));

    // Redaction: a redaction rule matches only when it changes something.
    const redactKeys = new Set<string>();
    const secrets: { key: string; gone: string }[] = [];
    let redacts: Tri = false;
    /** Kinds of masking that may touch a record member (by key), the raw line, or the request target. */
    const touched: Redactions = { members: new Map(), line: new Set(), path: new Set() };
    const touch = (map: Set<string>, kind: string) => map.add(kind);
    matches = matches.map((m, r) => {
      const rule = rules[r];
      if (rule.action !== "redact" || m === false) return m;
      const changes: Tri[] = rule.redact.map((red) => {
        const { key, reading } = this.firstKey(view, red.fields);
        if (reading === UNKNOWN) {
          touch(touched.line, red.kind);
          redactKeys.add("log");
          for (const f of red.fields) {
            const k = utf8Latin1(f);
            if (!touched.members.has(k)) touched.members.set(k, new Set());
            touched.members.get(k)!.add(red.kind);
            redactKeys.add(k);
          }
          return undefined;
        }
        if (reading === null || reading.origin === "constant") return false;
        if (reading.origin === "record" && reading.text === undefined && reading.candidates && !reading.mixed && (reading.kind === "string" || reading.kind === "number")) {
          // Duplicate members: known when masking changes all of them, or none.
          const answers = reading.candidates.map((text) => redactionChanges(red.kind, text).changes);
          const changes = answers.every((a) => a === answers[0]) ? answers[0] : undefined;
          if (changes !== false) {
            redactKeys.add(key!);
            if (!touched.members.has(key!)) touched.members.set(key!, new Set());
            touched.members.get(key!)!.add(red.kind);
            if (key === "log") touch(touched.line, red.kind);
            if (key === "path") touch(touched.path, red.kind);
          }
          if (changes === undefined) this.reasons.push("a redaction of duplicate members");
          return changes;
        }
        if (reading.origin !== "record" || (reading.kind !== "string" && reading.kind !== "number") || reading.text === undefined) {
          // Fields read out of a line, derived, or not a string: how they are rewritten is not specified.
          this.reasons.push("a redaction of a field that is not a string member");
          if (reading.origin === "line" || reading.origin === "inner") {
            touch(touched.line, red.kind);
            redactKeys.add("log");
          } else if (reading.origin === "derived") {
            touch(touched.path, red.kind);
            redactKeys.add("path");
          } else {
            redactKeys.add(key!);
            if (!touched.members.has(key!)) touched.members.set(key!, new Set());
            touched.members.get(key!)!.add(red.kind);
          }
          return undefined;
        }
        const p = redactionChanges(red.kind, reading.text);
        if (p.changes !== false) {
          redactKeys.add(key!);
          if (!touched.members.has(key!)) touched.members.set(key!, new Set());
          touched.members.get(key!)!.add(red.kind);
          if (key === "log") touch(touched.line, red.kind);
          if (key === "path") touch(touched.path, red.kind);
          if (p.changes === true && m === true) for (const g of p.gone) secrets.push({ key: key!, gone: g });
        }
        if (p.changes === undefined) this.reasons.push(`a ${red.kind} redaction the specification leaves open`);
        return p.changes;
      });
      const changed = or3(changes);
      const result = m === true ? changed : changed === false ? false : undefined;
      if (result !== false) redacts = redacts === true || result === true ? true : undefined;
      return result;
    });

    // Correlations, in file order; one event per record per correlation.
    const t = view.time;
    const alerts = this.correlations.map((co, k) => {
      const c = this.set.correlations[k];
      const steps = c.rules.map((r) => matches[r]);
      const fed = or3(steps);
      if (fed === false) return { kind: "none" } as AlertExpect;
      const masked = (fields: string[]) => this.correlationReading(view, fields, touched);
      const group = c.groupBy.map((fields) => {
        const r = masked(fields);
        if (r === UNKNOWN) return view.slotCandidates(fields);
        return r === null ? null : r.text !== undefined ? r.text : r.candidates ?? UNKNOWN;
      });
      const valueFields = c.condition.field ?? c.anomaly?.field ?? c.percentile?.field;
      let values: (Val | null)[] | typeof UNKNOWN = [null];
      if (valueFields) {
        const r = masked(valueFields);
        if (r === null || (r !== UNKNOWN && r.text !== undefined)) values = [r];
        else if (r !== UNKNOWN && !r.candidates) values = UNKNOWN; // masked by a redaction
        else values = view.slotOptions(valueFields);
      }
      const addr = c.addressField ? masked(c.addressField) : null;
      const address = addr === UNKNOWN ? UNKNOWN : addr === null ? null : addr.text === undefined ? UNKNOWN : addr.text;
      return co.observe({ t, fed, steps, group, values, address });
    });

    // Statistics.
    const s = this.stats;
    let due: Tri = false;
    if (s.intervalMs > 0) {
      const ts = t === undefined ? undefined : Array.isArray(t) ? t : [t];
      if (!s.known) due = undefined;
      else if (ts === undefined || (s.from === null && ts.length > 1)) {
        // The first record starts the first interval (it cannot close it); at an unknown time, the interval is unknown.
        due = s.from === null ? false : undefined;
        if (s.from === null) s.known = false;
      }
      else if (s.from === null) s.reset(ts[0] - (ts[0] % s.intervalMs));
      else {
        const all = ts.map((x) => x >= s.from! + s.intervalMs);
        due = all.every(Boolean) ? true : all.some(Boolean) ? undefined : false;
      }
    }
    const isDrop = (r: number) => rules[r].action === "drop";
    const drop = or3(matches.map((m, r) => (isDrop(r) ? m : false)));
    const visible = or3(matches.map((m, r) => (this.silent[r] ? false : m)));
    this.pending = { t, matches, alerts, due, drop };
    const result: Expectation = {
      valid: true,
      parsed,
      matches,
      drop,
      visible,
      alerts,
      statsDue: due === undefined || drop === undefined ? (due === false ? false : undefined) : due && !drop,
      redactKeys: [...redactKeys],
      redacts,
      secrets,
      longNumber: this.preds.longNumber,
      exact: false,
      reasons: this.reasons,
    };
    if (result.statsDue !== false) result.stats = this.expectedStats(t, matches, alerts, drop);
    if (due === undefined) this.reasons.push("statistics interval unknown");
    result.exact = matches.every((m) => m !== undefined) && alerts.every((a) => a.kind !== "unknown") && due !== undefined && redacts !== undefined;
    if (result.exact) result.reasons = [];
    this.coverage.note(result);
    return result;
  }

  /** The first candidate key present, and its reading. */
  private firstKey(view: RecordView, fields: string[]): { key?: string; reading: ReturnType<RecordView["get"]> } {
    for (const f of fields) {
      const key = utf8Latin1(f);
      const r = view.get(key);
      if (r === UNKNOWN) return { key, reading: UNKNOWN };
      if (r !== null) return { key, reading: r };
    }
    return { reading: null };
  }

  /**
   * A field as the correlation stage sees it: after redaction. A mask
   * replaces a secret with stars and adds no blank or quote, so a value read
   * out of a masked line changes only if it holds a secret itself: a value
   * in which a masking may find one is unknown.
   */
  private correlationReading(view: RecordView, fields: string[], touched: Redactions): ReturnType<RecordView["get"]> {
    const { key, reading } = this.firstKey(view, fields);
    if (reading === UNKNOWN || reading === null) return reading;
    const kinds = new Set<string>(key !== undefined ? (touched.members.get(key) ?? []) : []);
    if (reading.origin === "line" || reading.origin === "inner") for (const k of touched.line) kinds.add(k);
    if (reading.origin === "derived" || (reading.origin === "line" && /^(uri_stem|query|uri_extension|uri_host)$/.test(key ?? ""))) for (const k of touched.path) kinds.add(k);
    if (kinds.size === 0) return reading;
    const texts = reading.text !== undefined ? [reading.text] : (reading.candidates ?? []);
    if (texts.length > 0 && [...kinds].every((k) => texts.every((t) => redactionChanges(k as "card" | "password" | "bearer", t).changes === false))) return reading;
    return { ...reading, text: undefined, candidates: undefined };
  }

  private expectedStats(t: number | number[] | undefined, matches: Tri[], alerts: AlertExpect[], drop: Tri): ExpectedStats {
    const s = this.stats;
    const out: ExpectedStats = { from: s.known && s.from !== null ? new Date(s.from).toISOString() : "", to: typeof t !== "number" ? "" : new Date(t).toISOString(), interval: s.intervalMs / 1000 };
    if (!s.known) return out;
    const sure = matches.every((m) => m !== undefined) && drop !== undefined;
    if (sure && s.countsExact) {
      const rules: Record<string, number> = {};
      for (const [id, n] of s.rules) rules[id] = n;
      matches.forEach((m, r) => {
        if (m) rules[this.set.rules[r].id] = (rules[this.set.rules[r].id] ?? 0) + 1;
      });
      out.counts = { matched: s.matched + (matches.some((m) => m === true) ? 1 : 0), dropped: s.dropped + (drop ? 1 : 0), rules };
      out.records = [s.records + 1, s.records + 1 + s.notJson];
    }
    const alertsSure = alerts.every((a) => a.kind !== "unknown");
    if (alertsSure && s.alertsExact) out.alerted = s.alerted + (alerts.some((a) => a.kind === "alert") ? 1 : 0);
    out.correlations = Object.fromEntries(
      this.set.correlations.map((c, k) => {
        const co = this.correlations[k];
        const v: Record<string, number> = { capacity: this.maxKeys };
        if (alertsSure && s.alertsExact) v.alerts = s.alerts[k] + (alerts[k].kind === "alert" ? 1 : 0);
        if (!co.unsure && co.countsExact) {
          Object.assign(v, { keys: co.keys.size, evictions: co.evictions, late: co.late, out_of_order: co.outOfOrder, missing_key: co.missingKey, missing_value: co.missingValue });
        }
        return [c.id, v];
      }),
    );
    return out;
  }

  /**
   * Advances the statistics with what the module did: whether it dropped
   * the record, and, where the oracle could not tell, which alerts it raised
   * and whether it wrote statistics.
   */
  settle(outcome: { dropped: boolean; alerts?: string[]; statsTo?: string }): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    const s = this.stats;
    if (s.intervalMs <= 0 || (s.from === null && s.known)) return;
    s.records++;
    if (p.matches.some((m) => m === undefined) || p.drop === undefined) s.countsExact = false;
    if (p.matches.some((m) => m === true)) s.matched++;
    if (outcome.dropped) s.dropped++;
    p.matches.forEach((m, r) => {
      if (m === true) s.rules.set(this.set.rules[r].id, (s.rules.get(this.set.rules[r].id) ?? 0) + 1);
    });
    // Alerts the oracle could not tell: what the module wrote (a dropped record shows none).
    let alerted = false;
    p.alerts.forEach((a, k) => {
      let raised = a.kind === "alert";
      if (a.kind === "unknown") {
        if (outcome.alerts === undefined) s.alertsExact = false;
        else raised = outcome.alerts.includes(this.set.correlations[k].id);
      }
      if (raised) {
        s.alerts[k]++;
        alerted = true;
      }
    });
    if (alerted) s.alerted++;
    const wrote = outcome.statsTo !== undefined;
    if (p.due === true && !outcome.dropped && typeof p.t === "number") s.reset(p.t - (p.t % s.intervalMs));
    else if (p.due !== false && wrote) {
      const to = Date.parse(outcome.statsTo!);
      if (Number.isFinite(to)) s.reset(to - (to % s.intervalMs));
      else s.known = false;
    } else if (p.due === undefined && !outcome.dropped) {
      // Not due after all (or the module thinks so): the interval goes on.
    }
  }

  /** Correlations the oracle no longer knows at all (a session is better restarted: its alerts get shape checks only). */
  givenUp(): number {
    return this.correlations.filter((c) => c.unsure !== null).length;
  }

  /** The correlations' own view (late events, evicted keys), for tests. */
  correlationState(): { id: string; late: number; evictions: number; keys: number; unsure: string | null }[] {
    return this.correlations.map((c) => ({ id: c.c.id, late: c.late, evictions: c.evictions, keys: c.keys.size, unsure: c.unsure }));
  }

  /** The highest level of rules and correlations (LEVELS order). */
  highestLevel(rules: DetectionRule[], correlations: CorrelationRule[]): string {
    let level = 0;
    for (const r of rules) level = Math.max(level, LEVELS.indexOf(r.level));
    for (const c of correlations) level = Math.max(level, LEVELS.indexOf(c.level));
    return LEVELS[level];
  }
}
