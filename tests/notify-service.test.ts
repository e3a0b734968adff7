// The notifier on a fake clock with a real spool: one digest per window, the
// per-rule rate limit (held back, never lost), retries with exponential
// backoff, the spool across restarts, and 503 conditions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync, rmSync, existsSync } from "node:fs";
import path from "node:path";
import { Busy, Notifier, type NotifierOptions } from "../src/notify/service.js";
import { Spool } from "../src/notify/spool.js";
import { silentLogger } from "../src/notify/log.js";
import type { Channel } from "../src/notify/delivery/channel.js";
import type { Digest } from "../src/notify/digest.js";
import { readBatch, type Batch } from "../src/notify/records.js";
import { alertRecord, FakeClock, statsRecord, tempDir, type AlertSpec } from "./notify-helpers.js";

const MIN = 60_000;

class FakeChannel implements Channel {
  readonly label: string;
  sent: { at: number; digest: Digest }[] = [];
  attempts: number[] = [];
  constructor(
    readonly id: string,
    private readonly clock: FakeClock,
    /** Given the attempt number (0-based), an error message to fail with, or null to succeed. */
    public failure: (attempt: number) => string | null = () => null,
    public warning: string | null = null,
  ) {
    this.label = id;
  }
  async send(digest: Digest): Promise<void | { warning: string }> {
    const n = this.attempts.length;
    this.attempts.push(this.clock.now());
    const f = this.failure(n);
    if (f) throw new Error(f);
    this.sent.push({ at: this.clock.now(), digest: structuredClone(digest) });
    return this.warning === null ? undefined : { warning: this.warning };
  }
}

const OPTIONS: NotifierOptions = { digestMs: 5 * MIN, rateLimit: { count: 6, periodMs: 60 * MIN }, maxKeysPerRule: 50, includeStats: false, maxSpool: 100, retry: { baseMs: 2000, maxMs: 5 * MIN } };

function batch(alerts: AlertSpec[]): Batch {
  return readBatch(JSON.stringify(alerts.map((a) => alertRecord([a]))), "tripline");
}

async function setup(options: Partial<NotifierOptions> = {}, dir = tempDir(), clock = new FakeClock(), ids = ["smtp"]) {
  const spool = await Spool.open(dir);
  const channels = ids.map((id) => new FakeChannel(id, clock));
  const notifier = new Notifier({ ...OPTIONS, ...options }, spool, channels, clock, silentLogger);
  await notifier.start();
  /** Moves the fake time by `ms`, letting every write and send that a timer starts finish at that timer's time. */
  const run = async (ms: number) => {
    const end = clock.now() + ms;
    await notifier.settled();
    for (;;) {
      const due = clock.due();
      if (due === null || due > end) break;
      clock.advance(due - clock.now());
      await notifier.settled();
    }
    clock.advance(end - clock.now());
    await notifier.settled();
  };
  const stop = async () => {
    await notifier.stop();
    await spool.close();
  };
  return { dir, clock, spool, notifier, channels, channel: channels[0], run, stop };
}

const alertsIn = (sent: { digest: Digest }[]) => sent.reduce((n, s) => n + s.digest.alerts, 0);

test("one digest per window: alerts within the window go out together when it closes", async () => {
  const { clock, notifier, channel, run, stop } = await setup();
  const t0 = clock.now();
  await notifier.accept(batch([{ rule: "ssh-brute", key: "203.0.113.50" }]));
  await run(1 * MIN);
  await notifier.accept(batch([{ rule: "ssh-brute", key: "203.0.113.50" }, { rule: "web-sqli", key: "198.51.100.7" }]));
  await run(4 * MIN - 1);
  assert.equal(channel.sent.length, 0, "nothing before the window closes");
  await run(1);
  assert.equal(channel.sent.length, 1);
  assert.equal(channel.sent[0].at, t0 + 5 * MIN);
  const d = channel.sent[0].digest;
  assert.equal(d.alerts, 3);
  assert.deepEqual(d.rules.map((r) => [r.rule, r.alerts]), [["ssh-brute", 2], ["web-sqli", 1]]);
  // A later alert opens a new window of its own.
  await run(1 * MIN);
  await notifier.accept(batch([{ rule: "web-sqli", key: "192.0.2.1" }]));
  await run(5 * MIN);
  assert.equal(channel.sent.length, 2);
  assert.equal(channel.sent[1].at, t0 + 11 * MIN);
  assert.equal(channel.sent[1].digest.alerts, 1);
  assert.equal(notifier.health().queued, 0);
  await stop();
});

