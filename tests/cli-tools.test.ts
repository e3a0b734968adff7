// The rule-author tools of issue 16, as a user runs them: `tripline test`
// on folders, stdin and gzip with its per-file summary; suites with a strict
// schema; `tripline explain`; `tripline config` refusing what Fluent Bit
// would reject. Expectations come from the issue, not from the output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { useColor } from "../src/cli/report.js";
import { sameValue } from "../src/cli/suite.js";
import { tagMatches, inputTag } from "../src/cli/fluent-bit-config.js";

const BIN = path.join(PACKAGE_ROOT, "bin", "tripline.js");

function tripline(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PACKAGE_ROOT, encoding: "utf8", input, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), "tripline-tools-"));
const file = (name: string, text: string | Uint8Array) => {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
};

const RULES = file(
  "rules.yml",
  `title: Not found
id: t-404
logsource: {category: webserver}
detection:
  sel: {sc-status: 404}
  condition: sel
---
title: Admin probe
id: t-admin
level: medium
logsource: {category: webserver}
detection:
  admin: {cs-uri-stem|startswith: /admin}
  post: {cs-method: POST}
  condition: admin and post
---
title: Never matched
id: t-never
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem|startswith: /never-requested}
  condition: sel
---
title: 404 burst
id: t-404-burst
level: high
correlation: {type: event_count, rules: [t-404], group-by: [c-ip], timespan: 1m, condition: {gte: 2}}
`,
);
const access = (ip: string, sec: number, target: string, status: number, method = "GET") => `${ip} - - [20/Nov/2026:10:00:${String(sec).padStart(2, "0")} +0000] "${method} ${target} HTTP/1.1" ${status} 10 "-" "curl"`;
const BURST = [access("10.0.0.1", 0, "/a", 404), access("10.0.0.1", 5, "/b", 404), access("10.0.0.2", 6, "/admin/x", 200)];
const SQLI = access("203.0.113.7", 10, "/item?id=1%27%20OR%201=1--", 200);

// ---- tripline test ---------------------------------------------------------

test("test --fail-on-alert exits 1 on the bundled logs (they raise alerts), 0 without the flag", () => {
  assert.equal(tripline(["test", "examples/logs"]).code, 0);
  const r = tripline(["test", "examples/logs", "--fail-on-alert"]);
  assert.equal(r.code, 1, r.err);
  assert.equal(tripline(["test", "--rules", RULES, "--fail-on-alert", file("quiet.log", access("10.0.0.9", 0, "/", 200) + "\n")]).code, 0, "no alert: exit 0");
});

test("test - reads standard input", () => {
  const r = tripline(["test", "--rules", RULES, "--json", "-"], BURST.join("\n") + "\n");
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.equal(out.records, 3);
  assert.equal(out.alerts.length, 1);
  assert.equal(out.alerts[0].rule, "t-404-burst");
});

test("test walks folders, reads .gz, and skips non-logs with one line naming them", () => {
  const logs = path.join(dir, "walk");
  file("walk/a/access.log", BURST.join("\n") + "\n");
  file("walk/b/old.log.gz", gzipSync(SQLI + "\n"));
  file("walk/fluent-bit.conf", "[INPUT]\n    Name tail\n");
  file("walk/rules.yaml", "title: x\n");
  file("walk/core.dump", Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 10, 65, 10]));
  file("walk/notes", "Remember to rotate the keys.\nAnd water the plants.\n");
  const r = tripline(["test", "--rules", RULES, logs]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^4 records/m, "3 lines of access.log and 1 of old.log.gz");
  const skippedLines = r.err.split("\n").filter((l) => /skipped/.test(l));
  assert.equal(skippedLines.length, 1, r.err);
  for (const name of ["fluent-bit.conf", "rules.yaml", "core.dump", "notes"]) assert.ok(skippedLines[0].includes(name), `${name} named: ${skippedLines[0]}`);
  assert.doesNotMatch(r.err, /access\.log|old\.log\.gz/);
});

