// Child process for tests/hostile-rules.test.ts: builds one hostile rule file,
// compiles it, and prints one JSON line: how long it took, how much memory,
// and either the compile's statistics or its rule errors. Run in a child so a
// hang or a native stack overflow cannot take the test runner down.
//
//   node dist/tests/fuzz/hostile-worker.js <case>
import { compileSources } from "../../src/compiler/compile.js";
import { isRuleError } from "../../src/compiler/compile.js";
import { RuleErrors } from "../../src/compiler/ir.js";
import { buildModule } from "../../src/compiler/module.js";
import { FluentBitHost } from "../../src/host/host.js";
import { BareCaller } from "./adversarial.js";

const HEADER = (id: string, title = id) => `title: ${title}\nid: ${id}\nlevel: low\nlogsource: {category: webserver}\n`;

/** A rule whose selection is `body` (YAML under `detection:`). */
const rule = (id: string, detection: string) => `${HEADER(id)}detection:\n${detection}`;

function literal(i: number): string {
  // Distinct, realistic-looking literals: no two share a long prefix.
  let x = (i + 1) * 2654435761;
  let s = "";
  for (let k = 0; k < 10; k++) {
    s += "abcdefghijklmnopqrstuvwxyz0123456789"[x % 36];
    x = Math.floor(x / 36) + i * 7 + k;
  }
  return `/${s}/${i}`;
}

const CASES: Record<string, () => string> = {
  // A 100 KB regex: an alternation of literals, far over the 32,768-character value limit.
  "huge-regex": () => {
    const alts: string[] = [];
    let length = 0;
    while (length < 100_000) {
      alts.push(literal(alts.length).replace(/[/.]/g, ""));
      length += alts[alts.length - 1].length + 1;
    }
    return rule("huge-regex", `  sel:\n    cs-uri-query|re: '(${alts.join("|")})'\n  condition: sel\n`);
  },
  // The largest regex allowed (32,768 characters) as one alternation: it must compile, or fail on the state budget.
  "regex-at-limit": () => {
    const alts: string[] = [];
    while ((alts.join("|") + "|" + literal(alts.length)).length < 32760) alts.push(literal(alts.length).replace(/[/.]/g, ""));
    return rule("regex-at-limit", `  sel:\n    cs-uri-query|re: '(${alts.join("|")})'\n  condition: sel\n`);
  },
  // A regex whose DFA is exponential in its length: (a|b)*a(a|b){24} has 2^25 states.
  "regex-state-explosion": () => rule("explosion", `  sel:\n    cs-uri-query|re: '(a|b)*a(a|b){24}'\n  condition: sel\n`),
  // Nested counted repetition: 1000^3 NFA copies.
  "regex-nested-counts": () => rule("nested-counts", `  sel:\n    cs-uri-query|re: '((a{1,1000}){1,1000}){1,1000}'\n  condition: sel\n`),
  // 3,000 rules spread over six fields (500 patterns each): contains, startswith, endswith, regexes.
  "3000-rules": () => {
    const fields = ["cs-uri-query", "cs-user-agent", "cs-referer", "cs-method", "cs-username", "cs-host"];
    const docs: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const lit = `k${i.toString(36)}z`;
      const op = i % 10 === 0 ? `re: '${lit}[0-9]+'` : ["contains", "startswith", "endswith"][i % 3] + `: '${lit}'`;
      docs.push(rule(`gen-${i}`, `  sel:\n    ${fields[i % 6]}|${op}\n  condition: sel\n`));
    }
    return docs.join("---\n");
  },
  // 3,000 rules on ONE field with 13-character literals: over the 50,000-state budget of one field automaton.
  "3000-rules-one-field": () => {
    const docs: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const op = i % 10 === 0 ? `re: '${literal(i).replace(/[/.]/g, "")}[0-9]+'` : i % 2 ? `contains: '${literal(i)}'` : `startswith: '${literal(i)}'`;
      docs.push(rule(`gen-${i}`, `  sel:\n    cs-uri-query|${op}\n  condition: sel\n`));
    }
    return docs.join("---\n");
  },
  // Over the rule-count budget (5000).
  "6000-rules": () => {
    const docs: string[] = [];
    for (let i = 0; i < 6000; i++) docs.push(rule(`gen-${i}`, `  sel:\n    cs-uri-query|contains: '${literal(i)}'\n  condition: sel\n`));
    return docs.join("---\n");
  },
  // Billion laughs: 10 levels of 10 aliases each.
  "billion-laughs": () => {
    const lines = ["title: Laughs", "id: laughs", "x-l0: &l0 [lol]"];
    for (let k = 1; k <= 9; k++) lines.push(`x-l${k}: &l${k} [${Array(10).fill(`*l${k - 1}`).join(", ")}]`);
    lines.push("detection:", "  sel:", "    cs-uri-query|contains: *l9", "  condition: sel");
    return lines.join("\n") + "\n";
  },
  // 1000 levels of parentheses in a condition.
  "condition-1000-parens": () => rule("parens", `  sel:\n    cs-uri-query|contains: x\n  condition: '${"(".repeat(1000)}sel${")".repeat(1000)}'\n`),
  // 1000 nested `not`.
  "condition-1000-nots": () => rule("nots", `  sel:\n    cs-uri-query|contains: x\n  condition: '${"not ".repeat(1000)}sel'\n`),
  // 60 levels (under the limit of 64) of alternating and/or over 2 selections: deep but legal.
  "condition-60-levels": () => {
    let c = "a";
    for (let k = 0; k < 60; k++) c = `(${c} ${k % 2 ? "and" : "or"} b)`;
    return rule("levels", `  a:\n    cs-uri-query|contains: x\n  b:\n    cs-uri-stem|contains: y\n  condition: '${c}'\n`);
  },
  // 2000 selections (each its own literal) combined with `1 of s*`: one flat OR of 2000 operands.
  "condition-2000-selections": () => {
    const sels: string[] = [];
    for (let i = 0; i < 2000; i++) sels.push(`  s${i}:\n    cs-uri-query|contains: '${literal(i)}'\n`);
    return rule("selections", `${sels.join("")}  condition: '1 of s*'\n`);
  },
  // YAML nested 1000 deep (flow sequences).
  "yaml-1000-deep": () => rule("deep", `  sel:\n    cs-uri-query|contains: ${"[".repeat(1000)}x${"]".repeat(1000)}\n  condition: sel\n`),
  // A 10 MB rule file: one rule whose selection lists 10 MB of distinct literals.
  "10mb-one-list": () => {
    const values: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 << 20; i++) {
      const v = `    - '${literal(i)}${"x".repeat(40)}'\n`;
      values.push(v);
      size += v.length;
    }
    return rule("ten-mb", `  sel:\n    cs-uri-query|contains:\n${values.join("")}  condition: sel\n`);
  },
  // A 10 MB rule file: one 10 MB value (over the 4096-character limit).
  "10mb-one-value": () => rule("ten-mb-value", `  sel:\n    cs-uri-query|contains: '${"a".repeat(10 << 20)}'\n  condition: sel\n`),
  // A 10 MB rule file of comments around one small rule.
  "10mb-comments": () => `${"# padding\n".repeat((10 << 20) / 10)}${rule("commented", "  sel:\n    cs-uri-query|contains: x\n  condition: sel\n")}`,
  // A 10 MB rule file of 4,000 rules with 2.5 KB descriptions each.
  "10mb-many-rules": () => {
    const docs: string[] = [];
    for (let i = 0; i < 4000; i++) {
      docs.push(`${HEADER(`big-${i}`)}description: '${"d".repeat(2600)}'\ndetection:\n  sel:\n    cs-uri-query|contains: '${literal(i)}'\n  condition: sel\n`);
    }
    return docs.join("---\n");
  },
};

