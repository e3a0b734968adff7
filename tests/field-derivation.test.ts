// Issue 12.3: a Sigma field means the same on a raw line and on the record
// Fluent Bit's parser makes of it. cs-uri-query is the part after `?`;
// a target without one has no query (never the whole path).
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor, namespaceOf } from "./helpers/modules.js";

const host = hostFor(`title: id query
id: id-query
logsource: {category: webserver}
detection:
  s: {cs-uri-query|startswith: 'id='}
  condition: s
---
title: no query
id: no-query
logsource: {category: webserver}
detection:
  s: {cs-uri-query: null}
  condition: s
`);

const line = (target: string) => `198.51.100.4 - - [20/Nov/2026:10:00:00 +0000] "GET ${target} HTTP/1.1" 200 10 "-" "curl/8.5.0"`;
const apache2 = (target: string) => ({ host: "198.51.100.4", user: "-", method: "GET", path: target, code: "200", size: "10", referer: "-", agent: "curl/8.5.0" });
const rules = (record: object) => namespaceOf(host.call("web.access", 1_763_632_800, JSON.stringify(record)))?.rules ?? [];

test("cs-uri-query is the part after ?, on raw lines and apache2 records alike", () => {
  for (const [target, expected] of [
    ["/item?id=5", ["id-query"]],
    ["/item?x=1&id=5", []],
    ["/id=5", ["no-query"]],
    ["/index.html", ["no-query"]],
  ] as const) {
    assert.deepEqual(rules({ log: line(target) }), expected, `raw line, ${target}`);
    assert.deepEqual(rules(apache2(target)), expected, `apache2 record, ${target}`);
  }
});
