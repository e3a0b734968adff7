// Rule test suites, in the spirit of CrowdSec's hub tests: a YAML file names
// the rules, the input lines and the alerts, matches and output records
// expected.
//
//   name: SSH brute force from one address
//   rules: [../ssh.yml]        # relative to this file; default: the bundled pack
//   parser: syslog             # optional, as for `tripline test --parser`
//   year: 2026                 # optional, for syslog times without a year
//   tag: logs                  # optional: the tag records carry
//   input: |                   # or input_file: sample.log
//     <log lines>
//   expect:
//     alerts:                  # exactly these, in any order; listed fields must equal
//       - rule: tripline-ssh-brute-force
//         key: 203.0.113.9     # values compare as values: 5 equals "5"
//         count: 5
//     matches:                 # optional: records tagged per rule id; unlisted ids must be 0
//       tripline-ssh-auth-failure: 5
//     records:                 # optional: what output records carry
//       - line: 2              # the input line (1-based)
//         tag: alert.tripline-ssh-brute-force   # a tag it leaves with
//         fields: {tripline.level: high}         # values (dotted paths reach inside)
//         contains: {log: "password=***"}       # substrings of field values
//         absent: [hunter2]                      # text that appears nowhere in it
//         rules: [tripline-redact-password]      # exactly the rules it lists
//
// The schema is strict: an unknown key, or a rule id the rules do not
// define, is a mistake reported at file:line:column, so a suite can never
// pass while checking nothing.
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { parseDocument, LineCounter, isMap, isSeq, isScalar, type Node, type Document } from "yaml";
import { UsageError } from "./args.js";
import { PARSER_NAMES, type ParserName } from "../logs/parsers.js";
import { emptyResult, replayFiles, textLog, type ReplayResult } from "../logs/replay.js";
import type { FluentBitHost } from "../host/host.js";

export interface RecordExpectation {
  line: number;
  tag?: string;
  fields: Record<string, unknown>;
  contains: Record<string, string>;
  absent: string[];
  rules?: string[];
  where: string;
}

export interface Suite {
  file: string;
  name: string;
  rules: string[] | null;
  parser?: ParserName;
  year: number;
  tag: string;
  input: string;
  /** Expected alerts, and where each is written (same order). */
  alerts: Record<string, unknown>[];
  alertsAt: string[];
  matches: Record<string, number> | null;
  records: RecordExpectation[];
  /** Rule ids the suite names, with where, checked once the rules are compiled. */
  ids: { id: string; where: string }[];
  doc: Document;
}

const TOP_KEYS = ["name", "rules", "parser", "year", "tag", "input", "input_file", "expect"];
const EXPECT_KEYS = ["alerts", "matches", "records"];
const RECORD_KEYS = ["line", "tag", "fields", "contains", "absent", "rules"];
/** Every key an alert object may carry (assembly/output/writer.ts). */
export const ALERT_KEYS = [
  "rule", "title", "level", "type", "status", "route", "tags", "group", "key", "count", "threshold", "window", "first", "last",
  "observed", "baseline", "factor", "increase", "interval", "mean", "stddev", "zscore", "quantile", "limit", "field", "samples", "addresses",
];

