// Correlation rules: each type parses into the expected IR, including the
// tripline extensions (cooldown, spike, anomaly).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { CorrelationRule } from "../src/compiler/ir.js";
import { fixture, lines, load } from "./fixtures/rules/harness.js";

const CLIENT_IP = ["client_ip", "remote", "ip", "src_ip"];
const USER = ["user", "auth_user", "user_id"];

/** Three detection rules (indices 0, 1, 2) followed by one correlation document. */
function withCorrelation(...correlation: string[]): CorrelationRule {
  const text = lines(
    "title: Failed login",
    "id: 11111111-1111-4111-8111-111111111111",
    "name: failed_login",
    "logsource: {product: linux, service: sshd}",
    "detection: {sel: Failed password, condition: sel}",
    "---",
    "title: Accepted login",
    "id: accepted",
    "logsource: {product: linux, service: sshd}",
    "detection: {sel: Accepted password, condition: sel}",
    "---",
    "title: App event",
    "id: app",
    "name: app_event",
    "logsource: {product: json}",
    "detection: {sel: {event_type: login}, condition: sel}",
    "---",
    "title: The correlation",
    "id: c1",
    "level: high",
    "tags: [attack.t1110, attack.credential_access]",
    "correlation:",
    ...correlation.map((l) => `  ${l}`),
  );
  const set = load(text);
  assert.equal(set.rules.length, 3);
  assert.equal(set.correlations.length, 1);
  return set.correlations[0];
}

const POS = { file: "rule.yml", line: 18, col: 1 };
const HEADER = { id: "c1", title: "The correlation", level: "high", tags: ["attack.t1110", "attack.credential_access"] };

test("event_count", () => {
  assert.deepEqual(
    withCorrelation("type: event_count", "rules: failed_login", "group-by: [c-ip]", "timespan: 5m", "condition: {gte: 10}"),
    {
      ...HEADER,
      type: "event_count",
      rules: [0],
      groupBy: [CLIENT_IP],
      groupByNames: ["c-ip"],
      // Line 25 is "  group-by: [c-ip]": the entry, for warnings about it.
      groupByPos: [{ file: "rule.yml", line: 25, col: 14 }],
      timespanSec: 300,
      condition: { op: "gte", value: 10 },
      cooldownSec: 300,
      // Threshold alerts list the client addresses involved (the c-ip field).
      addressField: CLIENT_IP,
      generate: false,
      pos: POS,
    },
  );
});

test("value_count with field, cooldown and generate", () => {
  const c = withCorrelation(
    "type: value_count",
    "rules: [failed_login, accepted]",
    "group-by: [c-ip, host]",
    "timespan: 1h",
    "condition:",
    "  field: User",
    "  gt: 5",
    "cooldown: 10m",
    "generate: true",
  );
  assert.deepEqual(c, {
    ...HEADER,
    type: "value_count",
    rules: [0, 1],
    groupBy: [CLIENT_IP, ["host"]],
    groupByNames: ["c-ip", "host"],
    groupByPos: [
      { file: "rule.yml", line: 25, col: 14 },
      { file: "rule.yml", line: 25, col: 20 },
    ],
    timespanSec: 3600,
    condition: { op: "gt", value: 5, field: USER, fieldName: "User" },
    cooldownSec: 600,
    // "    field: User": the value field's own place, where a warning about it points.
    valueFieldPos: { file: "rule.yml", line: 28, col: 12 },
    generate: true,
    pos: POS,
  });
});

test("temporal: default condition is every listed rule seen", () => {
  const c = withCorrelation("type: temporal", "rules: [accepted, failed_login]", "group-by: user", "timespan: 30s");
  assert.equal(c.type, "temporal");
  assert.deepEqual(c.rules, [1, 0]);
  assert.deepEqual(c.groupBy, [USER]);
  assert.equal(c.timespanSec, 30);
  assert.deepEqual(c.condition, { op: "gte", value: 2 });
  assert.equal(c.cooldownSec, 30);
});

test("temporal_ordered keeps the listed order; an explicit condition is allowed", () => {
  const c = withCorrelation(
    "type: temporal_ordered",
    "rules: [failed_login, accepted, app_event]",
    "group-by: [user]",
    "timespan: 1d",
    "condition: {eq: 2}",
    "cooldown: 0s",
  );
  assert.equal(c.type, "temporal_ordered");
  assert.deepEqual(c.rules, [0, 1, 2]);
  assert.equal(c.timespanSec, 86400);
  assert.deepEqual(c.condition, { op: "eq", value: 2 });
  assert.equal(c.cooldownSec, 0);
});

