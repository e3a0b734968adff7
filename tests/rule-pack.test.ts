// The default rule pack (rules/*.yml): every suite in rules/tests passes,
// every rule is documented and covered by a suite, redaction really masks,
// and a day of benign traffic stays (near) silent.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { readSuite, runSuite, type Suite } from "../src/cli/suite.js";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES, type CompileOptions } from "../src/compiler/compile.js";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import type { SourceFile } from "../src/compiler/rules/load.js";
import { buildModule } from "../src/compiler/module.js";
import { FluentBitHost } from "../src/host/host.js";
import { emptyResult, records, replayText } from "../src/logs/replay.js";
import { generateBenign, generateBenignUrls } from "../scripts/generate-benign.js";

const SUITES = path.join(DEFAULT_RULES, "tests");
const EXAMPLES = path.join(PACKAGE_ROOT, "examples", "logs");
const OPTIONS: CompileOptions = { seed: 7 };

/** The module `tripline build` makes of these rule sources (what `tripline test` runs). */
function hostForSources(sources: SourceFile[]): FluentBitHost {
  const { program } = compileSources(sources, OPTIONS);
  const host = new FluentBitHost(buildModule(program.bytes));
  return host;
}

function hostForPaths(paths: string[]): FluentBitHost {
  return hostForSources(readSources(ruleFiles(paths.length > 0 ? paths : [DEFAULT_RULES])));
}

const packFiles = ruleFiles([DEFAULT_RULES]);
const suiteFiles = readdirSync(SUITES)
  .filter((f) => /\.suite\.ya?ml$/.test(f))
  .sort()
  .map((f) => path.join(SUITES, f));
const suites: Suite[] = suiteFiles.map((f) => readSuite(f));

// --- every suite ---------------------------------------------------------

for (const suite of suites) {
  test(`suite ${path.basename(suite.file)}: ${suite.name}`, () => {
    // Each suite starts from fresh correlation state.
    const outcome = runSuite(suite, hostForPaths(suite.rules ?? []));
    assert.deepEqual(outcome.problems, [], `${suite.file}:\n  ${outcome.problems.join("\n  ")}`);
  });
}

// --- rule metadata and coverage -------------------------------------------

interface RuleDoc {
  file: string;
  doc: Record<string, unknown>;
}

function packDocs(): RuleDoc[] {
  const out: RuleDoc[] = [];
  for (const file of packFiles) {
    for (const d of parseAllDocuments(readFileSync(file, "utf8"))) {
      const doc = d.toJS() as Record<string, unknown> | null;
      if (doc) out.push({ file: path.relative(PACKAGE_ROOT, file), doc });
    }
  }
  return out;
}

test("the pack has at least one suite per rule file", () => {
  for (const file of packFiles) {
    const family = path.basename(file).replace(/\.ya?ml$/, "");
    assert.ok(
      suiteFiles.some((s) => path.basename(s).startsWith(`${family}.suite.`)),
      `rules/tests/${family}.suite.yml is missing`,
    );
  }
});

test("every rule has a readable id, title, status, level, description, falsepositives and ATT&CK tags that pair technique with tactic", () => {
  const docs = packDocs();
  assert.ok(docs.length >= 30, `only ${docs.length} rules in the pack`);
  const ids = new Set<string>();
  for (const { file, doc } of docs) {
    const id = doc.id as string;
    const where = `${file}: ${id ?? "(no id)"}`;
    assert.match(id, /^tripline-[a-z0-9]+(-[a-z0-9]+)*$/, `${where}: id`);
    assert.ok(!ids.has(id), `${where}: duplicate id`);
    ids.add(id);
    assert.equal(typeof doc.title, "string", `${where}: title`);
    assert.ok(["stable", "test", "experimental"].includes(doc.status as string), `${where}: status`);
    assert.ok(["informational", "low", "medium", "high", "critical"].includes(doc.level as string), `${where}: level`);
    assert.ok(typeof doc.description === "string" && doc.description.length >= 20, `${where}: description`);
    assert.ok(Array.isArray(doc.falsepositives) && doc.falsepositives.length > 0, `${where}: falsepositives`);
    const tags = (doc.tags ?? []) as string[];
    for (const t of tags) assert.match(t, /^attack\.(t\d{4}(\.\d{3})?|[a-z_]+)$/, `${where}: tag ${t}`);
    const techniques = tags.filter((t) => /^attack\.t\d/.test(t));
    const tactics = tags.filter((t) => /^attack\.[a-z_]+$/.test(t));
    if (techniques.length > 0) assert.ok(tactics.length > 0, `${where}: technique without tactic`);
  }
  // The YAML and the compiler agree on what the pack holds.
  const { rules } = compileSources(readSources(packFiles), OPTIONS);
  assert.deepEqual([...ids].sort(), [...rules.rules.map((r) => r.id), ...rules.correlations.map((c) => c.id)].sort());
});

