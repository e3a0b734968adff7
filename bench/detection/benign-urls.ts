// False positives of the pack on benign URLs. Run by hand:
//
//   node dist/bench/detection/benign-urls.js [--count 20000] [--seed 15001] [--log FILE]... [--rules PATH]...
//
// 1. `count` request targets from generateBenignUrls (scripts/generate-benign.ts:
//    searches with quotes and SQL words in prose, code snippets, JSON and
//    GraphQL in the query, OData/JQL/Lucene filters, bracket parameters,
//    tokens, UTM parameters, emails, URLs in parameters, HTML-escaped text),
//    each as a combined-format GET line with a browser user agent.
// 2. Each --log FILE: real access logs (combined format), every line as it is.
//    Real logs hold real attacks too: every tagged line is printed, to be
//    judged by hand.
// The module runs with every detection rule tagging (correlations left out);
// informational rules (counters that only feed correlations) are not counted.
import { readFileSync } from "node:fs";
import { generateBenignUrls } from "../../scripts/generate-benign.js";
import { accessRecord, packHost, tagsOf } from "./lib.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let count = 20000;
  let seed = 15001;
  const logs: string[] = [];
  const rules: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--count") count = Number(args[++i]);
    else if (args[i] === "--seed") seed = Number(args[++i]);
    else if (args[i] === "--log") logs.push(args[++i]);
    else if (args[i] === "--rules") rules.push(args[++i]);
    else {
      console.error(`unknown argument ${args[i]}`);
      process.exit(2);
    }
  }
  const pack = await packHost(rules.length > 0 ? rules : undefined);
  const visible = (ids: string[]) => ids.filter((id) => (pack.levels.get(id) ?? "informational") !== "informational");
  console.log(pack.stats.join("\n"));

  let fp = 0;
  const byRule = new Map<string, number>();
  const shown: string[] = [];
  for (const target of generateBenignUrls(count, seed)) {
    const tags = visible(tagsOf(pack.host, accessRecord({ target })));
    if (tags.length === 0) continue;
    fp++;
    for (const t of tags) byRule.set(t, (byRule.get(t) ?? 0) + 1);
    if (shown.length < 60) shown.push(`  ${tags.join(",")}: ${target}`);
  }
  console.log(`generated benign URLs (seed ${seed}): ${fp}/${count} tagged`);
  for (const [id, n] of [...byRule].sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(44)} ${n}`);
  for (const s of shown) console.log(s);

  for (const file of logs) {
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
    let hits = 0;
    const rulesHit = new Map<string, number>();
    const out: string[] = [];
    for (const line of lines) {
      const tags = visible(tagsOf(pack.host, { log: line }));
      if (tags.length === 0) continue;
      hits++;
      for (const t of tags) rulesHit.set(t, (rulesHit.get(t) ?? 0) + 1);
      out.push(`  ${tags.join(",")}: ${line.slice(0, 260)}`);
    }
    console.log(`\n${file}: ${hits}/${lines.length} lines tagged (judge each by hand: real logs carry real attacks)`);
    for (const [id, n] of [...rulesHit].sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(44)} ${n}`);
    for (const o of out) console.log(o);
  }
}

await main();
