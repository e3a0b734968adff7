// `npm run build`, after tsc: writes
//   build/tripline.wasm      the filter with the default rule pack (rules/) embedded
//   build/tripline-dev.wasm  the same engine taking its program at run time (tests, `tripline test`)
//   build/copy-only.wasm     the benchmark floor: copies the record and returns it
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import asc from "assemblyscript/asc";
import { buildWasm, readSources, ruleFiles, DEFAULT_RULES, isRuleError } from "../src/compiler/compile.js";
import { PACKAGE_ROOT } from "../src/compiler/module.js";

const out = path.join(PACKAGE_ROOT, "build");
mkdirSync(out, { recursive: true });

async function compileEntry(entry: string, file: string): Promise<void> {
  const r = await asc.main([entry, "--config", "asconfig.json", "--target", "release", "--outFile", path.join(out, file)], {});
  if (r.error) throw new Error(`asc failed for ${entry}: ${r.error.message}`);
}

try {
  const { wasm, program } = await buildWasm(readSources(ruleFiles([DEFAULT_RULES])));
  writeFileSync(path.join(out, "tripline.wasm"), wasm);
  console.log(`build/tripline.wasm: ${program.stats.rules} rules, ${program.stats.correlations} correlations, ${wasm.length} bytes`);
} catch (err) {
  if (isRuleError(err)) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
await compileEntry("assembly/dev.ts", "tripline-dev.wasm");
await compileEntry("bench/assembly/copy-only.ts", "copy-only.wasm");
console.log("build/tripline-dev.wasm, build/copy-only.wasm");
