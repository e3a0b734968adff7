// One test per user mistake: the exact `file:line:col: message` the rule
// loader must report. Positions were counted by hand from the YAML below
// (lines(...) puts argument N on line N).

import assert from "node:assert/strict";
import { test } from "node:test";
import { RuleErrors } from "../src/compiler/ir.js";
import { loadRules } from "../src/compiler/rules/load.js";
import { errorsOf, fixture, lines, load } from "./fixtures/rules/harness.js";

/** A web rule whose line 7 is `sel7` and line 8 the condition. */
function webRule(sel7: string, condition = "  condition: sel"): string {
  return lines(
    "title: Admin access", // 1
    "id: r1", // 2
    "logsource:", // 3
    "  category: webserver", // 4
    "detection:", // 5
    "  sel:", // 6
    sel7, // 7
    condition, // 8
  );
}

test("unknown field, with a suggestion", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-steam: /admin")), [
    "rule.yml:7:5: unknown field 'cs-uri-steam' (did you mean 'cs-uri-stem'?)",
  ]);
});

test("unknown field without a close match", () => {
  assert.deepEqual(errorsOf(webRule("    ProcessCommandLine: whoami")), ["rule.yml:7:5: unknown field 'ProcessCommandLine'"]);
});

test("unknown modifier points at the modifier inside the key", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-stem|startwith: /admin")), [
    "rule.yml:7:17: unknown modifier 'startwith' (did you mean 'startswith'?)",
  ]);
});

test("unsupported Sigma modifier", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|base64offset|contains: x")), [
    "rule.yml:7:18: modifier 'base64offset' is not supported by tripline",
  ]);
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|windash: x")), ["rule.yml:7:18: modifier 'windash' is not supported by tripline"]);
});

test("unsupported regex flag m", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|re|m: x")), [
    "rule.yml:7:21: modifier 'm' is not supported by tripline (of the regex flags only 'i' is)",
  ]);
});

test("regex flag without re", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|contains|i: x")), ["rule.yml:7:27: modifier 'i' only applies after 're'"]);
});

test("conflicting modifiers", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|contains|endswith: x")), [
    "rule.yml:7:27: modifier 'endswith' cannot be combined with 'contains'",
  ]);
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|re|cased: x")), [
    "rule.yml:7:21: modifier 'cased' does not apply to 're' (regexes are case-sensitive; write 're|i' for case-insensitive)",
  ]);
});

/** Selections `selection` (line 7) and `filter` (line 9); line 10+ from `condition`. */
function twoSelections(...condition: string[]): string {
  return lines(
    "title: Admin POST", // 1
    "id: r1", // 2
    "logsource:", // 3
    "  category: webserver", // 4
    "detection:", // 5
    "  selection:", // 6
    "    cs-method: POST", // 7
    "  filter:", // 8
    "    c-ip|cidr: 10.0.0.0/8", // 9
    ...condition, // 10..
  );
}

test("condition naming a missing selection: exact column (plain scalar)", () => {
  assert.deepEqual(errorsOf(twoSelections("  condition: selection and not fliter")), [
    "rule.yml:10:32: unknown selection 'fliter' (did you mean 'filter'?)",
  ]);
});

test("condition naming a missing selection: exact column (quoted scalar)", () => {
  assert.deepEqual(errorsOf(twoSelections('  condition: "selection and not fliter"')), [
    "rule.yml:10:33: unknown selection 'fliter' (did you mean 'filter'?)",
  ]);
  // In a single-quoted scalar '' is one quote.
  assert.deepEqual(errorsOf(twoSelections("  condition: 'selection or not selection_''x'")), [
    'rule.yml:10:42: unexpected character "\'" in condition',
  ]);
});

test("condition naming a missing selection: exact column (folded and multi-line scalars)", () => {
  assert.deepEqual(errorsOf(twoSelections("  condition: >-", "    selection and", "    not fliter")), [
    "rule.yml:12:9: unknown selection 'fliter' (did you mean 'filter'?)",
  ]);
  assert.deepEqual(errorsOf(twoSelections("  condition: selection", "    and not", "      fliter")), [
    "rule.yml:12:7: unknown selection 'fliter' (did you mean 'filter'?)",
  ]);
});

