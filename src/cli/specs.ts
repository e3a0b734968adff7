// The options each command takes (parsed before a command's code is loaded).
import type { OptionSpec } from "./args.js";

/** Options of every command that compiles rules (build, check, test). */
export const COMPILE_SPECS: Record<string, OptionSpec> = {
  fields: { value: true },
  namespace: { value: true },
  "max-keys": { value: true },
  lateness: { value: true },
  "stats-interval": { value: true },
  seed: { value: true },
  shards: { value: true },
};

export const BUILD_SPECS: Record<string, OptionSpec> = {
  out: { value: true, short: "o" },
  aot: { value: false },
  wamrc: { value: true },
  target: { value: true },
  cpu: { value: true },
};

export const TEST_SPECS: Record<string, OptionSpec> = {
  rules: { value: true, short: "r", repeat: true },
  parser: { value: true, short: "p" },
  wasm: { value: true },
  tag: { value: true },
  year: { value: true },
  json: { value: false },
  "alerts-only": { value: false },
  "fail-on-alert": { value: false },
  records: { value: false },
  suite: { value: true, repeat: true },
  update: { value: false },
  coverage: { value: false },
};

export const CONFIG_SPECS: Record<string, OptionSpec> = {
  format: { value: true },
  wasm: { value: true },
  match: { value: true },
  tag: { value: true },
  log: { value: true },
  parser: { value: true },
  "parsers-file": { value: true },
  "from-head": { value: false },
  role: { value: true },
  shards: { value: true },
  index: { value: true },
  storage: { value: true },
};

export const EXPLAIN_SPECS: Record<string, OptionSpec> = {
  rules: { value: true, short: "r", repeat: true },
  parser: { value: true, short: "p" },
  tag: { value: true },
  year: { value: true },
  grep: { value: true },
  rule: { value: true, repeat: true },
  json: { value: false },
};
