// Rule test suites, in the spirit of CrowdSec's hub tests: a YAML file names
// the rules, the input lines and exactly the alerts (and matches) expected.
//
//   name: SSH brute force from one address
//   rules: [../ssh.yml]        # relative to this file; default: the bundled pack
//   parser: syslog             # optional, as for `tripline test --parser`
//   year: 2026                 # optional, for syslog times without a year
//   input: |                   # or input_file: sample.log
//     <log lines>
//   expect:
//     alerts:                  # exactly these, in order; listed fields must equal
//       - rule: tripline-ssh-brute-force
//         key: 203.0.113.9
//         count: 5
//     matches:                 # optional: records tagged per rule id; unlisted ids must be 0
//       tripline-ssh-auth-failure: 5
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { UsageError } from "./args.js";
import { PARSER_NAMES, type ParserName } from "../logs/parsers.js";
import { emptyResult, replayText, type ReplayResult } from "../logs/replay.js";
import type { FluentBitHost } from "../host/host.js";

export interface Suite {
  file: string;
  name: string;
  rules: string[] | null;
  parser?: ParserName;
  year: number;
  tag: string;
  input: string;
  alerts: Record<string, unknown>[];
  matches: Record<string, number> | null;
}

const KEYS = new Set(["name", "rules", "parser", "year", "tag", "input", "input_file", "expect"]);

export function readSuite(file: string): Suite {
  let doc: Record<string, unknown>;
  try {
    doc = parse(readFileSync(file, "utf8"), { maxAliasCount: 100 });
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message.split("\n")[0]}`);
  }
  if (!doc || typeof doc !== "object") throw new UsageError(`${file}: a suite is a YAML map`);
  for (const key of Object.keys(doc)) if (!KEYS.has(key)) throw new UsageError(`${file}: unknown key '${key}' (expected one of ${[...KEYS].join(", ")})`);
  const dir = path.dirname(file);
  const rules = doc.rules === undefined ? null : (Array.isArray(doc.rules) ? doc.rules : [doc.rules]).map((r) => path.resolve(dir, String(r)));
  const parser = doc.parser as ParserName | undefined;
  if (parser !== undefined && !PARSER_NAMES.includes(parser)) throw new UsageError(`${file}: unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  let input: string;
  if (typeof doc.input === "string") input = doc.input;
  else if (typeof doc.input_file === "string") input = readFileSync(path.resolve(dir, doc.input_file), "utf8");
  else throw new UsageError(`${file}: a suite needs 'input' (log lines) or 'input_file'`);
  const expect = (doc.expect ?? {}) as Record<string, unknown>;
  const alerts = (expect.alerts ?? []) as Record<string, unknown>[];
  if (!Array.isArray(alerts)) throw new UsageError(`${file}: expect.alerts must be a list`);
  return {
    file,
    name: String(doc.name ?? path.basename(file)),
    rules,
    parser,
    year: Number(doc.year ?? new Date().getUTCFullYear()),
    tag: String(doc.tag ?? "logs"),
    input,
    alerts,
    matches: (expect.matches as Record<string, number>) ?? null,
  };
}

export interface SuiteOutcome {
  suite: Suite;
  problems: string[];
  result: ReplayResult;
}

export function runSuite(suite: Suite, host: FluentBitHost, namespace?: string): SuiteOutcome {
  const result = replayText(host, suite.input, suite.file, { parser: suite.parser, year: suite.year, tag: suite.tag, namespace }, emptyResult());
  const problems: string[] = [];
  const actual = result.alerts;
  const n = Math.max(actual.length, suite.alerts.length);
  for (let i = 0; i < n; i++) {
    const want = suite.alerts[i];
    const got = actual[i];
    if (!want) {
      problems.push(`unexpected alert #${i + 1}: ${describe(got.raw)}`);
      continue;
    }
    if (!got) {
      problems.push(`missing alert #${i + 1}: expected ${JSON.stringify(want)}`);
      continue;
    }
    for (const [key, value] of Object.entries(want)) {
      const have = got.raw[key];
      if (JSON.stringify(have) !== JSON.stringify(value)) {
        problems.push(`alert #${i + 1} ${key}: expected ${JSON.stringify(value)}, actual ${JSON.stringify(have)} (${describe(got.raw)})`);
      }
    }
  }
  if (suite.matches) {
    const ids = new Set([...Object.keys(suite.matches), ...Object.keys(result.matches)]);
    for (const id of [...ids].sort()) {
      const want = suite.matches[id] ?? 0;
      const have = result.matches[id] ?? 0;
      if (want !== have) problems.push(`matches of ${id}: expected ${want}, actual ${have}`);
    }
  }
  if (result.lost > 0) problems.push(`${result.lost} record(s) lost`);
  return { suite, problems, result };
}

function describe(a: Record<string, unknown>): string {
  return `rule=${a.rule} key=${a.key} count=${a.count ?? a.observed} last=${a.last}`;
}