test("test on a folder with no logs, or an empty one, names it: exit 2, one line, never an empty name", () => {
  const configsOnly = path.join(dir, "configs-only");
  file("configs-only/x.conf", "[SERVICE]\n");
  const empty = path.join(dir, "empty-dir");
  mkdirSync(empty);
  for (const target of [configsOnly, empty]) {
    const r = tripline(["test", target]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    assert.ok(r.err.includes(target), r.err);
    assert.doesNotMatch(r.err, /in\s{2}|''/);
  }
});

test("test summary: per file, lines read and what they were read as; alerts per rule", () => {
  const mixed = file("mixed.log", [BURST[0], BURST[1], `{"time":"2026-11-20T10:00:07Z","level":"info","msg":"ok"}`, "just some words", "<13>Nov 20 10:00:08 web1 sshd[1]: Accepted password for bob from 10.0.0.3 port 22 ssh2"].join("\n") + "\n");
  const r = tripline(["test", "--rules", RULES, mixed, "--json"]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  const f = out.files[mixed];
  assert.equal(f.records, 5);
  assert.deepEqual({ access: f.recognised.access, json: f.recognised.json, syslog: f.recognised.syslog, unknown: f.recognised.unknown }, { access: 2, json: 1, syslog: 1, unknown: 1 });
  assert.equal(f.alerts, 1);
  const text = tripline(["test", "--rules", RULES, mixed]).out;
  assert.match(text, /Alerts per rule:\n\s+rule\s+level\s+alerts\s+recovered\n\s+t-404-burst\s+high\s+1\s+0/);
  assert.match(text, new RegExp(`${path.basename(mixed)}\\s+5\\s+2`));
});

test("test --records shows each output record with the tag it leaves with, redacted", () => {
  const r = tripline(["test", "--records", "examples/logs/redaction.log"]);
  assert.equal(r.code, 0, r.err);
  const line2 = r.out.split("\n").find((l) => l.startsWith("examples/logs/redaction.log:2 "));
  assert.ok(line2, r.out.slice(0, 500));
  assert.match(line2, /\[logs\]/);
  assert.match(line2, /password=\*\*\*/);
  assert.doesNotMatch(r.out, /hunter2/);
  const alerting = tripline(["test", "--records", "--rules", RULES, "-"], BURST.join("\n") + "\n");
  assert.match(alerting.out, /\(stdin\):2\s+\[logs \+ alert\.t-404-burst\]/);
});

test("NO_COLOR turns colour off even on a terminal", () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const saved = process.env.NO_COLOR;
  try {
    delete process.env.NO_COLOR;
    assert.equal(useColor(tty), true);
    process.env.NO_COLOR = "1";
    assert.equal(useColor(tty), false);
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
  assert.equal(useColor({ isTTY: false } as NodeJS.WriteStream), false);
});

// ---- suites ----------------------------------------------------------------

const suite = (name: string, expect: string, input = BURST) => file(name, `name: ${name}\nrules: [rules.yml]\ninput: |\n${input.map((l) => `  ${l}`).join("\n")}\nexpect:\n${expect}`);

test("a suite with 'alert:' for 'alerts:' is an error at file:line:column, exit 2", () => {
  const bad = suite("typo.suite.yml", "  alert:\n    - {rule: t-404-burst}\n");
  const r = tripline(["test", "--suite", bad]);
  assert.equal(r.code, 2, r.out);
  // name, rules, input and its 3 lines, expect: the key is on line 8.
  assert.ok(r.out.includes(`${bad}:8:3: unknown key 'alert' in expect (did you mean 'alerts'?)`), r.out);
});

test("a suite naming an unknown rule id is an error at its position; other suites still run", () => {
  const bad = suite("unknown-id.suite.yml", "  alerts:\n    - {rule: t-404-burts, key: 10.0.0.1}\n");
  const good = suite("fine.suite.yml", "  alerts:\n    - {rule: t-404-burst, key: 10.0.0.1}\n");
  const r = tripline(["test", "--suite", bad, "--suite", good]);
  assert.equal(r.code, 2);
  assert.match(r.out, /unknown-id\.suite\.yml:9:14: unknown rule id 't-404-burts'/);
  assert.match(r.out, /ok\s+\S*fine\.suite\.yml/);
  assert.match(r.out, /1 suite\(s\) passed, 0 failed, 1 invalid/);
});

test("suite alerts match as a set, by value: order does not matter, 2 equals \"2\", one miss is one problem", () => {
  const input = [...BURST, access("10.0.0.5", 20, "/c", 404), access("10.0.0.5", 21, "/d", 404)];
  const reversed = suite("set.suite.yml", '  alerts:\n    - {rule: t-404-burst, key: 10.0.0.5, count: "2"}\n    - {rule: t-404-burst, key: 10.0.0.1, count: 2}\n', input);
  const ok = tripline(["test", "--suite", reversed]);
  assert.equal(ok.code, 0, ok.out);
  const oneWrong = suite("miss.suite.yml", "  alerts:\n    - {rule: t-404-burst, key: 10.0.0.9}\n    - {rule: t-404-burst, key: 10.0.0.5}\n", input);
  const r = tripline(["test", "--suite", oneWrong]);
  assert.equal(r.code, 1);
  const problems = r.out.split("\n").filter((l) => /^\s{6}\S/.test(l));
  assert.equal(problems.length, 2, r.out);
  assert.match(problems.join("\n"), /missing alert .*10\.0\.0\.9/);
  assert.match(problems.join("\n"), /unexpected alert: rule=t-404-burst key=10\.0\.0\.1/);
  assert.equal(sameValue(42, "42"), true);
  assert.equal(sameValue(["a", 1], ["a", "1"]), true);
  assert.equal(sameValue(1, 2), false);
});

test("suite record assertions: tag, fields, contains, absent, rules; failures are reported", () => {
  const pass = suite(
    "records.suite.yml",
    "  alerts:\n    - {rule: t-404-burst, key: 10.0.0.1}\n  records:\n    - line: 2\n      tag: alert.t-404-burst\n      fields: {tripline.level: high}\n      rules: [t-404]\n    - line: 3\n      contains: {log: /admin/x}\n      absent: [hunter2]\n",
  );
  const ok = tripline(["test", "--suite", pass]);
  assert.equal(ok.code, 0, ok.out);
  const fail = suite("records-fail.suite.yml", "  alerts:\n    - {rule: t-404-burst}\n  records:\n    - line: 1\n      tag: alert.t-404-burst\n    - line: 3\n      absent: [10.0.0.2]\n");
  const r = tripline(["test", "--suite", fail]);
  assert.equal(r.code, 1);
  assert.match(r.out, /record of line 1: expected tag alert\.t-404-burst, it leaves with logs/);
  assert.match(r.out, /record of line 3: "10\.0\.0\.2" should appear nowhere/);
});

test("suite --update writes what happened as the expectations; --coverage lists rules no suite exercises", () => {
  const p = suite("update.suite.yml", "  alerts: []\n");
  assert.equal(tripline(["test", "--suite", p]).code, 1);
  const u = tripline(["test", "--suite", p, "--update"]);
  assert.equal(u.code, 0, u.out);
  const written = readFileSync(p, "utf8");
  assert.match(written, /rule: t-404-burst/);
  assert.match(written, /key: 10\.0\.0\.1/);
  assert.equal(tripline(["test", "--suite", p]).code, 0, "passes as written");
  const c = tripline(["test", "--suite", p, "--coverage"]);
  assert.match(c.out, /Rules no suite exercises:\n(\s+\S+\n)*\s+t-never\n/);
  assert.doesNotMatch(c.out, /^\s+t-404-burst$/m);
});

test("a suite with a missing input_file is an error in one line, not an internal error", () => {
  const p = file("noinput.suite.yml", "name: x\nrules: [rules.yml]\ninput_file: nowhere.log\n");
  const r = tripline(["test", "--suite", p]);
  assert.equal(r.code, 2);
  assert.match(r.out, /noinput\.suite\.yml:3:13: input_file '.*nowhere\.log' does not exist/);
  assert.doesNotMatch(r.out + r.err, /internal error/);
});

// ---- explain ---------------------------------------------------------------

test("explain on a SQLi access line names the SQLi rule and its alert state", () => {
  const r = tripline(["explain", SQLI]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Read as: access-line \(access\)/);
  assert.match(r.out, /path\s+"\/item\?id=1%27%20OR%201=1--"\s+\(url-decoded: "\/item\?id=1' OR 1=1--"\)/);
  assert.match(r.out, /Rules matched[\s\S]*tripline-web-sqli\s+high/);
  assert.match(r.out, /tripline-web-sqli-alert \(event_count\): key=203\.0\.113\.7; 0 event\(s\) .* threshold 1 -> ALERT: fired/);
  assert.match(r.out, /rules\/web-attacks\.yml:\d+:\d+/, "tests carry their rule file position");
});

test("explain FILE:LINE replays the lines before: the correlation state counts them, generate:false rules are named", () => {
  const log = file("burst.log", BURST.join("\n") + "\n");
  const r = tripline(["explain", "--rules", RULES, `${log}:2`]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /t-404\s+\S+\s+Not found\s+\[generate: false: feeds t-404-burst/);
  assert.match(r.out, /t-404-burst \(event_count\): key=10\.0\.0\.1; 1 event\(s\) in the last 60s before this one, threshold 2 -> ALERT: fired \(count 2\/2\)/);
});

test("explain shows a near miss with the first selection that failed", () => {
  const line = access("10.0.0.3", 0, "/admin/panel", 200, "GET");
  const r = tripline(["explain", "--rules", RULES, line]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Near misses[^\n]*\n\s+t-admin: post: method\|equals "POST" \(.*rules\.yml:\d+:\d+\) did not hold: method is "GET"/);
  assert.doesNotMatch(r.out, /^\s+t-never:/m, "a rule none of whose tests held is no near miss");
  const asked = tripline(["explain", "--rules", RULES, "--rule", "t-404", line]);
  assert.match(asked.out, /t-404: sel: status\|equals "404" .* did not hold: status is "200"/);
});

test("explain --grep explains each line containing the text, in file order", () => {
  const log = file("grep.log", BURST.join("\n") + "\n");
  const r = tripline(["explain", "--rules", RULES, "--grep", "10.0.0.1 ", log]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.match(/^\S+grep\.log:\d+$/gm)?.map((l) => l.replace(/.*:/, "")), ["1", "2"]);
  const none = tripline(["explain", "--rules", RULES, "--grep", "nothing-like-this", log]);
  assert.equal(none.code, 2);
  assert.match(none.err, /no line of .* contains "nothing-like-this"/);
});

test("explain on a bare log file asks for a line instead of explaining the file name", () => {
  const log = file("bare.log", BURST.join("\n") + "\n");
  const r = tripline(["explain", "--rules", RULES, log]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split("\n").length, 1);
  assert.match(r.err, /bare\.log' is a file: give FILE:LINE \(.*bare\.log:1 is its first line\) or --grep TEXT/);
});

// ---- config ----------------------------------------------------------------

test("config --parser syslog is refused, naming the stock parsers and the file that defines them", () => {
  const r = tripline(["config", "--parser", "syslog"]);
  assert.equal(r.code, 2);
  assert.equal(r.err.trim().split("\n").length, 1);
  assert.match(r.err, /syslog-rfc3164/);
  assert.match(r.err, /syslog-rfc5424/);
  assert.match(r.err, /parsers\.conf/);
});

test("config: Parsers_File names a file that exists and defines the parser", () => {
  for (const format of ["classic", "yaml"]) {
    const r = tripline(["config", "--format", format, "--parser", "syslog-rfc3164"]);
    assert.equal(r.code, 0, r.err);
    const named = /^\s*(?:Parsers_File|parsers_file:)\s+(\S+)/m.exec(r.out)?.[1];
    assert.ok(named && path.isAbsolute(named), r.out);
    assert.match(readFileSync(named, "utf8"), /Name\s+syslog-rfc3164/);
  }
  const r = tripline(["config", "--parser", "apache2", "--parsers-file", RULES]);
  assert.equal(r.code, 2);
  assert.match(r.err, /parser 'apache2' is not defined in/);
});

test("config --format yaml --parser json defines a parser for ISO 8601 times inline and uses it", () => {
  const r = tripline(["config", "--format", "yaml", "--parser", "json"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^parsers:\n\s+- name: tripline-json\n[\s\S]*?time_format: '%Y-%m-%dT%H:%M:%S%z'/m);
  assert.match(r.out, /^\s+parser: tripline-json$/m);
  assert.doesNotMatch(r.out, /parsers_file/);
});

test("config --match: the filter must see the input's tag and must not see the alert copies", () => {
  const plain = tripline(["config", "--match", "nginx"]);
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /Tag\s+nginx\n/);
  const refused: [string[], RegExp][] = [
    [["--match", "nginx", "--tag", "web.access"], /never matches the input's tag 'web\.access'/],
    [["--match", "alert.*"], /also matches the alert copies/],
    [["--match", "*"], /also matches the alert copies/],
    [["--match", "logs/*"], /not a Fluent Bit tag pattern/],
  ];
  for (const [args, message] of refused) {
    const r = tripline(["config", ...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
  assert.equal(tagMatches("logs.*", inputTag("logs.*")), true);
  assert.equal(tagMatches("logs.*", "logs"), false);
  assert.equal(tagMatches("a.*.c", "a.b.c"), true);
});

test("tripline test shows requests and response-time percentiles per site section, and percentile alerts with their limit", () => {
  // seed-analytics.log (rules/tests/seed-analytics.suite.yml): POST /login answers in 0.08 s, 10 a minute
  // from 09:10 (45 in 09:15); the 500s on /api/orders in 0.05 s from 09:00.
  const r = tripline(["test", "rules/tests/seed-analytics.log", "--rules", "examples/rules/seed-analytics.yml"]);
  assert.equal(r.code, 0, r.err);
  const row = (section: string) => r.out.split("\n").find((l: string) => new RegExp(`^\\s+${section.replace("/", "\\/")}\\s`).test(l))?.trim().split(/\s+/);
  const login = row("/login");
  assert.ok(login, r.out);
  const [, requests, timed, p50, p95] = login!;
  assert.ok(Number(requests) >= 45 && Number(timed) >= 45, login!.join(" "));
  // Log buckets of ratio 1.15: within 15 % of 0.08.
  for (const p of [p50, p95]) assert.ok(Math.abs(Number(p) - 0.08) <= 0.08 * 0.15, `${p} for 0.08 s`);
  assert.match(r.out, /seed-endpoint-p95 {2}key=\/api\/report {2}p95 [\d.]+ vs limit 2/);
});

test("tripline test counts late events per file (a log out of order by more than the lateness)", () => {
  const line = (t: string, path: string) => `198.51.100.9 - - [20/Nov/2026:${t} +0000] "GET ${path} HTTP/1.1" 404 10 "-" "curl/8.5.0"`;
  // Several files are merged by event time, so only a file out of order in itself has late lines:
  // 10 minutes behind its own previous line, past the 60 s lateness, for every correlation a 404 feeds.
  const behind = file("late/b.log", [line("10:10:00", "/b1"), line("10:00:30", "/b2")].join("\n") + "\n");
  const r = tripline(["test", behind]);
  assert.equal(r.code, 0, r.err);
  const header = r.out.split("\n").find((l) => /^\s+file\s+lines/.test(l));
  assert.ok(header?.trim().endsWith("late"), r.out);
  const row = r.out.split("\n").find((l) => l.includes("b.log"))!.trim().split(/\s+/);
  assert.ok(Number(row.at(-1)) >= 1, r.out);
  assert.match(r.out, /\d+ late event\(s\) left out/);
});

test("test names the keys a starved correlation's events lacked: JSON logs with ip_address grouped by c-ip (issue 12.11)", () => {
  const rules = file(
    "starved.yml",
    `title: Login failures
id: login-fail
logsource: {product: json}
detection:
  sel: {event: login_failed}
  condition: sel
---
title: Brute force
id: brute
correlation:
  type: event_count
  rules: [login-fail]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 5}
level: high
`,
  );
  // Two addresses with five failures each: an alert per address if the key were read.
  const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ time: `2026-11-20T10:00:0${i}Z`, event: "login_failed", ip_address: `10.0.0.${i % 2}` }));
  const r = tripline(["test", "-r", rules, file("starved.log", lines.join("\n") + "\n")]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /0 alerts/);
  // c-ip is read from client_ip, remote, ip or src_ip (README, Fields): the user learns ip_address is not one of them.
  const line = r.err.split("\n").find((l) => l.includes("brute:"));
  assert.ok(line, r.err);
  assert.match(line, /10 without a group-by value/);
  for (const key of ["client_ip", "remote", "ip", "src_ip"]) assert.ok(line.includes(key), `${key} in: ${line}`);
});

// ---- tripline check: group-by fields no record can carry (issue 12.11) -----

const NOT_FOUND = `title: Not found
id: nf
logsource: {category: webserver}
detection:
  sel: {sc-status: 404}
  condition: sel
`;
const warningsOf = (err: string) => err.split("\n").filter((l) => l.includes("warning"));

test("check warns, at the group-by entry, when no record of the rules' logsources carries the field; exit 0, and build says the same", () => {
  const rules = file(
    "dead-group-by.yml",
    `${NOT_FOUND}---
title: Cookie burst
id: cookie-burst
level: high
correlation:
  type: event_count
  rules: [nf]
  group-by:
    - c-ip
    - cs-cookie
  timespan: 5m
  condition: {gte: 5}
`,
  );
  const r = tripline(["check", rules]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ok: 1 file/);
  // Access lines (webserver) carry no cookie: line 16, column 7 is "cs-cookie" in "    - cs-cookie".
  const lines = r.err.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, r.err);
  assert.ok(lines[0].startsWith(`${rules}:16:7: warning: correlation 'cookie-burst' groups by 'cs-cookie' (read from cookie)`), lines[0]);
  assert.match(lines[0], /no record of its rules' logsources \(access\) carries: every event would be left out/);
  assert.match(lines[0], /--fields/);
  const out = path.join(dir, "dead-group-by.wasm");
  const b = tripline(["build", rules, "-o", out]);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(warningsOf(b.err), lines, "build warns as check does, and still writes the module");
  assert.ok(readFileSync(out).length > 0);
});

test("check warns more softly when only some kinds of record carry the field: cs-host on access lines", () => {
  const rules = file(
    "soft-group-by.yml",
    `${NOT_FOUND}---
title: Host burst
id: host-burst
correlation: {type: event_count, rules: [nf], group-by: cs-host, timespan: 5m, condition: {gte: 5}}
`,
  );
  const r = tripline(["check", rules]);
  assert.equal(r.code, 0, r.err);
  const lines = warningsOf(r.err);
  assert.equal(lines.length, 1, r.err);
  assert.ok(lines[0].startsWith(`${rules}:10:`), lines[0]);
  // The target's host is there only when the request line holds an absolute URL (a forward proxy).
  assert.match(lines[0], /'cs-host'.* carry only .*absolute-URL \(forward-proxy\) request targets/);
});

test("check does not warn where records carry the field: c-ip on access lines", () => {
  const r = tripline(["check", RULES]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(warningsOf(r.err), []);
});

test("check does not warn when a rule admits JSON records, which may carry any key, also through a --fields logsource", () => {
  const app = file(
    "json-group-by.yml",
    `title: Login failed
id: app-login-failed
logsource: {category: application}
detection:
  sel: {event: login_failed}
  condition: sel
---
title: Login failures per session
id: app-session-burst
correlation: {type: event_count, rules: [app-login-failed], group-by: [session_id, c-ip], timespan: 5m, condition: {gte: 5}}
`,
  );
  assert.deepEqual(warningsOf(tripline(["check", app]).err), []);
  // The user's own product, declared JSON, with c-ip mapped onto the key its records carry.
  const fields = file("myapp-fields.yml", "fields:\n  c-ip: [ip_address]\nlogsources:\n  product:\n    myapp: [json]\n");
  const mine = file(
    "myapp.yml",
    `title: Login failed
id: myapp-login-failed
logsource: {product: myapp}
detection:
  sel: {event: login_failed}
  condition: sel
---
title: Brute force
id: myapp-brute
correlation: {type: event_count, rules: [myapp-login-failed], group-by: c-ip, timespan: 5m, condition: {gte: 5}}
`,
  );
  const r = tripline(["check", "--fields", fields, mine]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(warningsOf(r.err), []);
});

test("check: a --fields mapping onto a key the records carry takes the warning away", () => {
  const rules = file(
    "ssh-by-server.yml",
    `title: Failed password
id: ssh-failed
logsource: {product: linux, service: sshd}
detection:
  sel: Failed password
  condition: sel
---
title: Failures per server
id: ssh-failures-per-server
correlation: {type: event_count, rules: [ssh-failed], group-by: dst_ip, timespan: 5m, condition: {gte: 5}}
`,
  );
  const before = warningsOf(tripline(["check", rules]).err);
  assert.equal(before.length, 1);
  assert.match(before[0], /'dst_ip' \(read from dst_ip\), which no record of its rules' logsources \(auth\) carries/);
  // The syslog host is the server the line comes from.
  const fields = file("server-fields.yml", "fields:\n  dst_ip: [host]\n");
  const after = tripline(["check", "--fields", fields, rules]);
  assert.equal(after.code, 0, after.err);
  assert.deepEqual(warningsOf(after.err), []);
});

test("check warns, at the field, when a value_count or anomaly counts a field no record of the rules' logsources carries", () => {
  const rules = file(
    "dead-value.yml",
    `${NOT_FOUND}---
title: Cookie variety
id: cookie-variety
correlation:
  type: value_count
  rules: [nf]
  group-by: c-ip
  timespan: 5m
  condition:
    field: cs-cookie
    gte: 10
---
title: Slow sshd
id: ssh-slow
logsource: {product: linux, service: sshd}
detection:
  sel: {program: sshd}
  condition: sel
---
title: Slow sshd anomaly
id: ssh-slow-anomaly
correlation:
  type: anomaly
  rules: [ssh-slow]
  timespan: 1h
  anomaly: {field: time-taken, zscore: 3}
`,
  );
  const r = tripline(["check", rules]);
  assert.equal(r.code, 0, r.err);
  const lines = warningsOf(r.err);
  assert.equal(lines.length, 2, r.err);
  // Line 16, column 12 is "cs-cookie" in "    field: cs-cookie"; line 32, column 20 is "time-taken" in "  anomaly: {field: time-taken, ...}".
  assert.ok(lines[0].startsWith(`${rules}:16:12: warning: correlation 'cookie-variety' counts 'cs-cookie' (read from cookie)`), lines[0]);
  assert.match(lines[0], /no record of its rules' logsources \(access\) carries: every event would be left out; map a key with --fields or count another field/);
  assert.ok(lines[1].startsWith(`${rules}:32:20: warning: correlation 'ssh-slow-anomaly' counts 'time-taken' (read from response_time)`), lines[1]);
  assert.match(lines[1], /logsources \(auth\)/);
  // Mapping the field onto a key sshd records carry silences the warning.
  const fields = file("slow-fields.yml", "fields:\n  time-taken: [pid]\n  cs-cookie: [referer]\n");
  assert.deepEqual(warningsOf(tripline(["check", rules, "--fields", fields]).err), []);
});

test("check: the bundled rule pack gives no warning", () => {
  const r = tripline(["check"]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(warningsOf(r.err), []);
});

test("build is reproducible: the same rules and options give byte-identical modules, other options another module", () => {
  const [a, b, c] = ["repro-a.wasm", "repro-b.wasm", "repro-c.wasm"].map((n) => path.join(dir, n));
  for (const [out, extra] of [[a, []], [b, []], [c, ["--max-keys", "5000"]]] as const) {
    const r = tripline(["build", "-o", out, ...extra]);
    assert.equal(r.code, 0, r.err);
  }
  assert.ok(readFileSync(a).equals(readFileSync(b)), "two builds of the same rules differ");
  assert.ok(!readFileSync(a).equals(readFileSync(c)), "another key cap gave the same module");
});
