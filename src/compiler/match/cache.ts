// A content-addressed cache of compiled field automata. Building the
// automata of a large pattern set (the default pack's grammar families) is
// most of `tripline build`'s time, and the same pattern set compiles to the
// same automata every time, so they are kept on disk, keyed by a hash of
// everything the result depends on: the patterns in order (their ids
// renumbered 0..n-1, so rule files that number predicates differently
// share an entry), the budgets, and this compiler's version.
//
// Two places are read: the package's own build/automata/ (filled when the
// package is built, read-only; it holds the default pack), then the user's
// cache ($TRIPLINE_CACHE_DIR, else $XDG_CACHE_HOME/tripline/automata, else
// ~/.cache/tripline/automata), which new results are written to.
// TRIPLINE_CACHE=off disables both. A damaged or unreadable entry is
// compiled again, never trusted: each entry carries its own key.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PACKAGE_ROOT } from "../module.js";
import type { Dfa, PatternSpec } from "./types.js";

const FORMAT = 1;

/** The package's read-only cache, filled by `npm run build` with the default pack's automata. */
export const PACKAGE_CACHE = path.join(PACKAGE_ROOT, "build", "automata");

let builder: string | undefined;
/** The automaton builder's own code (this folder), hashed: a changed builder never reads old entries. */
function builderVersion(): string {
  if (builder === undefined) {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const h = createHash("sha256");
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) h.update(f).update(readFileSync(path.join(dir, f)));
    builder = h.digest("hex");
  }
  return builder;
}

export interface CacheOptions {
  maxStates: number;
  maxAutomata: number;
  softStates?: number;
}

interface Entry {
  key: string;
  automata: { classMap: string; classCount: number; stateCount: number; start: number; next: string; emitAnywhere: number[][]; emitAtEnd: number[][]; dead: number }[];
}

function userDir(): string | undefined {
  if (process.env.TRIPLINE_CACHE_DIR) return process.env.TRIPLINE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : undefined);
  return base ? path.join(base, "tripline", "automata") : undefined;
}

const enabled = (): boolean => process.env.TRIPLINE_CACHE !== "off";

function keyOf(patterns: PatternSpec[], options: CacheOptions): string {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, builderVersion(), options.maxStates, options.maxAutomata, options.softStates ?? null]));
  for (const p of patterns) h.update(JSON.stringify([p.op, p.value, p.cased]) + "\n");
  return h.digest("hex");
}

const toBase64 = (a: Uint8Array | Uint32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

function fromBase64U32(s: string): Uint32Array {
  const b = Buffer.from(s, "base64");
  const out = new Uint32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

function read(dir: string, key: string): Entry | undefined {
  const file = path.join(dir, key.slice(0, 2), `${key}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry;
    return entry.key === key ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (a temporary file renamed), so a reader never sees half an entry; failures only cost the cache. */
function write(dir: string, entry: Entry): void {
  try {
    const sub = path.join(dir, entry.key.slice(0, 2));
    mkdirSync(sub, { recursive: true });
    const tmp = path.join(sub, `.${entry.key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(entry));
    renameSync(tmp, path.join(sub, `${entry.key}.json`));
  } catch {
    // A read-only home or a full disk: the next build compiles again.
  }
}

/**
 * The automata of `patterns`, from the cache or from `compile` (whose result
 * is then stored). Pattern ids in the automata are renumbered to the
 * caller's. `writeTo` overrides where a new result goes (the package build
 * fills PACKAGE_CACHE).
 */
export function cachedAutomata(patterns: PatternSpec[], options: CacheOptions, compile: (local: PatternSpec[]) => Dfa[], writeTo?: string): Dfa[] {
  const local = patterns.map((p, i) => ({ ...p, id: i }));
  if (!enabled()) return renumber(compile(local), patterns);
  const key = keyOf(patterns, options);
  const user = userDir();
  const target = writeTo ?? user;
  // Where the result goes first, then the package's, then the user's: each directory once.
  for (const dir of new Set([target, PACKAGE_CACHE, user])) {
    const hit = dir ? read(dir, key) : undefined;
    if (!hit) continue;
    if (target && dir !== target) write(target, hit);
    return renumber(hit.automata.map(decode), patterns);
  }
  const built = compile(local);
  if (target) write(target, { key, automata: built.map(encode) });
  return renumber(built, patterns);
}

function encode(d: Dfa): Entry["automata"][number] {
  return { classMap: toBase64(d.classMap), classCount: d.classCount, stateCount: d.stateCount, start: d.start, next: toBase64(d.next), emitAnywhere: d.emitAnywhere, emitAtEnd: d.emitAtEnd, dead: d.dead };
}

function decode(e: Entry["automata"][number]): Dfa {
  return { classMap: new Uint8Array(Buffer.from(e.classMap, "base64")), classCount: e.classCount, stateCount: e.stateCount, start: e.start, next: fromBase64U32(e.next), emitAnywhere: e.emitAnywhere, emitAtEnd: e.emitAtEnd, dead: e.dead };
}

/** Local ids 0..n-1 back to the patterns' own ids. */
function renumber(automata: Dfa[], patterns: PatternSpec[]): Dfa[] {
  const id = (k: number) => patterns[k].id;
  return automata.map((d) => ({ ...d, emitAnywhere: d.emitAnywhere.map((l) => l.map(id)), emitAtEnd: d.emitAtEnd.map((l) => l.map(id)) }));
}
