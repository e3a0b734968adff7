// Runs fuzz records through the Fluent Bit-exact host and checks each outcome
// against the oracle. Also reads and writes the regression corpus
// (tests/fuzz/regressions/*.json).
//
// Checks, per call:
//   trap            the module trapped (a lost record in Fluent Bit)
//   host-exception  the host itself threw (the call did not return)
//   passthrough     input that is not one JSON object came back changed
//   lost            a valid object came back as something Fluent Bit rejects
//   unexpected-drop dropped, but no drop rule matches
//   missed-drop     a drop rule matches, the record came back
//   changed-unmatched  nothing matches, the bytes changed
//   missed-match    a visible rule certainly matches, nothing was added
//   prefix          the output does not start with the input's own bytes
//   stale-owned-key an input member named `tripline` / `tripline_alert` survives beside tripline's own
//   content         the output, parsed, is not the input plus the namespace
//   namespace       the namespace object is not what the rules say
//   route           the alert route field is wrong or missing
//   stats           the statistics record is wrong, missing, or early
//   long-number     a detection difference on a number of more than 300 digits
import { readFileSync, readdirSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { buildModule } from "../../src/compiler/module.js";
import { FluentBitHost, type Outcome } from "../../src/host/host.js";
import type { RuleSet } from "../../src/compiler/ir.js";
import { LEVELS } from "../../src/compiler/ir.js";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES, type CompileOptions } from "../../src/compiler/compile.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";
import { Oracle, lenientText, parseObject, scanTop, type Expectation, type OracleOptions } from "./oracle.js";
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
  name: "fuzz" | "release";
  set: RuleSet;
  host(): FluentBitHost;
  /** Exact namespace checks (false: the build may predate the rule files, so only structure is checked). */
  exact: boolean;
  oracleOptions: OracleOptions;
}

let releaseModule: WebAssembly.Module | undefined;

/** The fuzz rule set in the development build. */
export function fuzzTarget(options: CompileOptions = {}): Target {
  const { rules, program } = compileSources([{ path: "fuzz.yml", text: FUZZ_RULES }], { seed: 11, ...options });
  return {
    name: "fuzz",
    set: rules,
    exact: true,
    oracleOptions: { maxKeys: options.maxKeys, latenessSec: options.latenessSec },
    host() {
      const host = new FluentBitHost(buildModule(program.bytes));
      return host;
    },
  };
}

