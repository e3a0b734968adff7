// Files named directly, plus the files below named folders that `keep`
// accepts, folders walked recursively in sorted order (so runs repeat).
// Rule folders, suite folders and log folders are all walked this way.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

export function filesBelow(paths: string[], keep: (file: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (p: string, named: boolean) => {
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(path.join(p, name), false);
    } else if (named || keep(p)) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}
