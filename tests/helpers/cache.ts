// Runs a test against a fresh, empty compiler cache (src/compiler/cache.ts),
// or with the cache off, and puts the environment back afterwards.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export function withCache<T>(fn: (dir: string) => T, mode?: "off"): T {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-cache-test-"));
  const saved = { dir: process.env.TRIPLINE_CACHE_DIR, mode: process.env.TRIPLINE_CACHE };
  process.env.TRIPLINE_CACHE_DIR = dir;
  if (mode) process.env.TRIPLINE_CACHE = mode;
  try {
    return fn(dir);
  } finally {
    for (const [k, v] of [["TRIPLINE_CACHE_DIR", saved.dir], ["TRIPLINE_CACHE", saved.mode]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The entries in `dir` whose names end in `suffix`. */
export function entries(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(suffix)).map((f) => path.join(dir, String(f)));
}
