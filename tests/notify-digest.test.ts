// Digest grouping (rule, then key), bounds, order, and the per-rule rate limit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addAlerts, emptyDigest, ordered, splitDigest } from "../src/notify/digest.js";
import { RateLimit } from "../src/notify/ratelimit.js";
import type { Alert, IncomingAlert } from "../src/notify/records.js";

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

function a(rule: string, key: string, extra: Partial<Alert> = {}, line?: string): IncomingAlert {
  return { alert: { rule, key, ...extra }, ...(line === undefined ? {} : { line }) };
}

test("alerts are grouped by rule, then by key, with counts and the earliest first and latest last", () => {
  const d = emptyDigest();
  addAlerts(
    d,
    [
      a("ssh-brute", "203.0.113.50", { first: "2026-11-21T09:00:02.000Z", last: "2026-11-21T09:00:23.000Z", numbers: { count: 5, threshold: 5 } }, "line 1"),
      a("ssh-brute", "192.0.2.9", { first: "2026-11-21T09:05:00.000Z", last: "2026-11-21T09:05:30.000Z" }),
      a("ssh-brute", "203.0.113.50", { first: "2026-11-21T08:59:00.000Z", last: "2026-11-21T09:00:10.000Z", numbers: { count: 6, threshold: 5 } }, "line 2"),
      a("ssh-brute", "203.0.113.50", { first: "2026-11-21T09:10:00.000Z", last: "2026-11-21T09:12:00.000Z", status: "recovered" }, "line 1"),
      a("web-sqli", "203.0.113.50"),
    ],
    50,
    T0,
  );
  assert.equal(d.alerts, 5);
  assert.equal(d.opened, T0);
  assert.deepEqual(d.rules.map((r) => [r.rule, r.alerts, r.keys.length]), [["ssh-brute", 4, 2], ["web-sqli", 1, 1]]);
  const g = d.rules[0].keys.find((k) => k.key === "203.0.113.50")!;
  assert.equal(g.alerts, 3);
  assert.deepEqual(g.statuses, { fired: 2, recovered: 1 });
  assert.equal(g.first, "2026-11-21T08:59:00.000Z");
  assert.equal(g.last, "2026-11-21T09:12:00.000Z");
  assert.deepEqual(g.latest, { count: 6, threshold: 5 }, "the numbers of the latest alert that had numbers");
  assert.deepEqual(g.lines, ["line 1", "line 2"], "distinct sample lines");
});

test("samples and addresses are merged without duplicates and bounded; the overflow of addresses is counted", () => {
  const d = emptyDigest();
  const many = Array.from({ length: 70 }, (_, i) => `10.0.0.${i}`);
  addAlerts(d, [a("spray", "k", { samples: ["root", "admin"], addresses: many.slice(0, 40) }), a("spray", "k", { samples: ["admin", "oracle"], addresses: many.slice(30) })], 50, T0);
  const g = d.rules[0].keys[0];
  assert.deepEqual(g.samples, ["root", "admin", "oracle"]);
  assert.equal(g.addresses.length, 50);
  assert.equal(new Set(g.addresses).size, 50);
  assert.equal(g.moreAddresses, 20, "70 distinct addresses, 50 listed");
});

test("keys beyond the per-rule cap are counted, not listed, and not lost from the totals", () => {
  const d = emptyDigest();
  addAlerts(d, Array.from({ length: 1000 }, (_, i) => a("scan", `198.51.100.${i % 250}-${i}`)), 3, T0);
  assert.equal(d.rules[0].keys.length, 3);
  assert.equal(d.rules[0].more.alerts, 997);
  assert.equal(d.rules[0].alerts, 1000);
  assert.equal(d.alerts, 1000);
});

test("a key missing from an alert falls back to its group values", () => {
  const d = emptyDigest();
  addAlerts(d, [{ alert: { rule: "g", group: { host: "web1", user: "alice" } } }], 50, T0);
  assert.equal(d.rules[0].keys[0].key, "web1|alice");
});

test("rules read most severe first, then by alerts; keys by alerts", () => {
  const d = emptyDigest();
  addAlerts(d, [a("low-rule", "x", { level: "low" }), a("low-rule", "y", { level: "low" }), a("crit", "x", { level: "critical" }), a("high-1", "x", { level: "high" }), a("high-2", "x", { level: "high" }), a("high-2", "y", { level: "high" }), a("high-2", "y", { level: "high" })], 50, T0);
  const r = ordered(d);
  assert.deepEqual(r.map((x) => x.rule), ["crit", "high-2", "high-1", "low-rule"]);
  assert.deepEqual(r[1].keys.map((k) => k.key), ["y", "x"]);
});

test("splitting a digest by rule keeps every alert on one side", () => {
  const d = emptyDigest();
  addAlerts(d, [a("r1", "k"), a("r2", "k"), a("r2", "j"), a("r3", "k")], 50, T0);
  const { out, kept } = splitDigest(d, (rule) => rule !== "r2", T0 + 1000);
  assert.deepEqual(out.rules.map((r) => r.rule), ["r1", "r3"]);
  assert.deepEqual(kept.rules.map((r) => r.rule), ["r2"]);
  assert.equal(out.alerts + kept.alerts, d.alerts);
  assert.equal(kept.opened, T0 + 1000);
  assert.equal(d.rules.length, 3, "the original is unchanged");
});

test("rate limit: N per period per rule, refilled evenly, each rule on its own", () => {
  const hour = 3_600_000;
  const rl = new RateLimit(2, hour);
  assert.ok(rl.allows("scan", T0));
  rl.take("scan", T0);
  rl.take("scan", T0 + 1000);
  assert.equal(rl.allows("scan", T0 + 2000), false, "two digests used the budget");
  assert.ok(rl.allows("other", T0 + 2000), "another rule has its own budget");
  // Tokens flow back evenly, 2 per hour: one is whole again half an hour after the bucket was full.
  assert.equal(rl.wait("scan", T0 + 1000), hour / 2 - 1000);
  assert.equal(rl.allows("scan", T0 + hour / 2 - 1), false);
  assert.ok(rl.allows("scan", T0 + hour / 2));
  // The bucket never holds more than N: a long quiet time does not allow a burst beyond it.
  rl.take("scan", T0 + 10 * hour);
  rl.take("scan", T0 + 10 * hour);
  assert.equal(rl.allows("scan", T0 + 10 * hour), false);
  rl.prune(T0 + 20 * hour);
  assert.deepEqual(rl.buckets, {}, "full buckets are forgotten");
});
