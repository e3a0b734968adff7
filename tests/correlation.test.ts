// Correlation semantics against hand-computed expectations with exact times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor } from "./helpers/modules.js";
import type { FluentBitHost, Outcome } from "../src/host/host.js";

type Alert = Record<string, unknown>;

const T0 = 1_800_000_000; // 2027-01-15T08:00:00Z
const iso = (sec: number) => new Date(sec * 1000).toISOString();

function alertsOf(outcome: Outcome): Alert[] {
  if (outcome.kind !== "record") return [];
  const ns = outcome.body.tripline as { alerts?: Alert[] } | undefined;
  return ns?.alerts ?? [];
}

/** Feeds [offset seconds, record] pairs; returns the alerts with the offset of the record that raised them. */
function feed(host: FluentBitHost, events: [number, Record<string, unknown>][]): (Alert & { at: number })[] {
  const out: (Alert & { at: number })[] = [];
  for (const [at, record] of events) {
    for (const a of alertsOf(host.call("logs", T0 + at, JSON.stringify(record)))) out.push({ ...a, at });
  }
  return out;
}

const DETECT_401 = `
title: Unauthorized
id: r-401
logsource: {category: webserver}
detection:
  sel: {sc-status: 401}
  condition: sel
`;

const opts = { statsIntervalSec: 0 };

test("event_count: N events within the timespan raise one alert, then cooldown", () => {
  const host = hostFor(DETECT_401 + `---
title: 401 burst
id: c-401
level: high
tags: [attack.t1110]
correlation:
  type: event_count
  rules: [r-401]
  group-by: [c-ip]
  timespan: 60s
  condition: {gte: 3}
`, opts);
  const a = (ip: string, code = "401") => ({ path: "/login", host: ip, code });
  const alerts = feed(host, [
    [0, a("10.0.0.1")],
    [10, a("10.0.0.2")],
    [20, a("10.0.0.1")],
    [25, a("10.0.0.1", "200")], // not a 401: not counted
    [30, a("10.0.0.1")], // third 401 of .1 within 60 s (0, 20, 30) -> alert
    [35, a("10.0.0.1")], // cooling down until 30 + 60
    [89, a("10.0.0.1")], // 89 - 30 < 60: still cooling down
    [90, a("10.0.0.1")], // 90 - 30 = 60: cooldown over; newest three are 35, 89, 90 -> alert
    [100, a("10.0.0.2")], // .2: 10 and 100 are 90 s apart
    [171, a("10.0.0.2")], // .2: 10, 100, 171: 171 - 10 >= 60 -> nothing
  ]);
  assert.deepEqual(
    alerts.map((x) => [x.at, x.key, x.count, x.threshold, x.window, x.first, x.last]),
    [
      [30, "10.0.0.1", 3, 3, 60, iso(T0), iso(T0 + 30)],
      [90, "10.0.0.1", 3, 3, 60, iso(T0 + 35), iso(T0 + 90)],
    ],
  );
  assert.deepEqual(alerts[0].group, { "c-ip": "10.0.0.1" });
  assert.equal(alerts[0].rule, "c-401");
  assert.equal(alerts[0].level, "high");
  assert.deepEqual(alerts[0].tags, ["attack.t1110"]);
});

test("event_count alerts list the client addresses: the 5 seen last, each once, oldest first, cut at 39 bytes", () => {
  // The same list whether the correlation is keyed by the address itself or by another field.
  const host = hostFor(DETECT_401 + `---
title: 401 burst per address
id: c-ip
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 1h, condition: {gte: 3}}
---
title: 401 burst per page
id: c-page
correlation: {type: event_count, rules: [r-401], group-by: [cs-uri-stem], timespan: 1h, condition: {gte: 7}}
`, opts);
  const long = "2001:db8:85a3:0:0:8a2e:370:7334%ethernet-interface-0"; // 52 bytes
  const a = (ip: string, path = "/login") => ({ path, host: ip, code: "401" });
  const alerts = feed(host, [
    [0, a("10.0.0.1")],
    [1, a("10.0.0.2")],
    [2, a("10.0.0.1")],
    [3, a("10.0.0.3")],
    [4, a("10.0.0.4")],
    [5, a("10.0.0.5")],
    [6, a("10.0.0.6")], // 7th on /login: 6 addresses seen, .2 the least recent -> dropped
    [7, a(long, "/x")],
    [8, a(long, "/x")],
    [9, a(long, "/x")], // third from the long address
  ]);
  const seen = alerts.map((x) => [x.rule, x.at, x.addresses]);
  assert.deepEqual(seen, [
    ["c-page", 6, ["10.0.0.1", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]],
    ["c-ip", 9, [long.slice(0, 39)]],
  ]);
});

