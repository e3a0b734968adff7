// The tripline command as a user runs it: spawned processes, real files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync, readFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";

const BIN = path.join(PACKAGE_ROOT, "bin", "tripline.js");

function tripline(args: string[], cwd = PACKAGE_ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), "tripline-cli-"));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const RULES = file(
  "rules.yml",
  `title: Admin probe
id: cli-admin
level: medium
logsource: {category: webserver}
detection:
  sel: {cs-uri-stem|startswith: /admin}
  condition: sel
---
title: Not found
id: cli-404
logsource: {category: webserver}
detection:
  sel: {sc-status: 404}
  condition: sel
---
title: 404 burst
id: cli-404-burst
level: high
correlation: {type: event_count, rules: [cli-404], group-by: [c-ip], timespan: 1m, condition: {gte: 2}}
`,
);
const LOG = file(
  "access.log",
  [
    `10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /admin/ HTTP/1.1" 404 10 "-" "curl"`,
    `10.0.0.1 - - [20/Nov/2026:10:00:05 +0000] "GET /x HTTP/1.1" 404 10 "-" "curl"`,
    `10.0.0.2 - - [20/Nov/2026:10:00:06 +0000] "GET / HTTP/1.1" 200 10 "-" "curl"`,
  ].join("\n") + "\n",
);

test("--help works on the command and every subcommand", () => {
  for (const args of [["--help"], ["test", "--help"], ["build", "-h"], ["check", "--help"], ["config", "--help"]]) {
    const r = tripline(args);
    assert.equal(r.code, 0, args.join(" "));
    assert.match(r.out, /Usage: tripline/);
  }
});

test("test: summary with matches per rule and the alert with rule, key, count and time", () => {
  const r = tripline(["test", "--rules", RULES, LOG]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^3 records, 2 matched, 1 alerts/m);
  assert.match(r.out, /cli-admin\s+1/);
  assert.match(r.out, /2026-11-20T10:00:05\.000Z\s+high\s+cli-404-burst\s+key=10\.0\.0\.1\s+count 2\/2/);
});

test("test --json gives machine output; --alerts-only narrows it", () => {
  const r = tripline(["test", "--rules", RULES, "--json", LOG]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out);
  assert.equal(out.records, 3);
  // cli-404 feeds a correlation without generate: it shows only on the alert record.
  assert.deepEqual(out.matches, { "cli-admin": 1, "cli-404": 1 });
  assert.equal(out.alerts.length, 1);
  assert.equal(out.alerts[0].rule, "cli-404-burst");
  assert.equal(out.alerts[0].line, 2);
  const only = JSON.parse(tripline(["test", "--rules", RULES, "--json", "--alerts-only", LOG]).out);
  assert.deepEqual(Object.keys(only), ["alerts"]);
});

test("test --parser apache2 sees records as Fluent Bit's parser makes them", () => {
  const r = tripline(["test", "--rules", RULES, "--parser", "apache2", "--json", LOG]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out).matches, { "cli-admin": 1, "cli-404": 1 });
});

test("test with the bundled pack runs on the bundled example logs", () => {
  const r = tripline(["test", "examples/logs"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /records, \d+ matched/);
});

test("a suite passes when the expected alerts happen and fails, showing both sides, when they do not", () => {
  const good = file(
    "good.suite.yml",
    `name: burst
rules: [rules.yml]
input: |
  10.0.0.1 - - [20/Nov/2026:10:00:00 +0000] "GET /a HTTP/1.1" 404 1 "-" "x"
  10.0.0.1 - - [20/Nov/2026:10:00:01 +0000] "GET /b HTTP/1.1" 404 1 "-" "x"
expect:
  alerts:
    - {rule: cli-404-burst, key: 10.0.0.1, count: 2}
  matches: {cli-404: 1}
`,
  );
  const bad = file("bad.suite.yml", readFileSync(good, "utf8").replace("key: 10.0.0.1", "key: 10.0.0.9"));
  const ok = tripline(["test", "--suite", good]);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /1 suite\(s\) passed, 0 failed/);
  const fail = tripline(["test", "--suite", bad]);
  assert.equal(fail.code, 1);
  assert.match(fail.out, /missing alert .*"key":"10\.0\.0\.9".*nearest: key: expected "10\.0\.0\.9", actual "10\.0\.0\.1"/);
});

test("check validates and reports every error at file:line:column", () => {
  assert.equal(tripline(["check", RULES]).code, 0);
  const broken = file("broken.yml", "title: x\nid: b1\ndetection:\n  sel: {cs-uri-stem|containz: a}\n  condition: sel and nope\n");
  const r = tripline(["check", broken]);
  assert.equal(r.code, 1);
  assert.match(r.err, new RegExp(`${broken.replace(/[/\\.]/g, "\\$&")}:4:\\d+: unknown modifier 'containz'`));
  assert.match(r.err, /:5:\d+: .*nope/);
  assert.doesNotMatch(r.err, /at .*\.js:\d+/, "no stack trace");
});

test("build writes a module, and writes nothing when the rules are wrong", () => {
  const out = path.join(dir, "out.wasm");
  const r = tripline(["build", RULES, "-o", out]);
  assert.equal(r.code, 0, r.err);
  const bytes = readFileSync(out);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(bytes)), []);
  const bad = path.join(dir, "bad.wasm");
  const broken = file("broken2.yml", "title: x\nid: b2\ndetection:\n  sel: {nosuchfield: a}\n  condition: sel\n");
  const r2 = tripline(["build", broken, "-o", bad]);
  assert.equal(r2.code, 1);
  assert.equal(existsSync(bad), false);
});

test("config prints classic and YAML stanzas whose rewrite_tag cannot loop", () => {
  const classic = tripline(["config"]);
  assert.equal(classic.code, 0);
  assert.match(classic.out, /Name\s+wasm[\s\S]*Wasm_Stack_Size\s+64K/);
  assert.match(classic.out, /Rule\s+\$tripline_alert \^\(\.\+\)\$ alert\.\$tripline_alert true/);
  // The filter matches logs.*; alert copies are tagged alert.*, which it does not match.
  assert.match(classic.out, /Match\s+logs\.\*/);
  const yaml = tripline(["config", "--format", "yaml"]);
  assert.equal(yaml.code, 0);
  assert.match(yaml.out, /- name: wasm/);
});

test("user mistakes: one line, non-zero exit, no stack trace", () => {
  const empty = file("empty.log", "");
  const unreadable = file("secret.log", "x\n");
  chmodSync(unreadable, 0o000);
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["test", "--bogus", LOG], /unknown option '--bogus'/],
    [["test"], /no log files given/],
    [["test", path.join(dir, "missing.log")], /log file '.*missing\.log' does not exist/],
    [["test", empty], /no records in/],
    [["test", "--parser", "cobol", LOG], /unknown parser 'cobol'/],
    [["test", "--rules", path.join(dir, "nope.yml"), LOG], /rule path '.*nope\.yml' does not exist/],
    [["config", "--format", "toml"], /--format is classic or yaml/],
    [["build", "-o"], /option '--out' needs a value/],
  ];
  if (process.getuid?.() !== 0) cases.push([["test", unreadable], /cannot read/]);
  for (const [args, message] of cases) {
    const r = tripline(args);
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.err, message, args.join(" "));
    assert.equal(r.err.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${r.err}`);
  }
});
