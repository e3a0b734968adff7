// Field mapping: the default table for Sigma web/auth names, the override
// file, unknown-field suggestions, and json logsources accepting any key.

import assert from "node:assert/strict";
import { test } from "node:test";
import { RuleError, RuleErrors } from "../src/compiler/ir.js";
import { DEFAULT_FIELD_MAP, loadFieldMap, resolveField } from "../src/compiler/fields/map.js";
import { errorsOf, fixture, lines, load, predicates } from "./fixtures/rules/harness.js";

const pos = { file: "r.yml", line: 3, col: 5 };
const resolve = (name: string) => resolveField(DEFAULT_FIELD_MAP, name, pos);

test("default mapping of Sigma web server names", () => {
  // apache2's `host` and nginx's `remote` hold the client IP.
  assert.deepEqual(resolve("c-ip"), ["client_ip", "remote", "ip", "src_ip"]);
  assert.deepEqual(resolve("cs-uri-stem"), ["uri_stem", "path"]);
  assert.deepEqual(resolve("cs-uri-query"), ["query"]);
  assert.deepEqual(resolve("cs-method"), ["method"]);
  assert.deepEqual(resolve("sc-status"), ["status", "code"]);
  assert.deepEqual(resolve("cs-user-agent"), ["user_agent", "agent"]);
  assert.deepEqual(resolve("c-useragent"), ["user_agent", "agent"]);
  assert.deepEqual(resolve("cs-referer"), ["referer"]);
  assert.deepEqual(resolve("cs-host"), ["vhost", "uri_host", "authority"]);
  assert.deepEqual(resolve("sc-bytes"), ["size"]);
  assert.deepEqual(resolve("time-taken"), ["response_time"]);
});

test("default mapping of Sigma proxy names (category proxy)", () => {
  assert.deepEqual(resolve("c-uri"), ["path"]);
  assert.deepEqual(resolve("c-uri-stem"), ["uri_stem", "path"]);
  assert.deepEqual(resolve("c-uri-query"), ["query"]);
  assert.deepEqual(resolve("c-uri-extension"), ["uri_extension"]);
  assert.deepEqual(resolve("r-dns"), ["uri_host", "vhost", "authority"]);
  assert.deepEqual(resolve("cs-cookie"), ["cookie"]);
  assert.deepEqual(resolve("cs-content-type"), ["content_type"]);
  assert.deepEqual(resolve("dst_ip"), ["dst_ip"]);
  assert.deepEqual(resolve("c-useragent"), ["user_agent", "agent"]);
  // Error-log keys map to themselves.
  for (const k of ["module", "error_code", "level", "uri_host", "uri_extension", "vhost"]) assert.deepEqual(resolve(k), [k]);
});

test("default mapping of user names and the message pseudo field", () => {
  for (const name of ["user", "User", "TargetUserName", "username", "cs-username"]) {
    assert.deepEqual(resolve(name), ["user", "auth_user", "user_id"], name);
  }
  assert.deepEqual(resolve("@message"), ["message", "log", "msg"]);
});

test("canonical and stock-parser keys map to themselves", () => {
  for (const k of ["client_ip", "query", "status", "user_agent", "response_time", "program", "auth_result", "event_type"]) {
    assert.deepEqual(resolve(k), [k]);
  }
  for (const k of ["host", "remote", "code", "agent", "ident", "pri", "msgid", "extradata", "log", "ip", "message"]) {
    assert.deepEqual(resolve(k), [k]);
  }
});

test("resolveField returns a copy the caller may change", () => {
  resolve("cs-method").push("oops");
  assert.deepEqual(resolve("cs-method"), ["method"]);
});

test("unknown field: RuleError with a suggestion", () => {
  assert.throws(
    () => resolve("cs-user-agnet"),
    (e: unknown) => e instanceof RuleError && e.message === "r.yml:3:5: unknown field 'cs-user-agnet' (did you mean 'cs-user-agent'?)",
  );
  assert.throws(
    () => resolve("sc_status"),
    (e: unknown) => e instanceof RuleError && e.message === "r.yml:3:5: unknown field 'sc_status' (did you mean 'sc-status'?)",
  );
  assert.throws(() => resolve("CommandLine"), (e: unknown) => e instanceof RuleError && e.message === "r.yml:3:5: unknown field 'CommandLine'");
  assert.throws(() => resolve(""), (e: unknown) => e instanceof RuleError && e.message === "r.yml:3:5: empty field name");
});

test("json logsource: any key is accepted as the record key itself, dotted paths too", () => {
  const text = lines(
    "title: J", // 1
    "id: r1", // 2
    "logsource: {product: json}", // 3
    "detection:", // 4
    "  sel:", // 5
    "    http.request.method: DELETE", // 6
    "    event_type: login_failed", // 7
    "    c-ip|cidr: 10.0.0.0/8", // 8
    "  condition: sel", // 9
  );
  const rule = load(text).rules[0];
  assert.deepEqual(rule.logsource, { tags: [], formats: ["json"] });
  assert.deepEqual(
    predicates(rule.condition).map((p) => p.fields),
    [["http.request.method"], ["event_type"], ["client_ip", "remote", "ip", "src_ip"]],
  );
  // Without logsource the same key is a typo.
  assert.deepEqual(errorsOf(lines("title: J", "id: r1", "detection:", "  sel: {http.request.method: DELETE}", "  condition: sel")), [
    "rule.yml:4:9: unknown field 'http.request.method'",
  ]);
  // category application is json as well.
  assert.equal(load(lines("title: J", "id: r1", "logsource: {category: application}", "detection: {sel: {anything: 1}, condition: sel}")).rules.length, 1);
});

