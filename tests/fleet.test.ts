// Key-sharded correlation across a fleet (`--shards N`, assembly/correlation/shard.ts),
// through the Fluent Bit-exact host. One module runs on edges (any tag) and on
// aggregators (tag tripline.shard.<i>). Oracles are the properties the design
// promises, never the module's own numbers: every key has exactly one owner,
// N -> N+1 shards moves about 1/(N+1) of the keys and only to the new shard,
// keys spread evenly, and an attack spread over edges alerts exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor, moduleFor, body } from "./helpers/modules.js";
import { FluentBitHost, type Outcome } from "../src/host/host.js";
import { Rng } from "./fuzz/rng.js";

const T0 = 1_800_000_000;

const RULES = `
title: Failed login
id: failed-login
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem|startswith: /login
    sc-status: 401
  condition: sel
---
title: Brute force by address
id: brute-ip
name: brute-ip
correlation:
  type: event_count
  rules: [failed-login]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 5}
  generate: true
---
title: Brute force on an account
id: brute-user
name: brute-user
correlation:
  type: event_count
  rules: [failed-login]
  group-by: [user]
  timespan: 5m
  condition: {gte: 5}
---
title: Burst on one edge
id: local-burst
name: local-burst
scope: local
correlation:
  type: event_count
  rules: [failed-login]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 3}
`;

const failed = (ip: string, user = "alice") => JSON.stringify({ client_ip: ip, user, path: "/login", status: 401 });
const shardsOf = (o: Outcome): number[] => {
  const v = body(o).tripline_shards;
  return v === undefined ? [] : String(v).split(",").map(Number);
};
const alertsOf = (o: Outcome): Record<string, unknown>[] => {
  if (o.kind !== "record") return [];
  return ((o.body.tripline as { alerts?: Record<string, unknown>[] } | undefined)?.alerts ?? []);
};

/** The shard an edge module routes a c-ip key to: the only correlation keyed on c-ip here. */
const IP_ONLY = `
title: Hit
id: hit
logsource: {category: webserver}
detection:
  sel: {sc-status: 401}
  condition: sel
---
title: Per address
id: per-ip
correlation:
  type: event_count
  rules: [hit]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 1000}
`;

function owners(shards: number, keys: string[]): number[] {
  const host = hostFor(IP_ONLY, { statsIntervalSec: 0, shards });
  return keys.map((ip) => {
    const s = shardsOf(host.call("logs.edge", T0, JSON.stringify({ client_ip: ip, path: "/", status: 401 })));
    assert.equal(s.length, 1, `one owner for ${ip}`);
    return s[0];
  });
}

/** Distinct addresses from a fixed-seed generator (the fuzz suite's Rng). */
function addresses(n: number, seed = 0x2545f491): string[] {
  const out = new Set<string>();
  const rng = new Rng(seed);
  while (out.size < n) {
    const x = rng.u32();
    out.add(`${(x >>> 24) & 255}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`);
  }
  return [...out];
}

test("an edge lists the sorted distinct shards a record needs; records feeding no fleet correlation pass untouched", () => {
  const host = hostFor(RULES, { statsIntervalSec: 0, shards: 8 });
  const plain = JSON.stringify({ client_ip: "198.51.100.1", path: "/", status: 200 });
  const untouched = host.call("logs.edge", T0, plain);
  assert.equal(untouched.kind === "record" && untouched.text, plain);
  let spread = false;
  for (let k = 0; k < 40; k++) {
    const s = shardsOf(host.call("logs.edge", T0, failed(`203.0.113.${k}`, `user${k}`)));
    // Two keyed correlations (c-ip, user): one or two shards, ascending, in range.
    assert.ok(s.length === 1 || s.length === 2, String(s));
    assert.deepEqual(s, [...new Set(s)].sort((a, b) => a - b));
    for (const i of s) assert.ok(Number.isInteger(i) && i >= 0 && i < 8);
    if (s.length === 2) spread = true;
  }
  assert.ok(spread, "some records need two aggregators (address and account owned apart)");
});

test("a key has one owner: the same address always goes to the same shard, in whichever order addresses arrive", () => {
  const keys = addresses(200);
  const first = owners(5, keys);
  const again = owners(5, keys.slice().reverse()).reverse();
  assert.deepEqual(again, first);
});

test("jump hash: from N to N+1 shards about 1/(N+1) of the keys move, all of them to the new shard", () => {
  const keys = addresses(20000);
  for (const n of [3, 4]) {
    const before = owners(n, keys);
    const after = owners(n + 1, keys);
    let moved = 0;
    for (let k = 0; k < keys.length; k++) {
      if (before[k] === after[k]) continue;
      moved++;
      assert.equal(after[k], n, `key ${keys[k]} moved from ${before[k]} to ${after[k]}, not to the new shard ${n}`);
    }
    const expected = keys.length / (n + 1);
    assert.ok(Math.abs(moved - expected) <= 0.1 * expected, `${moved} keys moved going from ${n} to ${n + 1} shards; expected about ${expected}`);
  }
});

