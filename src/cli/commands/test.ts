// `tripline test`: replays log files through the module `tripline build`
// would write (or a built one, --wasm), exactly as Fluent Bit calls it,
// with each line's own time. Several files are merged into one stream in
// event-time order, as live traffic would arrive.
import { readFileSync } from "node:fs";
import { UsageError, type Parsed } from "../args.js";
import { compileOptions, rulePaths, str, list, flag, positive, mustExist } from "../options.js";
import { printSummary, recordLine, Progress, groupByKeys } from "../report.js";
import { checkLogPaths, findLogs, skippedLine } from "../log-files.js";
import { compileSources, readSources, type CompileOptions } from "../../compiler/compile.js";
import type { RuleSet } from "../../compiler/ir.js";
import { buildModule } from "../../compiler/module.js";
import { FluentBitHost } from "../../host/host.js";
import { emptyResult, replayFiles, type OnOutcome } from "../../logs/replay.js";
import { PARSER_NAMES, type ParserName } from "../../logs/parsers.js";

/** The module `tripline build` would write for these rules, ready to replay through, and the rules. */
export function hostForRules(paths: string[], options: CompileOptions): { host: FluentBitHost; rules: RuleSet } {
  const { program, rules } = compileSources(readSources(rulePaths(paths)), options);
  return { host: new FluentBitHost(buildModule(program.bytes)), rules };
}

export function cmdTest(p: Parsed): number {
  if (p.positional.length === 0) throw new UsageError("no log files given (see tripline test --help; - reads standard input)");
  const parser = str(p, "parser") as ParserName | undefined;
  if (parser && !PARSER_NAMES.includes(parser)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  const year = positive(p, "year") ?? new Date().getUTCFullYear();
  const options = compileOptions(p);
  checkLogPaths(p.positional);
  const wasm = str(p, "wasm");
  if (wasm) mustExist(wasm, "module");
  // A built module (--wasm) carries no rule names: its report then says less.
  const { host, rules } = wasm ? { host: new FluentBitHost(readFileSync(wasm)), rules: undefined } : hostForRules(list(p, "rules"), options);
  const replay = { parser, year, tag: str(p, "tag") ?? "logs", namespace: options.namespace };
  const { logs, skipped } = findLogs(p.positional, host, replay);
  const named = p.positional.map((f) => (f === "-" ? "standard input" : `'${f}'`)).join(", ");
  if (logs.length === 0) throw new UsageError(`no log files in ${named}${skipped.length > 0 ? ` (${skippedLine(skipped)})` : ""}`);
  if (skipped.length > 0) console.error(`tripline: ${skippedLine(skipped)}`);
  const progress = new Progress(logs.length === 1 ? logs[0].file : `${logs.length} files`, logs.reduce((n, log) => n + log.bytes, 0));
  const alertField = `${options.namespace ?? "tripline"}_alert`;
  const json = flag(p, "json");
  // --records: each output record as it leaves (in --json, a list in the report).
  const outputs: unknown[] = [];
  const onOutcome: OnOutcome | undefined = !flag(p, "records")
    ? undefined
    : json
      ? (outcome, file, line) => outputs.push({ file, line, ...(outcome.kind === "record" ? { record: outcome.body } : { outcome: outcome.kind }) })
      : (outcome, file, line) => console.log(recordLine(outcome, file, line, replay.tag, alertField));
  const result = replayFiles(host, logs, replay, emptyResult(), (bytesRead) => progress.update(bytesRead), onOutcome);
  progress.done();
  if (result.records === 0) throw new UsageError(`no records in ${logs.map((l) => (l.file === "(stdin)" ? "standard input" : `'${l.file}'`)).join(", ")} (only empty lines)`);
  if (onOutcome && !json) console.log("");
  printSummary(result, { json, alertsOnly: flag(p, "alerts-only"), report: host.report(), outputs: onOutcome ? outputs : undefined, groupBy: rules ? groupByKeys(rules) : undefined });
  if (result.lost > 0) return 1;
  return flag(p, "fail-on-alert") && result.alerts.some((a) => a.status !== "recovered") ? 1 : 0;
}