/** Records run through the module when a case compiles: the rules each one matched are reported. */
const PROBES: Record<string, string[]> = {
  "3000-rules": [
    // gen-2999 (endswith on cs-host), gen-2990 (regex on cs-referer), gen-1 (startswith on cs-user-agent), nothing.
    `{"path":"/x","vhost":"www.k${(2999).toString(36)}z"}`,
    `{"path":"/x","referer":"https://e/?k${(2990).toString(36)}z123"}`,
    `{"path":"/x","agent":"k${(1).toString(36)}z/1.0"}`,
    `{"path":"/x","agent":"curl"}`,
  ],
  "regex-at-limit": [`{"path":"/x?a=${literal(3).replace(/[/.]/g, "")}"}`],
  // gen-2999 (contains), gen-2998 (startswith), gen-2990 (regex), nothing.
  "3000-rules-one-field": [
    `{"path":"/x","query":"q=${literal(2999)}"}`,
    `{"path":"/x","query":"${literal(2998)}&a=1"}`,
    `{"path":"/x","query":"v=${literal(2990).replace(/[/.]/g, "")}42"}`,
    `{"path":"/x","query":"nothing"}`,
  ],
  "condition-60-levels": [`{"path":"/y?x"}`],
  "condition-2000-selections": [`{"path":"/x?q=${literal(1999)}"}`, `{"path":"/x?q=${literal(0)}"}`, `{"path":"/x?q=nothing"}`],
};

/** A correlation over one rule, for the key-cap cases. */
const KEY_CASE = `${rule("probe", "  sel:\n    cs-uri-stem|startswith: '/'\n  condition: sel\n").replace("id: probe", "id: probe\nname: probe")}---
title: Burst
id: burst
level: high
correlation:
  type: event_count
  rules: [probe]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 3}
`;

/** 16 correlations over one rule, each needing 1000 events (the largest threshold): 8 KB per key each. */
const WIDE_KEY_CASE = [
  rule("probe", "  sel:\n    cs-uri-stem|startswith: '/'\n  condition: sel\n").replace("id: probe", "id: probe\nname: probe"),
  ...Array.from(
    { length: 16 },
    (_, k) => `title: Wide ${k}\nid: wide-${k}\nlevel: low\ncorrelation:\n  type: event_count\n  rules: [probe]\n  group-by: [c-ip]\n  timespan: 1h\n  condition: {gte: 1000}\n`,
  ),
].join("---\n");

