// `tripline test --suite PATH...`: rule test suites (src/cli/suite.ts).
// Each suite runs on a fresh module, so no window leaks between suites.
import path from "node:path";
import type { Parsed } from "../args.js";
import { UsageError } from "../args.js";
import { compileOptions, list, flag, mustExist } from "../options.js";
import { readSuite, runSuite } from "../suite.js";
import { hostForRules } from "./test.js";
import { filesBelow } from "../../walk.js";

function suiteFiles(paths: string[]): string[] {
  for (const p of paths) mustExist(p, "suite path");
  const out = filesBelow(paths, (file) => /\.suite\.ya?ml$/.test(file));
  if (out.length === 0) throw new UsageError(`no suites (*.suite.yml) in ${paths.join(", ")}`);
  return out;
}

export function cmdSuites(p: Parsed): number {
  const json = flag(p, "json");
  const files = suiteFiles(list(p, "suite"));
  const options = compileOptions(p);
  let failed = 0;
  const report: unknown[] = [];
  for (const file of files) {
    const suite = readSuite(file);
    const host = hostForRules(suite.rules ?? list(p, "rules"), options);
    const outcome = runSuite(suite, host, options.namespace);
    if (outcome.problems.length > 0) failed++;
    if (json) report.push({ file, name: suite.name, ok: outcome.problems.length === 0, problems: outcome.problems });
    else {
      console.log(`${outcome.problems.length === 0 ? "ok  " : "FAIL"} ${path.relative(process.cwd(), file)}: ${suite.name} (${outcome.result.records} records, ${outcome.result.alerts.length} alerts)`);
      for (const problem of outcome.problems) console.log(`     ${problem}`);
    }
  }
  if (json) console.log(JSON.stringify({ suites: report, passed: files.length - failed, failed }, null, 2));
  else console.log(`\n${files.length - failed} suite(s) passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