test("spike: defaults, and group-by may be empty", () => {
  const c = withCorrelation("type: spike", "rules: failed_login", "timespan: 1m");
  assert.deepEqual(c.spike, { intervalSec: 60, baselineIntervals: 10, factor: 3, increase: 0, minCount: 20 });
  assert.deepEqual(c.groupBy, []);
  assert.deepEqual(c.groupByNames, []);
  assert.deepEqual(c.condition, { op: "gte", value: 20 });
  assert.equal(c.anomaly, undefined);
});

test("spike: every setting", () => {
  const c = withCorrelation(
    "type: spike",
    "rules: failed_login",
    "group-by: [c-ip]",
    "timespan: 10m",
    "cooldown: 15m",
    "spike: {interval: 30s, baseline: 20, factor: 2.5, min_count: 5}",
  );
  assert.deepEqual(c.spike, { intervalSec: 30, baselineIntervals: 20, factor: 2.5, increase: 0, minCount: 5 });
  assert.equal(c.timespanSec, 600);
  assert.equal(c.cooldownSec, 900);
  assert.deepEqual(c.groupBy, [CLIENT_IP]);
});

test("spike: an additive threshold (increase alone means a factor of 1), or both", () => {
  const additive = withCorrelation("type: spike", "rules: failed_login", "timespan: 1m", "spike: {increase: 50}");
  assert.deepEqual(additive.spike, { intervalSec: 60, baselineIntervals: 10, factor: 1, increase: 50, minCount: 20 });
  const both = withCorrelation("type: spike", "rules: failed_login", "timespan: 1m", "spike: {factor: 2, increase: 10}");
  assert.deepEqual(both.spike, { intervalSec: 60, baselineIntervals: 10, factor: 2, increase: 10, minCount: 20 });
});

test("percentile: field through the field map, defaults and settings", () => {
  const c = withCorrelation("type: percentile", "rules: failed_login", "group-by: [cs-uri-stem]", "timespan: 1m", "percentile: {field: time-taken, limit: 2.5}");
  assert.deepEqual(c.percentile, { field: ["response_time"], fieldName: "time-taken", quantile: 0.95, intervalSec: 60, limit: 2.5, factor: null, baselineIntervals: 10, minCount: 20 });
  const all = withCorrelation(
    "type: percentile",
    "rules: failed_login",
    "timespan: 10m",
    "percentile: {field: time-taken, quantile: 99, interval: 30s, factor: 3, baseline: 5, min_count: 2}",
  );
  assert.deepEqual(all.percentile, { field: ["response_time"], fieldName: "time-taken", quantile: 0.99, intervalSec: 30, limit: null, factor: 3, baselineIntervals: 5, minCount: 2 });
  assert.deepEqual(all.groupBy, []);
});

test("anomaly: field through the field map, defaults and settings", () => {
  const c = withCorrelation("type: anomaly", "rules: failed_login", "group-by: [c-ip]", "timespan: 5m", "anomaly: {field: time-taken}");
  assert.deepEqual(c.anomaly, { field: ["response_time"], fieldName: "time-taken", zscore: 3, minSamples: 30 });
  assert.deepEqual(c.condition, { op: "gte", value: 30 });
  const d = withCorrelation(
    "type: anomaly",
    "rules: app",
    "group-by: [service.name]", // json rule: any key
    "timespan: 5m",
    "anomaly:",
    "  field: latency_ms",
    "  zscore: 4.5",
    "  min_samples: 100",
  );
  assert.deepEqual(d.anomaly, { field: ["latency_ms"], fieldName: "latency_ms", zscore: 4.5, minSamples: 100 });
  assert.deepEqual(d.groupBy, [["service.name"]]);
  assert.equal(d.spike, undefined);
});

test("a Sigma v2 example file: rules referenced by name across documents", () => {
  const set = load([fixture("brute-force.yml")]);
  assert.deepEqual(
    set.rules.map((r) => [r.id, r.name, r.logsource.formats]),
    [
      ["53ba33fd-3a50-4468-a5ef-c583635cfa92", "failed_login", ["auth"]],
      ["4d0a2c83-c62c-4ed4-b475-c7e23a9269b8", "successful_login", ["auth"]],
    ],
  );
  assert.deepEqual(
    set.correlations.map((c) => [c.id, c.type, c.rules, c.groupByNames, c.timespanSec, c.condition]),
    [
      ["a8418a5a-5fc4-46b5-b23b-6c73beb19d41", "event_count", [0], ["User"], 600, { op: "gte", value: 10 }],
      ["b180ead8-d58f-40b2-ae54-c8940995b9b6", "temporal_ordered", [0, 1], ["User"], 600, { op: "gte", value: 2 }],
    ],
  );
  assert.equal(set.correlations[1].pos.line, 19); // the first key, after the comment
});