test("an alert record carries the route field and the silent rule beside the alert", () => {
  const host = hostFor(DETECT_401 + `---
title: 401 burst
id: c-401
name: burst401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 1m, condition: {gte: 2}}
`, opts);
  const first = host.call("logs", T0, JSON.stringify({ path: "/", host: "1.1.1.1", code: "401" }));
  // The detection rule is silent (generate: false): the first record comes back unchanged.
  assert.equal(first.kind === "record" ? first.text : "", JSON.stringify({ path: "/", host: "1.1.1.1", code: "401" }));
  const second = host.call("logs", T0 + 1, JSON.stringify({ path: "/", host: "1.1.1.1", code: "401" }));
  assert.equal(second.kind, "record");
  const body = second.kind === "record" ? second.body : {};
  assert.equal(body.tripline_alert, "burst401");
  assert.deepEqual((body.tripline as { rules: string[] }).rules, ["r-401"]);
});

test("event_count with generate: true tags every matching record", () => {
  const host = hostFor(DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 1m, condition: {gt: 5}, generate: true}
`, opts);
  const out = host.call("logs", T0, JSON.stringify({ path: "/", host: "1.1.1.1", code: "401" }));
  assert.deepEqual(out.kind === "record" ? (out.body.tripline as { rules: string[] }).rules : null, ["r-401"]);
});

const burst = (n: number, extra = "") => DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 60s, condition: {gte: ${n}}${extra}}
`;
const e401 = { path: "/", host: "10.0.0.5", code: "401" };

test("event_count: events in the same second each complete a window with cooldown: 0s", () => {
  // Four events at one second, two needed, no cooldown: the 2nd, 3rd and 4th each qualify.
  const alerts = feed(hostFor(burst(2, ", cooldown: 0s"), opts), [[0, e401], [0, e401], [0, e401], [0, e401]]);
  assert.deepEqual(alerts.map((a) => [a.at, a.count, a.first, a.last]), [[0, 2, iso(T0), iso(T0)], [0, 2, iso(T0), iso(T0)], [0, 2, iso(T0), iso(T0)]]);
});

test("event_count: an out-of-order event completes the window it belongs to", () => {
  // 100, 110 and 170 hold no 3 events within 60 s; 115 arriving after 170
  // (within the lateness) makes 100, 110, 115: within 15 s.
  const alerts = feed(hostFor(burst(3), opts), [[100, e401], [110, e401], [170, e401], [115, e401]]);
  assert.deepEqual(alerts.map((a) => [a.at, a.count, a.first, a.last]), [[115, 3, iso(T0 + 100), iso(T0 + 115)]]);
  // Older than every kept time, yet within 60 s of the next two: 95, 100,
  // 105 (a lateness of 2 minutes lets it in 75 s behind 170).
  const older = feed(hostFor(burst(3), { ...opts, latenessSec: 120 }), [[100, e401], [105, e401], [170, e401], [95, e401]]);
  assert.deepEqual(older.map((a) => [a.at, a.first, a.last]), [[95, iso(T0 + 95), iso(T0 + 105)]]);
});

test("cooldown: an out-of-order event is quiet only within cooldown of the last alert, on either side", () => {
  // One event is enough. cooldown 0s: every event alerts, the late one too.
  assert.deepEqual(feed(hostFor(burst(1, ", cooldown: 0s"), opts), [[100, e401], [90, e401]]).map((a) => a.at), [100, 90]);
  // cooldown 30s: 90 is 10 s before the alert at 100 (quiet), 50 is 50 s before it (alerts), 120 is 20 s after 100 (quiet).
  assert.deepEqual(feed(hostFor(burst(1, ", cooldown: 30s"), opts), [[100, e401], [90, e401], [50, e401], [120, e401], [131, e401]]).map((a) => a.at), [100, 50, 131]);
});

/** Distinct paths answered 404 per client address. */
const pathProbing = (timespan: string, gte: number) =>
  hostFor(`
title: Not found
id: r-404
logsource: {category: webserver}
detection:
  sel: {sc-status: 404}
  condition: sel
---
title: Path probing
id: c-probe
correlation:
  type: value_count
  rules: [r-404]
  group-by: [c-ip]
  timespan: ${timespan}
  condition: {field: cs-uri-stem, gte: ${gte}}
`, opts);
const r404 = (path: string) => ({ host: "10.0.0.9", path, code: "404" });

test("value_count: distinct values within the timespan, with samples", () => {
  const host = pathProbing("60s", 3);
  const r = r404;
  const alerts = feed(host, [
    [0, r("/a")],
    [5, r("/a")], // same value again
    [10, r("/b")],
    [70, r("/c")], // /a last seen at 5 (65 s ago) and /b at 10 (60 s ago) have expired: 1 distinct
    [75, r("/d")], // /c, /d
    [80, r("/e")], // /c, /d, /e -> alert
  ]);
  assert.deepEqual(alerts.map((x) => [x.at, x.count, x.threshold, x.field, x.samples]), [[80, 3, 3, "cs-uri-stem", ["/c", "/d", "/e"]]]);
});

test("value_count: an out-of-order value counts only within the timespan before the key's newest event", () => {
  const probe = (span: string) => pathProbing(span, 2);
  const r = r404;
  // /b at 50 arrives after /a at 100: 50 s apart, more than 10 s: not two values within the timespan.
  assert.deepEqual(feed(probe("10s"), [[100, r("/a")], [50, r("/b")]]), []);
  // Within 60 s: two values, the window ending at the newest event (100), not at the late one.
  const alerts = feed(probe("60s"), [[100, r("/a")], [90, r("/b")]]);
  assert.deepEqual(alerts.map((a) => [a.at, a.count, a.first, a.last]), [[90, 2, iso(T0 + 90), iso(T0 + 100)]]);
});

test("value_count: values crafted to collide under an unseeded hash still count as distinct", () => {
  // The two paths hash alike under the value hash without the build's seed
  // (FNV offset basis, then a murmur3 finalizer per 8-byte word and once at
  // the end: invertible, so the second word was solved for, then searched
  // until printable). Anyone holding a module could prepare such values to
  // keep a value_count (distinct users, paths) below its threshold; the
  // build's seed, mixed into the value hash as into the group key, stops it.
  const host = pathProbing("60s", 2);
  const r = r404;
  const alerts = feed(host, [
    [0, r("/probe/aaaaaaaaa")],
    [1, r("/p0002gyZ&jI~g<e")],
  ]);
  assert.deepEqual(alerts.map((x) => [x.at, x.count, x.samples]), [[1, 2, ["/probe/aaaaaaaaa", "/p0002gyZ&jI~g<e"]]]);
});

test("temporal_ordered: failure then success within the timespan; the reverse order does not count", () => {
  const host = hostFor(`
title: Login failed
id: r-fail
logsource: {category: webserver}
detection:
  sel: {sc-status: 401, cs-uri-stem: /login}
  condition: sel
---
title: Login ok
id: r-ok
logsource: {category: webserver}
detection:
  sel: {sc-status: 302, cs-uri-stem: /login}
  condition: sel
---
title: Success after failure
id: c-seq
correlation: {type: temporal_ordered, rules: [r-fail, r-ok], group-by: [c-ip], timespan: 60s}
---
title: Both, any order
id: c-both
correlation: {type: temporal, rules: [r-fail, r-ok], group-by: [c-ip], timespan: 60s}
`, opts);
  const r = (ip: string, code: string) => ({ host: ip, path: "/login", code });
  const alerts = feed(host, [
    [0, r("10.0.0.1", "302")], // .1: success first
    [10, r("10.0.0.1", "401")], // .1: failure after success: temporal yes, ordered no
    [20, r("10.0.0.2", "401")], // .2: failure
    [90, r("10.0.0.2", "302")], // .2: success 70 s later: too late for both
    [100, r("10.0.0.3", "401")],
    [130, r("10.0.0.3", "302")], // .3: failure then success within 60 s: both
  ]);
  assert.deepEqual(
    alerts.map((x) => [x.at, x.rule, x.key, x.first, x.last]),
    [
      [10, "c-both", "10.0.0.1", iso(T0), iso(T0 + 10)],
      [130, "c-seq", "10.0.0.3", iso(T0 + 100), iso(T0 + 130)],
      [130, "c-both", "10.0.0.3", iso(T0 + 100), iso(T0 + 130)],
    ],
  );
});

test("spike: fires above factor x the moving average, then a recovery record", () => {
  const host = hostFor(`
title: Request
id: r-req
logsource: {category: webserver}
detection:
  sel: {cs-method: GET}
  condition: sel
---
title: Traffic spike
id: c-spike
correlation:
  type: spike
  rules: [r-req]
  timespan: 10s
  spike: {interval: 10s, baseline: 3, factor: 3, min_count: 5}
`, opts);
  const get = { method: "GET", path: "/" };
  // One request in each of the intervals starting at 0, 10 and 20 s; five in the interval at 30 s.
  const alerts = feed(host, [
    [0, get], [10, get], [20, get],
    [30, get], [31, get], [32, get], [33, get],
    [34, get], // 5th in [30, 40): 5 >= min_count and 5 > 3 x average(1, 1, 1) -> fired
    [35, get], // still in the spike: no second alert
    [40, get], // closes [30, 40) with 6 > 3 x 1: still spiking
    [50, get], // closes [40, 50) with 1 <= 3 x average(1, 1, 6) = 8: recovered
  ]);
  assert.deepEqual(
    alerts.map((x) => [x.at, x.status, x.observed, x.baseline, x.first]),
    [
      [34, "fired", 5, 1, iso(T0 + 30)],
      [50, "recovered", 1, 2.666667, iso(T0 + 40)], // about the interval [40, 50) just closed
    ],
  );
});

test("anomaly: z-score against the running mean and deviation, after min_samples", () => {
  const host = hostFor(`
title: Timed request
id: r-timed
logsource: {category: webserver}
detection:
  sel: {response_time|exists: true}
  condition: sel
---
title: Slow response
id: c-slow
correlation:
  type: anomaly
  rules: [r-timed]
  group-by: [cs-uri-stem]
  timespan: 1h
  anomaly: {field: response_time, zscore: 3, min_samples: 5}
`, opts);
  const r = (ms: number) => ({ path: "/api", response_time: String(ms) });
  const values = [100, 110, 90, 100, 100];
  // Population mean 100, variance (0 + 100 + 100 + 0 + 0) / 5 = 40, deviation sqrt(40) = 6.324555.
  const alerts = feed(host, [...values.map((v, i) => [i, r(v)] as [number, Record<string, unknown>]), [5, r(118)], [6, r(121)]]);
  // 118: |18| / 6.3246 = 2.85 < 3; it joins the baseline: n 6, mean 103, variance (40*5 + 18^2 * 5/6)/6 = 78.333
  // 121: |18| / sqrt(78.333) = 2.03 < 3 -> nothing. So feed a clear outlier next.
  assert.deepEqual(alerts, []);
  const more = feed(host, [[7, r(500)]]);
  // After 121: n 7, mean 103 + 18/7 = 105.571429, variance (6/7)(78.333 + 18^2/7) = 106.816327; 500 is 38 deviations out.
  assert.equal(more.length, 1);
  assert.equal(more[0].observed, 500);
  // Population statistics of the seven values before 500, computed directly.
  const seen = [...values, 118, 121];
  const mean = seen.reduce((x, y) => x + y, 0) / seen.length;
  const deviation = Math.sqrt(seen.reduce((x, y) => x + (y - mean) ** 2, 0) / seen.length);
  assert.equal(more[0].mean, Number(mean.toFixed(6)));
  assert.equal(more[0].stddev, Number(deviation.toFixed(6)));
  assert.equal(more[0].key, "/api");
});

test("out of order within the lateness tolerance counts; older events are left out", () => {
  const rules = DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 60s, condition: {gte: 3}}
`;
  const a = { path: "/", host: "10.0.0.5", code: "401" };
  const inOrder = feed(hostFor(rules, { ...opts, latenessSec: 60 }), [[100, a], [90, a], [95, a]]);
  // Sorted: 90, 95, 100 -> within 60 s; raised by the record at 95, newest event 100.
  assert.deepEqual(inOrder.map((x) => [x.at, x.first, x.last]), [[95, iso(T0 + 90), iso(T0 + 100)]]);
  const late = feed(hostFor(rules, { ...opts, latenessSec: 60 }), [[100, a], [101, a], [30, a]]);
  // 30 is 71 s behind the newest event: beyond the tolerance, not counted.
  assert.deepEqual(late, []);
});

test("replaying the same log twice gives the same alerts", () => {
  const rules = DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 30s, condition: {gte: 4}}
`;
  const events: [number, Record<string, unknown>][] = [];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 2000; i++) events.push([i * 2, { path: "/", host: `10.0.0.${Math.floor(rand() * 8)}`, code: rand() < 0.5 ? "401" : "200" }]);
  const first = feed(hostFor(rules, opts), events);
  const second = feed(hostFor(rules, opts), events);
  assert.ok(first.length > 10, `expected a fair number of alerts, got ${first.length}`);
  assert.deepEqual(second, first);
});

