// Runs fuzz records through the Fluent Bit-exact host and checks each outcome
// against the oracle (tests/fuzz/oracle.ts). Also reads and writes the
// regression corpus (tests/fuzz/regressions/*.json).
//
// Checks, per call:
//   trap            the module trapped (a lost record in Fluent Bit)
//   host-exception  the host itself threw (the call did not return)
//   passthrough     input that is not one JSON object came back changed
//   lost            a valid object came back as something Fluent Bit rejects
//   unexpected-drop dropped, but no drop rule matches
//   missed-drop     a drop rule matches, the record came back
//   changed-unmatched  nothing matches, the bytes changed
//   missed-match    a visible rule, an alert, statistics or a redaction are due, nothing was added or changed
//   prefix          the output does not start with the input's own bytes
//   stale-owned-key an input member named like the namespace or a route field survives beside tripline's own
//   content         the output, parsed, is not the input plus the namespace (redacted members: masked, secrets gone)
//   namespace       the namespace object is not what the rules say (rules, level, tags)
//   alert           an alert missing, unexpected, or with other content (counts, first/last, group, key, samples...)
//   route           the route fields are not one per alert (tripline_alert, _2 .. _4, then "stats")
//   stats           the statistics record is wrong, missing, or early
//   long-number     a detection difference on a number of more than 300 digits
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { buildModule } from "../../src/compiler/module.js";
import { FluentBitHost, type Outcome } from "../../src/host/host.js";
import type { CorrelationRule, RuleSet } from "../../src/compiler/ir.js";
import { LEVELS } from "../../src/compiler/ir.js";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES, type CompileOptions } from "../../src/compiler/compile.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";
import { Oracle, lenientText, parseObject, scanTop, type AlertExpect, type Expectation, type OracleOptions } from "./oracle.js";
import { shown } from "./oracle/json.js";
import type { FuzzRecord } from "./generators.js";
import { FUZZ_RULES } from "./rules.js";

export const REGRESSIONS = path.join(PACKAGE_ROOT, "tests", "fuzz", "regressions");
const BUILD = path.join(PACKAGE_ROOT, "build");

export interface Failure {
  check: string;
  message: string;
  record: FuzzRecord;
}

const DETECTION_CHECKS = ["missed-match", "changed-unmatched", "namespace", "stats", "missed-drop", "unexpected-drop"];

/** A rule set the harness can run: how to make a host, and the IR the oracle reads. */
export interface Target {
  name: "fuzz" | "fuzz-small" | "release";
  set: RuleSet;
  host(): FluentBitHost;
  /** Exact checks (false: the build may predate the rule files, so only structure is checked). */
  exact: boolean;
  oracleOptions: OracleOptions;
}

let releaseModule: WebAssembly.Module | undefined;

/** The fuzz rule set, built as `tripline build` builds it. */
export function fuzzTarget(options: CompileOptions = {}, name: Target["name"] = "fuzz"): Target {
  const { rules, program } = compileSources([{ path: "fuzz.yml", text: FUZZ_RULES }], { seed: 11, ...options });
  const module = new WebAssembly.Module(buildModule(program.bytes) as Uint8Array<ArrayBuffer>);
  return {
    name,
    set: rules,
    exact: true,
    oracleOptions: { maxKeys: options.maxKeys, latenessSec: options.latenessSec, statsIntervalSec: options.statsIntervalSec },
    host: () => new FluentBitHost(module),
  };
}

/** The fuzz rule set with a key cap of 3 and 10 s of lateness: evictions and late events all the time. */
export function smallTarget(): Target {
  return fuzzTarget({ maxKeys: 3, latenessSec: 10, statsIntervalSec: 120 }, "fuzz-small");
}

/** The release build (default pack embedded), checked structurally. */
export function releaseTarget(): Target {
  releaseModule ??= new WebAssembly.Module(readFileSync(path.join(BUILD, "tripline.wasm")));
  const { rules } = compileSources(readSources(ruleFiles([DEFAULT_RULES])));
  return { name: "release", set: rules, exact: false, oracleOptions: { structural: true }, host: () => new FluentBitHost(releaseModule!) };
}

