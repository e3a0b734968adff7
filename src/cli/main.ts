// The `tripline` command. User mistakes end in one line on stderr and exit
// code 2 (usage) or 1 (bad rules, failed suites); never a stack trace.
import { existsSync, readFileSync, statSync, writeFileSync, readdirSync, renameSync } from "node:fs";
import path from "node:path";
import { parseArgs, UsageError, type Parsed } from "./args.js";
import { HELP } from "./help.js";
import { classicConfig, yamlConfig } from "./fluent-bit-config.js";
import { readSuite, runSuite } from "./suite.js";
import { printSummary, Progress } from "./report.js";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES, isRuleError, type CompileOptions } from "../compiler/compile.js";
import { buildModule, PACKAGE_ROOT } from "../compiler/module.js";
import { MAX_KEYS } from "../compiler/program/encode.js";
import { FluentBitHost } from "../host/host.js";
import { emptyResult, replayText } from "../logs/replay.js";
import { PARSER_NAMES, type ParserName } from "../logs/parsers.js";
import { notifyCommand } from "../notify/command.js";

const DEV_WASM = path.join(PACKAGE_ROOT, "build", "tripline-dev.wasm");

function str(p: Parsed, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === "string" ? v : undefined;
}

function list(p: Parsed, name: string): string[] {
  const v = p.options[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

function mustExist(file: string, what: string): void {
  if (!existsSync(file)) throw new UsageError(`${what} '${file}' does not exist`);
}

function number(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} needs a positive number, got '${v}'`);
  return n;
}

function keyCap(p: Parsed): number | undefined {
  const n = number(p, "max-keys");
  if (n !== undefined && (!Number.isInteger(n) || n > MAX_KEYS)) throw new UsageError(`--max-keys must be a whole number from 1 to ${MAX_KEYS}`);
  return n;
}

/** 0 is allowed here: it turns the statistics off. */
function statsInterval(p: Parsed): number | undefined {
  const v = str(p, "stats-interval");
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--stats-interval needs a number of seconds (0 turns statistics off), got '${v}'`);
  return n;
}

function compileOptions(p: Parsed): CompileOptions {
  const fields = str(p, "fields");
  if (fields) mustExist(fields, "field mapping");
  return {
    fieldMapFile: fields,
    namespace: str(p, "namespace"),
    maxKeys: keyCap(p),
    latenessSec: number(p, "lateness"),
    statsIntervalSec: statsInterval(p),
  };
}

function rulePaths(paths: string[]): string[] {
  const chosen = paths.length > 0 ? paths : [DEFAULT_RULES];
  for (const r of chosen) mustExist(r, "rule path");
  const files = ruleFiles(chosen);
  if (files.length === 0) throw new UsageError(`no rule files (.yml, .yaml) in ${chosen.join(", ")}`);
  return files;
}

/** A development module with the rules loaded: replays need no AssemblyScript build. */
function hostForRules(paths: string[], options: CompileOptions): FluentBitHost {
  const { program } = compileSources(readSources(rulePaths(paths)), options);
  const host = new FluentBitHost(readFileSync(DEV_WASM));
  host.loadProgram(program.bytes);
  return host;
}