function main(): void {
  const name = process.argv[2];
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  const report = (r: Record<string, unknown>) => {
    process.stdout.write(JSON.stringify({ case: name, ms: Math.round(ms()), rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), ...r }) + "\n");
  };

  // keycap-memory:<n>: 16 event_count correlations needing 1000 events each (8 KB of state per key), cap n;
  // distinct clients until a record traps or 100,000 records have run.
  if (name.startsWith("keycap-memory:")) {
    const maxKeys = Number(name.slice(14));
    let program: Uint8Array;
    try {
      program = compileSources([{ path: "keycap.yml", text: WIDE_KEY_CASE }], { maxKeys, seed: 1 }).program.bytes;
    } catch (err) {
      report({ refused: (err as Error).message });
      return;
    }
    const module = BareCaller.of(program);
    const loaded = module.memoryBytes();
    let ran = 0;
    for (let i = 1; i <= 100_000 && module.traps === 0; i++, ran++) {
      module.call(1_700_000_000, new TextEncoder().encode(`{"client_ip":"${i >>> 16}.${(i >>> 8) & 255}.${i & 255}.1","path":"/x"}`));
    }
    report({ ran, traps: module.traps, loadedMiB: Math.round(loaded / 2 ** 20), memoryMiB: Math.round(module.memoryBytes() / 2 ** 20) });
    return;
  }

  // host-over-2gib: the same wide correlations with a cap of 20,000 keys (about 2.6 GiB at the cap, under
  // the 4 GiB ceiling) through FluentBitHost, the Node host every tripline command uses.
  if (name === "host-over-2gib") {
    const program = compileSources([{ path: "keycap.yml", text: WIDE_KEY_CASE }], { maxKeys: 20_000, seed: 1 }).program.bytes;
    const host = new FluentBitHost(buildModule(program));
    let ran = 0;
    let error: string | undefined;
    for (let i = 1; i <= 30_000; i++, ran++) {
      try {
        host.call("web.access", 1_700_000_000, `{"client_ip":"${i >>> 16}.${(i >>> 8) & 255}.${i & 255}.1","path":"/x"}`);
      } catch (err) {
        error = `${(err as Error).name}: ${(err as Error).message}`;
        break;
      }
    }
    report({ ran, traps: host.counters.traps, lost: host.counters.lost, memoryMiB: Math.round(host.memoryBytes() / 2 ** 20), hostError: error });
    return;
  }

  // maxkeys:<n>: compile the key-cap case with --max-keys n, then run 40 distinct clients through the module.
  if (name.startsWith("maxkeys:")) {
    const maxKeys = Number(name.slice(8));
    let program: Uint8Array;
    try {
      program = compileSources([{ path: "keys.yml", text: KEY_CASE }], { maxKeys, seed: 1 }).program.bytes;
    } catch (err) {
      report({ refused: (err as Error).message });
      return;
    }
    let host: FluentBitHost;
    try {
      host = new FluentBitHost(buildModule(program));
    } catch (err) {
      report({ loadFailed: (err as Error).message });
      return;
    }
    for (let i = 0; i < 40; i++) host.call("web.access", 1_700_000_000, `{"client_ip":"10.0.0.${i}","path":"/x"}`);
    report({ ran: 40, traps: host.counters.traps, lost: host.counters.lost });
    return;
  }

  const make = CASES[name];
  if (!make) throw new Error(`unknown case ${name}; cases: ${Object.keys(CASES).join(", ")}`);
  const text = make();
  const built = ms();
  try {
    const { program } = compileSources([{ path: `${name}.yml`, text }], { seed: 1 });
    const compileMs = Math.round(ms() - built);
    const probes: (string[] | string)[] = [];
    let traps = 0;
    if (PROBES[name]) {
      const host = new FluentBitHost(buildModule(program.bytes));
      for (const record of PROBES[name]) {
        const out = host.call("web.access", 1_700_000_000, record);
        probes.push(out.kind === "record" ? ((out.body.tripline as { rules?: string[] } | undefined)?.rules ?? []) : out.kind);
      }
      traps = host.counters.traps;
    }
    report({ bytes: text.length, buildMs: Math.round(built), compileMs, ok: true, stats: program.stats, programBytes: program.bytes.length, probes, traps });
  } catch (err) {
    if (isRuleError(err)) {
      const errors = err instanceof RuleErrors ? err.errors.map((e) => e.message) : [err.message];
      report({ bytes: text.length, buildMs: Math.round(built), ok: false, errors: errors.slice(0, 5), errorCount: errors.length });
    } else {
      report({ bytes: text.length, buildMs: Math.round(built), crashed: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 500) });
    }
  }
}

main();
