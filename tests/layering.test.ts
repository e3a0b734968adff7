// The module's folders follow the one-way flow the README describes:
// record -> fields -> predicates (match) -> rules -> redact -> correlation ->
// stats -> output, with runtime/ (shared helpers) below all of them and
// program/ (decoding the rule program, handing each stage its tables) on
// top. A stage may import itself, earlier stages and runtime/, never a later
// one; pipeline.ts and index.ts, the entry points, may import anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";

const ASSEMBLY = path.join(PACKAGE_ROOT, "assembly");
const STAGES = ["runtime", "record", "fields", "match", "rules", "redact", "correlation", "stats", "output", "program"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const stageOf = (file: string): string => path.relative(ASSEMBLY, file).split(path.sep)[0];

test("assembly/: every stage imports only runtime/, itself and earlier stages", () => {
  const wrong: string[] = [];
  let checked = 0;
  for (const file of files(ASSEMBLY)) {
    const from = STAGES.indexOf(stageOf(file));
    if (from < 0) continue; // pipeline.ts, index.ts
    for (const m of readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gm)) {
      checked++;
      const target = path.resolve(path.dirname(file), m[1]);
      const to = STAGES.indexOf(stageOf(target));
      if (to < 0) wrong.push(`${path.relative(PACKAGE_ROOT, file)} imports ${m[1]}, outside the stages`);
      else if (to > from) wrong.push(`${path.relative(PACKAGE_ROOT, file)} (${STAGES[from]}) imports ${m[1]} (${STAGES[to]}, a later stage)`);
    }
  }
  assert.ok(checked > 50, `only ${checked} imports seen: the pattern no longer finds them`);
  assert.deepEqual(wrong, []);
});
