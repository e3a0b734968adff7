// The cache of parsed rule files (src/compiler/yaml/tree-cache.ts): rules
// read from it give the rules and positions a fresh parse gives, a file with
// YAML problems is parsed (and its problems reported) every time, and a
// damaged entry is parsed again, not trusted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { entries, withCache } from "./helpers/cache.js";
import { loadRules } from "../src/compiler/rules/load.js";

// Two documents; block, quoted and flow scalars; numbers, booleans, an empty list and an alias.
const RULES = `title: a
id: tree-a
level: high
detection:
  words: &w
    cs-uri|contains:
      - '/etc/passwd'
      - "union\\tselect"
  block:
    cs-uri|re: >-
      \\bsleep\\s*\\(
  codes: {sc-status: [500, 503]}
  again: *w
  condition: words or block or codes or again
---
title: b
id: tree-b
tags: []
detection:
  s:
    sc-status|gte: 400
    cs-method: true
  condition: s
`;


/** The loaded rules as JSON (positions included), or the error text. */
const load = (text: string, file = "rules.yml"): string => {
  try {
    return JSON.stringify(loadRules([{ path: file, text }]));
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
};

test("rules read from the cache equal rules parsed afresh, positions included", () => {
  const fresh = withCache(() => load(RULES), "off");
  assert.match(fresh, /"line":\d+/);
  withCache((dir) => {
    assert.equal(load(RULES), fresh, "the first load, which stores the file");
    assert.equal(entries(dir, ".yaml.json").length, 1);
    assert.equal(load(RULES), fresh, "read from the cache");
    assert.equal(load(RULES, "other/name.yml"), fresh.replaceAll('"rules.yml"', '"other/name.yml"'), "the same text under another name");
  });
});

test("a file with a YAML problem is not cached: its problem is reported every time", () => {
  const broken = RULES.replace("level: high", "level: high\nlevel: low");
  withCache((dir) => {
    const first = load(broken);
    assert.match(first, /^error: .*rules\.yml:4:1: duplicate key/s);
    assert.equal(entries(dir, ".yaml.json").length, 0);
    assert.equal(load(broken), first);
  });
});

test("a damaged entry is parsed again", () => {
  const damages: [string, (entry: string) => string][] = [
    ["not JSON", () => "{ not json"],
    ["an offset past the end of the text", (e) => e.replace(/\[1,(\d+),(\d+),/, (_, a) => `[1,${a},999999,`)],
    ["a node of no known kind", (e) => e.replace(/\[1,/, "[7,")],
    ["a line start out of order", (e) => e.replace(/"lines":\[0,(\d+),(\d+)/, (_, a, b) => `"lines":[0,${b},${a}`)],
  ];
  const fresh = withCache(() => load(RULES), "off");
  for (const [what, damage] of damages) {
    withCache(() => {
      load(RULES);
      const [file] = entries(process.env.TRIPLINE_CACHE_DIR!, ".yaml.json");
      const good = readFileSync(file, "utf8");
      const bad = damage(good);
      assert.notEqual(bad, good, `${what}: the damage changed the entry`);
      writeFileSync(file, bad);
      assert.equal(load(RULES), fresh, what);
      assert.equal(readFileSync(file, "utf8"), good, `${what}: the entry is stored again`);
    });
  }
});
