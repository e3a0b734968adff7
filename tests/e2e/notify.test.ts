// Fluent Bit -> tripline notify -> a real SMTP server and webhook receivers.
// The bundled auth.log goes through build/tripline.wasm and rewrite_tag; the
// alert copies leave through Fluent Bit's `http` output (Format json, bearer
// token) to `tripline notify` running as its own process. The delivered
// digest must list exactly the alerts the same module raises for the same
// records in Node (the host is Fluent Bit-exact), grouped by rule and key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fluentBitBinary, freePort, SKIP_REASON } from "./fluent-bit.js";
import { FluentBitHost } from "../../src/host/host.js";
import { fluentBitJson } from "../../src/host/json.js";
import { ROOT, spawnNotify, startReceiver, startSmtp, tempDir, until } from "../notify-helpers.js";

const bin = fluentBitBinary();
const skip = bin ? false : SKIP_REASON;
const TOKEN = "e2e-token-0123456789abcdef";

// auth.log has no <pri>, so none of the stock rfc3164 parsers takes it; this one reads the same fields.
const PARSER = /^(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$/;
const PARSERS_CONF = `[PARSER]
    Name        auth-syslog
    Format      regex
    Regex       ${PARSER.source}
    Time_Key    time
    Time_Format %b %d %H:%M:%S
    Time_Keep   On
`;

function config(port: number, wasm: string, scheduler = ""): string {
  return `[SERVICE]
    Flush        1
    Grace        20
    Log_Level    info
    Parsers_File parsers.conf
${scheduler}
[INPUT]
    Name           tail
    Path           input.log
    Tag            logs.auth
    Parser         auth-syslog
    Read_From_Head true
    Exit_On_Eof    true

[FILTER]
    Name            wasm
    Match           logs.*
    Wasm_Path       ${wasm}
    Function_Name   filter
    Event_Format    json
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K

[FILTER]
    Name          rewrite_tag
    Match         logs.*
    Rule          $tripline_alert ^(.+)$ alert.$tripline_alert true
    Emitter_Name  tripline_alerts

[OUTPUT]
    Name         http
    Match        alert.*
    Host         127.0.0.1
    Port         ${port}
    URI          /alerts
    Format       json
    Header       Authorization Bearer ${TOKEN}
    Retry_Limit  no_limits
`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface Expected {
  rule: string;
  key: string;
  alerts: number;
  counts: number[];
}

/** The alerts the module raises for auth.log's records as the parser above makes them (year: this one, UTC). */
function expectedAlerts(log: string, wasm: Uint8Array): { groups: Map<string, Expected>; total: number; statsRecords: number } {
  const host = new FluentBitHost(wasm);
  const year = new Date().getUTCFullYear();
  const groups = new Map<string, Expected>();
  let total = 0;
  let statsRecords = 0;
  for (const line of log.split("\n")) {
    const m = PARSER.exec(line);
    if (!m) continue;
    const g = m.groups!;
    const [mon, day, hms] = g.time.split(/ +/);
    const [h, mi, s] = hms.split(":").map(Number);
    const time = Date.UTC(year, MONTHS.indexOf(mon), Number(day), h, mi, s) / 1000;
    const body: Record<string, string> = { time: g.time, host: g.host, ident: g.ident };
    if (g.pid !== undefined) body.pid = g.pid;
    body.message = g.message;
    const out = host.call("logs.auth", time, fluentBitJson(body));
    if (out.kind !== "record") continue;
    const ns = out.body.tripline as { alerts?: { rule: string; key: string; count: number }[]; stats?: unknown } | undefined;
    if (ns?.stats && !ns.alerts) statsRecords++;
    for (const a of ns?.alerts ?? []) {
      total++;
      const id = `${a.rule}|${a.key}`;
      const e = groups.get(id) ?? { rule: a.rule, key: a.key, alerts: 0, counts: [] };
      e.alerts++;
      e.counts.push(a.count);
      groups.set(id, e);
    }
  }
  return { groups, total, statsRecords };
}

interface DigestJson {
  alerts: number;
  rules: { rule: string; alerts: number; keys: { key: string; alerts: number; latest?: { count?: number }; first?: string; last?: string; lines: string[] }[] }[];
}

function runFluentBit(dir: string, port: number, wasm: string, scheduler = ""): Promise<{ code: number | null; log: string }> {
  writeFileSync(path.join(dir, "fluent-bit.conf"), config(port, wasm, scheduler));
  const child = spawn(bin!, ["-c", "fluent-bit.conf"], { cwd: dir, env: { ...process.env, TZ: "UTC" }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 90000);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    }),
  );
}