test("condition list: each item has its own positions", () => {
  assert.deepEqual(errorsOf(twoSelections("  condition:", "    - selection", "    - nothing")), [
    "rule.yml:12:7: unknown selection 'nothing'",
  ]);
});

test("'x of' pattern that matches nothing", () => {
  const text = lines(
    "title: Pattern", // 1
    "id: r1", // 2
    "detection:", // 3
    "  sel_a: {user: root}", // 4
    "  sel_b: {user: admin}", // 5
    "  filter: {method: GET}", // 6
    "  condition: 1 of sel_* and not 1 of filter_*", // 7
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:7:38: '1 of filter_*' matches no selection"]);
});

test("'all of them' when every selection starts with _", () => {
  const text = lines("title: Them", "id: r1", "detection:", "  _hidden: {user: root}", "  condition: all of them");
  assert.deepEqual(errorsOf(text), ["rule.yml:5:21: 'all of them' matches no selection (names starting with '_' are left out)"]);
});

test("'any of' is not Sigma", () => {
  const text = lines("title: Any", "id: r1", "detection:", "  sel: {user: root}", "  condition: any of sel*");
  assert.deepEqual(errorsOf(text), ["rule.yml:5:14: 'any of' is not Sigma; write '1 of'"]);
});

test("condition syntax errors", () => {
  const rule = (cond: string) => lines("title: C", "id: r1", "detection:", "  sel: {user: root}", `  condition: ${cond}`);
  assert.deepEqual(errorsOf(rule("sel and (sel or sel")), ["rule.yml:5:22: unclosed '('"]);
  assert.deepEqual(errorsOf(rule("sel sel")), ["rule.yml:5:18: expected 'and' or 'or' before 'sel'"]);
  assert.deepEqual(errorsOf(rule("sel and")), ["rule.yml:5:21: condition ends too early"]);
  assert.deepEqual(errorsOf(rule("sel)")), ["rule.yml:5:17: unmatched ')'"]);
  assert.deepEqual(errorsOf(rule("sel*")), ["rule.yml:5:14: a wildcard needs '1 of' or 'all of': write '1 of sel*'"]);
  assert.deepEqual(errorsOf(rule("2 of sel")), ["rule.yml:5:14: '2 of' is not supported; write '1 of' or 'all of'"]);
  assert.deepEqual(errorsOf(rule("sel | count() > 5")), [
    "rule.yml:5:18: aggregations ('| count() ...') are not supported; write a correlation rule instead",
  ]);
  assert.deepEqual(errorsOf(rule("sel AND sel")), ["rule.yml:5:18: expected 'and' or 'or' before 'AND'"]);
  assert.deepEqual(errorsOf(rule("sel and SEL")), ["rule.yml:5:22: unknown selection 'SEL' (did you mean 'sel'?)"]);
  assert.deepEqual(errorsOf(rule("'   '")), ["rule.yml:5:15: empty condition"]);
});

test("bad regex, reported at the value", () => {
  assert.deepEqual(errorsOf(webRule("    cs-uri-query|re: 'a(b'")), [
    "rule.yml:7:22: invalid regular expression 'a(b': Unterminated group",
  ]);
});

test("bad CIDR", () => {
  assert.deepEqual(errorsOf(webRule("    c-ip|cidr: 10.0.0.0/33")), ["rule.yml:7:16: invalid CIDR '10.0.0.0/33'"]);
  assert.deepEqual(errorsOf(webRule("    c-ip|cidr: [10.0.0.0/8, 256.0.0.0/8, 'fe80::/129']")), [
    "rule.yml:7:29: invalid CIDR '256.0.0.0/8'",
    "rule.yml:7:42: invalid CIDR 'fe80::/129'",
  ]);
});

test("gt with something that is not a number", () => {
  assert.deepEqual(errorsOf(webRule("    time-taken|gt: fast")), ["rule.yml:7:20: modifier 'gt' needs a number, not 'fast'"]);
  // A quoted number is a string in YAML.
  assert.deepEqual(errorsOf(webRule("    time-taken|lte: '5'")), ["rule.yml:7:21: modifier 'lte' needs a number, not '5'"]);
});

test("exists needs a boolean", () => {
  assert.deepEqual(errorsOf(webRule("    cs-referer|exists: yes")), ["rule.yml:7:24: modifier 'exists' needs true or false, not 'yes'"]);
});

test("missing value, empty list, null with modifiers", () => {
  assert.deepEqual(errorsOf(webRule("    cs-referer:")), [
    "rule.yml:7:16: missing value for field 'cs-referer' (write null to match records without the field)",
  ]);
  assert.deepEqual(errorsOf(webRule("    cs-referer: []")), ["rule.yml:7:17: empty list of values for field 'cs-referer'"]);
  assert.deepEqual(errorsOf(webRule("    cs-referer|contains: null")), [
    "rule.yml:7:26: null cannot be combined with modifiers (write 'cs-referer|exists: false' instead)",
  ]);
});

test("selection shapes", () => {
  const rule = (sel: string) => lines("title: S", "id: r1", "detection:", sel, "  condition: sel");
  assert.deepEqual(errorsOf(rule("  sel: []")), ["rule.yml:4:8: selection 'sel' is an empty list"]);
  assert.deepEqual(errorsOf(rule("  sel: {}")), ["rule.yml:4:8: selection 'sel' is an empty map"]);
  assert.deepEqual(errorsOf(rule("  sel:")), ["rule.yml:4:7: selection 'sel' has no value"]);
  assert.deepEqual(errorsOf(rule("  sel: [{user: a}, oops]")), [
    "rule.yml:4:20: the list of selection 'sel' must hold only maps or only plain values, not 'oops'",
  ]);
  assert.deepEqual(errorsOf(rule("  sel: {user: {a: b}}")), ["rule.yml:4:15: field 'user' needs a value or a list of values, not a map"]);
});

test("detection block problems", () => {
  assert.deepEqual(errorsOf(lines("title: D", "id: r1", "detection:", "  sel: {user: a}")), [
    "rule.yml:4:3: detection needs a 'condition'",
  ]);
  assert.deepEqual(errorsOf(lines("title: D", "id: r1", "logsource: {product: linux}")), [
    "rule.yml:1:1: missing required key 'detection'",
  ]);
  assert.deepEqual(
    errorsOf(lines("title: D", "id: r1", "detection:", "  sel: {user: a}", "  timeframe: 5m", "  condition: sel")),
    ["rule.yml:5:3: 'timeframe' is not supported; write a correlation rule instead"],
  );
});

test("missing title and id", () => {
  const text = lines(
    "id: r1", // 1
    "detection:", // 2
    "  sel: {user: root}", // 3
    "  condition: sel", // 4
    "---", // 5
    "# a comment first", // 6
    "title: No id", // 7
    "detection:", // 8
    "  sel: {user: root}", // 9
    "  condition: sel", // 10
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:1:1: missing required key 'title'", "rule.yml:7:1: missing required key 'id'"]);
});

test("duplicate id across files, and duplicate name", () => {
  const rule = (name: string) => lines("title: Root login", "id: 0e95725d-7320-415d-80f7-004da920fc11", `name: ${name}`, "detection:", "  sel: {user: root}", "  condition: sel");
  assert.deepEqual(
    errorsOf([
      { path: "a.yml", text: rule("root_login") },
      { path: "b.yml", text: rule("root_login") },
    ]),
    [
      "b.yml:2:5: duplicate id '0e95725d-7320-415d-80f7-004da920fc11' (first used at a.yml:2:5)",
      "b.yml:3:7: duplicate name 'root_login' (first used at a.yml:3:7)",
    ],
  );
  // ids and names share one namespace (correlations refer to either).
  const other = lines("title: Other", "id: root_login", "detection:", "  sel: {user: x}", "  condition: sel");
  assert.deepEqual(
    errorsOf([
      { path: "a.yml", text: rule("root_login") },
      { path: "c.yml", text: other },
    ]),
    ["c.yml:2:5: id 'root_login' is already the name of another rule (at a.yml:3:7)"],
  );
});

test("bad level", () => {
  const rule = (level: string) => lines("title: L", "id: r1", `level: ${level}`, "detection:", "  sel: {user: a}", "  condition: sel");
  assert.deepEqual(errorsOf(rule("hgh")), ["rule.yml:3:8: unknown level 'hgh' (did you mean 'high'?)"]);
  assert.deepEqual(errorsOf(rule("severe")), ["rule.yml:3:8: unknown level 'severe' (expected informational, low, medium, high or critical)"]);
  assert.deepEqual(errorsOf(rule("3")), ["rule.yml:3:8: level must be a string, not 3"]);
});

test("unknown top-level key; x- keys are allowed", () => {
  const text = lines(
    "title: K", // 1
    "id: r1", // 2
    "descripton: typo", // 3
    "x-owner: secops", // 4
    "detection:", // 5
    "  sel: {user: a}", // 6
    "  condition: sel", // 7
    "falsepositive: none", // 8
  );
  assert.deepEqual(errorsOf(text), [
    "rule.yml:3:1: unknown key 'descripton' (did you mean 'description'?)",
    "rule.yml:8:1: unknown key 'falsepositive' (did you mean 'falsepositives'?)",
  ]);
});

test("bad tags and logsource", () => {
  assert.deepEqual(errorsOf(lines("title: T", "id: r1", "tags: attack.t1110", "detection:", "  sel: {user: a}", "  condition: sel")), [
    "rule.yml:3:7: tags must be a list of strings, not 'attack.t1110'",
  ]);
  const ls = (l: string) => lines("title: T", "id: r1", l, "detection:", "  sel: {user: a}", "  condition: sel");
  assert.deepEqual(errorsOf(ls("logsource: {category: webservr}")), ["rule.yml:3:23: unknown logsource category 'webservr' (did you mean 'webserver'?)"]);
  assert.deepEqual(errorsOf(ls("logsource: {product: windows}")), [
    "rule.yml:3:22: unknown logsource product 'windows' (expected apache, nginx, linux or json)",
  ]);
  assert.deepEqual(errorsOf(ls("logsource: {category: webserver, product: linux}")), [
    "rule.yml:3:12: logsource category 'webserver' and product 'linux' match no common record format",
  ]);
  assert.deepEqual(errorsOf(ls("logsource: {prodcut: linux}")), ["rule.yml:3:13: unknown key 'prodcut' in logsource (did you mean 'product'?)"]);
});

test("tripline block", () => {
  const rule = (...t: string[]) => lines("title: T", "id: r1", "detection:", "  sel: {user: a}", "  condition: sel", "tripline:", ...t);
  assert.deepEqual(errorsOf(rule("  action: redact")), ["rule.yml:7:11: action 'redact' needs a non-empty 'redact' list"]);
  assert.deepEqual(errorsOf(rule("  action: block")), ["rule.yml:7:11: unknown action 'block' (expected tag, drop or redact)"]);
  assert.deepEqual(errorsOf(rule("  action: redact", "  redact:", "    - {field: message, kind: ssn}")), [
    "rule.yml:9:30: unknown redact kind 'ssn' (expected card, password or bearer)",
  ]);
  assert.deepEqual(errorsOf(rule("  redact:", "    - {field: message, kind: card}")), ["rule.yml:7:3: 'redact' is only used with 'action: redact'"]);
});

/** A correlation (lines 1-10) over one sshd detection rule (lines 12-18). */
function correlation(...body: string[]): string {
  return lines(
    "title: Brute force", // 1
    "id: c1", // 2
    "correlation:", // 3
    ...body, // 4..10 (padded below)
    ...Array(7 - body.length).fill("# -"),
    "---", // 11
    "title: Failed login", // 12
    "id: r1", // 13
    "name: failed_login", // 14
    "logsource: {product: linux, service: sshd}", // 15
    "detection:", // 16
    "  sel: Failed password", // 17
    "  condition: sel", // 18
  );
}

test("correlation naming a missing rule", () => {
  const text = correlation(
    "  type: event_count", // 4
    "  rules:", // 5
    "    - failed_login", // 6
    "    - failed_logon", // 7
    "  group-by: [c-ip]", // 8
    "  timespan: 5m", // 9
    "  condition: {gte: 10}", // 10
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:7:7: unknown rule 'failed_logon' (did you mean 'failed_login'?)"]);
});

test("bad timespan", () => {
  const withSpan = (span: string) =>
    correlation("  type: event_count", "  rules: failed_login", "  group-by: [c-ip]", `  timespan: ${span}`, "  condition: {gte: 10}");
  assert.deepEqual(errorsOf(withSpan("5x")), [
    "rule.yml:7:13: invalid timespan '5x' (use a whole number followed by s, m, h or d, e.g. 30s, 5m, 1h, 1d)",
  ]);
  assert.deepEqual(errorsOf(withSpan("90")), [
    "rule.yml:7:13: invalid timespan '90' (use a whole number followed by s, m, h or d, e.g. 30s, 5m, 1h, 1d)",
  ]);
  assert.deepEqual(errorsOf(withSpan("8d")), ["rule.yml:7:13: timespan '8d' is longer than the limit of 7d"]);
  assert.deepEqual(errorsOf(withSpan("0s")), ["rule.yml:7:13: timespan must be greater than zero"]);
});

test("anomaly min_samples past the 1,000 samples the baseline counts", () => {
  // The baseline's sample count stops at 1,000 (then each new sample weighs
  // 1/1,000): a larger min_samples would never be reached, a silent rule.
  const text = correlation("  type: anomaly", "  rules: failed_login", "  group-by: [c-ip]", "  timespan: 1h", "  anomaly: {field: time-taken, min_samples: 1001}");
  assert.deepEqual(errorsOf(text), ["rule.yml:8:45: anomaly min_samples must be an integer of at most 1000"]);
});

test("value_count without field", () => {
  const text = correlation(
    "  type: value_count", // 4
    "  rules: failed_login", // 5
    "  group-by: [c-ip]", // 6
    "  timespan: 1h", // 7
    "  condition:", // 8
    "    gte: 10", // 9
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:9:5: correlation type value_count needs 'field' in its condition"]);
});

test("correlation: other mistakes", () => {
  assert.deepEqual(
    errorsOf(correlation("  type: event_cnt", "  rules: failed_login", "  group-by: [c-ip]", "  timespan: 5m", "  condition: {gte: 10}")),
    ["rule.yml:4:9: unknown correlation type 'event_cnt' (did you mean 'event_count'?)"],
  );
  assert.deepEqual(errorsOf(correlation("  type: percentile", "  rules: failed_login", "  timespan: 5m", "  percentile: {field: time-taken}")), [
    "rule.yml:7:15: percentile needs a 'limit' (fires above it) or a 'factor' (fires above factor x the baseline), or both",
  ]);
  assert.deepEqual(
    errorsOf(correlation("  type: temporal", "  rules: [failed_login]", "  group-by: [c-ip]", "  timespan: 5m")),
    ["rule.yml:5:10: correlation type temporal needs at least two rules"],
  );
  assert.deepEqual(
    errorsOf(correlation("  type: event_count", "  rules: failed_login", "  group-by: [c-ip]", "  timespan: 5m", "  condition: {gte: 5, lt: 9}")),
    ["rule.yml:8:23: correlation condition takes exactly one of gt, gte, lt, lte or eq (ranges are not supported)"],
  );
  assert.deepEqual(
    errorsOf(correlation("  type: event_count", "  rules: failed_login", "  group-by: [c-ip]", "  timespan: 5m", "  condition: {gte: 5, field: user}")),
    ["rule.yml:8:23: 'field' in the condition is only used by value_count, not event_count"],
  );
  assert.deepEqual(
    errorsOf(correlation("  type: event_count", "  rules: failed_login", "  group-by: [c-ip]", "  timespan: 5m")),
    ["rule.yml:4:3: missing required key 'condition' in correlation"],
  );
  assert.deepEqual(
    errorsOf(correlation("  type: event_count", "  rules: failed_login", "  group-by: [cip]", "  timespan: 5m", "  condition: {gte: 1}")),
    ["rule.yml:6:14: unknown field 'cip' (did you mean 'c-ip'?)"],
  );
  assert.deepEqual(
    errorsOf(correlation("  type: temporal", "  rules: [failed_login, r1]", "  group-by: [c-ip]", "  timespan: 5m")),
    ["rule.yml:5:25: rule 'r1' is listed twice"],
  );
});

test("a correlation cannot use a correlation", () => {
  const text = lines(
    "title: Outer", // 1
    "id: c2", // 2
    "correlation:", // 3
    "  type: event_count", // 4
    "  rules: [brute]", // 5
    "  group-by: [c-ip]", // 6
    "  timespan: 1h", // 7
    "  condition: {gte: 2}", // 8
    "---", // 9
    "title: Brute", // 10
    "id: c1", // 11
    "name: brute", // 12
    "correlation: {type: event_count, rules: [r1], group-by: [c-ip], timespan: 5m, condition: {gte: 10}}", // 13
    "---", // 14
    "title: Failed", // 15
    "id: r1", // 16
    "detection: {sel: Failed password, condition: sel}", // 17
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:5:11: 'brute' is a correlation rule; a correlation cannot use another correlation"]);
});

test("detection keys in a correlation rule", () => {
  const text = lines(
    "title: C", // 1
    "id: c1", // 2
    "logsource: {product: linux}", // 3
    "correlation: {type: event_count, rules: [r1], group-by: [c-ip], timespan: 5m, condition: {gte: 10}}", // 4
    "---", // 5
    "title: Failed", // 6
    "id: r1", // 7
    "detection: {sel: Failed password, condition: sel}", // 8
  );
  assert.deepEqual(errorsOf(text), ["rule.yml:3:1: 'logsource' is not allowed in a correlation rule"]);
});

test("YAML syntax error, at the parser's position", () => {
  const text = lines(
    "title: Broken", // 1
    "id: r1", // 2
    "detection:", // 3
    "  sel: [a, b", // 4
    "  condition: sel", // 5
  );
  assert.deepEqual(errorsOf(text), [
    "rule.yml:5:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ]);
  assert.deepEqual(errorsOf(lines("title: T", "id: r1", "title: U")), ["rule.yml:3:1: duplicate key (keys must be unique within a map)"]);
});

test("a YAML error in one document does not hide errors in the next", () => {
  const text = lines("title: [", "---", "title: T", "id: r1", "levl: high", "detection: {sel: x, condition: sel}");
  const errors = errorsOf(text);
  assert.equal(errors.length, 2);
  assert.match(errors[0], /^rule\.yml:\d+:\d+: YAML syntax error: /);
  assert.equal(errors[1], "rule.yml:5:1: unknown key 'levl' (did you mean 'level'?)");
});

test("alias bomb stops at the alias that crosses the limit", () => {
  // x-b expands 10 aliases; in x-c each *b costs 11 (itself + 10 *a). The
  // 101st expansion happens inside the 9th *b of line 5, at column 10 + 4*8.
  assert.deepEqual(errorsOf([fixture("alias-bomb.yml")]), [
    "alias-bomb.yml:5:42: too many YAML alias expansions (limit 100); this looks like an alias bomb",
  ]);
});

test("billion laughs finishes quickly with one error", () => {
  let text = "title: lol\nid: lol\nx-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  let prev = "a";
  for (const c of "bcdefghi") {
    text += `x-${c}: &${c} [${Array(9).fill(`*${prev}`).join(", ")}]\n`;
    prev = c;
  }
  const started = Date.now();
  const errors = errorsOf(text);
  assert.ok(Date.now() - started < 2000);
  // b: 9, c: 9 * 10 = 90 -> 99; on line 6, d's first *c is the 100th and
  // its first *b the 101st: reported at that *c.
  assert.deepEqual(errors, ["rule.yml:6:10: too many YAML alias expansions (limit 100); this looks like an alias bomb"]);
});

test("unknown alias", () => {
  assert.deepEqual(errorsOf(lines("title: T", "id: r1", "x-y: *nope")), ["rule.yml:3:6: unknown YAML alias '*nope'"]);
});

test("nesting too deep: YAML", () => {
  // root map = 1, detection map = 2, the k-th '[' = 2 + k: k = 63 is level 65.
  const text = lines("title: Deep", "id: deep", "detection:", `  sel: ${"[".repeat(70)}x${"]".repeat(70)}`, "  condition: sel");
  assert.deepEqual(errorsOf(text), ["rule.yml:4:70: nesting too deep (limit 64 levels)"]);
});

test("nesting too deep: far too deep for the YAML parser is refused before parsing", () => {
  const n = 100_000;
  const started = Date.now();
  // CST depth of the k-th '[' is k + 1; the first beyond 128 is k = 128, column 3 + 128.
  assert.deepEqual(errorsOf(`a: ${"[".repeat(n)}${"]".repeat(n)}\n`), ["rule.yml:1:131: nesting too deep (limit 64 levels)"]);
  assert.ok(Date.now() - started < 5000);
});

test("nesting too deep: condition", () => {
  const cond = `${"(".repeat(65)}sel${")".repeat(65)}`;
  const text = lines("title: Deep", "id: deep", "detection:", "  sel: {user: a}", `  condition: ${cond}`);
  // The 65th '(' is at column 14 + 64.
  assert.deepEqual(errorsOf(text), ["rule.yml:5:78: condition nested too deeply (limit 64)"]);
  const ok = lines("title: Deep", "id: deep", "detection:", "  sel: {user: a}", `  condition: ${"(".repeat(64)}sel${")".repeat(64)}`);
  assert.equal(load(ok).rules.length, 1);
});

test("a document that is not a map", () => {
  assert.deepEqual(errorsOf(lines("- title: x", "- id: y")), ["rule.yml:1:1: a rule must be a YAML map, not a list"]);
  assert.deepEqual(errorsOf(lines("title: T", "id: r1", "detection: {sel: x, condition: sel}", "---", "hello")), [
    "rule.yml:5:1: a rule must be a YAML map, not 'hello'",
  ]);
});

test("budgets: condition and value length, rule count", () => {
  const longCond = `sel${" or sel".repeat(700)}`; // 3 + 4900 characters
  assert.deepEqual(errorsOf(lines("title: L", "id: r1", "detection:", "  sel: {user: a}", `  condition: ${longCond}`)), [
    "rule.yml:5:14: condition is too long (4903 characters, limit 4096)",
  ]);
  assert.deepEqual(errorsOf(lines("title: L", "id: r1", "detection:", `  sel: {user: ${"a".repeat(32769)}}`, "  condition: sel")), [
    "rule.yml:4:15: value is too long (32769 characters, limit 32768)",
  ]);
  // At the limit: accepted (a CRS-sized regex is far below it).
  assert.equal(load(lines("title: L", "id: r1", "detection:", `  sel: {user: ${"a".repeat(32768)}}`, "  condition: sel")).rules.length, 1);
  const docs: string[] = [];
  for (let i = 0; i < 5001; i++) docs.push(`title: R${i}\nid: r${i}\ndetection: {sel: x, condition: sel}\n`);
  // Document 5001 starts on line 5000 * 4 + 1 (three lines plus '---' each).
  assert.deepEqual(errorsOf(docs.join("---\n")), ["rule.yml:20001:1: too many rules (limit 5000)"]);
});

test("all errors are reported together, sorted by file, line and column", () => {
  const bad = lines("title: T", "id: r1", "level: hgh", "detection:", "  sel: {cs-uri-stm: x}", "  condition: sel or nope");
  const errors = errorsOf([
    { path: "z.yml", text: lines("id: z") },
    { path: "a.yml", text: bad },
  ]);
  assert.deepEqual(errors, [
    "a.yml:3:8: unknown level 'hgh' (did you mean 'high'?)",
    "a.yml:5:9: unknown field 'cs-uri-stm' (did you mean 'cs-uri-stem'?)",
    "a.yml:6:21: unknown selection 'nope'",
    "z.yml:1:1: missing required key 'title'",
    "z.yml:1:1: missing required key 'detection'",
  ]);
});

test("garbage input never escapes as anything but RuleErrors", () => {
  const seed = lines(
    "title: Fuzz",
    "id: f1",
    "logsource: {category: webserver}",
    "detection:",
    "  sel:",
    "    cs-uri-query|contains|all: ['a*', \"b\\\\?\"]",
    "    c-ip|cidr: 10.0.0.0/8",
    "  other: [x, y]",
    "  condition: (sel or 1 of oth*) and not other",
    "---",
    "title: C",
    "id: c1",
    "correlation: {type: value_count, rules: f1, group-by: c-ip, timespan: 5m, condition: {gte: 3, field: user}}",
  );
  let state = 12345;
  const rnd = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const alphabet = ":-[]{}|*&!'\"#\n ()?,%@`\\\t01aZ";
  for (let round = 0; round < 400; round++) {
    const chars = [...seed];
    for (let k = 0; k < 1 + rnd(4); k++) {
      const at = rnd(chars.length);
      const op = rnd(3);
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, alphabet[rnd(alphabet.length)]);
      else chars[at] = alphabet[rnd(alphabet.length)];
    }
    try {
      loadRules([{ path: "fuzz.yml", text: chars.join("") }]);
    } catch (e) {
      assert.ok(e instanceof RuleErrors, `round ${round}: ${String(e)}`);
      for (const err of e.errors) {
        assert.match(err.message, /^fuzz\.yml:\d+:\d+: /);
        assert.doesNotMatch(err.message, /internal error/);
      }
    }
  }
});
