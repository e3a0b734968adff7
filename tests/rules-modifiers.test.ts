// Each modifier produces the expected Predicate (op, cased, value, fields,
// position of the value scalar); lists combine with OR, or AND under `all`.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Condition, Predicate } from "../src/compiler/ir.js";
import { errorsOf, lines, load } from "./fixtures/rules/harness.js";

const PATH = ["uri_stem", "path"]; // cs-uri-stem
const QUERY = ["query"]; // cs-uri-query: the derived query only (issue 12.3)
const CLIENT_IP = ["client_ip", "remote", "ip", "src_ip"];
const MESSAGE = ["message", "log", "msg"];

/** Compiles a web rule whose selection is `field` on line 7; returns its condition. */
function web(field: string): Condition {
  const text = lines(
    "title: M", // 1
    "id: r1", // 2
    "logsource:", // 3
    "  category: webserver", // 4
    "detection:", // 5
    "  sel:", // 6
    field, // 7
    "  condition: sel", // 8
  );
  return load(text).rules[0].condition;
}

const at = (line: number, col: number) => ({ file: "rule.yml", line, col });

function pred(c: Condition): Predicate {
  assert.equal(c.k, "pred");
  return (c as { pred: Predicate }).pred;
}

test("no modifier: case-insensitive equals, wildcards kept as written", () => {
  assert.deepEqual(pred(web("    cs-uri-stem: /admin/*.php")), {
    kind: "string", fields: PATH, op: "equals", value: "/admin/*.php", cased: false, pos: at(7, 18),
  });
  assert.deepEqual(pred(web("    cs-uri-stem: 'a\\*b?'")).value, "a\\*b?");
});

test("contains, startswith, endswith", () => {
  assert.deepEqual(pred(web("    cs-uri-query|contains: union select")), {
    kind: "string", fields: QUERY, op: "contains", value: "union select", cased: false, pos: at(7, 28),
  });
  assert.deepEqual(pred(web("    cs-uri-stem|startswith: /wp-")), {
    kind: "string", fields: PATH, op: "startswith", value: "/wp-", cased: false, pos: at(7, 29),
  });
  assert.deepEqual(pred(web("    cs-uri-stem|endswith: .env")), {
    kind: "string", fields: PATH, op: "endswith", value: ".env", cased: false, pos: at(7, 27),
  });
});

test("cased makes string tests case-sensitive", () => {
  assert.deepEqual(pred(web("    cs-method|cased: GET")), {
    kind: "string", fields: ["method"], op: "equals", value: "GET", cased: true, pos: at(7, 22),
  });
  assert.equal((pred(web("    cs-uri-stem|contains|cased: Admin")) as { cased: boolean }).cased, true);
  assert.deepEqual(pred(web("    cs-uri-stem|cased|endswith: .PHP")), {
    kind: "string", fields: PATH, op: "endswith", value: ".PHP", cased: true, pos: at(7, 33),
  });
});

test("re is case-sensitive; re|i is not", () => {
  assert.deepEqual(pred(web("    cs-uri-query|re: '(?:%27|'')\\s*or'")), {
    kind: "string", fields: QUERY, op: "re", value: "(?:%27|')\\s*or", cased: true, pos: at(7, 22),
  });
  assert.deepEqual(pred(web("    cs-uri-query|re|i: ^/admin")), {
    kind: "string", fields: QUERY, op: "re", value: "^/admin", cased: false, pos: at(7, 24),
  });
});

test("cidr, IPv4 and IPv6; a bare address gets its full prefix", () => {
  assert.deepEqual(pred(web("    c-ip|cidr: 192.168.0.0/16")), { kind: "cidr", fields: CLIENT_IP, value: "192.168.0.0/16", pos: at(7, 16) });
  assert.deepEqual(pred(web("    c-ip|cidr: 'FE80::/10'")).value, "fe80::/10");
  assert.deepEqual(pred(web("    c-ip|cidr: '::ffff:10.0.0.1/128'")).value, "::ffff:10.0.0.1/128");
  assert.deepEqual(pred(web("    c-ip|cidr: 10.1.2.3")).value, "10.1.2.3/32");
  assert.deepEqual(pred(web("    c-ip|cidr: '2001:db8::1'")).value, "2001:db8::1/128");
});

test("gt / gte / lt / lte take numbers", () => {
  assert.deepEqual(pred(web("    time-taken|gt: 2.5")), { kind: "number", fields: ["response_time"], op: "gt", value: 2.5, pos: at(7, 20) });
  assert.deepEqual(pred(web("    sc-bytes|gte: 1000000")), { kind: "number", fields: ["size"], op: "gte", value: 1000000, pos: at(7, 19) });
  assert.deepEqual(pred(web("    sc-status|lt: 200")), { kind: "number", fields: ["status", "code"], op: "lt", value: 200, pos: at(7, 19) });
  assert.deepEqual(pred(web("    sc-status|lte: -1")), { kind: "number", fields: ["status", "code"], op: "lte", value: -1, pos: at(7, 20) });
});

test("exists, and null meaning the field is absent", () => {
  assert.deepEqual(pred(web("    cs-referer|exists: true")), { kind: "exists", fields: ["referer"], value: true, pos: at(7, 24) });
  assert.deepEqual(pred(web("    cs-referer|exists: false")), { kind: "exists", fields: ["referer"], value: false, pos: at(7, 24) });
  assert.deepEqual(pred(web("    cs-referer: null")), { kind: "exists", fields: ["referer"], value: false, pos: at(7, 17) });
  assert.deepEqual(pred(web("    cs-referer: ~")).kind, "exists");
});

