// Tags on a list of payloads, one per line, each sent as a query value.
// Run by hand, against lists this project does not tune its rules on:
//
//   node dist/bench/detection/payload-list.js FILE... [--template '/search?q={}'] [--misses] [--rules PATH]...
//
// Every non-empty line replaces {} in the template, as a client sends it
// (bytes a request target may not contain percent-encoded, see lib.ts
// wireTarget), in a combined-format GET line. A line counts as tagged when a
// rule of level low or above tags it (every detection rule tagging,
// correlations left out).
import { readFileSync } from "node:fs";
import { accessRecord, packHost, tagsOf, wireTarget } from "./lib.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let template = "/search?q={}";
  let misses = false;
  const files: string[] = [];
  const rules: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--template") template = args[++i];
    else if (args[i] === "--misses") misses = true;
    else if (args[i] === "--rules") rules.push(args[++i]);
    else files.push(args[i]);
  }
  if (files.length === 0 || !template.includes("{}")) {
    console.error("usage: node dist/bench/detection/payload-list.js FILE... [--template '/search?q={}'] [--misses] [--rules PATH]...");
    process.exit(2);
  }
  const pack = await packHost(rules.length > 0 ? rules : undefined);
  for (const file of files) {
    const payloads = [...new Set(readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== ""))];
    let tagged = 0;
    const missed: string[] = [];
    for (const p of payloads) {
      const tags = tagsOf(pack.host, accessRecord({ target: wireTarget(template.replace("{}", p)) })).filter(
        (id) => (pack.levels.get(id) ?? "informational") !== "informational",
      );
      if (tags.length > 0) tagged++;
      else missed.push(p);
    }
    console.log(`${file}: ${tagged}/${payloads.length} tagged (${((100 * tagged) / Math.max(1, payloads.length)).toFixed(1)}%)`);
    if (misses) for (const m of missed) console.log(`  miss: ${JSON.stringify(m).slice(0, 200)}`);
  }
}

await main();