function setup() {
  const dir = tempDir("tripline-notify-e2e-");
  const log = readFileSync(path.join(ROOT, "examples", "logs", "auth.log"), "utf8");
  const wasmPath = path.join(ROOT, "build", "tripline.wasm");
  writeFileSync(path.join(dir, "input.log"), log);
  writeFileSync(path.join(dir, "parsers.conf"), PARSERS_CONF);
  writeFileSync(path.join(dir, "token"), TOKEN + "\n", { mode: 0o600 });
  return { dir, log, wasmPath, expected: expectedAlerts(log, readFileSync(wasmPath)) };
}

test("a brute force replayed through Fluent Bit arrives as one digest by mail and webhooks, grouped by rule and key", { skip, timeout: 150000 }, async () => {
  const { dir, wasmPath, expected } = setup();
  // What the README and `tripline test` say auth.log raises: the fast brute force from 203.0.113.50, 5 of 5.
  const brute = expected.groups.get("tripline-ssh-brute-force-fast|203.0.113.50");
  assert.ok(brute && brute.counts[0] === 5, "the oracle itself sees the brute force");
  assert.ok(expected.groups.size >= 5);

  const smtp = await startSmtp();
  const hook = await startReceiver();
  const slack = await startReceiver();
  const port = await freePort();
  const configFile = path.join(dir, "notify.yaml");
  writeFileSync(configFile, `listen: 127.0.0.1:${port}\nslack: ${slack.url}/services/T000/B000/XXXX\ntoken-file: token\n`);
  const notify = await spawnNotify([
    "--config", configFile,
    "--smtp", `smtp://127.0.0.1:${smtp.port}`,
    "--from", "tripline@example.com",
    "--to", "admin@example.com",
    "--to", "soc@example.com",
    "--webhook", `${hook.url}/generic`,
    "--digest", "4s",
    "--spool", path.join(dir, "spool"),
  ]);
  try {
    const fb = await runFluentBit(dir, port, wasmPath);
    assert.equal(fb.code, 0, fb.log.slice(-2000));
    assert.doesNotMatch(fb.log, /Got exception running wasm code|HTTP status=4\d\d|chunk will not be retried/);
    const delivered = (list: { alerts: number }[]) => list.reduce((n, d) => n + d.alerts, 0);
    const mailAlerts = () => smtp.mails.reduce((n, m) => n + digestAlerts(m.parsed.text ?? ""), 0);
    await until(() => mailAlerts() >= expected.total && delivered(hook.received.map((r) => r.body as DigestJson)) >= expected.total && slack.received.length === hook.received.length, 30000, `digests with ${expected.total} alerts\n${notify.log()}`);
    assert.equal(mailAlerts(), expected.total);

    // The generic webhook: the same alerts, grouped by rule and key, with the counts the module raised.
    const digests = hook.received.map((r) => r.body as DigestJson);
    assert.equal(delivered(digests), expected.total);
    const got = new Map<string, { alerts: number; count?: number }>();
    for (const d of digests)
      for (const r of d.rules)
        for (const k of r.keys) {
          const id = `${r.rule}|${k.key}`;
          const before = got.get(id);
          got.set(id, { alerts: (before?.alerts ?? 0) + k.alerts, count: k.latest?.count });
        }
    assert.deepEqual([...got.keys()].sort(), [...expected.groups.keys()].sort());
    for (const [id, e] of expected.groups) {
      assert.equal(got.get(id)!.alerts, e.alerts, id);
      assert.equal(got.get(id)!.count, e.counts[e.counts.length - 1], id);
    }
    const bruteGroup = digests.flatMap((d) => d.rules).find((r) => r.rule === "tripline-ssh-brute-force-fast")!.keys.find((k) => k.key === "203.0.113.50")!;
    assert.match(bruteGroup.first!, /T09:00:02\.000Z$/);
    assert.match(bruteGroup.last!, /T09:00:23\.000Z$/);
    assert.ok(bruteGroup.lines.some((l) => /Failed password for .* from 203\.0\.113\.50/.test(l)), "a sample line of the attack");

    // The mail: one per digest, to both recipients, from the configured sender.
    assert.equal(smtp.mails.length, digests.length);
    const mail = smtp.mails[0];
    assert.equal(mail.envelope.from, "tripline@example.com");
    assert.deepEqual(mail.envelope.to.sort(), ["admin@example.com", "soc@example.com"]);
    assert.match(mail.parsed.subject ?? "", /^\[tripline\] \d+ alerts \(high\): /);
    const text = smtp.mails.map((m) => m.parsed.text ?? "").join("\n");
    const html = smtp.mails.map((m) => String(m.parsed.html ?? "")).join("\n");
    for (const e of expected.groups.values()) {
      assert.ok(text.includes(e.rule), `text lists ${e.rule}`);
      assert.ok(html.includes(e.rule), `html lists ${e.rule}`);
    }
    assert.match(text, /^ *- 203\.0\.113\.50\b.*: 1 alert, fired, count 5\/5, window 60 s, route tripline-ssh-brute-force-fast$/m);
    assert.match(text, /first \d{4}-11-21T09:00:02\.000Z, last \d{4}-11-21T09:00:23\.000Z/);

    // Slack: the same digest in Slack's format.
    const s = slack.received[0];
    assert.equal(s.path, "/services/T000/B000/XXXX");
    const blocks = (s.body as { text: string; blocks: { type: string; text?: { text: string } }[] }).blocks;
    assert.ok(blocks.some((b) => b.type === "section" && b.text!.text.includes("`tripline-ssh-brute-force-fast`") && b.text!.text.includes("`203.0.113.50`")));

    // Health: everything delivered, nothing left, statistics records counted and not delivered.
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, number> & { accepted: { alerts: number } };
    assert.equal(health.accepted.alerts, expected.total);
    assert.equal(health.queued, 0);
    assert.equal(health.spooled, 0);
    assert.equal(health.delivered, digests.length * 3);
    assert.equal(health.rejected, 0);
    assert.equal(health.stats, expected.statsRecords);
  } finally {
    const code = await notify.stop();
    await Promise.all([smtp.close(), hook.close(), slack.close()]);
    assert.equal(code, 0, notify.log());
  }
  // Records reach notify unredacted by notify itself: its log at info names rules, never lines or keys.
  assert.doesNotMatch(notify.log(), /Failed password|203\.0\.113\.50/);
});