test("numbers and booleans without a numeric modifier compare as the text written", () => {
  assert.deepEqual(pred(web("    sc-status: 404")), {
    kind: "string", fields: ["status", "code"], op: "equals", value: "404", cased: false, pos: at(7, 16),
  });
  assert.equal(pred(web("    sc-status: 0404")).value, "0404");
  assert.equal(pred(web("    cs-uri-query|contains: 1.10")).value, "1.10");
  assert.equal(pred(web("    cs-uri-query|contains: true")).value, "true");
});

test("a plain list is OR; with all it is AND", () => {
  const or = web("    cs-uri-query|contains: [union, select]");
  assert.equal(or.k, "or");
  assert.deepEqual(
    (or as { args: Condition[] }).args.map(pred),
    [
      { kind: "string", fields: QUERY, op: "contains", value: "union", cased: false, pos: at(7, 29) },
      { kind: "string", fields: QUERY, op: "contains", value: "select", cased: false, pos: at(7, 36) },
    ],
  );
  const and = web("    cs-uri-query|contains|all: [union, select]");
  assert.equal(and.k, "and");
  assert.deepEqual((and as { args: Condition[] }).args.map((c) => pred(c).value), ["union", "select"]);
  // null inside a list: the field is absent, or one of the values.
  const withNull = web("    cs-referer: [null, '-']");
  assert.equal(withNull.k, "or");
  assert.deepEqual((withNull as { args: Condition[] }).args.map((c) => pred(c).kind), ["exists", "string"]);
});

test("selection map is AND of fields; list of maps is OR of ANDs", () => {
  const text = lines(
    "title: M", // 1
    "id: r1", // 2
    "detection:", // 3
    "  sel:", // 4
    "    - method: POST", // 5
    "      path|endswith: /login", // 6
    "    - method: PUT", // 7
    "  condition: sel", // 8
  );
  const c = load(text).rules[0].condition;
  const shape = (x: Condition): unknown =>
    x.k === "pred" ? `${x.pred.fields[0]}=${(x.pred as { value: string }).value}` : x.k === "and" || x.k === "or" ? { [x.k]: x.args.map(shape) } : x.k;
  assert.deepEqual(shape(c), { or: [{ and: ["method=POST", "path=/login"] }, "method=PUT"] });
});

test("keywords: values without a field search the whole message", () => {
  const text = lines(
    "title: K", // 1
    "id: r1", // 2
    "detection:", // 3
    "  words:", // 4
    "    - Failed password", // 5
    "    - 'Invalid user'", // 6
    "  one: authentication failure", // 7
    "  condition: words or one", // 8
  );
  const c = load(text).rules[0].condition;
  assert.equal(c.k, "or");
  assert.deepEqual(
    (c as { args: Condition[] }).args.map(pred),
    [
      { kind: "string", fields: MESSAGE, op: "contains", value: "Failed password", cased: false, pos: at(5, 7) },
      { kind: "string", fields: MESSAGE, op: "contains", value: "Invalid user", cased: false, pos: at(6, 7) },
      { kind: "string", fields: MESSAGE, op: "contains", value: "authentication failure", cased: false, pos: at(7, 8) },
    ],
  );
});

test("keyword lists with modifiers ('|all': every value occurs in the message)", () => {
  const text = lines(
    "title: K", // 1
    "id: r1", // 2
    "detection:", // 3
    "  keywords:", // 4
    "    '|all':", // 5
    "      - POST", // 6
    "      - 200", // 7
    "  regex:", // 8
    "    '|re': 'exit signal [0-9]+'", // 9
    "  condition: keywords or regex", // 10
  );
  const c = load(text).rules[0].condition;
  assert.equal(c.k, "or");
  const [all, regex] = (c as { args: Condition[] }).args;
  assert.equal(all.k, "and");
  assert.deepEqual(
    (all as { args: Condition[] }).args.map(pred),
    [
      { kind: "string", fields: MESSAGE, op: "contains", value: "POST", cased: false, pos: at(6, 9) },
      { kind: "string", fields: MESSAGE, op: "contains", value: "200", cased: false, pos: at(7, 9) },
    ],
  );
  assert.deepEqual(pred(regex), { kind: "string", fields: MESSAGE, op: "re", value: "exit signal [0-9]+", cased: true, pos: at(9, 12) });
  // Only string tests make sense without a field; a bad modifier points into the key.
  assert.deepEqual(errorsOf(lines("title: K", "id: r1", "detection:", "  k: {'|gt': 5}", "  condition: k")), [
    "rule.yml:4:7: a keyword list ('|gt') takes only string modifiers (contains, startswith, endswith, re, all, cased)",
  ]);
  assert.deepEqual(errorsOf(lines("title: K", "id: r1", "detection:", "  k: {'|alll': [a]}", "  condition: k")), [
    "rule.yml:4:9: unknown modifier 'alll' (did you mean 'all'?)",
  ]);
  assert.deepEqual(errorsOf(lines("title: K", "id: r1", "detection:", "  k: {'|': [a]}", "  condition: k")), [
    "rule.yml:4:8: missing field name before '|'",
  ]);
});

test("a leading (?i) in a regex is re|i; inline flags elsewhere are an error", () => {
  assert.deepEqual(pred(web("    cs-uri-query|re: '(?i)union\\s+select\\b'")), {
    kind: "string", fields: QUERY, op: "re", value: "union\\s+select\\b", cased: false, pos: at(7, 22),
  });
  const errors = errorsOf(lines("title: M", "id: r1", "logsource: {category: webserver}", "detection:", "  sel: {cs-uri-query|re: 'a(?i)b'}", "  condition: sel"));
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^rule\.yml:5:26: invalid regular expression 'a\(\?i\)b'/);
});
