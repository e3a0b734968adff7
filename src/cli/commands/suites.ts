// `tripline test --suite PATH...`: rule test suites (src/cli/suite.ts).
// Each suite runs on a fresh module, so no window leaks between suites. A
// suite that cannot be read or compiled is reported and the others still
// run; the exit code is 2 when any suite was invalid, else 1 when any failed.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Parsed } from "../args.js";
import { UsageError } from "../args.js";
import { compileOptions, list, flag, mustExist, rulePaths } from "../options.js";
import { readSuite, runSuite, unknownIds, updatedSuite } from "../suite.js";
import { filesBelow } from "../../walk.js";
import { compileSources, readSources, isRuleError, type CompileOptions } from "../../compiler/compile.js";
import { buildModule } from "../../compiler/module.js";
import { FluentBitHost } from "../../host/host.js";

function suiteFiles(paths: string[]): string[] {
  for (const p of paths) mustExist(p, "suite path");
  const out = filesBelow(paths, (file) => /\.suite\.ya?ml$/.test(file));
  if (out.length === 0) throw new UsageError(`no suites (*.suite.yml) in ${paths.join(", ")}`);
  return out;
}

interface Compiled {
  module: WebAssembly.Module;
  ids: Set<string>;
}

/** Compiles each distinct rule set once; every suite still gets its own instance. */
function compiler(options: CompileOptions): (paths: string[]) => Compiled {
  const cache = new Map<string, Compiled>();
  return (paths) => {
    const files = rulePaths(paths);
    const key = JSON.stringify(files);
    let c = cache.get(key);
    if (!c) {
      const { rules, program } = compileSources(readSources(files), options);
      c = { module: new WebAssembly.Module(buildModule(program.bytes) as Uint8Array<ArrayBuffer>), ids: new Set([...rules.rules.map((r) => r.id), ...rules.correlations.map((r) => r.id)]) };
      cache.set(key, c);
    }
    return c;
  };
}

export function cmdSuites(p: Parsed): number {
  const json = flag(p, "json");
  const update = flag(p, "update");
  const files = suiteFiles(list(p, "suite"));
  const options = compileOptions(p);
  const compile = compiler(options);
  let failed = 0;
  let invalid = 0;
  const report: unknown[] = [];
  const known = new Set<string>();
  const exercised = new Set<string>();
  for (const file of files) {
    const shown = path.relative(process.cwd(), file) || file;
    let problems: string[];
    let summary = "";
    let name = path.basename(file);
    let error: string | null = null;
    try {
      const suite = readSuite(file);
      name = suite.name;
      const compiled = compile(suite.rules ?? list(p, "rules"));
      for (const id of compiled.ids) known.add(id);
      const bad = unknownIds(suite, compiled.ids);
      if (bad.length > 0) throw new UsageError(bad.join("\n"));
      const outcome = runSuite(suite, new FluentBitHost(compiled.module), options.namespace);
      for (const id of Object.keys(outcome.result.matches)) exercised.add(id);
      for (const a of outcome.result.alerts) exercised.add(a.rule);
      summary = ` (${outcome.result.records} records, ${outcome.result.alerts.length} alerts)`;
      problems = outcome.problems;
      if (update && problems.length > 0) {
        writeFileSync(file, updatedSuite(suite, outcome.result));
        // Record expectations are not rewritten: those still failing stay failures.
        problems = runSuite(readSuite(file), new FluentBitHost(compiled.module), options.namespace).problems;
        summary += " updated";
      }
    } catch (err) {
      if (!(err instanceof UsageError) && !isRuleError(err)) throw err;
      error = (err as Error).message;
      problems = error.split("\n");
    }
    if (error !== null) invalid++;
    else if (problems.length > 0) failed++;
    const status = error !== null ? "ERROR" : problems.length === 0 ? "ok" : "FAIL";
    if (json) report.push({ file, name, status, problems });
    else {
      console.log(`${status.padEnd(5)} ${shown}: ${name}${summary}`);
      for (const problem of problems) console.log(`      ${problem}`);
    }
  }
  const uncovered = flag(p, "coverage") ? [...known].filter((id) => !exercised.has(id)).sort() : null;
  const passed = files.length - failed - invalid;
  if (json) console.log(JSON.stringify({ suites: report, passed, failed, invalid, ...(uncovered ? { uncovered } : {}) }, null, 2));
  else {
    if (uncovered) {
      console.log(`\nCoverage: ${known.size - uncovered.length} of ${known.size} rules matched or alerted in some suite`);
      if (uncovered.length > 0) console.log(`Rules no suite exercises:\n${uncovered.map((id) => `  ${id}`).join("\n")}`);
    }
    console.log(`\n${passed} suite(s) passed, ${failed} failed${invalid ? `, ${invalid} invalid` : ""}`);
  }
  return invalid > 0 ? 2 : failed > 0 ? 1 : 0;
}
