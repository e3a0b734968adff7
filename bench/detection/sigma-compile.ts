// How many SigmaHQ web rules tripline compiles. Run by hand, never in npm test:
//
//   node dist/bench/detection/sigma-compile.js <sigma checkout or bare git dir> [--verbose]
//
// Counts the rules under rules/web (all 45 of them: webserver_generic,
// proxy_generic, product/apache, product/nginx) and the rules under
// rules-emerging-threats whose logsource is `category: webserver`, compiling
// each file on its own (loadRules + encodeProgram, as `tripline check` does).
// A failure prints its first error. A bare git directory (what the fetch tool
// brings) is read at HEAD with git; nothing is written anywhere.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { compileSources, isRuleError } from "../../src/compiler/compile.js";

interface RuleText {
  path: string;
  text: string;
}

function readTree(root: string, prefixes: string[]): RuleText[] {
  const out: RuleText[] = [];
  if (existsSync(path.join(root, "rules"))) {
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.ya?ml$/.test(name)) out.push({ path: path.relative(root, full), text: readFileSync(full, "utf8") });
      }
    };
    for (const p of prefixes) if (existsSync(path.join(root, p))) walk(path.join(root, p));
    return out;
  }
  // A bare repository: list and read at HEAD.
  const git = (...args: string[]) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  const names = git("ls-tree", "-r", "--name-only", "HEAD", "--", ...prefixes)
    .split("\n")
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  for (const n of names) out.push({ path: n, text: git("show", `HEAD:${n}`) });
  return out;
}

function tryCompile(r: RuleText): string | undefined {
  try {
    compileSources([r], { seed: 1 });
    return undefined;
  } catch (err) {
    if (isRuleError(err)) return String(err.message).split("\n")[0];
    return `CRASH: ${err instanceof Error ? err.stack : String(err)}`;
  }
}

function report(title: string, rules: RuleText[], verbose: boolean): { ok: number; total: number } {
  let ok = 0;
  const failures: string[] = [];
  const groups = new Map<string, { ok: number; total: number }>();
  for (const r of rules) {
    const error = tryCompile(r);
    const group = path.dirname(r.path).split("/").slice(0, 3).join("/");
    const g = groups.get(group) ?? { ok: 0, total: 0 };
    g.total++;
    if (error === undefined) {
      ok++;
      g.ok++;
    } else failures.push(`  ${r.path}: ${error}`);
    groups.set(group, g);
  }
  console.log(`${title}: ${ok}/${rules.length} compile`);
  if (verbose || rules.length < 60) for (const [g, n] of groups) console.log(`  ${g}: ${n.ok}/${n.total}`);
  for (const f of failures) console.log(f);
  return { ok, total: rules.length };
}

const args = process.argv.slice(2);
const verbose = args.includes("--verbose");
const root = args.find((a) => !a.startsWith("--"));
if (!root) {
  console.error("usage: node dist/bench/detection/sigma-compile.js <sigma checkout or bare git dir> [--verbose]");
  process.exit(2);
}
const web = readTree(root, ["rules/web"]);
const et = readTree(root, ["rules-emerging-threats"]).filter((r) => /^\s*category:\s*webserver\s*(#.*)?$/m.test(r.text));
const a = report("rules/web", web, verbose);
const b = report("rules-emerging-threats (category: webserver)", et, verbose);
console.log(`\nsummary: rules/web ${a.ok}/${a.total}, emerging-threats webserver ${b.ok}/${b.total}`);