test("the key cap evicts the least recently used key", () => {
  const rules = DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 1h, condition: {gte: 2}}
`;
  const run = (maxKeys: number) => {
    const events: [number, Record<string, unknown>][] = [[0, { path: "/", host: "192.0.2.1", code: "401" }]];
    for (let i = 0; i < 500; i++) events.push([1, { path: "/", host: `10.1.${i >> 8}.${i & 255}`, code: "401" }]);
    events.push([2, { path: "/", host: "192.0.2.1", code: "401" }]);
    return feed(hostFor(rules, { ...opts, maxKeys }), events);
  };
  // With room for all 501 keys the second event of 192.0.2.1 completes its pair.
  assert.deepEqual(run(1000).map((x) => x.key), ["192.0.2.1"]);
  // With 100 keys, 192.0.2.1 was the least recently used when the 101st key came: evicted, its count lost.
  assert.deepEqual(run(100), []);
});

test("statistics report evictions, per-rule counts and site sections on event time", () => {
  const host = hostFor(DETECT_401 + `---
title: 401 burst
id: c-401
correlation: {type: event_count, rules: [r-401], group-by: [c-ip], timespan: 1h, condition: {gte: 100}}
`, { statsIntervalSec: 60, maxKeys: 10 });
  const outs: Outcome[] = [];
  // The first record opens the interval [T0, T0 + 60) (T0 is a multiple of 60).
  for (let i = 0; i < 30; i++) outs.push(host.call("logs", T0 + i, JSON.stringify({ path: i % 3 ? "/api/x" : "/static/a.css", host: `10.0.0.${i}`, code: "401" })));
  const closing = host.call("logs", T0 + 60, JSON.stringify({ path: "/api/y", host: "10.9.9.9", code: "200" }));
  assert.ok(outs.every((o) => o.kind === "record" && !("tripline" in o.body)));
  const body = closing.kind === "record" ? closing.body : {};
  assert.equal(body.tripline_alert, "stats");
  const stats = (body.tripline as { stats: Record<string, unknown> }).stats;
  assert.equal(stats.from, iso(T0));
  assert.equal(stats.to, iso(T0 + 60));
  assert.equal(stats.records, 31);
  assert.equal(stats.matched, 30);
  assert.deepEqual(stats.rules, { "r-401": 30 });
  // 30 distinct keys through a cap of 10: 20 evictions.
  assert.deepEqual(stats.correlations, { "c-401": { alerts: 0, keys: 10, capacity: 10, evictions: 20, late: 0, out_of_order: 0, missing_key: 0, missing_value: 0 } });
  // i % 3 == 0 -> /static (10 of 30), the rest and the closing record -> /api (21).
  assert.deepEqual(stats.sections, { "/static": 10, "/api": 21 });
  assert.equal(stats.busiest_section, "/api");
  assert.equal(stats.hits, 31);
});

test("site sections that share their length and their first and last 8 bytes are counted apart", () => {
  // The section table hashes a name by its length and its first and last 8
  // bytes; names that differ only in between must still be told apart.
  const host = hostFor(DETECT_401, { statsIntervalSec: 60 });
  const names = ["/product-AAAA-catalog", "/product-BBBB-catalog", "/product-CCCC-catalog"];
  for (let i = 0; i < 6; i++) host.call("logs", T0 + i, JSON.stringify({ path: `${names[i % 3]}/item`, host: "10.0.0.1", code: "200" }));
  const closing = host.call("logs", T0 + 60, JSON.stringify({ path: "/", host: "10.0.0.1", code: "200" }));
  const body = closing.kind === "record" ? closing.body : {};
  const stats = (body.tripline as { stats: { sections: Record<string, number> } }).stats;
  assert.deepEqual(stats.sections, { "/product-AAAA-catalog": 2, "/product-BBBB-catalog": 2, "/product-CCCC-catalog": 2, "/": 1 });

  // Past the table's 64 sections the least-hit ones give way and the table
  // is rebuilt: the three busy look-alikes keep their own counts.
  const full = hostFor(DETECT_401, { statsIntervalSec: 60 });
  for (let i = 0; i < 30; i++) full.call("logs", T0 + i, JSON.stringify({ path: `${names[i % 3]}/item`, host: "10.0.0.1", code: "200" }));
  for (let i = 0; i < 80; i++) full.call("logs", T0 + 30, JSON.stringify({ path: `/other-${String(i).padStart(3, "0")}-section/x`, host: "10.0.0.1", code: "200" }));
  const fullClosing = full.call("logs", T0 + 60, JSON.stringify({ path: "/", host: "10.0.0.1", code: "200" }));
  const fullStats = ((fullClosing.kind === "record" ? fullClosing.body : {}).tripline as { stats: { sections: Record<string, number>; hits: number } }).stats;
  for (const name of names) assert.equal(fullStats.sections[name], 10, name);
  assert.equal(fullStats.hits, 111);
});
