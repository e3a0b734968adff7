// Test helpers: modules built from rule text, run through the Fluent Bit-exact host.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FluentBitHost, type Outcome } from "../../src/host/host.js";
import { compileSources, type CompileOptions } from "../../src/compiler/compile.js";
import { PACKAGE_ROOT, buildModule } from "../../src/compiler/module.js";

export const BUILD = path.join(PACKAGE_ROOT, "build");

/** The module `tripline build` makes of `rules` (YAML text), in a fresh host. */
export function hostFor(rules: string, options: CompileOptions = {}): FluentBitHost {
  return new FluentBitHost(moduleFor(rules, options));
}

/** The module `tripline build` makes of `rules` (YAML text). */
export function moduleFor(rules: string, options: CompileOptions = {}): Uint8Array {
  const { program } = compileSources([{ path: "rules.yml", text: rules }], { seed: 7, ...options });
  return buildModule(program.bytes);
}

/** The embedded build with the default rule pack, as Fluent Bit loads it. */
export function releaseHost(): FluentBitHost {
  return new FluentBitHost(readFileSync(path.join(BUILD, "tripline.wasm")));
}

export function body(outcome: Outcome): Record<string, unknown> {
  if (outcome.kind !== "record") throw new Error(`expected a record, got ${JSON.stringify(outcome)}`);
  return outcome.body;
}

export function namespaceOf(outcome: Outcome, key = "tripline"): Record<string, unknown> | undefined {
  return body(outcome)[key] as Record<string, unknown> | undefined;
}