/** "tripline: N alerts from ..." -> N */
function digestAlerts(text: string): number {
  return Number(/^tripline: (\d+) alerts? from/m.exec(text)?.[1] ?? 0);
}

test("notify down while Fluent Bit sends: Fluent Bit retries, and nothing is lost once notify is up", { skip, timeout: 150000 }, async () => {
  const { dir, wasmPath, expected } = setup();
  const hook = await startReceiver();
  const port = await freePort();
  // Retries come quickly: the scheduler waits 1-3 s between tries.
  const fb = runFluentBit(dir, port, wasmPath, "    scheduler.base 1\n    scheduler.cap  3\n");
  await new Promise((r) => setTimeout(r, 4000));
  const notify = await spawnNotify(["--listen", `127.0.0.1:${port}`, "--webhook", `${hook.url}/generic`, "--digest", "2s", "--spool", path.join(dir, "spool"), "--token-file", path.join(dir, "token")]);
  try {
    const run = await fb;
    assert.equal(run.code, 0, run.log.slice(-2000));
    assert.match(run.log, /no upstream connections|connection refused|could not flush|error/i, "Fluent Bit met a closed port first");
    await until(() => hook.received.reduce((n, r) => n + (r.body as DigestJson).alerts, 0) >= expected.total, 30000, `all ${expected.total} alerts\n${notify.log()}`);
    const alerts = hook.received.reduce((n, r) => n + (r.body as DigestJson).alerts, 0);
    assert.equal(alerts, expected.total);
  } finally {
    await notify.stop();
    await hook.close();
  }
});