test("--digest 0 sends each batch at once", async () => {
  const { notifier, channel, run, stop } = await setup({ digestMs: 0 });
  await notifier.accept(batch([{ rule: "r", key: "k" }]));
  await run(0);
  assert.equal(channel.sent.length, 1);
  await stop();
});

test("rate limit: a scanner cannot send a digest per window; what is held back follows merged, and nothing is lost", async () => {
  // 2 digests per hour per rule, windows of 1 minute, one scanner alert a minute for 3 hours.
  const { clock, notifier, channel, run, stop } = await setup({ digestMs: MIN, rateLimit: { count: 2, periodMs: 60 * MIN } });
  let accepted = 0;
  let otherAcceptedAt = 0;
  for (let minute = 0; minute < 180; minute++) {
    await notifier.accept(batch([{ rule: "scan", key: `198.51.100.${minute % 200}` }]));
    accepted++;
    if (minute === 90) {
      // Another rule is not slowed down by the scanner's limit.
      await notifier.accept(batch([{ rule: "ssh-brute", key: "203.0.113.50" }]));
      otherAcceptedAt = clock.now();
    }
    await run(MIN);
  }
  await run(120 * MIN); // let the held-back alerts out
  const scanDigests = channel.sent.filter((s) => s.digest.rules.some((r) => r.rule === "scan"));
  // Budget: 2 at once, then one every 30 minutes: over 5 hours at most 2 + 10.
  assert.ok(scanDigests.length <= 12, `${scanDigests.length} digests about one rule`);
  assert.ok(scanDigests.length >= 4, "held-back alerts do go out");
  for (let i = 2; i < scanDigests.length; i++) assert.ok(scanDigests[i].at - scanDigests[i - 2].at >= 30 * MIN, "never more than the budget allows");
  const scanAlerts = scanDigests.reduce((n, s) => n + s.digest.rules.find((r) => r.rule === "scan")!.alerts, 0);
  assert.equal(scanAlerts, accepted, "every scanner alert was delivered, in some digest");
  const brute = channel.sent.find((s) => s.digest.rules.some((r) => r.rule === "ssh-brute"))!;
  assert.ok(brute.at - otherAcceptedAt <= MIN, "the other rule went out when its window closed");
  assert.ok(!brute.digest.rules.some((r) => r.rule === "scan") || scanDigests.includes(brute));
  assert.equal(notifier.health().queued, 0);
  await stop();
});

test("a digest says which rules the rate limit held back", async () => {
  const { notifier, channel, run, stop } = await setup({ digestMs: MIN, rateLimit: { count: 1, periodMs: 60 * MIN } });
  await notifier.accept(batch([{ rule: "scan", key: "a" }]));
  await run(MIN);
  await notifier.accept(batch([{ rule: "scan", key: "b" }, { rule: "ssh-brute", key: "c" }]));
  await run(MIN);
  assert.equal(channel.sent.length, 2);
  assert.deepEqual(channel.sent[1].digest.rules.map((r) => r.rule), ["ssh-brute"]);
  assert.deepEqual(channel.sent[1].digest.deferred, ["scan"]);
  assert.equal(notifier.health().queued, 1, "the held-back alert is still queued");
  await run(60 * MIN);
  assert.equal(channel.sent.length, 3);
  assert.deepEqual(channel.sent[2].digest.rules.map((r) => [r.rule, r.alerts]), [["scan", 1]]);
  await stop();
});

