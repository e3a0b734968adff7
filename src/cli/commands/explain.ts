// `tripline explain LINE | FILE:LINE | --grep TEXT FILE`: what the filter
// sees in a record and what it does with it. For FILE:LINE and --grep the
// lines before are replayed first, so correlation windows hold what they
// would hold live when the record arrives.
import { existsSync, statSync } from "node:fs";
import { UsageError, type Parsed } from "../args.js";
import { compileOptions, rulePaths, str, list, flag, positive } from "../options.js";
import { compileSources, readSources } from "../../compiler/compile.js";
import { buildModule } from "../../compiler/module.js";
import { FluentBitHost } from "../../host/host.js";
import { recordOf, records, type ReplayOptions } from "../../logs/replay.js";
import { PARSER_NAMES, type ParserName } from "../../logs/parsers.js";
import { openLog } from "../log-files.js";
import { RuleIndex, correlationLine, type Inspected, type RuleVerdict } from "../explain.js";

/** --grep explains at most this many lines (the rest are still replayed). */
const MAX_EXPLAINED = 20;

interface Explanation {
  where: string;
  line: string;
  inspected: Inspected;
  rules: RuleVerdict[];
  predicates: string[];
  correlations: string[];
  alerts: Record<string, unknown>[];
}

/** A FILE:LINE argument, when the file exists (a log line may end in :digits too). */
function fileAndLine(arg: string): { file: string; line: number } | null {
  const m = /^(.+):(\d+)$/.exec(arg);
  if (!m || !existsSync(m[1]) || statSync(m[1]).isDirectory()) return null;
  return { file: m[1], line: Number(m[2]) };
}

