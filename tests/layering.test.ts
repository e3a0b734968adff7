// The module's folders follow the one-way flow the README describes:
// record -> fields -> predicates (match) -> rules -> redact -> correlation ->
// stats -> output, with runtime/ (shared helpers) below all of them and
// program/ (decoding the rule program, handing each stage its tables) on
// top. A stage may import itself, earlier stages and runtime/, never a later
// one; pipeline.ts and index.ts, the entry points, may import anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { filesBelow } from "../src/walk.js";

const ASSEMBLY = path.join(PACKAGE_ROOT, "assembly");
const STAGES = ["runtime", "record", "fields", "match", "rules", "redact", "correlation", "stats", "output", "program"];

const files = (dir: string): string[] => filesBelow([dir], (file) => file.endsWith(".ts"));

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

const COMPILER = path.join(PACKAGE_ROOT, "src", "compiler");
// YAML with positions -> field names -> rules -> automata (match) -> program bytes.
const COMPILER_STAGES = ["yaml", "fields", "rules", "match", "program"];
// Top-level files the stages may use: the rule IR, the budgets, the program schema, the module's location, the on-disk cache.
const COMPILER_BASE = new Set(["ir.ts", "limits.ts", "schema.ts", "module.ts", "cache.ts"]);

test("src/compiler/: yaml -> fields -> rules -> match -> program, each using only earlier stages and the shared base files", () => {
  const wrong: string[] = [];
  let checked = 0;
  for (const file of files(COMPILER)) {
    const rel = path.relative(COMPILER, file).split(path.sep);
    if (rel.length < 2) continue; // compile.ts, module.ts, ...: the top
    const from = COMPILER_STAGES.indexOf(rel[0]);
    for (const m of readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gm)) {
      checked++;
      const target = path.relative(COMPILER, path.resolve(path.dirname(file), m[1].replace(/\.js$/, ".ts"))).split(path.sep);
      if (target.length === 1) {
        if (!COMPILER_BASE.has(target[0])) wrong.push(`${rel.join("/")} imports ${m[1]}, a top-level file that is not shared base`);
        continue;
      }
      const to = COMPILER_STAGES.indexOf(target[0]);
      if (to < 0 || to > from) wrong.push(`${rel.join("/")} (${rel[0]}) imports ${m[1]} (${target[0]}, a later stage)`);
    }
  }
  assert.ok(checked > 50, `only ${checked} imports seen`);
  assert.deepEqual(wrong, []);
});