test("retries back off exponentially (base, 2×, 4×, ... up to the cap) and the digest is delivered once it works", async () => {
  const { clock, notifier, channel, run, stop } = await setup({ digestMs: 0, retry: { baseMs: 1000, maxMs: 5000 } });
  channel.failure = (n) => (n < 6 ? `connection refused (${n})` : null);
  await notifier.accept(batch([{ rule: "r", key: "k" }]));
  await run(60_000);
  assert.equal(channel.attempts.length, 7);
  const gaps = channel.attempts.slice(1).map((t, i) => t - channel.attempts[i]);
  assert.deepEqual(gaps, [1000, 2000, 4000, 5000, 5000, 5000]);
  assert.equal(channel.sent.length, 1);
  const h = notifier.health();
  assert.equal(h.failed, 6);
  assert.equal(h.delivered, 1);
  assert.equal(h.spooled, 0);
  assert.ok(clock.now() > 0);
  await stop();
});

test("a failing destination does not hold back the others, and its digests stay spooled in order", async () => {
  const { notifier, channels, run, stop } = await setup({ digestMs: 0 }, undefined, undefined, ["smtp", "webhook-1"]);
  const [mail, hook] = channels;
  mail.failure = () => "421 try later";
  for (let i = 0; i < 3; i++) {
    await notifier.accept(batch([{ rule: "r", key: `k${i}` }]));
    await run(1000);
  }
  assert.equal(hook.sent.length, 3);
  assert.equal(mail.sent.length, 0);
  const h = notifier.health() as { spooled: number; destinations: { id: string; spooled: number; failures: number }[] };
  assert.equal(h.spooled, 3);
  assert.deepEqual(h.destinations.map((d) => [d.id, d.spooled]), [["smtp", 3], ["webhook-1", 0]]);
  mail.failure = () => null;
  await run(10 * MIN);
  assert.deepEqual(mail.sent.map((s) => s.digest.rules[0].keys[0].key), ["k0", "k1", "k2"], "in the order they closed");
  await stop();
});

test("the spool survives a restart: the open digest and undelivered digests are delivered by the next notify", async () => {
  const dir = tempDir();
  const first = await setup({}, dir);
  await first.notifier.accept(batch([{ rule: "ssh-brute", key: "203.0.113.50" }, { rule: "ssh-brute", key: "192.0.2.1" }]));
  await first.run(MIN);
  await first.stop(); // window still open: nothing was sent
  assert.equal(first.channel.sent.length, 0);

  const clock = new FakeClock(first.clock.now());
  const second = await setup({}, dir, clock);
  assert.equal(second.notifier.health().queued, 2, "the open digest came back");
  await second.run(4 * MIN);
  assert.equal(second.channel.sent.length, 1, "the window keeps its original end");
  assert.equal(second.channel.sent[0].digest.alerts, 2);

  // A digest that failed stays in the outbox across a restart.
  second.channel.failure = () => "connection refused";
  await second.notifier.accept(batch([{ rule: "web-sqli", key: "198.51.100.7" }]));
  await second.run(6 * MIN);
  assert.equal(second.notifier.health().spooled, 1);
  await second.stop();
  assert.equal(readdirSync(path.join(dir, "outbox")).filter((n) => n.endsWith(".json")).length, 1);

  const third = await setup({}, dir, new FakeClock(clock.now()));
  await third.run(0);
  assert.equal(third.channel.sent.length, 1, "delivered at start");
  assert.equal(third.channel.sent[0].digest.rules[0].rule, "web-sqli");
  assert.equal(readdirSync(path.join(dir, "outbox")).filter((n) => n.endsWith(".json")).length, 0);
  await third.stop();
});

