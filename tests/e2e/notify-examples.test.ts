// The configurations in examples/alerts/ against the real Fluent Bit: each
// passes `fluent-bit --dry-run` (5.1.1 checks every property name and loads
// the wasm filter), the notify example delivers a brute force to a running
// `tripline notify`, and the archive example writes dated files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fluentBitBinary, freePort, SKIP_REASON } from "./fluent-bit.js";
import { CLI, ROOT, spawnNotify, startReceiver, tempDir, until } from "../notify-helpers.js";

const bin = fluentBitBinary();
const skip = bin ? false : SKIP_REASON;
const EXAMPLES = path.join(ROOT, "examples", "alerts");
const CONFIGS = readdirSync(EXAMPLES).filter((f) => /^fluent-bit-.*\.(conf|yaml)$/.test(f)).sort();
const TOKEN = "examples-token-0123456789";

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TRIPLINE_LOG: path.join(dir, "auth.log"),
    TRIPLINE_WASM: path.join(ROOT, "build", "tripline.wasm"),
    TRIPLINE_STATE: path.join(dir, "state"),
    TRIPLINE_ARCHIVE: path.join(dir, "archive"),
    TRIPLINE_NOTIFY_TOKEN: TOKEN,
    SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0000000/B0000000/XXXXXXXX",
    OPENSEARCH_HOST: "127.0.0.1",
    OPENSEARCH_USER: "u",
    OPENSEARCH_PASSWORD: "p",
    ES_HOST: "127.0.0.1",
    ES_API_KEY: "aWQ6a2V5",
    SPLUNK_HOST: "127.0.0.1",
    SPLUNK_HEC_TOKEN: "00000000-0000-0000-0000-000000000000",
    LOKI_HOST: "127.0.0.1",
    LOKI_USER: "u",
    LOKI_PASSWORD: "p",
    SIEM_HOST: "127.0.0.1",
    SIEM_TOKEN: "t",
  };
}

