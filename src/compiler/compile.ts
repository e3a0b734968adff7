// The rule compiler's front door: rule files and folders -> validated rules
// -> program bytes -> module. Nothing is written when anything is wrong.
import { readFileSync } from "node:fs";
import { filesBelow } from "../walk.js";
import path from "node:path";
import { loadRules, type SourceFile } from "./rules/load.js";
import { loadFieldMap } from "./fields/map.js";
import { fieldReachWarnings } from "./rules/field-reach.js";
import { encodeProgram, type EncodeOptions, type Program } from "./program/encode.js";
import { buildModule, PACKAGE_ROOT } from "./module.js";
import { RuleErrors, RuleError, type RuleSet, type RuleWarning } from "./ir.js";

export const DEFAULT_RULES = path.join(PACKAGE_ROOT, "rules");

export interface CompileOptions extends EncodeOptions {
  /** A YAML file mapping Sigma field names to record keys, merged over the defaults. */
  fieldMapFile?: string;
}

/** Rule files named directly, plus every .yml/.yaml below named folders except suites (sorted, so builds repeat). */
export function ruleFiles(paths: string[]): string[] {
  return filesBelow(paths, (file) => /\.ya?ml$/.test(file) && !/\.suite\.ya?ml$/.test(file));
}

export function readSources(files: string[]): SourceFile[] {
  return files.map((file) => ({ path: file, text: readFileSync(file, "utf8") }));
}

export interface Compiled {
  rules: RuleSet;
  program: Program;
  /** What compiles but cannot work as meant (a group-by field no record can carry). */
  warnings: RuleWarning[];
}

export function compileSources(sources: SourceFile[], options: CompileOptions = {}): Compiled {
  const fieldMap = options.fieldMapFile ? loadFieldMap({ path: options.fieldMapFile, text: readFileSync(options.fieldMapFile, "utf8") }) : undefined;
  const rules = loadRules(sources, { fieldMap, cacheDir: options.cacheDir });
  const program = encodeProgram(rules, options);
  return { rules, program, warnings: fieldReachWarnings(rules) };
}

/** Rules in, a module out: the engine with the compiled program placed in it. */
export function buildWasm(sources: SourceFile[], options: CompileOptions = {}): Compiled & { wasm: Uint8Array } {
  const compiled = compileSources(sources, options);
  return { ...compiled, wasm: buildModule(compiled.program.bytes) };
}

export function isRuleError(err: unknown): err is RuleErrors | RuleError {
  return err instanceof RuleErrors || err instanceof RuleError;
}