test("digests for a destination no longer configured are kept, reported, and sent nowhere else", async () => {
  const dir = tempDir();
  const first = await setup({ digestMs: 0 }, dir, undefined, ["webhook-1"]);
  first.channel.failure = () => "down";
  await first.notifier.accept(batch([{ rule: "r", key: "k" }]));
  await first.run(1000);
  await first.stop();
  const second = await setup({ digestMs: 0 }, dir, undefined, ["smtp"]);
  await second.run(MIN);
  assert.equal(second.channel.sent.length, 0);
  assert.equal(second.notifier.health().orphaned, 1);
  assert.equal(second.notifier.health().spooled, 1);
  await second.stop();
});

test("a spool that cannot be written refuses the batch and keeps no half of it", async () => {
  const { dir, notifier, channel, run, stop } = await setup();
  // A directory where the temporary file must go: the write fails even for root.
  mkdirSync(path.join(dir, "pending.json.tmp"));
  await assert.rejects(notifier.accept(batch([{ rule: "r", key: "k" }])), (err: NodeJS.ErrnoException) => err.code === "EISDIR");
  assert.equal(notifier.health().queued, 0);
  rmSync(path.join(dir, "pending.json.tmp"), { recursive: true });
  await notifier.accept(batch([{ rule: "r", key: "k" }])); // Fluent Bit's retry
  await run(5 * MIN);
  assert.equal(channel.sent.length, 1);
  assert.equal(channel.sent[0].digest.alerts, 1, "the refused attempt left no duplicate");
  await stop();
});

test("a full spool answers Busy (503) instead of growing without end", async () => {
  const { notifier, channel, run, stop } = await setup({ digestMs: 0, maxSpool: 2 });
  channel.failure = () => "down";
  await notifier.accept(batch([{ rule: "r", key: "a" }]));
  await run(100);
  await notifier.accept(batch([{ rule: "r", key: "b" }]));
  await run(100);
  await assert.rejects(notifier.accept(batch([{ rule: "r", key: "c" }])), Busy);
  await stop();
});

test("a corrupt pending file is moved aside and the notifier starts", async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, "outbox"), { recursive: true });
  writeFileSync(path.join(dir, "pending.json"), "{half");
  writeFileSync(path.join(dir, "outbox", "0000000000001-000001-smtp.json"), "not json");
  const { notifier, stop } = await setup({}, dir);
  assert.equal(notifier.health().queued, 0);
  assert.equal(existsSync(path.join(dir, "pending.json")), false);
  assert.equal(readdirSync(path.join(dir, "corrupt")).length, 2);
  await stop();
});

test("statistics records are counted, and delivered only with --include-stats", async () => {
  const plain = await setup({ digestMs: 0 });
  const stats = readBatch(JSON.stringify([statsRecord()]), "tripline");
  await plain.notifier.accept(stats);
  await plain.run(MIN);
  assert.equal(plain.channel.sent.length, 0);
  assert.equal(plain.notifier.health().stats, 1);
  await plain.stop();
  const included = await setup({ digestMs: 0, includeStats: true });
  await included.notifier.accept(stats);
  await included.run(MIN);
  assert.equal(included.channel.sent.length, 1);
  assert.equal(included.channel.sent[0].digest.stats[0].numbers.records, 120);
  await included.stop();
});

test("a delivery taken only in part (some recipients refused) is logged as an error and counted, not resent", async () => {
  const lines: string[] = [];
  const dir = tempDir();
  const clock = new FakeClock();
  const spool = await Spool.open(dir);
  const channel = new FakeChannel("smtp", clock, () => null, "the server refused recipient(s) soc@example.com");
  const log = { debug() {}, info() {}, warn() {}, error: (m: string) => lines.push(m) };
  const notifier = new Notifier({ ...OPTIONS, digestMs: 0 }, spool, [channel], clock, log);
  await notifier.start();
  await notifier.accept(batch([{ rule: "r", key: "k" }]));
  clock.advance(0);
  await notifier.settled();
  clock.advance(60_000);
  await notifier.settled();
  assert.equal(channel.attempts.length, 1);
  assert.equal(notifier.health().partial, 1);
  assert.equal(notifier.health().spooled, 0);
  assert.ok(lines.some((l) => l.includes("soc@example.com")));
  await notifier.stop();
  await spool.close();
});