/** The release build (default pack embedded), checked structurally. */
export function releaseTarget(): Target {
  releaseModule ??= new WebAssembly.Module(readFileSync(path.join(BUILD, "tripline.wasm")));
  const { rules } = compileSources(readSources(ruleFiles([DEFAULT_RULES])));
  return { name: "release", set: rules, exact: false, oracleOptions: { structural: true }, host: () => new FluentBitHost(releaseModule!) };
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
  const raw = text.length > max ? text.slice(0, max / 2) + ` …(${bytes.length} bytes)… ` + text.slice(-max / 2) : text;
  return raw;
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

function withoutOwned(obj: Record<string, unknown>, owned: string[]): Record<string, unknown> {
  const copy = { ...obj };
  for (const k of owned) delete copy[k];
  return copy;
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
      this.oracle.settle(false);
      return fail("host-exception", `the call threw: ${(err as Error).stack ?? err}`);
    }
    this.oracle.settle(outcome.kind === "dropped");
    if (this.host.counters.traps > traps) return fail("trap", outcome.kind === "lost" ? outcome.reason : "trap");
    const failure = this.judge(rec, exp, outcome, fail);
    // Detection differences on numbers of 300+ digits are one known bug: report them under one name.
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
    if (outcome.kind === "dropped") {
      if (!exp.mayDrop) return fail("unexpected-drop", "dropped, but no drop rule matches");
      return null;
    }
    const unchanged = sameBytes(outcome.bytes, rec.bytes);
    if (this.target.exact) {
      if (exp.outcome === "drop") return fail("missed-drop", `a drop rule matches; ${got}`);
      if (exp.outcome === "pass" && !unchanged) return fail("changed-unmatched", `no rule matches, the bytes must not change; ${got}`);
      if (unchanged && exp.mustTag) {
        const which = this.target.set.rules.filter((_, r) => exp.matches[r] === true).map((r) => r.id);
        return fail("missed-match", `rules ${which.join(", ")} match, nothing was added`);
      }
    }
    if (unchanged) return null;
    return this.judgeTagged(rec, exp, outcome as Extract<Outcome, { kind: "record" }>, fail, got);
  }

  private judgeTagged(
    rec: FuzzRecord,
    exp: Expectation,
    outcome: Extract<Outcome, { kind: "record" }>,
    fail: (check: string, message: string) => Failure,
    got: string,
  ): Failure | null {
    const ns = this.oracle.namespaceKey;
    const alertKey = this.oracle.alertKey;
    const owned = [ns, alertKey];
    const input = scanTop(rec.bytes);
    const output = scanTop(outcome.bytes);
    const rawOwned = (m: { rawKey: string; keyEscaped: boolean }) => !m.keyEscaped && owned.includes(m.rawKey);
    // 1. The input's own bytes, up to its closing brace, are the output's first bytes.
    const redactable = (m: { rawKey: string; keyEscaped: boolean }) => !m.keyEscaped && exp.redactKeys.includes(m.rawKey);
    const redacting = input.members.some(redactable);
    if (!input.members.some(rawOwned) && !redacting) {
      if (!sameBytes(outcome.bytes.subarray(0, input.closeAt), rec.bytes.subarray(0, input.closeAt))) {
        return fail("prefix", `the output must start with the input up to its closing brace; ${got}`);
      }
    }
    // 2. The members tripline writes come last (namespace, then the route field); no other
    //    member of those names is left anywhere (a stale copy would shadow them downstream).
    const tail = [...output.members];
    const last = () => tail[tail.length - 1];
    const routeWritten = tail.length > 0 && rawOwned(last()) && last().rawKey === alertKey;
    if (routeWritten) tail.pop();
    if (tail.length > 0 && rawOwned(last()) && last().rawKey === ns) tail.pop();
    else return fail("namespace", `the output does not end with the '${ns}' member; ${got}`);
    const stale = tail.filter(rawOwned);
    if (stale.length > 0) {
      const keys = stale.map((m) => `'${m.rawKey}'`).join(", ");
      return fail("stale-owned-key", `the input's own ${keys} ${stale.length > 1 ? "are" : "is"} still in the output beside tripline's; ${got}`);
    }
    // 3. Parsed, the output is the input (its own tripline members replaced) plus the namespace.
    const kept = input.members.filter((m) => !rawOwned(m)).map((m) => lenientText.decode(rec.bytes.subarray(m.keyStart, m.valueEnd)));
    const expected = parseObject(new TextEncoder().encode("{" + kept.join(",") + "}"));
    if (!expected) return fail("content", "oracle: the kept members do not parse (harness bug)");
    const body = outcome.body;
    // Redacted members are rewritten (masked, and re-encoded as raw UTF-8): they stay strings.
    const skip = [...owned, ...(redacting ? exp.redactKeys : [])];
    for (const k of redacting ? exp.redactKeys : []) {
      if (typeof expected[k] === "string" && typeof body[k] !== "string") return fail("content", `redacted member '${k}' is no longer a string; ${got}`);
    }
    if (!jsonEqual(withoutOwned(body, skip), withoutOwned(expected, skip))) {
      return fail("content", `members other than ${owned.join("/")} changed (${firstDifference(withoutOwned(expected, skip), withoutOwned(body, skip))}); ${got}`);
    }
    const space = body[ns] as Record<string, unknown> | undefined;
    if (!space || typeof space !== "object" || Array.isArray(space)) return fail("namespace", `no '${ns}' object; ${got}`);
    const matchedPart = "rules" in space || "level" in space || "tags" in space;
    if (matchedPart || !("stats" in space || "alerts" in space)) {
      if (!Array.isArray(space.rules) || !space.rules.every((r) => typeof r === "string")) return fail("namespace", `'${ns}.rules' is not a list of ids; ${got}`);
      if (!LEVELS.includes(space.level as never)) return fail("namespace", `'${ns}.level' is not a level; ${got}`);
      if (!Array.isArray(space.tags)) return fail("namespace", `'${ns}.tags' is not a list; ${got}`);
    }
    if (routeWritten && typeof body[alertKey] !== "string") return fail("route", `'${alertKey}' must be a string; ${got}`);
    if (routeWritten !== (Array.isArray(space.alerts) || "stats" in space)) {
      return fail("route", `'${alertKey}' must be written exactly when alerts or statistics are; ${got}`);
    }
    if (this.target.exact) {
      const problem = checkStats(space.stats, exp);
      if (problem) return fail("stats", `${problem}; ${got}`);
    }
    if (!this.target.exact || !exp.namespace) return null;
    // 4. Exactly what the rules say.
    const { stats: _stats, ...rest } = space;
    if (!jsonEqual(rest, exp.namespace)) {
      return fail("namespace", `${ns}${firstDifference(exp.namespace, rest)} (expected ${JSON.stringify(exp.namespace)}, got ${JSON.stringify(rest)})`);
    }
    if ((routeWritten ? body[alertKey] : undefined) !== exp.route) return fail("route", `expected ${alertKey}=${JSON.stringify(exp.route)}, got ${JSON.stringify(body[alertKey])}`);
    return null;
  }
}