test("jump hash: 50,000 addresses over 3 shards land within 10 % of even", () => {
  const counts = [0, 0, 0];
  for (const s of owners(3, addresses(50000, 0x9e3779b9))) counts[s]++;
  for (const c of counts) assert.ok(Math.abs(c - 50000 / 3) <= 0.1 * (50000 / 3), `shard sizes ${counts}`);
});

test("aggregators: an attack spread over two edges alerts exactly once, at the shard the edges routed it to", () => {
  const N = 3;
  const wasm = moduleFor(RULES, { statsIntervalSec: 0, shards: N });
  const edges = [new FluentBitHost(wasm), new FluentBitHost(wasm)];
  const aggregators = Array.from({ length: N }, () => new FluentBitHost(wasm));
  const attacker = "203.0.113.66";
  const received = aggregators.map(() => 0);
  const raised: { shard: number; alert: Record<string, unknown>; rules: unknown }[] = [];
  const edgeAlerts: string[] = [];
  for (let k = 0; k < 6; k++) {
    // Alternate edges; each edge sees 3 failures: its local (threshold 3) correlation fires once each.
    const edge = edges[k % 2];
    const out = edge.call("logs.edge", T0 + k, failed(attacker, `victim${k}`));
    for (const a of alertsOf(out)) edgeAlerts.push(String(a.rule));
    const forwarded = body(out);
    for (const shard of shardsOf(out)) {
      received[shard]++;
      const at = aggregators[shard].call(`tripline.shard.${shard}`, T0 + k, JSON.stringify(forwarded));
      const b = body(at);
      assert.equal(b.tripline_alert === "local-burst", false, "an aggregator never repeats an edge's alert route");
      for (const alert of alertsOf(at)) raised.push({ shard, alert, rules: (b.tripline as Record<string, unknown>).rules });
    }
  }
  assert.deepEqual(edgeAlerts, ["local-burst", "local-burst"], "each edge sees 3 failures: its local correlation (threshold 3) fires there, once");
  const ipAlerts = raised.filter((r) => r.alert.rule === "brute-ip");
  assert.equal(ipAlerts.length, 1, JSON.stringify(raised));
  // The owner: the one aggregator that received every one of the attacker's records for the address key.
  assert.equal(received[ipAlerts[0].shard] >= 5, true);
  assert.equal(ipAlerts[0].alert.key, attacker);
  assert.equal(ipAlerts[0].alert.count, 5);
  assert.equal(ipAlerts[0].rules, undefined, "no double tags: the aggregator lists no rules, the edge did");
  assert.ok(!raised.some((r) => r.alert.rule === "local-burst"), "local correlations never run on an aggregator");
});

test("edges run local correlations on their own records", () => {
  const host = hostFor(RULES, { statsIntervalSec: 0, shards: 2 });
  const fired: string[] = [];
  for (let k = 0; k < 3; k++) for (const a of alertsOf(host.call("logs.edge", T0 + k, failed("192.0.2.9")))) fired.push(String(a.rule));
  assert.deepEqual(fired, ["local-burst"]);
});

test("an aggregator records nothing for another shard's key and drops the edge's members", () => {
  const N = 2;
  const wasm = moduleFor(RULES, { statsIntervalSec: 0, shards: N });
  const edge = new FluentBitHost(wasm);
  let last: Record<string, unknown> = {};
  for (let k = 0; k < 5; k++) last = body(edge.call("logs.edge", T0 + k, failed("192.0.2.77", "same")));
  // The edge's local correlation fired on the third record; the fifth still carries the edge's tags.
  assert.ok(last.tripline !== undefined);
  const owner = owners(N, ["192.0.2.77"])[0];
  const other = new FluentBitHost(wasm);
  for (let k = 0; k < 5; k++) {
    // A fresh account each time: only the address key could reach the threshold.
    const out = body(other.call(`tripline.shard.${1 - owner}`, T0 + k, JSON.stringify({ ...last, user: `u${k}`, tripline_alert: "local-burst" })));
    assert.equal(out.tripline, undefined);
    assert.equal(out.tripline_alert, undefined);
    assert.equal(out.tripline_shards, undefined);
    assert.equal(out.user, `u${k}`);
  }
});

test("an aggregator counts the records that reached it with no key of its own (a fleet built or routed inconsistently)", () => {
  const N = 3;
  const owner = owners(N, ["192.0.2.5"])[0];
  const host = hostFor(IP_ONLY, { statsIntervalSec: 0, shards: N });
  const record = JSON.stringify({ client_ip: "192.0.2.5", path: "/", status: 401 });
  host.call(`tripline.shard.${owner}`, T0, record);
  assert.equal(host.report().misrouted, 0);
  host.call(`tripline.shard.${(owner + 1) % N}`, T0, record);
  host.call("tripline.shard.7", T0, record); // no aggregator 7 in a fleet of 3
  host.call(`tripline.shard.${owner}`, T0, JSON.stringify({ path: "/", status: 200 })); // feeds nothing
  assert.equal(host.report().misrouted, 3);
  const single = hostFor(IP_ONLY, { statsIntervalSec: 0 });
  single.call("tripline.shard.1", T0, record);
  assert.equal(single.report().misrouted, undefined, "not a fleet: no such count");
});