test("logsource -> formats, and tag globs", () => {
  const ls = (l: string) => load(lines("title: L", "id: r1", `logsource: ${l}`, "detection: {sel: x, condition: sel}")).rules[0].logsource;
  assert.deepEqual(ls("{category: webserver}"), { tags: [], formats: ["access"] });
  assert.deepEqual(ls("{product: nginx, category: webserver}"), { tags: [], formats: ["access"] });
  assert.deepEqual(ls("{product: apache}"), { tags: [], formats: ["access", "error"] });
  assert.deepEqual(ls("{category: proxy}"), { tags: [], formats: ["access"] });
  assert.deepEqual(ls("{service: apache}"), { tags: [], formats: ["access", "error"] });
  assert.deepEqual(ls("{product: nginx, service: error}"), { tags: [], formats: ["error"] });
  assert.deepEqual(ls("{product: apache, service: access}"), { tags: [], formats: ["access"] });
  assert.deepEqual(ls("{product: linux}"), { tags: [], formats: ["auth", "syslog"] });
  assert.deepEqual(ls("{product: linux, service: sshd}"), { tags: [], formats: ["auth"] });
  assert.deepEqual(ls("{product: linux, service: auth}"), { tags: [], formats: ["auth"] });
  assert.deepEqual(ls("{product: json}"), { tags: [], formats: ["json"] });
  assert.deepEqual(ls("{tag: 'kube.*'}"), { tags: ["kube.*"], formats: [] });
  assert.deepEqual(ls("{tag: [web.*, nginx], definition: access logs}"), { tags: ["web.*", "nginx"], formats: [] });
  assert.deepEqual(load(lines("title: L", "id: r1", "detection: {sel: x, condition: sel}")).rules[0].logsource, { tags: [], formats: [] });
});

test("field-map override file: merged over the default", () => {
  const map = loadFieldMap(fixture("field-map.yml"));
  assert.deepEqual(resolveField(map, "c-ip", pos), ["x_forwarded_for", "client_ip"]);
  assert.deepEqual(resolveField(map, "DestinationHostname", pos), ["vhost"]);
  // Untouched entries keep their defaults; the default map is not modified.
  assert.deepEqual(resolveField(map, "sc-status", pos), ["status", "code"]);
  assert.deepEqual(resolve("c-ip"), ["client_ip", "remote", "ip", "src_ip"]);
  assert.deepEqual(map.logsources.product.get("myapp"), ["json"]);
  assert.deepEqual(map.logsources.product.get("nginx"), ["access", "error"]);

  const text = lines(
    "title: O", // 1
    "id: r1", // 2
    "logsource: {product: myapp}", // 3
    "detection:", // 4
    "  sel: {c-ip|cidr: 10.0.0.0/8, DestinationHostname: evil.example}", // 5
    "  condition: sel", // 6
  );
  const rule = load(text, { fieldMap: map }).rules[0];
  assert.deepEqual(rule.logsource.formats, ["json"]);
  assert.deepEqual(predicates(rule.condition).map((p) => p.fields), [["x_forwarded_for", "client_ip"], ["vhost"]]);
  // Without the override, product myapp is unknown, and so is the field.
  assert.deepEqual(errorsOf(text), [
    "rule.yml:3:22: unknown logsource product 'myapp' (expected apache, nginx, linux or json)",
    "rule.yml:5:32: unknown field 'DestinationHostname'",
  ]);
});

test("field-map override file: errors with positions", () => {
  assert.throws(
    () => loadFieldMap(fixture("field-map-bad.yml")),
    (e: unknown) => {
      assert.ok(e instanceof RuleErrors);
      assert.deepEqual(
        e.errors.map((x) => x.message),
        [
          "field-map-bad.yml:2:9: record keys for 'c-ip' must not be an empty list",
          "field-map-bad.yml:3:3: field name 'bad|name' must not contain '|'",
          "field-map-bad.yml:4:9: record keys for 'user' must be a list of strings or a string, not a map",
          "field-map-bad.yml:5:1: unknown key 'logsource' in a field map file (did you mean 'logsources'?)",
        ],
      );
      return true;
    },
  );
  assert.throws(
    () => loadFieldMap({ path: "m.yml", text: "fields: [a]\n" }),
    (e: unknown) => e instanceof RuleErrors && e.errors[0].message === "m.yml:1:9: fields must be a map, not a list",
  );
  assert.throws(
    () => loadFieldMap({ path: "m.yml", text: "fields:\n  a: [x\n" }),
    (e: unknown) => e instanceof RuleErrors && /^m\.yml:\d+:\d+: YAML syntax error: /.test(e.errors[0].message),
  );
});

test("redact fields resolve through the field map", () => {
  const text = lines(
    "title: R", // 1
    "id: r1", // 2
    "detection: {sel: password=, condition: sel}", // 3
    "tripline:", // 4
    "  action: redact", // 5
    "  redact:", // 6
    "    - {field: '@message', kind: password}", // 7
    "    - {field: cs-uri-query, kind: card}", // 8
  );
  const rule = load(text).rules[0];
  assert.equal(rule.action, "redact");
  assert.deepEqual(rule.redact, [
    { fields: ["message", "log", "msg"], kind: "password" },
    { fields: ["query", "path"], kind: "card" },
  ]);
  assert.deepEqual(errorsOf(text.replace("cs-uri-query", "cs-uri-qery")), [
    "rule.yml:8:15: unknown field 'cs-uri-qery' (did you mean 'cs-uri-query'?)",
  ]);
});