test("every rule is named by at least one suite (in its matches or alerts)", () => {
  const mentioned = new Set<string>();
  for (const s of suites) {
    for (const [id, n] of Object.entries(s.matches ?? {})) if (n > 0) mentioned.add(id);
    for (const a of s.alerts) mentioned.add(String(a.rule));
  }
  const missing = packDocs()
    .map((d) => d.doc.id as string)
    .filter((id) => !mentioned.has(id));
  assert.deepEqual(missing, []);
});

// --- redaction really masks -------------------------------------------------

test("the pack masks card numbers (keeping the last four), passwords and bearer tokens in examples/logs/redaction.log", () => {
  const host = hostForPaths([]);
  const text = readFileSync(path.join(EXAMPLES, "redaction.log"), "utf8");
  const out: string[] = [];
  for (const r of records(text, { year: 2026, tag: "logs" })) {
    const outcome = host.call("logs", r.time, r.json);
    assert.equal(outcome.kind, "record");
    if (outcome.kind === "record") out.push(JSON.stringify(outcome.body));
  }
  const all = out.join("\n");
  for (const secret of ["4111-1111-1111-1111", "5500 0000 0000 0004", "hunter2", "S3cretPass", "Correct-Horse-42", "Tr0ub4dor3", "eyJhbGciOiJIUzI1NiJ9"]) {
    assert.ok(!all.includes(secret), `${secret} left in the output`);
  }
  assert.ok(all.includes("card=****-****-****-1111"), "card in a URL keeps its last four digits");
  assert.ok(all.includes("card **** **** **** 0004"), "card in a JSON message keeps its last four digits");
  assert.ok(all.includes("password=***"));
  assert.ok(all.includes("pwd=***"));
  assert.ok(all.includes("Bearer ***"));
  // Not a valid card number (Luhn): left as it is, untagged.
  assert.ok(all.includes("4111 1111 1111 1112"));
  // Lines with nothing secret are untouched.
  assert.ok(out[3].includes("/docs/password-policy") && !out[3].includes("tripline"));
});

// --- a day of benign traffic ------------------------------------------------

/**
 * Alerts allowed on the generated benign day. Measured: 0 with seeds
 * 20261119 (the default), 1, 2 and 3. The rule closest to its threshold is
 * the response-time anomaly: GC pauses on fast endpoints reach z = 43 with
 * min_samples 500 (its threshold is 50, with 200 samples). One such alert a
 * day would still be acceptable for a medium-level rule; a second means a
 * rule or the module changed and needs a look.
 */
const MAX_BENIGN_ALERTS = 1;