function dryRun(file: string, dir: string): { status: number | null; out: string } {
  const r = spawnSync(bin!, ["--dry-run", "-c", file], { cwd: dir, env: env(dir), encoding: "utf8", timeout: 30000 });
  return { status: r.status, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

test("there are examples for Slack, notify, OpenSearch, Elasticsearch, Splunk, Loki, generic http and a daily archive", () => {
  for (const name of ["slack", "notify", "opensearch", "elasticsearch", "splunk", "loki", "http", "archive"]) assert.ok(CONFIGS.includes(`fluent-bit-${name}.conf`), name);
});

for (const name of CONFIGS) {
  test(`examples/alerts/${name} passes fluent-bit --dry-run`, { skip }, () => {
    const dir = tempDir("tripline-examples-");
    const r = dryRun(path.join(EXAMPLES, name), dir);
    assert.equal(r.status, 0, r.out.slice(-1500));
    assert.match(r.out, /configuration test is successful/);
  });
}

test("the dry run does catch a mistake (a misspelled property), so passing it means something", { skip }, () => {
  const dir = tempDir("tripline-examples-");
  copyFileSync(path.join(EXAMPLES, "pipeline.conf"), path.join(dir, "pipeline.conf"));
  writeFileSync(path.join(dir, "broken.conf"), readFileSync(path.join(EXAMPLES, "fluent-bit-splunk.conf"), "utf8").replace("Splunk_Token", "Splunk_Tokn"));
  const r = dryRun(path.join(dir, "broken.conf"), dir);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /unknown configuration property 'splunk_tokn'/);
});

test("examples/alerts/tripline-notify.yaml is a valid notify configuration", () => {
  const dir = tempDir("tripline-examples-");
  copyFileSync(path.join(EXAMPLES, "tripline-notify.yaml"), path.join(dir, "notify.yaml"));
  writeFileSync(path.join(dir, "notify.token"), TOKEN + "\n", { mode: 0o600 });
  const r = spawnSync(process.execPath, [CLI, "notify", "--config", path.join(dir, "notify.yaml"), "--check"], { encoding: "utf8", env: { ...process.env, TRIPLINE_SMTP_USER: "alerts", TRIPLINE_SMTP_PASS: "secret" } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bearer token required/);
  assert.match(r.stdout, /smtp:\/\/mail\.example\.com:587 \(2 recipients\)/);
  assert.match(r.stdout, /Slack webhook https:\/\/hooks\.slack\.com\/…/);
  assert.match(r.stdout, /[^k] webhook https:\/\/siem\.example\.com\/…/);
  assert.match(r.stdout, /digest every 5 min, at most 6 per rule per 1 h/);
});

/** Runs Fluent Bit on `config` (in `dir`), appends auth.log to the tailed file once it runs, and stops it when `done` holds. */
async function runLive(config: string, dir: string, done: () => boolean, what: string): Promise<string> {
  writeFileSync(path.join(dir, "auth.log"), "");
  mkdirSync(path.join(dir, "state"), { recursive: true });
  const child = spawn(bin!, ["-c", config], { cwd: dir, env: env(dir), stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  try {
    await until(() => /inotify_fs_add|watch_fd/.test(log) || child.exitCode !== null, 20000, `Fluent Bit to watch the log\n${log}`);
    appendFileSync(path.join(dir, "auth.log"), readFileSync(path.join(ROOT, "examples", "logs", "auth.log")));
    await until(done, 40000, `${what}\n${log.slice(-3000)}`);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  return log;
}

test("examples/alerts/fluent-bit-notify.conf delivers a brute force through a running tripline notify", { skip, timeout: 120000 }, async () => {
  const dir = tempDir("tripline-examples-");
  const port = await freePort();
  copyFileSync(path.join(EXAMPLES, "pipeline.conf"), path.join(dir, "pipeline.conf"));
  const config = readFileSync(path.join(EXAMPLES, "fluent-bit-notify.conf"), "utf8");
  assert.match(config, /Port +9025\n/);
  writeFileSync(path.join(dir, "fluent-bit.conf"), config.replace(/Port +9025\n/, `Port ${port}\n`)); // a free port instead of the default
  const hook = await startReceiver();
  const notify = await spawnNotify(["--listen", `127.0.0.1:${port}`, "--webhook", `${hook.url}/`, "--digest", "2s", "--spool", path.join(dir, "spool")], { TRIPLINE_NOTIFY_TOKEN: TOKEN });
  try {
    type D = { rules: { rule: string; keys: { key: string }[] }[] };
    const brute = () => hook.received.some((r) => (r.body as D).rules.some((x) => x.rule === "tripline-ssh-brute-force-fast" && x.keys.some((k) => k.key === "203.0.113.50")));
    const log = await runLive(path.join(dir, "fluent-bit.conf"), dir, brute, "the brute force digest");
    assert.doesNotMatch(log, /HTTP status=4\d\d|chunk will not be retried/);
    assert.doesNotMatch(notify.log(), /rejected/);
  } finally {
    await notify.stop();
    await hook.close();
  }
});

test("examples/alerts/fluent-bit-archive.conf writes every record to a file named by the day, and alerts to another", { skip, timeout: 120000 }, async () => {
  const dir = tempDir("tripline-examples-");
  copyFileSync(path.join(EXAMPLES, "pipeline.conf"), path.join(dir, "pipeline.conf"));
  const lines = readFileSync(path.join(ROOT, "examples", "logs", "auth.log"), "utf8").trim().split("\n").length;
  const archive = path.join(dir, "archive");
  const count = (f: string) => (existsSync(path.join(archive, f)) ? readFileSync(path.join(archive, f), "utf8").trim().split("\n").length : 0);
  // tail without a parser stamps records with the time they are read: today, UTC.
  const day = () => new Date().toISOString().slice(0, 10);
  await runLive(path.join(EXAMPLES, "fluent-bit-archive.conf"), dir, () => count(`all-${day()}.jsonl`) >= lines && count(`alerts-${day()}.jsonl`) > 0, "the dated files");
  assert.equal(count(`all-${day()}.jsonl`), lines);
  const alerts = readFileSync(path.join(archive, `alerts-${day()}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(alerts.every((r) => Array.isArray(r.tripline?.alerts) && r.tripline.alerts.length > 0), "only alert records in the alerts file");
  assert.ok(!existsSync(path.join(archive, "all-undated.jsonl")));
});
