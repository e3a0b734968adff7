// Shared pieces of the detection benches (run by hand, never in npm test):
// reading files out of a checkout or a bare git directory, a module with the
// pack's detection rules all tagging, and access lines as servers log them.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { buildWasm, readSources, ruleFiles, DEFAULT_RULES } from "../../src/compiler/compile.js";
import type { SourceFile } from "../../src/compiler/rules/load.js";
import { FluentBitHost } from "../../src/host/host.js";
import { automataStats } from "../../src/compiler/program/automata.js";
import { filesBelow } from "../../src/walk.js";

export interface TextFile {
  path: string;
  text: string;
}

/** Files under `prefixes` of a checkout, or of a bare git directory at HEAD. */
export function readTree(root: string, prefixes: string[], filter: (name: string) => boolean): TextFile[] {
  const out: TextFile[] = [];
  if (!existsSync(path.join(root, "HEAD")) || existsSync(path.join(root, prefixes[0]))) {
    const dirs = prefixes.map((p) => path.join(root, p)).filter((dir) => existsSync(dir));
    return filesBelow(dirs, (file) => filter(path.basename(file))).map((full) => ({ path: path.relative(root, full), text: readFileSync(full, "utf8") }));
  }
  const git = (...args: string[]) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  const names = git("ls-tree", "-r", "--name-only", "HEAD", "--", ...prefixes)
    .split("\n")
    .filter((n) => n !== "" && filter(path.basename(n)))
    .sort();
  for (const n of names) out.push({ path: n, text: git("show", `HEAD:${n}`) });
  return out;
}

export interface PackHost {
  host: FluentBitHost;
  /** Rule id -> level, of the detection rules in the module. */
  levels: Map<string, string>;
  stats: string[];
}

/**
 * A module with the detection rules of `paths` (default: the pack), their
 * correlations left out so that every detection rule tags what it matches.
 */
export async function packHost(paths: string[] = [DEFAULT_RULES]): Promise<PackHost> {
  const sources: SourceFile[] = readSources(ruleFiles(paths)).map((f) => ({
    path: f.path,
    text: parseAllDocuments(f.text)
      .filter((d) => !(d.toJS() as Record<string, unknown> | null)?.correlation)
      .map((d) => d.toString())
      .join("---\n"),
  }));
  const built = await buildWasm(sources, { seed: 1 });
  const levels = new Map(built.rules.rules.map((r) => [r.id, r.level] as [string, string]));
  const s = built.program.stats;
  return {
    host: new FluentBitHost(built.wasm),
    levels,
    stats: [`${s.rules} detection rules, ${s.predicates} predicates, ${s.automata} automata, ${s.states} states, ${s.slots} fields`],
  };
}

export { automataStats };

/** Rule ids the module tags the record with. */
export function tagsOf(host: FluentBitHost, record: Record<string, unknown>, time = 1_763_546_400): string[] {
  const out = host.call("logs", time, JSON.stringify(record));
  if (out.kind !== "record") return [];
  const ns = out.body.tripline as { rules?: string[] } | undefined;
  return ns?.rules ?? [];
}

/**
 * A request target as a client puts it on the wire: bytes that may not appear
 * in a request target (controls, space, " < > \ ^ ` { | } and non-ASCII) are
 * percent-encoded, everything else is kept as written.
 */
export function wireTarget(target: string): string {
  let out = "";
  for (const b of Buffer.from(target, "utf8")) {
    const c = String.fromCharCode(b);
    if (b <= 0x20 || b >= 0x7f || ` "<>\\^\`{|}`.includes(c)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    else out += c;
  }
  return out;
}

/** Apache's escaping of a logged string (%r, %{User-Agent}i): \" \\ and \xhh for controls. */
export function logEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += "\\\\";
    else if (b < 0x20 || b === 0x7f) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  return Buffer.from(out, "latin1").toString("utf8");
}

/** A combined-format access line (as `tail` without a parser hands it over: {"log": line}). */
export function accessRecord(opts: { method?: string; target: string; status?: number; referer?: string; agent?: string; ip?: string }): Record<string, unknown> {
  const line =
    `${opts.ip ?? "198.51.100.7"} - - [19/Nov/2026:10:00:00 +0000] "${opts.method ?? "GET"} ${logEscape(opts.target)} HTTP/1.1" ` +
    `${opts.status ?? 200} 512 "${logEscape(opts.referer ?? "-")}" "${logEscape(opts.agent ?? "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")}"`;
  return { log: line };
}