/** Reads a suite; every mistake is a UsageError starting with file:line:column. */
export function readSuite(file: string): Suite {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const at = (node: Node | null | undefined) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UsageError(`${file}:${e.linePos?.[0].line ?? 1}:${e.linePos?.[0].col ?? 1}: ${e.message.split("\n")[0]}`);
  }
  const fail = (node: Node | null | undefined, message: string): never => {
    throw new UsageError(`${at(node)}: ${message}`);
  };
  /** The map's entries, refusing keys not in `allowed`. */
  const entries = (node: unknown, allowed: string[] | null, what: string): [string, Node, Node][] => {
    if (!isMap(node)) return fail(node as Node, `${what} must be a map`);
    return node.items.map((pair) => {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : fail(keyNode, `${what}: keys are plain names`);
      if (allowed && !allowed.includes(key)) {
        const near = allowed.find((k) => k.startsWith(key) || key.startsWith(k));
        fail(keyNode, `unknown key '${key}' in ${what}${near ? ` (did you mean '${near}'?)` : ""}; expected one of ${allowed.join(", ")}`);
      }
      return [key, keyNode, pair.value as Node];
    });
  };
  const seq = (node: Node, what: string): Node[] => (isSeq(node) ? (node.items as Node[]) : fail(node, `${what} must be a list`));
  const scalar = (node: Node, what: string): unknown => (isScalar(node) ? node.value : fail(node, `${what} must be a single value`));
  const string = (node: Node, what: string): string => {
    const v = scalar(node, what);
    return typeof v === "string" || typeof v === "number" ? String(v) : fail(node, `${what} must be text`);
  };

  const suite: Suite = { file, name: path.basename(file), rules: null, year: new Date().getUTCFullYear(), tag: "logs", input: "", alerts: [], alertsAt: [], matches: null, records: [], ids: [], doc };
  const dir = path.dirname(file);
  let hasInput = false;
  for (const [key, , value] of entries(doc.contents, TOP_KEYS, "a suite")) {
    if (key === "name") suite.name = string(value, "name");
    else if (key === "rules") suite.rules = (isSeq(value) ? seq(value, "rules") : [value]).map((r) => path.resolve(dir, string(r, "rules")));
    else if (key === "parser") {
      const parser = string(value, "parser");
      if (!PARSER_NAMES.includes(parser as ParserName)) fail(value, `unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
      suite.parser = parser as ParserName;
    } else if (key === "year") {
      const year = Number(scalar(value, "year"));
      if (!Number.isInteger(year) || year < 1970 || year > 9999) fail(value, "year must be a year such as 2026");
      suite.year = year;
    } else if (key === "tag") suite.tag = string(value, "tag");
    else if (key === "input") {
      suite.input = string(value, "input");
      hasInput = true;
    } else if (key === "input_file") {
      const input = path.resolve(dir, string(value, "input_file"));
      if (!existsSync(input)) fail(value, `input_file '${input}' does not exist`);
      suite.input = readFileSync(input, "utf8");
      hasInput = true;
    } else if (key === "expect") readExpect(value);
  }
  if (!hasInput) fail(doc.contents, "a suite needs 'input' (log lines) or 'input_file'");
  return suite;

  function readExpect(node: Node): void {
    if (isScalar(node) && node.value === null) return;
    for (const [key, , value] of entries(node, EXPECT_KEYS, "expect")) {
      if (key === "alerts") {
        if (isScalar(value) && value.value === null) continue;
        for (const item of seq(value, "expect.alerts")) {
          const want: Record<string, unknown> = {};
          for (const [k, , v] of entries(item, ALERT_KEYS, "an expected alert")) {
            want[k] = (v as Node & { toJSON(): unknown }).toJSON();
            if (k === "rule") suite.ids.push({ id: String(want[k]), where: at(v) });
          }
          suite.alerts.push(want);
          suite.alertsAt.push(at(item));
        }
      } else if (key === "matches") {
        suite.matches = {};
        if (isScalar(value) && value.value === null) continue;
        for (const [id, idNode, v] of entries(value, null, "expect.matches")) {
          const n = Number(scalar(v, `matches of ${id}`));
          if (!Number.isInteger(n) || n < 0) fail(v, `matches of ${id} must be a whole number`);
          suite.matches[id] = n;
          suite.ids.push({ id, where: at(idNode) });
        }
      } else {
        for (const item of seq(value, "expect.records")) suite.records.push(readRecord(item));
      }
    }
  }

  function readRecord(node: Node): RecordExpectation {
    const r: RecordExpectation = { line: 0, fields: {}, contains: {}, absent: [], where: at(node) };
    for (const [key, , value] of entries(node, RECORD_KEYS, "an expected record")) {
      if (key === "line") {
        r.line = Number(scalar(value, "line"));
        if (!Number.isInteger(r.line) || r.line < 1) fail(value, "line must be an input line number (1 or more)");
      } else if (key === "tag") r.tag = string(value, "tag");
      else if (key === "fields") for (const [k, , v] of entries(value, null, "fields")) r.fields[k] = (v as Node & { toJSON(): unknown }).toJSON();
      else if (key === "contains") for (const [k, , v] of entries(value, null, "contains")) r.contains[k] = string(v, `contains.${k}`);
      else if (key === "absent") r.absent = (isSeq(value) ? seq(value, "absent") : [value]).map((v) => string(v, "absent"));
      else {
        r.rules = seq(value, "rules").map((v) => string(v, "rules"));
        (value as { items: Node[] }).items.forEach((v, k) => suite.ids.push({ id: r.rules![k], where: at(v) }));
      }
    }
    if (r.line === 0) fail(node, "an expected record needs 'line' (the input line it comes from)");
    return r;
  }
}

/** Rule ids a suite names that its rules do not define: file:line:column each. */
export function unknownIds(suite: Suite, known: Set<string>): string[] {
  return suite.ids.filter((n) => !known.has(n.id)).map((n) => `${n.where}: unknown rule id '${n.id}' (not defined by the suite's rules)`);
}

/** Equal as values: scalars by their text (42 equals "42"), lists and maps member by member. */
export function sameValue(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, k) => sameValue(w, have[k]));
  if (want !== null && typeof want === "object") {
    if (have === null || typeof have !== "object" || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, w]) => sameValue(w, (have as Record<string, unknown>)[k])) && Object.keys(have).length === Object.keys(want).length;
  }
  if (want === null || have === null || have === undefined) return want === have;
  return String(want) === String(have);
}

