// `tripline test`: replays log files through the module `tripline build`
// would write (or a built one, --wasm), exactly as Fluent Bit calls it,
// with each line's own time. Several files are merged into one stream in
// event-time order, as live traffic would arrive.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { filesBelow } from "../../walk.js";
import { UsageError, type Parsed } from "../args.js";
import { compileOptions, rulePaths, str, list, flag, positive, mustExist } from "../options.js";
import { printSummary, Progress } from "../report.js";
import { compileSources, readSources, type CompileOptions } from "../../compiler/compile.js";
import { buildModule } from "../../compiler/module.js";
import { FluentBitHost } from "../../host/host.js";
import { emptyResult, replayFiles, type LogFile } from "../../logs/replay.js";
import { PARSER_NAMES, type ParserName } from "../../logs/parsers.js";

/** The module `tripline build` would write for these rules, ready to replay through. */
export function hostForRules(paths: string[], options: CompileOptions): FluentBitHost {
  const { program } = compileSources(readSources(rulePaths(paths)), options);
  return new FluentBitHost(buildModule(program.bytes));
}

/** Extensions that are never logs (configs, code, modules): skipped when found in a folder. */
const NOT_LOGS = /\.(conf|ya?ml|toml|json5|lua|wasm|aot|js|ts|md|png|jpg|gif|zip|tar)$/i;

function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

function readLog(file: string): string {
  let bytes: Uint8Array;
  try {
    bytes = file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (file.endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new UsageError(`cannot read '${file}': not a gzip file`);
    }
  }
  return new TextDecoder().decode(bytes);
}

/** Log files named directly or found below folders; files that are not logs are skipped, with a line saying so. */
export function logFiles(paths: string[], skipped: (file: string, why: string) => void): string[] {
  for (const p of paths) if (p !== "-") mustExist(p, "log file");
  const found = filesBelow(paths.filter((p) => p !== "-"), (file) => {
    if (NOT_LOGS.test(file)) {
      skipped(file, "not a log file (by its name)");
      return false;
    }
    return true;
  });
  const logs = found.filter((file) => {
    if (file.endsWith(".gz") || !looksBinary(readFileSync(file).subarray(0, 8192))) return true;
    skipped(file, "binary, not a log");
    return false;
  });
  return paths.includes("-") ? ["-", ...logs] : logs;
}

export function cmdTest(p: Parsed): number {
  if (p.positional.length === 0) throw new UsageError("no log files given (see tripline test --help)");
  const parser = str(p, "parser") as ParserName | undefined;
  if (parser && !PARSER_NAMES.includes(parser)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  const year = positive(p, "year") ?? new Date().getUTCFullYear();
  const options = compileOptions(p);
  const files = logFiles(p.positional, (file, why) => console.error(`tripline: skipped ${file}: ${why}`));
  if (files.length === 0) throw new UsageError(`no log files in ${p.positional.join(", ")}`);
  const wasm = str(p, "wasm");
  let host: FluentBitHost;
  if (wasm) {
    mustExist(wasm, "module");
    host = new FluentBitHost(readFileSync(wasm));
  } else {
    host = hostForRules(list(p, "rules"), options);
  }
  const logs: LogFile[] = files.map((file) => ({ file: file === "-" ? "(stdin)" : file, text: readLog(file) }));
  const progress = new Progress(logs.length === 1 ? logs[0].file : `${logs.length} files`, logs.map((l) => l.text).join(""));
  const result = replayFiles(host, logs, { parser, year, tag: str(p, "tag") ?? "logs", namespace: options.namespace }, emptyResult(), (n) => progress.update(n));
  progress.done();
  if (result.records === 0) throw new UsageError(`no records in ${files.join(", ")} (the files are empty)`);
  printSummary(result, { json: flag(p, "json"), alertsOnly: flag(p, "alerts-only"), report: host.report() });
  return result.lost > 0 ? 1 : 0;
}
