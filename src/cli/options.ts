// Options shared by the commands that compile rules (build, check, test):
// the same names, the same checks, the same one-line mistakes, so `check`
// fails exactly when `build` would.
import { existsSync } from "node:fs";
import { UsageError, type Parsed } from "./args.js";
import { ruleFiles, DEFAULT_RULES, type CompileOptions } from "../compiler/compile.js";
import { MAX_KEYS } from "../compiler/program/encode.js";
import { MAX_SHARDS } from "../compiler/schema.js";

export function str(p: Parsed, name: string): string | undefined {
  const v = p.options[name];
  return typeof v === "string" ? v : undefined;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.options[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

export function flag(p: Parsed, name: string): boolean {
  return p.options[name] === true;
}

export function mustExist(file: string, what: string): void {
  if (!existsSync(file)) throw new UsageError(`${what} '${file}' does not exist`);
}

/** A positive number option, or undefined when absent. */
export function positive(p: Parsed, name: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} needs a positive number, got '${v}'`);
  return n;
}

function keyCap(p: Parsed): number | undefined {
  const n = positive(p, "max-keys");
  if (n !== undefined && (!Number.isInteger(n) || n > MAX_KEYS)) throw new UsageError(`--max-keys must be a whole number from 1 to ${MAX_KEYS}`);
  return n;
}

/** 0 is allowed: it turns the statistics off. */
function statsInterval(p: Parsed): number | undefined {
  const v = str(p, "stats-interval");
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--stats-interval needs a number of seconds (0 turns statistics off), got '${v}'`);
  return n;
}

function seed(p: Parsed): bigint | undefined {
  const v = str(p, "seed");
  if (v === undefined) return undefined;
  if (!/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(v) || BigInt(v) >= 2n ** 64n) throw new UsageError(`--seed needs a whole number from 0 to 2^64-1 (decimal or 0x hex), got '${v}'`);
  return BigInt(v);
}

/** Aggregators of a fleet (`--shards N`, see src/cli/fleet-config.ts). */
function shardCount(p: Parsed): number | undefined {
  const n = positive(p, "shards");
  if (n !== undefined && (!Number.isInteger(n) || n > MAX_SHARDS)) throw new UsageError(`--shards must be a whole number from 1 to ${MAX_SHARDS}`);
  return n;
}

const SAFE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export function compileOptions(p: Parsed): CompileOptions {
  const fields = str(p, "fields");
  if (fields) mustExist(fields, "field mapping");
  const namespace = str(p, "namespace");
  if (namespace !== undefined && !SAFE_KEY.test(namespace)) throw new UsageError(`--namespace '${namespace}' is not usable as a record key: use 1-64 of A-Z a-z 0-9 _ . -`);
  return {
    fieldMapFile: fields,
    namespace,
    maxKeys: keyCap(p),
    latenessSec: positive(p, "lateness"),
    statsIntervalSec: statsInterval(p),
    seed: seed(p),
    shards: shardCount(p),
  };
}

/** The rule files named (default: the bundled pack); a missing path or an empty folder is a usage error. */
export function rulePaths(paths: string[]): string[] {
  const chosen = paths.length > 0 ? paths : [DEFAULT_RULES];
  for (const r of chosen) mustExist(r, "rule path");
  const files = ruleFiles(chosen);
  if (files.length === 0) throw new UsageError(`no rule files (.yml, .yaml) in ${chosen.join(", ")}`);
  return files;
}
