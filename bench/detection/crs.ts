// OWASP CRS v4 regression payloads against the pack. Run by hand:
//
//   node dist/bench/detection/crs.js <coreruleset checkout or bare git dir> [--verbose] [--rules PATH]...
//
// Which payloads: every test stage of tests/regression/tests/REQUEST-942-*
// (SQL injection), REQUEST-941-* (XSS) and REQUEST-930-* (path traversal,
// LFI) that CRS expects its own rule to fire on (output.log.expect_ids holds
// the file's rule_id) and whose request an access log can show: for 942 and
// 941 the request URI carries a query; for 930 the URI is more than "/" and
// there is no request body (930's payloads sit in the path as often as in the
// query). That makes 232 stages (118 + 54 + 60). Of those, 13 carry their
// payload only in a request header (the URI is a bare "/get"): 10 in the
// User-Agent, which a combined log shows, 3 in a custom header, which no
// access log shows. They are counted apart.
//
// Each stage becomes one combined-format access line (GET, status 200, its
// User-Agent and Referer when the test sets them), with the URI as a client
// puts it on the wire: bytes a request target may not contain (space, quotes,
// < > and the like) percent-encoded (see lib.ts wireTarget). The module runs
// with every detection rule tagging (correlations left out); a stage counts
// as tagged when any rule of level low or above tags it.
import { parse } from "yaml";
import { accessRecord, packHost, readTree, tagsOf, wireTarget } from "./lib.js";

interface Stage {
  family: string;
  rule: number;
  test: number;
  method: string;
  uri: string;
  headers: Record<string, string>;
  headerOnly: boolean;
}

const STANDARD_HEADERS = new Set(["host", "accept", "content-type", "content-length", "connection", "accept-encoding", "accept-language", "proxy-connection", "keep-alive", "cache-control"]);
const TEST_AGENT = "OWASP CRS test agent";

export function crsStages(root: string): Stage[] {
  const files = readTree(root, ["tests/regression/tests"], (n) => /\.ya?ml$/.test(n)).filter((f) =>
    /REQUEST-(942|941|930)-/.test(f.path),
  );
  const out: Stage[] = [];
  for (const f of files) {
    const family = /REQUEST-(\d{3})-/.exec(f.path)![1];
    const doc = parse(f.text) as { rule_id: number; tests: { test_id: number; stages: Record<string, unknown>[] }[] };
    for (const t of doc.tests ?? []) {
      for (const raw of t.stages ?? []) {
        const st = ((raw as { input?: unknown }).input ? raw : (raw as { stage: Record<string, unknown> }).stage) as {
          input: { uri?: string; method?: string; headers?: Record<string, string>; data?: unknown };
          output?: { log?: { expect_ids?: number[] } };
        };
        if (!(st.output?.log?.expect_ids ?? []).includes(doc.rule_id)) continue;
        const uri = String(st.input.uri ?? "/");
        const query = uri.includes("?") && uri.slice(uri.indexOf("?") + 1).length > 0;
        const visible = family === "930" ? uri.length > 1 && !st.input.data : query;
        if (!visible) continue;
        const headers = Object.fromEntries(Object.entries(st.input.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const extra = Object.entries(headers).filter(
          ([k, v]) => !STANDARD_HEADERS.has(k.toLowerCase()) && !(k.toLowerCase() === "user-agent" && v === TEST_AGENT),
        );
        const headerOnly = extra.length > 0 && !query && /^\/(get|post)?$/.test(uri);
        out.push({ family, rule: doc.rule_id, test: t.test_id, method: String(st.input.method ?? "GET"), uri, headers, headerOnly });
      }
    }
  }
  return out;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes("--verbose");
  const rules: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--rules") rules.push(args[++i]);
    else if (!args[i].startsWith("--")) positional.push(args[i]);
  }
  if (positional.length !== 1) {
    console.error("usage: node dist/bench/detection/crs.js <coreruleset checkout or bare git dir> [--verbose] [--rules PATH]...");
    process.exit(2);
  }
  const stages = crsStages(positional[0]);
  const pack = await packHost(rules.length > 0 ? rules : undefined);
  const NAMES: Record<string, string> = { "942": "SQL injection", "941": "XSS", "930": "traversal/LFI" };
  const rows = new Map<string, { total: number; tagged: number; headerOnly: number; headerTagged: number }>();
  const byRule = new Map<string, number>();
  const misses: string[] = [];
  for (const s of stages) {
    const tags = tagsOf(
      pack.host,
      accessRecord({ method: "GET", target: wireTarget(s.uri), agent: header(s.headers, "user-agent") ?? TEST_AGENT, referer: header(s.headers, "referer") }),
    ).filter((id) => (pack.levels.get(id) ?? "informational") !== "informational");
    const row = rows.get(s.family) ?? { total: 0, tagged: 0, headerOnly: 0, headerTagged: 0 };
    row.total++;
    if (tags.length > 0) row.tagged++;
    if (s.headerOnly) {
      row.headerOnly++;
      if (tags.length > 0) row.headerTagged++;
    }
    rows.set(s.family, row);
    for (const t of tags) byRule.set(t, (byRule.get(t) ?? 0) + 1);
    if (tags.length === 0) misses.push(`  ${s.rule}#${s.test}${s.headerOnly ? " (header)" : ""}: ${JSON.stringify(s.uri).slice(0, 160)}`);
    else if (verbose) console.log(`  hit ${s.rule}#${s.test} ${tags.join(",")}: ${JSON.stringify(s.uri).slice(0, 120)}`);
  }
  console.log(pack.stats.join("\n"));
  let total = 0;
  let tagged = 0;
  let headerOnly = 0;
  let headerTagged = 0;
  for (const fam of ["942", "941", "930"]) {
    const r = rows.get(fam) ?? { total: 0, tagged: 0, headerOnly: 0, headerTagged: 0 };
    total += r.total;
    tagged += r.tagged;
    headerOnly += r.headerOnly;
    headerTagged += r.headerTagged;
    console.log(
      `${fam} ${NAMES[fam].padEnd(14)} ${String(r.tagged).padStart(4)}/${r.total}` +
        (r.headerOnly > 0 ? `   (payload only in a header: ${r.headerTagged}/${r.headerOnly})` : ""),
    );
  }
  console.log(`all                ${String(tagged).padStart(4)}/${total}   in the URI: ${tagged - headerTagged}/${total - headerOnly}, header only: ${headerTagged}/${headerOnly}`);
  console.log("tags per rule:");
  for (const [id, n] of [...byRule].sort((a, b) => b[1] - a[1])) console.log(`  ${id.padEnd(44)} ${n}`);
  console.log(`not tagged (${misses.length}):`);
  for (const m of misses) console.log(m);
}

if (process.argv[1] && process.argv[1].endsWith("crs.js")) await main();
