// The compiler's on-disk cache: results that depend only on their inputs
// (compiled field automata, match/cache.ts; parsed rule files,
// yaml/tree-cache.ts), each a file named by a SHA-256 key of everything it
// depends on, so a changed input or compiler simply misses.
//
// Two places are read: the package's own build/automata/ (filled when the
// package is built, read-only; it holds the default pack's), then the
// user's cache ($TRIPLINE_CACHE_DIR, else $XDG_CACHE_HOME/tripline/automata,
// else ~/.cache/tripline/automata), which new results are written to.
// TRIPLINE_CACHE=off disables both. Each kind of entry checks what it reads
// (its key, a hash, every number): a damaged entry is computed again.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "./module.js";

/** The package's read-only cache, filled by `npm run build` with the default pack's entries. */
export const PACKAGE_CACHE = path.join(PACKAGE_ROOT, "build", "automata");

function userDir(): string | undefined {
  if (process.env.TRIPLINE_CACHE_DIR) return process.env.TRIPLINE_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : undefined);
  return base ? path.join(base, "tripline", "automata") : undefined;
}

export const cacheEnabled = (): boolean => process.env.TRIPLINE_CACHE !== "off";

/** A hash of the code in `dir` (its .js files): entries made by other code are never read. */
export function codeVersion(dir: string): string {
  const h = createHash("sha256");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".js")).sort()) h.update(f).update(readFileSync(path.join(dir, f)));
  return h.digest("hex");
}

const entryFile = (dir: string, key: Buffer, suffix: string): string => {
  const hex = key.toString("hex");
  return path.join(dir, hex.slice(0, 2), `${hex}${suffix}`);
};

/** Writes atomically (a temporary file renamed), so a reader never sees half an entry; failures only cost the cache. */
function write(dir: string, file: string, bytes: Uint8Array): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch {
    // A read-only home or a full disk: the next build computes it again.
  }
}

/**
 * The entry `key` (a file ending in `suffix`) as `decode` reads it, from
 * where results go (`writeTo`, else the user's cache), the package's cache,
 * then the user's; an entry found elsewhere is copied to where results go.
 * Undefined when the cache is off or no entry decodes (then `store`).
 */
export function lookup<T>(key: Buffer, suffix: string, decode: (bytes: Buffer) => T | undefined, writeTo?: string): T | undefined {
  if (!cacheEnabled()) return undefined;
  const user = userDir();
  const target = writeTo ?? user;
  for (const dir of new Set([target, PACKAGE_CACHE, user])) {
    if (!dir) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(entryFile(dir, key, suffix));
    } catch {
      continue; // absent or unreadable
    }
    const value = decode(bytes);
    if (value === undefined) continue;
    if (target && dir !== target) write(target, entryFile(target, key, suffix), bytes);
    return value;
  }
  return undefined;
}

/** Stores entry `key` where results go (`writeTo`, else the user's cache), unless the cache is off. */
export function store(key: Buffer, suffix: string, bytes: Uint8Array, writeTo?: string): void {
  const target = writeTo ?? userDir();
  if (cacheEnabled() && target) write(target, entryFile(target, key, suffix), bytes);
}
