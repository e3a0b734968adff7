// What notify accepts from Fluent Bit's http output: the three JSON formats,
// alert records vs statistics vs anything else, and bounds on every value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BodyError, readBatch, splitJson } from "../src/notify/records.js";
import { alertRecord, statsRecord } from "./notify-helpers.js";

const a1 = alertRecord([{ rule: "ssh-brute", key: "203.0.113.50" }]);
const a2 = alertRecord([{ rule: "web-sqli", key: "198.51.100.7" }, { rule: "web-sqli-burst", key: "198.51.100.7" }], "GET /?id=1' or 1=1 HTTP/1.1");

function rejects(body: string, status: number, pattern: RegExp, namespace = "tripline"): void {
  assert.throws(
    () => readBatch(body, namespace),
    (err: unknown) => err instanceof BodyError && err.status === status && pattern.test(err.message),
  );
}

test("Format json: an array of records, each alert with the line of its record", () => {
  const b = readBatch(JSON.stringify([a1, a2]), "tripline");
  assert.equal(b.records, 2);
  assert.equal(b.alertRecords, 2);
  assert.deepEqual(
    b.alerts.map((a) => [a.alert.rule, a.alert.key, a.line]),
    [
      ["ssh-brute", "203.0.113.50", a1.log],
      ["web-sqli", "198.51.100.7", "GET /?id=1' or 1=1 HTTP/1.1"],
      ["web-sqli-burst", "198.51.100.7", "GET /?id=1' or 1=1 HTTP/1.1"],
    ],
  );
  const alert = b.alerts[0].alert;
  assert.equal(alert.title, "Title of ssh-brute");
  assert.equal(alert.level, "high");
  assert.equal(alert.status, "fired");
  assert.deepEqual(alert.group, { client_ip: "203.0.113.50" });
  assert.deepEqual(alert.numbers, { count: 5, threshold: 5, window: 60 });
  assert.equal(alert.first, "2026-11-21T09:00:02.000Z");
  assert.equal(alert.last, "2026-11-21T09:00:23.000Z");
});

test("Format json_lines and json_stream give the same batch as json", () => {
  const lines = JSON.stringify(a1) + "\n" + JSON.stringify(a2) + "\n";
  const stream = JSON.stringify(a1) + JSON.stringify(a2);
  const expected = readBatch(JSON.stringify([a1, a2]), "tripline");
  assert.deepEqual(readBatch(lines, "tripline"), expected);
  assert.deepEqual(readBatch(stream, "tripline"), expected);
  // Braces and quotes inside strings do not end a record early.
  const tricky = alertRecord([{ rule: "r", key: 'k"}{' }], 'a } b ] "c" \\');
  const b = readBatch(JSON.stringify(tricky) + "\n" + JSON.stringify(a1), "tripline");
  assert.deepEqual(b.alerts.map((a) => a.alert.key), ['k"}{', "203.0.113.50"]);
  assert.equal(b.alerts[0].line, 'a } b ] "c" \\');
});

test("a body with no alert record is refused with 422 naming the namespace; not JSON is 400", () => {
  rejects(JSON.stringify([{ date: 1, log: "plain line" }, { date: 2, log: "another" }]), 422, /no alert records among 2 record\(s\).*'tripline'.*keys: date, log/);
  rejects(JSON.stringify([{ tripline: { rules: ["x"], level: "low" } }]), 422, /no alert records/); // matched, but carries no alert
  rejects(JSON.stringify([{ tripline: { alerts: [{ title: "no rule" }] } }]), 422, /no alert records/);
  rejects(JSON.stringify([1, "two", null]), 422, /no alert records among 3/);
  rejects("", 400, /empty body/);
  rejects("hello", 400, /not JSON/);
  rejects('{"tripline": {"alerts": [', 400, /JSON/);
  rejects("\x93\xa1a", 400, /not JSON/); // msgpack bytes
});

test("the namespace is configurable: records under another key are not alert records", () => {
  const custom = alertRecord([{ rule: "r", key: "k" }], "line", "sec");
  assert.equal(readBatch(JSON.stringify([custom]), "sec").alerts.length, 1);
  rejects(JSON.stringify([custom]), 422, /'tripline'/);
});

test("statistics records are accepted and counted apart; other records next to alerts are ignored and counted", () => {
  const stats = readBatch(JSON.stringify([statsRecord()]), "tripline");
  assert.equal(stats.alerts.length, 0);
  assert.equal(stats.stats.length, 1);
  assert.equal(stats.stats[0].numbers.records, 120);
  assert.deepEqual(stats.stats[0].topRules[0], ["tripline-ssh-failed-login", 7]);
  const mixed = readBatch(JSON.stringify([a1, { log: "secret=hunter2", date: 3 }, statsRecord()]), "tripline");
  assert.equal(mixed.alerts.length, 1);
  assert.equal(mixed.stats.length, 1);
  assert.equal(mixed.ignored, 1);
  assert.deepEqual(mixed.ignoredKeys, ["log", "date"]); // names only, never values
});

test("values are bounded: long strings cut, lists capped, non-scalars dropped, unknown scalars kept as extra", () => {
  const huge = "x".repeat(100_000);
  const record = {
    log: huge,
    tripline: {
      alerts: [
        {
          rule: "r",
          title: huge,
          key: huge,
          samples: Array.from({ length: 1000 }, (_, i) => `s${i}`),
          addresses: Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
          tags: [{ nested: true }, "ok"],
          count: "five",
          p95: 1.5,
          section: "/api",
          nested: { deep: 1 },
        },
      ],
    },
  };
  const [{ alert, line }] = readBatch(JSON.stringify([record]), "tripline").alerts;
  assert.ok(alert.title!.length <= 500 && alert.title!.endsWith("…"));
  assert.ok(alert.key!.length <= 200);
  assert.ok(line!.length <= 300);
  assert.equal(alert.samples!.length, 20);
  assert.ok(alert.addresses!.length <= 100);
  assert.deepEqual(alert.tags, ["ok"]);
  assert.equal(alert.numbers, undefined, "a count that is not a number is not a count");
  assert.deepEqual(alert.extra, { p95: 1.5, section: "/api" });
});

test("cut strings never split a surrogate pair", () => {
  const title = "a".repeat(498) + "😀" + "b";
  const [{ alert }] = readBatch(JSON.stringify([{ tripline: { alerts: [{ rule: "r", title }] } }]), "tripline").alerts;
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(alert.title!), "no lone high surrogate");
});

test("splitJson flattens top-level arrays and keeps objects in order", () => {
  assert.deepEqual(splitJson('[{"a":1}]\n[{"a":2},{"a":3}]\n{"a":4}'), [{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
});
