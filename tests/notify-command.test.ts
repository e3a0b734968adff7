// `tripline notify` as a user runs it: mistakes are one line and exit 2,
// secrets are refused on the command line, the YAML file takes the same
// options (the command line wins), and a spool or port in use is exit 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { CLI, spawnNotify, tempDir } from "./notify-helpers.js";
import { freePort } from "./e2e/fluent-bit.js";

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, "notify", ...args], { encoding: "utf8", env: { ...process.env, TRIPLINE_SMTP_USER: "", TRIPLINE_SMTP_PASS: "", TRIPLINE_NOTIFY_TOKEN: "", ...env }, timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function usage(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): void {
  const r = run(args, env);
  assert.equal(r.status, 2, `${args.join(" ")}\n${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /^tripline notify: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /internal error|    at /);
}

const HOOK = ["--webhook", "http://127.0.0.1:9/hook"];

test("notify --help and tripline --help describe the command", () => {
  const r = run(["--help"]);
  assert.equal(r.status, 0);
  for (const option of ["--listen", "--smtp", "--from", "--to", "--digest", "--webhook", "--slack", "--token-file", "--spool", "--config", "TRIPLINE_SMTP_USER"]) assert.ok(r.stdout.includes(option), option);
  const main = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
  assert.match(main.stdout, /^\s+notify\s+\S/m);
});

test("usage mistakes: one line, exit 2", () => {
  usage([], /nowhere to deliver/);
  usage(["--bogus"], /unknown option '--bogus'/);
  usage(["extra", ...HOOK], /takes no arguments/);
  usage(["--smtp", "smtp://mail.example.com:587", "--to", "a@example.com"], /needs --from/);
  usage(["--smtp", "smtp://mail.example.com:587", "--from", "a@example.com"], /at least one --to/);
  usage(["--to", "a@example.com", ...HOOK], /need --smtp/);
  usage(["--smtp", "http://mail.example.com", "--from", "a@example.com", "--to", "b@example.com"], /smtp:\/\/HOST:PORT/);
  usage(["--smtp", "smtp://mail.example.com", "--from", "not-an-address", "--to", "b@example.com"], /--from needs a mail address/);
  usage(["--webhook", "ftp://example.com/x"], /http\(s\) URL/);
  usage(["--digest", "soon", ...HOOK], /--digest needs a duration/);
  usage(["--rate-limit", "6", ...HOOK], /COUNT\/DURATION/);
  usage(["--max-body", "lots", ...HOOK], /--max-body needs a size/);
  usage(["--listen", "localhost:http", ...HOOK], /--listen needs HOST:PORT/);
  usage(["--tls-cert", "/nonexistent.pem", ...HOOK], /--tls-cert and --tls-key go together/);
  usage(["--token-file", "/nonexistent/token", ...HOOK], /cannot read --token-file '\/nonexistent\/token': ENOENT/);
  usage(["--log-level", "loud", ...HOOK], /--log-level/);
});

test("credentials never come from the command line", () => {
  usage(["--smtp", "smtp://alerts:hunter2@mail.example.com:587", "--from", "a@example.com", "--to", "b@example.com"], /must not carry credentials.*TRIPLINE_SMTP_USER/);
  usage(["--smtp", "smtp://mail.example.com", "--from", "a@example.com", "--to", "b@example.com"], /TRIPLINE_SMTP_USER and TRIPLINE_SMTP_PASS/, { TRIPLINE_SMTP_USER: "alerts" });
  const dir = tempDir();
  const bad = path.join(dir, "auth");
  writeFileSync(bad, "no-colon-here\n", { mode: 0o600 });
  usage(["--smtp", "smtp://mail.example.com", "--from", "a@example.com", "--to", "b@example.com", "--smtp-auth-file", bad], /USER:PASSWORD/);
  usage([...HOOK], /at least 16 characters/, { TRIPLINE_NOTIFY_TOKEN: "short" });
});

test("the YAML config takes the command line's option names; the command line wins; mistakes point at file:line:column", () => {
  const dir = tempDir();
  const file = path.join(dir, "notify.yaml");
  writeFileSync(file, ["listen: 127.0.0.1:9100", "smtp: smtp://mail.example.com:25", "from: tripline@example.com", "to:", "  - admin@example.com", "  - soc@example.com", "digest: 10m", "slack: https://hooks.slack.com/services/T/B/X", `spool: ${dir}/spool`, "include-stats: true", ""].join("\n"));
  const r = run(["--config", file, "--check", "--digest", "1m"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ok$/m);
  assert.match(r.stdout, /listen http:\/\/127\.0\.0\.1:9100/);
  assert.match(r.stdout, /smtp:\/\/mail\.example\.com:25 \(2 recipients\)/);
  assert.match(r.stdout, /Slack webhook https:\/\/hooks\.slack\.com\/…/);
  assert.doesNotMatch(r.stdout, /services\/T\/B\/X/, "the webhook's secret path is not printed");
  assert.match(r.stdout, /digest every 1 min/, "the command line wins");
  assert.match(r.stdout, /statistics delivered/);
  assert.ok(r.stdout.includes(`spool ${dir}/spool`));

  const cases: [string, RegExp][] = [
    ["listen: 1\nbogus: 2\n", /notify\.yaml:2:1: unknown option 'bogus'/],
    ["webhook: http://x/y\ninclude-stats: yes please\n", /notify\.yaml:2:16: 'include-stats' is true or false/],
    ["webhook: http://x/y\nto: {a: 1}\n", /notify\.yaml:2:5: 'to' needs a value/],
    ["- a\n- b\n", /notify\.yaml:1:1: the config must be a map/],
    ["webhook: [unclosed\n", /notify\.yaml:\d+:\d+: /],
    ["webhook: http://x/y\nwebhook: http://x/z\n", /notify\.yaml:2:1: .*[Uu]nique|duplicate/],
  ];
  for (const [text, pattern] of cases) {
    writeFileSync(file, text);
    usage(["--config", file], pattern);
  }
  usage(["--config", path.join(dir, "missing.yaml")], /cannot read config .*missing\.yaml': ENOENT/);
});

test("a spool in use by another notify, or a port in use, is one line and exit 1", async () => {
  const dir = tempDir();
  const port = await freePort();
  const first = await spawnNotify(["--listen", `127.0.0.1:${port}`, ...HOOK, "--spool", path.join(dir, "spool")]);
  try {
    const spoolTaken = run(["--listen", "127.0.0.1:0", ...HOOK, "--spool", path.join(dir, "spool")]);
    assert.equal(spoolTaken.status, 1);
    assert.match(spoolTaken.stderr.trim(), /^tripline notify: the spool '.*' is in use by process \d+/m);
    const portTaken = run(["--listen", `127.0.0.1:${port}`, ...HOOK, "--spool", path.join(dir, "other")]);
    assert.equal(portTaken.status, 1);
    assert.match(portTaken.stderr, /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
  } finally {
    assert.equal(await first.stop(), 0);
  }
  // The lock went with the process: the spool can be used again.
  const again = await spawnNotify(["--listen", "127.0.0.1:0", ...HOOK, "--spool", path.join(dir, "spool")]);
  assert.equal(await again.stop(), 0);
});

test("listening beyond loopback without a token or client certificates is warned about", async () => {
  const dir = tempDir();
  const p = await spawnNotify(["--listen", "0.0.0.0:0", ...HOOK, "--spool", path.join(dir, "spool")]);
  await p.stop();
  assert.match(p.log(), /warn .*without a bearer token or client certificates/);
  const tokenFile = path.join(dir, "token");
  writeFileSync(tokenFile, "0123456789abcdef0123\n", { mode: 0o644 });
  const q = await spawnNotify(["--listen", "0.0.0.0:0", ...HOOK, "--spool", path.join(dir, "spool"), "--token-file", tokenFile]);
  await q.stop();
  assert.doesNotMatch(q.log(), /without a bearer token/);
  assert.match(q.log(), /--token-file '.*' can be read by other users/);
});