export function cmdExplain(p: Parsed): number {
  const parser = str(p, "parser") as ParserName | undefined;
  if (parser && !PARSER_NAMES.includes(parser)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  const grep = str(p, "grep");
  if (grep !== undefined && grep === "") throw new UsageError("--grep needs some text to look for");
  if (p.positional.length !== 1) throw new UsageError(grep !== undefined ? "--grep TEXT takes one log file" : "explain takes one log line in quotes, or FILE:LINE (see tripline explain --help)");
  const arg = p.positional[0];
  const at = grep === undefined ? fileAndLine(arg) : null;
  // FILE:LINE with no such file: say so, rather than explain the name as a log line.
  if (grep === undefined && !at && /^[^\s"]+:\d+$/.test(arg)) throw new UsageError(`log file '${arg.replace(/:\d+$/, "")}' does not exist`);
  if (grep !== undefined && !existsSync(arg)) throw new UsageError(`log file '${arg}' does not exist`);
  // A bare log file: which line? (Explaining its name as a log line helps nobody.)
  if (grep === undefined && !at && existsSync(arg) && statSync(arg).isFile()) throw new UsageError(`'${arg}' is a file: give FILE:LINE (${arg}:1 is its first line) or --grep TEXT ${arg}`);
  if (at && at.line < 1) throw new UsageError(`line numbers start at 1 (got ${arg})`);
  const options = compileOptions(p);
  const replay: ReplayOptions = { parser, year: positive(p, "year") ?? new Date().getUTCFullYear(), tag: str(p, "tag") ?? "logs", namespace: options.namespace };
  const { rules, program } = compileSources(readSources(rulePaths(list(p, "rules"))), options);
  const host = new FluentBitHost(buildModule(program.bytes));
  const index = new RuleIndex(rules);
  const focus = list(p, "rule");
  const ids = new Set(rules.rules.map((r) => r.id));
  for (const id of focus) if (!ids.has(id)) throw new UsageError(`--rule '${id}' is no detection rule of the rules given`);
  const namespace = options.namespace ?? "tripline";

  const explain = (where: string, line: string, time: number, json: string): Explanation => {
    const inspected = host.inspect(replay.tag, time, json) as unknown as Inspected;
    const outcome = host.call(replay.tag, time, json);
    const ns = outcome.kind === "record" ? (outcome.body[namespace] as { alerts?: Record<string, unknown>[] } | undefined) : undefined;
    const alerts = ns?.alerts ?? [];
    return {
      where,
      line,
      inspected,
      rules: inspected.readable ? index.verdicts(inspected, replay.tag, focus) : [],
      predicates: index.predicates(inspected.predicates ?? []),
      correlations: (inspected.correlations ?? []).map((c) => correlationLine(c, alerts.find((a) => a.rule === c.rule))),
      alerts,
    };
  };

  const out: Explanation[] = [];
  let more = 0;
  if (grep === undefined && !at) {
    const r = recordOf(arg, replay, 0);
    out.push(explain("(line)", arg, r.time, r.json));
  } else {
    const file = at ? at.file : arg;
    const { log } = openLog(file);
    for (const r of records(log.lines(), replay)) {
      // Records skip blank lines: passing the line asked for without a record means it was blank.
      if (at && r.line > at.line) throw new UsageError(`${file}:${at.line} is an empty line`);
      const wanted = at ? r.line === at.line : r.text.includes(grep!);
      if (wanted && out.length < MAX_EXPLAINED) out.push(explain(`${file}:${r.line}`, r.text, r.time, r.json));
      else {
        if (wanted) more++;
        host.call(replay.tag, r.time, r.json);
      }
      if (at && r.line >= at.line) break;
    }
    if (at && out.length === 0) {
      let lines = 0;
      for (const _ of log.lines()) lines++;
      throw new UsageError(at.line > lines ? `${file} has ${lines} line(s), not ${at.line}` : `${file}:${at.line} is an empty line`);
    }
    if (out.length === 0) throw new UsageError(`no line of ${file} contains ${JSON.stringify(grep)}`);
  }

  if (flag(p, "json")) {
    // Rules neither matched nor near: left out, as in the text.
    console.log(JSON.stringify(out.map(({ inspected, rules, ...rest }) => ({ ...rest, rules: rules.filter((r) => r.matched || r.nearMiss), module: inspected })), null, 2));
    return 0;
  }
  out.forEach((e, k) => {
    if (k > 0) console.log("");
    print(e, index.set.rules.length);
  });
  if (more > 0) console.log(`\n(${more} more matching line(s) not explained: narrow --grep)`);
  return 0;
}

function print(e: Explanation, ruleCount: number): void {
  const i = e.inspected;
  console.log(`${e.where}\n  ${e.line}`);
  if (!i.readable) {
    console.log("Not one JSON object: the filter passes it on unchanged and counts it as not read.");
    return;
  }
  console.log(`Read as: ${i.shape}${(i.formats ?? []).length ? ` (${i.formats!.join(", ")})` : ", no known format"}; event time ${i.time}`);
  const fields = Object.entries(i.fields ?? {});
  console.log(`Fields (${fields.length}):`);
  const width = Math.max(0, ...fields.map(([k]) => k.length));
  for (const [k, v] of fields) console.log(`  ${k.padEnd(width)}  ${JSON.stringify(v)}${i.url_decoded?.[k] !== undefined ? `  (url-decoded: ${JSON.stringify(i.url_decoded[k])})` : ""}`);
  console.log(`Tests that held (${e.predicates.length}):`);
  for (const d of e.predicates) console.log(`  ${d}`);
  const matched = e.rules.filter((r) => r.matched);
  console.log(`Rules matched (${matched.length}):`);
  for (const r of matched) console.log(`  ${r.id}  ${r.level}  ${r.title}${r.silentFor ? `  [generate: false: feeds ${r.silentFor.join(", ")}; the record lists it only beside an alert]` : ""}`);
  const near = e.rules.filter((r) => !r.matched && r.nearMiss);
  if (near.length > 0) {
    console.log(`Near misses (${near.length}: some test held, or asked with --rule; the rule did not match):`);
    for (const r of near) console.log(`  ${r.id}: ${r.nearMiss}`);
  }
  console.log(`Correlations fed (${e.correlations.length}):`);
  for (const c of e.correlations) console.log(`  ${c}`);
  const rest = ruleCount - matched.length - near.length;
  if (rest > 0) console.log(`(${rest} other rule(s): none of their tests held)`);
}