async function cmdBuild(p: Parsed): Promise<number> {
  const out = str(p, "out") ?? "tripline.wasm";
  const files = rulePaths(p.positional);
  const { program } = compileSources(readSources(files), compileOptions(p));
  const started = Date.now();
  const wasm = await buildModule(program.bytes);
  // Written whole or not at all.
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, wasm);
  renameSync(tmp, out);
  const s = program.stats;
  console.log(`${out}: ${s.rules} rules, ${s.correlations} correlations, ${s.predicates} predicates in ${s.automata} automata (${s.states} states), ${wasm.length} bytes, built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

function cmdCheck(p: Parsed): number {
  const files = rulePaths(p.positional);
  const { program } = compileSources(readSources(files), compileOptions(p));
  const s = program.stats;
  console.log(`ok: ${files.length} file(s), ${s.rules} rules, ${s.correlations} correlations`);
  return 0;
}

function cmdConfig(p: Parsed): number {
  const format = str(p, "format") ?? "classic";
  if (format !== "classic" && format !== "yaml") throw new UsageError(`--format is classic or yaml, not '${format}'`);
  const parser = str(p, "parser");
  if (parser && !PARSER_NAMES.includes(parser as ParserName)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  if (p.positional.length > 0) throw new UsageError(`'config' takes no arguments (got '${p.positional[0]}')`);
  const options = {
    wasm: str(p, "wasm") ?? "tripline.wasm",
    match: str(p, "match") ?? "logs.*",
    log: str(p, "log") ?? "/var/log/nginx/access.log",
    parser,
    alertField: "tripline_alert",
    fromHead: p.options["from-head"] === true,
  };
  process.stdout.write(format === "yaml" ? yamlConfig(options) : classicConfig(options));
  return 0;
}

function suiteFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    mustExist(p, "suite path");
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const full = path.join(p, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.suite\.ya?ml$/.test(name)) out.push(full);
      }
    } else out.push(p);
  };
  paths.forEach(walk);
  if (out.length === 0) throw new UsageError(`no suites (*.suite.yml) in ${paths.join(", ")}`);
  return out;
}

function cmdSuites(p: Parsed): number {
  const json = p.options.json === true;
  const hosts = new Map<string, FluentBitHost>();
  let failed = 0;
  const report: unknown[] = [];
  for (const file of suiteFiles(list(p, "suite"))) {
    const suite = readSuite(file);
    const rules = suite.rules ?? list(p, "rules");
    const key = JSON.stringify(rules);
    // Each suite starts from fresh state: windows must not leak between suites.
    hosts.delete(key);
    const host = hostForRules(rules, compileOptions(p));
    hosts.set(key, host);
    const outcome = runSuite(suite, host);
    if (outcome.problems.length > 0) failed++;
    if (json) report.push({ file, name: suite.name, ok: outcome.problems.length === 0, problems: outcome.problems });
    else {
      console.log(`${outcome.problems.length === 0 ? "ok  " : "FAIL"} ${path.relative(process.cwd(), file)}: ${suite.name} (${outcome.result.records} records, ${outcome.result.alerts.length} alerts)`);
      for (const problem of outcome.problems) console.log(`     ${problem}`);
    }
  }
  const total = json ? report.length : suiteFiles(list(p, "suite")).length;
  if (json) console.log(JSON.stringify({ suites: report, passed: total - failed, failed }, null, 2));
  else console.log(`\n${total - failed} suite(s) passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function cmdTest(p: Parsed): number {
  if (list(p, "suite").length > 0) return cmdSuites(p);
  if (p.positional.length === 0) throw new UsageError("no log files given (see tripline test --help)");
  const parser = str(p, "parser") as ParserName | undefined;
  if (parser && !PARSER_NAMES.includes(parser)) throw new UsageError(`unknown parser '${parser}' (expected ${PARSER_NAMES.join(", ")})`);
  const year = number(p, "year") ?? new Date().getUTCFullYear();
  const wasm = str(p, "wasm");
  let host: FluentBitHost;
  if (wasm) {
    mustExist(wasm, "module");
    host = new FluentBitHost(readFileSync(wasm));
  } else {
    host = hostForRules(list(p, "rules"), compileOptions(p));
  }
  const result = emptyResult();
  const files: string[] = [];
  for (const f of p.positional) {
    mustExist(f, "log file");
    if (statSync(f).isDirectory()) {
      for (const name of readdirSync(f).sort()) if (statSync(path.join(f, name)).isFile()) files.push(path.join(f, name));
    } else files.push(f);
  }
  let total = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const progress = new Progress(file, text);
    const before = result.records;
    // Files without a parser of their own pick one from their name (nginx*.log -> raw lines still; see README).
    replayText(host, text, file, { parser, year, tag: str(p, "tag") ?? "logs" }, result, (n) => progress.update(n));
    progress.done();
    total += result.records - before;
  }
  if (total === 0) throw new UsageError(`no records in ${files.join(", ")} (the files are empty)`);
  printSummary(result, { json: p.options.json === true, alertsOnly: p.options["alerts-only"] === true });
  return result.lost > 0 ? 1 : 0;
}

const SPECS = {
  build: { out: { value: true, short: "o" }, fields: { value: true }, namespace: { value: true }, "max-keys": { value: true }, lateness: { value: true }, "stats-interval": { value: true }, help: { value: false, short: "h" } },
  check: { fields: { value: true }, help: { value: false, short: "h" } },
  config: { format: { value: true }, wasm: { value: true }, match: { value: true }, log: { value: true }, parser: { value: true }, "from-head": { value: false }, help: { value: false, short: "h" } },
  test: {
    rules: { value: true, short: "r", repeat: true },
    parser: { value: true, short: "p" },
    wasm: { value: true },
    fields: { value: true },
    tag: { value: true },
    year: { value: true },
    json: { value: false },
    "alerts-only": { value: false },
    suite: { value: true, repeat: true },
    namespace: { value: true },
    "max-keys": { value: true },
    lateness: { value: true },
    "stats-interval": { value: true },
    help: { value: false, short: "h" },
  },
} as const;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(HELP.main);
    return command ? 0 : 2;
  }
  if (command === "--version" || command === "-v") {
    console.log(JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).version);
    return 0;
  }
  if (command === "notify") return notifyCommand(rest);
  if (!(command in SPECS)) throw new UsageError(`unknown command '${command}' (expected build, test, check or config; see tripline --help)`);
  const parsed = parseArgs(rest, SPECS[command as keyof typeof SPECS], command);
  if (parsed.options.help) {
    console.log(HELP[command]);
    return 0;
  }
  switch (command) {
    case "build":
      return cmdBuild(parsed);
    case "check":
      return cmdCheck(parsed);
    case "config":
      return cmdConfig(parsed);
    default:
      return cmdTest(parsed);
  }
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`tripline: ${err.message}`);
      process.exitCode = 2;
    } else if (isRuleError(err)) {
      console.error(err.message);
      process.exitCode = 1;
    } else if ((err as NodeJS.ErrnoException).code === "EACCES" || (err as NodeJS.ErrnoException).code === "EISDIR") {
      console.error(`tripline: ${(err as Error).message}`);
      process.exitCode = 2;
    } else {
      console.error(`tripline: internal error: ${(err as Error).message} (please report it with the command you ran)`);
      process.exitCode = 70;
    }
  }
}