/** Compares `tripline.stats` with what the oracle expects; a description of the first difference, or null. */
function checkStats(stats: unknown, exp: Expectation): string | null {
  if (!exp.stats) {
    if (stats !== undefined && !exp.mayDrop && exp.matches.every((m) => m !== undefined)) return "statistics written though the interval is not over";
    return null;
  }
  if (exp.mayDrop && stats === undefined) return null;
  if (!stats || typeof stats !== "object") return "the record closes a statistics interval but carries no 'stats'";
  const s = stats as Record<string, unknown>;
  const e = exp.stats;
  if (s.from !== e.from || s.to !== e.to) return `statistics interval ${s.from}..${s.to}, expected ${e.from}..${e.to}`;
  if (s.interval !== e.interval) return `statistics interval length ${s.interval}, expected ${e.interval}`;
  for (const k of ["records", "matched", "alerted", "dropped", "hits"]) {
    if (!Number.isInteger(s[k]) || (s[k] as number) < 0) return `stats.${k} is not a count`;
  }
  if (e.counts) {
    for (const k of ["records", "matched", "alerted", "dropped"] as const) {
      if (s[k] !== e.counts[k]) return `stats.${k} = ${s[k]}, expected ${e.counts[k]}`;
    }
    if (!jsonEqual(s.rules, e.counts.rules)) return `stats.rules = ${JSON.stringify(s.rules)}, expected ${JSON.stringify(e.counts.rules)}`;
  }
  if (e.correlations) {
    const got = s.correlations as Record<string, Record<string, number>>;
    for (const [id, want] of Object.entries(e.correlations)) {
      const have = got?.[id];
      if (!have) return `stats.correlations lacks ${id}`;
      for (const [k, v] of Object.entries(want)) {
        if (v >= 0 && have[k] !== v) return `stats.correlations.${id}.${k} = ${have[k]}, expected ${v}`;
      }
    }
  }
  const sections = s.sections as Record<string, unknown>;
  if (!sections || typeof sections !== "object" || !Object.values(sections).every((n) => Number.isInteger(n))) return "stats.sections is not a map of counts";
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
  target: "fuzz" | "release";
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
