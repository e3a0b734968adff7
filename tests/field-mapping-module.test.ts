// One Sigma rule, every record shape the field mapping promises to read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor } from "./helpers/modules.js";
import { parseWith } from "../src/logs/parsers.js";

const host = hostFor(`
title: Admin from the test network
id: map-admin
logsource: {category: webserver}
detection:
  sel:
    c-ip|cidr: 203.0.113.0/24
    cs-uri-stem|startswith: /admin
    cs-method: GET
    sc-status: 403
  condition: sel
---
title: SSH failure for root
id: map-ssh
logsource: {product: linux, service: sshd}
detection:
  sel:
    auth_result: failure
    user: root
    c-ip|cidr: 203.0.113.0/24
  condition: sel
`, { statsIntervalSec: 0 });

const rules = (record: Record<string, unknown>) => {
  const out = host.call("t", 1, JSON.stringify(record));
  return out.kind === "record" ? ((out.body.tripline as { rules?: string[] })?.rules ?? []) : [];
};

const ACCESS = '203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] "GET /admin/users HTTP/1.1" 403 120 "-" "curl/8"';
const NGINX = '203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] "GET /admin/users HTTP/1.1" 403 120 "-" "curl/8"';
const SSHD = "Nov 20 10:00:00 web1 sshd[812]: Failed password for root from 203.0.113.9 port 52311 ssh2";

test("Fluent Bit's apache2 and nginx parser records", () => {
  assert.deepEqual(rules(parseWith("apache2", ACCESS, 2026)!.body), ["map-admin"]);
  const nginx = parseWith("nginx", NGINX, 2026)!.body;
  assert.equal(nginx.remote, "203.0.113.7");
  assert.deepEqual(rules(nginx), ["map-admin"]);
});

test("raw lines read by the module (tail without a parser)", () => {
  assert.deepEqual(rules({ log: ACCESS }), ["map-admin"]);
  assert.deepEqual(rules({ log: SSHD }), ["map-ssh"]);
  assert.deepEqual(rules({ log: "<38>" + SSHD }), ["map-ssh"], "with a syslog priority");
});

test("Fluent Bit's syslog parser records: sshd read out of the message", () => {
  const parsed = parseWith("syslog-rfc3164", "<38>" + SSHD, 2026)!.body;
  assert.equal(parsed.ident, "sshd");
  assert.deepEqual(rules(parsed), ["map-ssh"]);
});

test("records that already carry canonical keys, and ones that miss a field", () => {
  assert.deepEqual(rules({ client_ip: "203.0.113.1", path: "/admin", method: "GET", status: 403 }), ["map-admin"]);
  assert.deepEqual(rules({ client_ip: "198.51.100.1", path: "/admin", method: "GET", status: 403 }), []);
  assert.deepEqual(rules({ client_ip: "203.0.113.1", path: "/admin", method: "GET" }), []);
});

test("the first of a field's keys present gives its value, null counting as absent, whatever shape the record before had", () => {
  // README, Fields: c-ip reads client_ip, remote, ip, src_ip in that order; a null value is absent (as in Sigma).
  // One module, records of changing and repeating shapes in a row: the module plans per key set.
  const request = { path: "/admin", method: "GET", status: 403 };
  const cases: [Record<string, unknown>, string[]][] = [
    [{ remote: "203.0.113.7", ...request }, ["map-admin"]],
    [{ client_ip: null, remote: "203.0.113.7", ...request }, ["map-admin"]],
    [{ client_ip: "198.51.100.1", remote: "203.0.113.7", ...request }, []],
    [{ client_ip: "203.0.113.1", remote: "198.51.100.1", ...request }, ["map-admin"]],
    [{ client_ip: "198.51.100.2", remote: "203.0.113.7", ...request }, []],
    [{ remote: "198.51.100.1", ip: "203.0.113.5", ...request }, []],
    [{ ip: "203.0.113.5", ...request }, ["map-admin"]],
    [{ client_ip: null, ...request }, []],
    [{ client_ip: null, src_ip: "203.0.113.8", ...request }, ["map-admin"]],
    [{ remote: "203.0.113.7", ...request }, ["map-admin"]],
    [{ remote: null, ...request }, []],
  ];
  for (const [record, expected] of cases) assert.deepEqual(rules(record), expected, JSON.stringify(record));
});

test("a key holding null does not make the field exist", () => {
  const present = hostFor(`
title: Client address present
id: has-client
logsource: {category: webserver}
detection:
  sel:
    c-ip|exists: true
  condition: sel
`, { statsIntervalSec: 0 });
  const matched = (record: Record<string, unknown>) => {
    const out = present.call("t", 1, JSON.stringify(record));
    return out.kind === "record" ? ((out.body.tripline as { rules?: string[] })?.rules ?? []) : [];
  };
  const request = { path: "/", method: "GET", status: 200 };
  const cases: [Record<string, unknown>, string[]][] = [
    [{ client_ip: "192.0.2.1", ...request }, ["has-client"]],
    [{ client_ip: null, ...request }, []],
    [{ client_ip: null, remote: "192.0.2.1", ...request }, ["has-client"]],
    [{ remote: null, ...request }, []],
    [{ remote: "192.0.2.1", ...request }, ["has-client"]],
    [{ client_ip: null, ...request }, []],
  ];
  for (const [record, expected] of cases) assert.deepEqual(matched(record), expected, JSON.stringify(record));
});