export function targetNamed(name: string): Target {
  return name === "release" ? releaseTarget() : name === "fuzz-small" ? smallTarget() : fuzzTarget();
}

export function returnedBytes(outcome: Outcome): Uint8Array | undefined {
  if (outcome.kind === "record") return outcome.bytes;
  if (outcome.kind === "dropped") return new Uint8Array(0);
  return outcome.returned;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

/** A readable excerpt of bytes: JSON-escaped, long middles elided. */
export function preview(bytes: Uint8Array | undefined, max = 300): string {
  if (!bytes) return "(nothing)";
  const text = JSON.stringify(lenientText.decode(bytes.length > max * 4 ? bytes.subarray(0, max * 4) : bytes));
  return text.length > max ? text.slice(0, max / 2) + ` …(${bytes.length} bytes)… ` + text.slice(-max / 2) : text;
}

/** Numbers as the module writes them (integers exactly, others to 6 decimals or 7 significant digits). */
function sameNumber(actual: unknown, expected: number): boolean {
  return typeof actual === "number" && Math.abs(actual - expected) <= 5.1e-7 * (1 + Math.abs(expected));
}

/** Deep equality of JSON values, iterative (records nest 10,000 deep; util.isDeepStrictEqual recurses). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x as object);
    const ky = Object.keys(y as object);
    if (kx.length !== ky.length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

/** The first place two JSON values differ, as "path: expected X, got Y" (iterative). */
export function firstDifference(expected: unknown, actual: unknown): string | null {
  const stack: [string, unknown, unknown][] = [["", expected, actual]];
  while (stack.length > 0) {
    const [at, x, y] = stack.pop()!;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object" || Array.isArray(x) !== Array.isArray(y)) {
      if (!Object.is(x, y)) return `${at || "."}: expected ${JSON.stringify(x)}, got ${JSON.stringify(y)}`;
      continue;
    }
    const keys = new Set([...Object.keys(x as object), ...Object.keys(y as object)]);
    for (const k of [...keys].reverse()) {
      const hx = Object.prototype.hasOwnProperty.call(x, k);
      const hy = Object.prototype.hasOwnProperty.call(y, k);
      if (hx !== hy) return `${at}.${k}: ${hx ? "missing" : `unexpected ${JSON.stringify((y as Record<string, unknown>)[k]).slice(0, 200)}`}`;
      stack.push([`${at}.${k}`, (x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return null;
}

function without(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const copy = { ...obj };
  for (const k of keys) delete copy[k];
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** An alert the oracle could not decide: it must at least be one of this correlation's, well formed. */
function alertShape(a: Record<string, unknown>, c: CorrelationRule, route: string): string | null {
  if (a.rule !== c.id) return `rule ${JSON.stringify(a.rule)}, expected ${c.id}`;
  if (a.type !== c.type) return `type ${JSON.stringify(a.type)}, expected ${c.type}`;
  if (a.title !== c.title || a.level !== c.level) return `title/level ${JSON.stringify([a.title, a.level])}, expected ${JSON.stringify([c.title, c.level])}`;
  if (a.status !== "fired" && a.status !== "recovered") return `status ${JSON.stringify(a.status)}`;
  if (a.status === "recovered" && c.type !== "spike" && c.type !== "percentile") return `a ${c.type} correlation cannot recover`;
  if (a.route !== route) return `route ${JSON.stringify(a.route)}, expected ${route}`;
  if (!jsonEqual(a.tags, [...new Set(c.tags)])) return `tags ${JSON.stringify(a.tags)}`;
  if (!isObject(a.group) || !jsonEqual(Object.keys(a.group), c.groupByNames)) return `group ${JSON.stringify(a.group)}, expected the fields ${JSON.stringify(c.groupByNames)}`;
  const values = c.groupByNames.map((n) => (a.group as Record<string, unknown>)[n]);
  if (!values.every((v) => v === null || typeof v === "string")) return `group values ${JSON.stringify(values)}`;
  if (values.length > 0 && values.every((v) => v === null)) return "an alert for a record without any group-by value";
  if (a.key !== values.map((v) => v ?? "").join("|")) return `key ${JSON.stringify(a.key)}, expected the group values joined with '|'`;
  for (const k of ["first", "last"]) if (typeof a[k] !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(a[k] as string)) return `${k} ${JSON.stringify(a[k])} is not an ISO time`;
  if (Date.parse(a.first as string) > Date.parse(a.last as string) && c.type !== "value_count") return `first ${a.first} after last ${a.last}`;
  return null;
}

/** An alert against the oracle's: equal fields, numbers within bounds, samples from the counted values. */
function alertContent(a: Record<string, unknown>, e: Extract<AlertExpect, { kind: "alert" }>): string | null {
  const allowed = new Set([...Object.keys(e.fields), ...Object.keys(e.approx), ...e.loose]);
  if (e.samples) allowed.add("samples");
  if (e.addresses || e.loose.includes("addresses")) allowed.add("addresses");
  for (const k of Object.keys(a)) if (!allowed.has(k)) return `unexpected field ${k}: ${JSON.stringify(a[k]).slice(0, 200)}`;
  for (const [k, v] of Object.entries(e.fields)) {
    if (typeof v === "number" ? !sameNumber(a[k], v) : !jsonEqual(a[k], v)) return `${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(a[k])}`;
  }
  for (const [k, [lo, hi]] of Object.entries(e.approx)) {
    const v = a[k];
    if (typeof v !== "number" || v < lo - 5.1e-7 * (1 + Math.abs(lo)) || v > hi + 5.1e-7 * (1 + Math.abs(hi))) return `${k}: expected a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`;
  }
  for (const k of e.loose) {
    if (k === "addresses") continue;
    if (!(k in a) || !(a[k] === null || typeof a[k] === "number" || typeof a[k] === "string")) return `${k}: expected a value, got ${JSON.stringify(a[k])}`;
  }
  if (e.samples) {
    const s = a.samples;
    const from = e.samples.from.map(shown);
    if (!Array.isArray(s)) return `samples: expected a list, got ${JSON.stringify(s)}`;
    if (new Set(s).size !== s.length) return `samples: not distinct: ${JSON.stringify(s)}`;
    if (s.length !== e.samples.count) return `samples: expected ${e.samples.count} of ${JSON.stringify(from)}, got ${JSON.stringify(s)}`;
    for (const v of s) if (!from.includes(v as string)) return `samples: ${JSON.stringify(v)} is not one of the values counted (${JSON.stringify(from)})`;
  } else if ("samples" in a) return `unexpected samples ${JSON.stringify(a.samples)}`;
  if (e.addresses) {
    const s = a.addresses;
    const from = e.addresses.map(shown);
    if (!Array.isArray(s) || s.length === 0 || s.length > 5 || new Set(s).size !== s.length) return `addresses: expected up to five distinct values, got ${JSON.stringify(s)}`;
    for (const v of s) if (!from.includes(v as string)) return `addresses: ${JSON.stringify(v)} was never this key's address (${JSON.stringify(from)})`;
  }
  return null;
}

/** One host and its oracle, fed records in order (a Fluent Bit filter's life, in small). */
export class Session {
  readonly host: FluentBitHost;
  readonly oracle: Oracle;
  readonly history: FuzzRecord[] = [];

  constructor(readonly target: Target) {
    this.host = target.host();
    this.oracle = new Oracle(target.set, target.oracleOptions);
  }

  run(rec: FuzzRecord): Failure | null {
    this.history.push(rec);
    const fail = (check: string, message: string): Failure => ({ check, message, record: rec });
    const exp = this.oracle.expect(rec.tag, rec.time, rec.bytes);
    const traps = this.host.counters.traps;
    let outcome: Outcome;
    try {
      outcome = this.host.call(rec.tag, rec.time, rec.bytes);
    } catch (err) {
      this.oracle.settle({ dropped: false });
      return fail("host-exception", `the call threw: ${(err as Error).stack ?? err}`);
    }
    const space = outcome.kind === "record" ? outcome.body[this.oracle.namespaceKey] : undefined;
    const alerts = isObject(space) && Array.isArray(space.alerts) ? space.alerts.map((a) => (isObject(a) ? String(a.rule) : "")) : outcome.kind === "record" ? [] : undefined;
    const statsTo = isObject(space) && isObject(space.stats) ? String(space.stats.to) : undefined;
    this.oracle.settle({ dropped: outcome.kind === "dropped", alerts, statsTo });
    if (this.host.counters.traps > traps) return fail("trap", outcome.kind === "lost" ? outcome.reason : "trap");
    const failure = this.judge(rec, exp, outcome, fail);
    // Detection differences on numbers of 300+ digits are one known kind: report them under one name.
    if (failure && exp.longNumber && DETECTION_CHECKS.includes(failure.check)) {
      return { ...failure, check: "long-number", message: `(a numeric field of more than 300 digits) ${failure.check}: ${failure.message}` };
    }
    return failure;
  }

  private judge(rec: FuzzRecord, exp: Expectation, outcome: Outcome, fail: (check: string, message: string) => Failure): Failure | null {
    const nul = rec.bytes.indexOf(0);
    // Fluent Bit reads the result up to its NUL: an unchanged record with a raw NUL comes back cut there.
    const effective = nul >= 0 ? rec.bytes.subarray(0, nul) : rec.bytes;
    const returned = returnedBytes(outcome);
    const got = `got ${outcome.kind}: ${preview(returned)}`;
    if (!exp.valid) {
      if (!returned || !sameBytes(returned, effective)) return fail("passthrough", `not one JSON object, must come back byte-identical; ${got}`);
      return null;
    }
    if (outcome.kind === "lost") return fail("lost", `a valid object was lost: ${outcome.reason}`);
    const exact = this.target.exact;
    if (outcome.kind === "dropped") {
      if (exact && exp.drop === false) return fail("unexpected-drop", "dropped, but no drop rule matches");
      if (!exact && !this.target.set.rules.some((r) => r.action === "drop")) return fail("unexpected-drop", "dropped, but the rule set has no drop rule");
      return null;
    }
    if (exact && exp.drop === true) return fail("missed-drop", `a drop rule matches; ${got}`);
    const unchanged = sameBytes(outcome.bytes, rec.bytes);
    const rules = this.target.set.rules;
    if (exact && unchanged) {
      const due: string[] = [];
      rules.forEach((r, i) => exp.matches[i] === true && !this.oracle.isSilent(i) && due.push(`rule ${r.id}`));
      exp.alerts.forEach((a, k) => a.kind === "alert" && due.push(`alert ${this.target.set.correlations[k].id}`));
      if (exp.statsDue === true) due.push("statistics");
      if (exp.redacts === true) due.push("a redaction");
      if (due.length > 0) return fail("missed-match", `${due.join(", ")} due, nothing was added or changed`);
    }
    if (unchanged) return null;
    const mayTag = exp.visible !== false || exp.alerts.some((a) => a.kind !== "none") || exp.statsDue !== false;
    if (exact && !mayTag && exp.redacts === false) return fail("changed-unmatched", `no rule matches, the bytes must not change; ${got}`);
    return this.judgeChanged(rec, exp, outcome as Extract<Outcome, { kind: "record" }>, fail, got, mayTag);
  }

  private judgeChanged(
    rec: FuzzRecord,
    exp: Expectation,
    outcome: Extract<Outcome, { kind: "record" }>,
    fail: (check: string, message: string) => Failure,
    got: string,
    mayTag: boolean,
  ): Failure | null {
    const exact = this.target.exact;
    const ns = this.oracle.namespaceKey;
    const routeFields = this.oracle.routeFields;
    const ownedNames = [ns, ...routeFields];
    const input = scanTop(rec.bytes);
    const output = scanTop(outcome.bytes);
    const isOwned = (m: { key: string }) => ownedNames.includes(m.key);
    const redactable = (m: { key: string }) => exp.redactKeys.includes(m.key);
    const redacting = exp.redacts !== false && input.members.some(redactable);
    // 1. The input's own bytes, up to its closing brace, are the output's first bytes.
    if (!input.members.some(isOwned) && !redacting) {
      if (!sameBytes(outcome.bytes.subarray(0, input.closeAt), rec.bytes.subarray(0, input.closeAt))) {
        return fail("prefix", `the output must start with the input up to its closing brace; ${got}`);
      }
    }
    // 2. The members tripline writes come last: the namespace, then one route field per alert in order.
    const tail = [...output.members];
    const routes: string[] = [];
    while (tail.length > 0 && routeFields.includes(tail[tail.length - 1].key)) routes.unshift(tail.pop()!.key);
    const tagged = tail.length > 0 && tail[tail.length - 1].key === ns;
    if (tagged) tail.pop();
    const stale = tail.filter(isOwned);
    if (stale.length > 0) return fail("stale-owned-key", `the input's own ${stale.map((m) => `'${m.rawKey}'`).join(", ")} still in the output beside tripline's; ${got}`);
    if (!tagged && routes.length > 0) return fail("route", `route fields without the '${ns}' member; ${got}`);
    if (!tagged && exact && (exp.visible === true || exp.alerts.some((a) => a.kind === "alert") || exp.statsDue === true)) {
      return fail("namespace", `the output does not end with the '${ns}' member; ${got}`);
    }
    if (!tagged && !exact && mayTag && exp.redacts === false && !this.target.set.rules.some((r) => r.action === "redact")) {
      return fail("namespace", `changed without the '${ns}' member; ${got}`);
    }
    if (!jsonEqual(routes, routeFields.slice(0, routes.length))) return fail("route", `route fields ${JSON.stringify(routes)} out of order; ${got}`);
    // 3. Parsed, the output is the input (its own tripline members dropped) plus what tripline writes.
    const kept = input.members.filter((m) => !isOwned(m)).map((m) => lenientText.decode(rec.bytes.subarray(m.keyStart, m.valueEnd)));
    const expected = parseObject(new TextEncoder().encode("{" + kept.join(",") + "}"));
    if (!expected) return fail("content", "oracle: the kept members do not parse (harness bug)");
    const body = outcome.body;
    const redactedNames = redacting ? exp.redactKeys.map(shown) : [];
    const skip = [...ownedNames, ...redactedNames];
    for (const k of redactedNames) {
      if (typeof expected[k] === "string" && typeof body[k] !== "string") return fail("content", `redacted member '${k}' is no longer a string; ${got}`);
    }
    for (const { key, gone } of exp.secrets) {
      const v = body[shown(key)];
      if (typeof v === "string" && v.includes(shown(gone))) return fail("content", `'${shown(key)}' still holds the secret ${JSON.stringify(shown(gone))}; ${got}`);
    }
    if (!jsonEqual(without(body, skip), without(expected, skip))) {
      return fail("content", `members other than ${ownedNames.join("/")} changed (${firstDifference(without(expected, skip), without(body, skip))}); ${got}`);
    }
    if (!tagged) {
      // A silent redaction: masked, untagged.
      if (exact && exp.redacts === false) return fail("changed-unmatched", `changed without a tag though no redaction applies; ${got}`);
      return null;
    }
    const space = body[ns];
    if (!isObject(space)) return fail("namespace", `'${ns}' is not an object; ${got}`);
    return this.judgeNamespace(exp, space, body, routes, fail, got);
  }

  private judgeNamespace(
    exp: Expectation,
    space: Record<string, unknown>,
    body: Record<string, unknown>,
    routes: string[],
    fail: (check: string, message: string) => Failure,
    got: string,
  ): Failure | null {
    const set = this.target.set;
    const exact = this.target.exact;
    const ns = this.oracle.namespaceKey;
    for (const k of Object.keys(space)) if (!["rules", "level", "tags", "alerts", "stats"].includes(k)) return fail("namespace", `unexpected '${ns}.${k}'; ${got}`);
    // Alerts: in correlation order, each one of a correlation's, as the oracle says where it knows.
    const actual = space.alerts;
    if (actual !== undefined && (!Array.isArray(actual) || actual.length === 0 || !actual.every(isObject))) return fail("alert", `'${ns}.alerts' is not a non-empty list of objects; ${got}`);
    const list = (actual ?? []) as Record<string, unknown>[];
    const index = list.map((a) => set.correlations.findIndex((c) => c.id === a.rule));
    if (index.some((i) => i < 0)) return fail("alert", `an alert of no correlation: ${JSON.stringify(list[index.indexOf(-1)]).slice(0, 300)}`);
    for (let i = 1; i < index.length; i++) if (index[i] <= index[i - 1]) return fail("alert", `alerts not one per correlation in correlation order: ${JSON.stringify(list.map((a) => a.rule))}`);
    for (const [n, a] of list.entries()) {
      const c = set.correlations[index[n]];
      const problem = alertShape(a, c, this.oracle.routeOf(c));
      if (problem) return fail("alert", `${c.id}: ${problem}; ${got}`);
    }
    if (exact) for (const i of index) this.oracle.coverage.alert(set.correlations[i].type, exp.alerts[i]?.kind === "alert");
    if (exact) {
      for (const [k, e] of exp.alerts.entries()) {
        const c = set.correlations[k];
        const at = index.indexOf(k);
        if (e.kind === "none" && at >= 0) return fail("alert", `unexpected alert of ${c.id}: ${JSON.stringify(list[at]).slice(0, 600)}`);
        if (e.kind === "alert") {
          if (at < 0) return fail("alert", `missing alert of ${c.id}: expected ${JSON.stringify(e.fields).slice(0, 600)}; ${got}`);
          const problem = alertContent(list[at], e);
          if (problem) return fail("alert", `${c.id}: ${problem} (expected ${JSON.stringify(e.fields).slice(0, 400)}, got ${JSON.stringify(list[at]).slice(0, 600)})`);
        }
      }
    }
    // Every alert routed: tripline_alert, _2 .. _4 name the first four alerts' correlations, then "stats".
    const wantRoutes = list.slice(0, 4).map((a) => a.route);
    if ("stats" in space && wantRoutes.length < 4) wantRoutes.push("stats");
    const haveRoutes = routes.map((r) => body[r]);
    if (!jsonEqual(haveRoutes, wantRoutes)) return fail("route", `route fields ${JSON.stringify(Object.fromEntries(routes.map((r) => [r, body[r]])))}, expected ${JSON.stringify(wantRoutes)}; ${got}`);
    // Rules, level, tags: every matched rule when an alert is raised, else the visible ones.
    const anyAlert = list.length > 0;
    const listed = space.rules;
    if ("rules" in space || "level" in space || "tags" in space) {
      if (!Array.isArray(listed) || listed.length === 0 || !listed.every((r) => typeof r === "string")) return fail("namespace", `'${ns}.rules' is not a list of ids; ${got}`);
      const ids = listed.map((id) => set.rules.findIndex((r) => r.id === id));
      if (ids.some((i) => i < 0)) return fail("namespace", `'${ns}.rules' names a rule that does not exist: ${JSON.stringify(listed)}`);
      for (let i = 1; i < ids.length; i++) if (ids[i] <= ids[i - 1]) return fail("namespace", `'${ns}.rules' not in rule-file order: ${JSON.stringify(listed)}`);
      const listedRules = ids.map((i) => set.rules[i]);
      const tags = [...new Set(listedRules.flatMap((r) => r.tags))];
      if (!jsonEqual(space.tags, tags)) return fail("namespace", `'${ns}.tags' ${JSON.stringify(space.tags)}, expected ${JSON.stringify(tags)} (the listed rules' tags, first seen order)`);
      const level = this.oracle.highestLevel(listedRules, index.map((i) => set.correlations[i]));
      if (space.level !== level) return fail("namespace", `'${ns}.level' ${JSON.stringify(space.level)}, expected ${level}`);
      if (!anyAlert && ids.some((i) => this.oracle.isSilent(i))) return fail("namespace", `a silent rule listed without an alert: ${JSON.stringify(listed)}`);
      if (exact) {
        for (const i of ids) if (exp.matches[i] === false) return fail("namespace", `rule ${set.rules[i].id} listed but it does not match; ${got}`);
        const want = set.rules.flatMap((r, i) => (exp.matches[i] === true && (anyAlert || !this.oracle.isSilent(i)) ? [i] : []));
        for (const i of want) if (!ids.includes(i)) return fail("namespace", `rule ${set.rules[i].id} matches but is not listed (${JSON.stringify(listed)}); ${got}`);
      }
    } else {
      if (anyAlert) return fail("namespace", `alerts without the rules that fed them; ${got}`);
      if (!("stats" in space)) return fail("namespace", `an empty '${ns}' object; ${got}`);
      if (exact) {
        const want = set.rules.filter((_, i) => exp.matches[i] === true && !this.oracle.isSilent(i));
        if (want.length > 0) return fail("namespace", `rules ${want.map((r) => r.id).join(", ")} match but none is listed; ${got}`);
      }
    }
    // Statistics.
    if (!exact) return null;
    if (exp.statsDue === false && "stats" in space) return fail("stats", `statistics written though the interval is not over; ${got}`);
    if (exp.statsDue === true && !("stats" in space)) return fail("stats", `the record closes a statistics interval but carries no 'stats'; ${got}`);
    if ("stats" in space && exp.stats) {
      const problem = checkStats(space.stats, exp);
      if (problem) return fail("stats", `${problem}; ${got}`);
    }
    return null;
  }
}

/** Compares `tripline.stats` with what the oracle expects; a description of the first difference, or null. */
function checkStats(stats: unknown, exp: Expectation): string | null {
  if (!isObject(stats)) return "'stats' is not an object";
  const s = stats;
  const e = exp.stats!;
  if ((e.from !== "" && s.from !== e.from) || (e.to !== "" && s.to !== e.to)) return `statistics interval ${s.from}..${s.to}, expected ${e.from}..${e.to || "?"}`;
  if (s.interval !== e.interval) return `statistics interval length ${s.interval}, expected ${e.interval}`;
  for (const k of ["records", "matched", "alerted", "dropped", "hits"]) {
    if (!Number.isInteger(s[k]) || (s[k] as number) < 0) return `stats.${k} is not a count`;
  }
  if (e.records && !e.records.includes(s.records as number)) return `stats.records = ${s.records}, expected ${e.records.join(" or ")}`;
  if (e.counts) {
    for (const k of ["matched", "dropped"] as const) if (s[k] !== e.counts[k]) return `stats.${k} = ${s[k]}, expected ${e.counts[k]}`;
    if (!jsonEqual(s.rules, e.counts.rules)) return `stats.rules = ${JSON.stringify(s.rules)}, expected ${JSON.stringify(e.counts.rules)}`;
  }
  if (e.alerted !== undefined && s.alerted !== e.alerted) return `stats.alerted = ${s.alerted}, expected ${e.alerted}`;
  if (e.correlations) {
    const got = s.correlations as Record<string, Record<string, number>>;
    for (const [id, want] of Object.entries(e.correlations)) {
      const have = got?.[id];
      if (!have) return `stats.correlations lacks ${id}`;
      for (const [k, v] of Object.entries(want)) if (have[k] !== v) return `stats.correlations.${id}.${k} = ${have[k]}, expected ${v}`;
    }
  }
  const sections = s.sections as Record<string, unknown>;
  if (!isObject(sections) || !Object.values(sections).every((n) => Number.isInteger(n))) return "stats.sections is not a map of counts";
  if (Object.keys(sections).length < 64 && Object.values(sections).reduce((a: number, b) => a + (b as number), 0) !== s.hits) return `stats.hits = ${s.hits}, not the sum of the sections`;
  return null;
}

// ---------------------------------------------------------------- corpus

export interface CorpusRecord {
  tag: string;
  time: [number, number];
  text?: string;
  base64?: string;
}

export interface RegressionCase {
  description: string;
  check: string;
  target: Target["name"];
  seed?: number;
  label?: string;
  records: CorpusRecord[];
}

const strictText = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function toCorpus(rec: FuzzRecord): CorpusRecord {
  let text: string | undefined;
  try {
    text = strictText.decode(rec.bytes);
    if (text.includes("\0") || new TextEncoder().encode(text).length !== rec.bytes.length) text = undefined;
  } catch {
    text = undefined;
  }
  return text !== undefined ? { tag: rec.tag, time: rec.time, text } : { tag: rec.tag, time: rec.time, base64: Buffer.from(rec.bytes).toString("base64") };
}

export function fromCorpus(c: CorpusRecord, label: string): FuzzRecord {
  const bytes = c.text !== undefined ? new TextEncoder().encode(c.text) : new Uint8Array(Buffer.from(c.base64 ?? "", "base64"));
  return { tag: c.tag, time: c.time, bytes, label };
}

export function regressionFiles(): string[] {
  if (!existsSync(REGRESSIONS)) return [];
  return readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => path.join(REGRESSIONS, f));
}

export function readCase(file: string): RegressionCase {
  return JSON.parse(readFileSync(file, "utf8")) as RegressionCase;
}

/** Replays one case in a fresh session; the first failure, or null. */
export function replay(c: RegressionCase, target: Target): Failure | null {
  const session = new Session(target);
  for (const [i, r] of c.records.entries()) {
    const failure = session.run(fromCorpus(r, `${c.check}#${i}`));
    if (failure) return failure;
  }
  return null;
}

/** Does `records` (in a fresh session) still fail with `check`? */
function stillFails(target: Target, records: FuzzRecord[], check: string): boolean {
  const session = new Session(target);
  for (const r of records) {
    const f = session.run(r);
    if (f) return f.check === check;
  }
  return false;
}

/** Shrinks one failing record (delta debugging by chunks) within a time budget. */
export function shrink(target: Target, rec: FuzzRecord, check: string, budgetMs = 3000): FuzzRecord {
  const deadline = Date.now() + budgetMs;
  let best = rec.bytes;
  let chunk = Math.max(1, best.length >> 1);
  while (chunk >= 1 && Date.now() < deadline) {
    let progressed = false;
    for (let at = 0; at < best.length && Date.now() < deadline; ) {
      const candidate = new Uint8Array(best.length - Math.min(chunk, best.length - at));
      candidate.set(best.subarray(0, at));
      candidate.set(best.subarray(at + chunk), at);
      if (candidate.length > 0 && stillFails(target, [{ ...rec, bytes: candidate }], check)) {
        best = candidate;
        progressed = true;
      } else at += chunk;
    }
    if (!progressed) chunk >>= 1;
  }
  return { ...rec, bytes: best };
}

/**
 * Writes a failure into the regression corpus (unless FUZZ_SAVE=0, or a
 * case for the same check and target is already there: a known bug is
 * saved once, not on every run). The failing
 * record alone is kept (shrunk) when it fails on its own; otherwise the
 * session's records up to it. Returns the file written, or why not.
 */
export function saveRegression(target: Target, failure: Failure, history: FuzzRecord[], seed: number): string {
  if (process.env.FUZZ_SAVE === "0") return "not saved (FUZZ_SAVE=0)";
  for (const file of regressionFiles()) {
    const c = readCase(file);
    if (c.check === failure.check && c.target === target.name) {
      return `not saved: ${path.relative(PACKAGE_ROOT, file)} already holds a case for check '${failure.check}' (fix that one first, or FUZZ_SAVE=0)`;
    }
  }
  let records: FuzzRecord[];
  if (stillFails(target, [failure.record], failure.check)) {
    records = [failure.record.bytes.length <= 1 << 16 ? shrink(target, failure.record, failure.check) : failure.record];
  } else {
    records = history;
    const total = records.reduce((n, r) => n + r.bytes.length, 0);
    if (total > 8 << 20) return `not saved: the failing session holds ${total} bytes`;
  }
  mkdirSync(REGRESSIONS, { recursive: true });
  const file = path.join(REGRESSIONS, `fuzz-${failure.check}-${seed}-${Date.now().toString(36)}.json`);
  const c: RegressionCase = {
    description: `found by the fuzz harness (seed ${seed}, ${failure.record.label}): ${failure.message.slice(0, 300)}`,
    check: failure.check,
    target: target.name,
    seed,
    label: failure.record.label,
    records: records.map(toCorpus),
  };
  writeFileSync(file, JSON.stringify(c, null, 2) + "\n");
  return `saved ${path.relative(PACKAGE_ROOT, file)}`;
}