test("a day of benign traffic (scripts/generate-benign.ts) raises at most one alert", { timeout: 600_000 }, (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tripline-benign-"));
  try {
    const file = path.join(dir, "benign-access.log");
    const lines = [...generateBenign()];
    writeFileSync(file, lines.join("\n") + "\n");
    assert.ok(lines.length >= 100_000, `only ${lines.length} lines`);
    const text = readFileSync(file, "utf8");

    const result = replayText(hostForPaths([]), text, file, { year: 2026, tag: "logs" }, emptyResult());
    assert.equal(result.records, lines.length);
    assert.equal(result.lost, 0);

    // Per-rule matches: the same detection rules without their correlations,
    // so that every rule tags what it matches (silent rules show otherwise
    // only beside an alert).
    const detectionOnly: SourceFile[] = packFiles.map((f) => ({
      path: f,
      text: parseAllDocuments(readFileSync(f, "utf8"))
        .filter((d) => !(d.toJS() as Record<string, unknown>)?.correlation)
        .map((d) => d.toString())
        .join("---\n"),
    }));
    const raw = replayText(hostForSources(detectionOnly), text, file, { year: 2026, tag: "logs" }, emptyResult());

    const report = [
      `benign log: ${lines.length} lines, ${result.alerts.length} alert(s)`,
      ...result.alerts.map((a) => `  alert ${a.rule} key=${a.key} ${a.count ?? a.observed} at ${a.last}`),
      "per-rule matches (detection rules alone):",
      ...Object.entries(raw.matches)
        .sort((a, b) => b[1] - a[1])
        .map(([id, n]) => `  ${id.padEnd(44)} ${n}`),
    ];
    for (const l of report) t.diagnostic(l);

    assert.ok(result.alerts.length <= MAX_BENIGN_ALERTS, `${result.alerts.length} alerts on benign traffic:\n${report.join("\n")}`);
    // Visible (tagging) rules must not fire on benign traffic either.
    assert.deepEqual(result.matches, {}, "records tagged on benign traffic");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- benign search and API URLs ------------------------------------------------

/** The web attack families: what a benign URL must never be tagged with. */
const ATTACK_RULES = /^tripline-(web-(sqli|xss|path-traversal|lfi-user-agent)|scan-sensitive-file)$/;

test("20,000 benign search and API URLs (quotes, SQL words in prose, code, filters, tokens) get no attack tag", () => {
  const host = hostForPaths([]);
  const tagged: string[] = [];
  let n = 0;
  for (const target of generateBenignUrls(20000, 15001)) {
    n++;
    const line = `192.0.2.80 - - [19/Nov/2026:10:00:00 +0000] "GET ${target} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"`;
    const out = host.call("logs", 1_763_546_400, JSON.stringify({ log: line }));
    assert.equal(out.kind, "record");
    const rules = ((out.kind === "record" ? (out.body.tripline as { rules?: string[] } | undefined)?.rules : undefined) ?? []).filter((id) => ATTACK_RULES.test(id));
    if (rules.length > 0) tagged.push(`${rules.join(",")}: ${target}`);
  }
  assert.equal(n, 20000);
  assert.deepEqual(tagged.slice(0, 20), [], `${tagged.length} benign URLs tagged`);
});

test("attack payloads of every class are tagged, each by its family", () => {
  const host = hostForPaths([]);
  const cases: [string, RegExp][] = [
    ["/item?id=7%20xor%203%3E1", /sqli/],
    ["/item?id=1%27)%20or%20(%27a%27)%3D(%27a", /sqli/],
    ["/list?id=1%3Bdrop%20table%20users--", /sqli/],
    ["/list?id=(case%20when%201%3D1%20then%201%20else%200%20end)", /sqli/],
    ["/list?q=x%27%20group%20by%20id%20having%201%3D1--", /sqli/],
    ["/list?id=1%20and%201%20in%20(select%20min(name)%20from%20t)", /sqli/],
    ["/list?id=1/*!50000union*/select%201", /sqli/],
    ["/list?id=password::int", /sqli/],
    ["/login?user[$ne]=x", /sqli/],
    ["/p?name=%22%20autofocus%20onfocus%3Dalert(1)%20x%3D%22", /xss/],
    ["/p?next=%22%3E%3Cbutton%20formaction%3Djavascript:alert(1)%3E", /xss/],
    ["/p?q=%27%3BsetTimeout(%27x%27,1)//", /xss/],
    ["/p?q=%3Cx:script%3E", /xss/],
    ["/p?q=%3C%20d%20i%20v%20onclick%3Dx%3E", /xss/],
    ["/p?q=%3Clink%20rel%3Dimport%20href%3D//evil%3E", /xss/],
    ["/p?q=url(javascript:alert(1))", /xss/],
    ["/p?q=-moz-binding:url(//evil)", /xss/],
    ["/p?q=%5Cu0061%5Cu006cert(1)", /xss/],
    ["/download?file=/etc/shadow", /path-traversal/],
    ["/download?file=.ssh/id_rsa", /path-traversal/],
    ["/files/..%c0%af..%c0%afetc/passwd", /path-traversal/],
    ["/.claude/settings.json", /sensitive-file/],
    ["/.cursor/mcp.json", /sensitive-file/],
  ];
  for (const [target, family] of cases) {
    const line = `203.0.113.80 - - [19/Nov/2026:10:00:00 +0000] "GET ${target} HTTP/1.1" 200 512 "-" "Mozilla/5.0"`;
    const out = host.call("logs", 1_763_546_400, JSON.stringify({ log: line }));
    const rules = (out.kind === "record" ? (out.body.tripline as { rules?: string[] } | undefined)?.rules : undefined) ?? [];
    assert.ok(rules.some((id) => family.test(id)), `${target}: ${rules.join(",") || "no tag"}`);
  }
});