/** A value inside a record by a dotted path (`tripline.level`); a key that itself holds dots is tried first. */
function lookup(body: Record<string, unknown>, key: string): unknown {
  if (key in body) return body[key];
  let v: unknown = body;
  for (const part of key.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

export interface SuiteOutcome {
  suite: Suite;
  problems: string[];
  result: ReplayResult;
}

export function runSuite(suite: Suite, host: FluentBitHost, namespace = "tripline"): SuiteOutcome {
  const outputs = new Map<number, { body: Record<string, unknown> | null; text: string }>();
  const result = replayFiles(host, [textLog(suite.file, suite.input)], { parser: suite.parser, year: suite.year, tag: suite.tag, namespace }, emptyResult(), undefined, (outcome, _file, line) =>
    outputs.set(line, outcome.kind === "record" ? { body: outcome.body, text: outcome.text } : { body: null, text: "" }),
  );
  const problems: string[] = [];
  // Alerts as a set: each expectation takes the first unclaimed alert it fits.
  const claimed = new Set<number>();
  suite.alerts.forEach((want, n) => {
    const where = suite.alertsAt[n];
    const k = result.alerts.findIndex((a, i) => !claimed.has(i) && Object.entries(want).every(([key, v]) => sameValue(v, a.raw[key])));
    if (k >= 0) {
      claimed.add(k);
      return;
    }
    const near = result.alerts.find((a, i) => !claimed.has(i) && a.rule === String(want.rule));
    const diff = near ? Object.entries(want).filter(([key, v]) => !sameValue(v, near.raw[key])).map(([key, v]) => `${key}: expected ${JSON.stringify(v)}, actual ${JSON.stringify(near.raw[key])}`) : [];
    problems.push(`${where}: missing alert ${JSON.stringify(want)}${near ? ` (nearest: ${diff.join(", ")})` : ""}`);
  });
  result.alerts.forEach((a, i) => {
    if (!claimed.has(i)) problems.push(`unexpected alert: ${describe(a.raw)} (line ${a.line})`);
  });
  if (suite.matches) {
    const ids = new Set([...Object.keys(suite.matches), ...Object.keys(result.matches)]);
    for (const id of [...ids].sort()) {
      const want = suite.matches[id] ?? 0;
      const have = result.matches[id] ?? 0;
      if (want !== have) problems.push(`matches of ${id}: expected ${want}, actual ${have}`);
    }
  }
  for (const r of suite.records) problems.push(...checkRecord(r, outputs.get(r.line), suite.tag, `${namespace}_alert`, namespace));
  if (result.lost > 0) problems.push(`${result.lost} record(s) lost`);
  return { suite, problems, result };
}

function checkRecord(r: RecordExpectation, out: { body: Record<string, unknown> | null; text: string } | undefined, tag: string, alertField: string, namespace: string): string[] {
  const at = `${r.where}: record of line ${r.line}`;
  if (!out) return [`${at}: no such record (the line is empty or past the end of the input)`];
  if (!out.body) return [`${at}: dropped or lost, no record came out`];
  const body = out.body;
  const problems: string[] = [];
  if (r.tag !== undefined) {
    const route = body[alertField];
    const tags = [tag, ...(typeof route === "string" ? [`alert.${route}`] : [])];
    if (!tags.includes(r.tag)) problems.push(`${at}: expected tag ${r.tag}, it leaves with ${tags.join(", ")}`);
  }
  for (const [key, want] of Object.entries(r.fields)) {
    if (!sameValue(want, lookup(body, key))) problems.push(`${at}: ${key} expected ${JSON.stringify(want)}, actual ${JSON.stringify(lookup(body, key))}`);
  }
  for (const [key, part] of Object.entries(r.contains)) {
    const v = lookup(body, key);
    if (typeof v !== "string" || !v.includes(part)) problems.push(`${at}: ${key} should contain ${JSON.stringify(part)}, it is ${JSON.stringify(v)}`);
  }
  for (const text of r.absent) if (out.text.includes(text) || JSON.stringify(body).includes(text)) problems.push(`${at}: ${JSON.stringify(text)} should appear nowhere in it (masked), but does`);
  if (r.rules) {
    const listed = ((body[namespace] as { rules?: string[] } | undefined)?.rules ?? []).slice().sort();
    if (!sameValue([...r.rules].sort(), listed)) problems.push(`${at}: rules expected ${JSON.stringify(r.rules)}, actual ${JSON.stringify(listed)}`);
  }
  return problems;
}

/** The suite's expectations replaced by what happened (`--update`): alerts and matches; records kept. */
export function updatedSuite(suite: Suite, result: ReplayResult): string {
  const doc = suite.doc;
  const alerts = result.alerts.map((a) => {
    const out: Record<string, unknown> = { rule: a.rule, key: a.key };
    if (a.status !== "fired") out.status = a.status;
    if (a.count !== undefined) out.count = a.count;
    if (a.observed !== undefined) out.observed = a.observed;
    out.last = a.last;
    return out;
  });
  const matches = Object.fromEntries(Object.keys(result.matches).sort().map((id) => [id, result.matches[id]]));
  if (!doc.has("expect") || !isMap(doc.get("expect"))) doc.set("expect", doc.createNode({}));
  doc.setIn(["expect", "alerts"], doc.createNode(alerts, { flow: false }));
  doc.setIn(["expect", "matches"], doc.createNode(matches));
  return doc.toString({ lineWidth: 0 });
}

function describe(a: Record<string, unknown>): string {
  return `rule=${a.rule} key=${a.key} count=${a.count ?? a.observed} last=${a.last}`;
}
