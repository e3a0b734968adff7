// The automata cache (src/compiler/match/cache.ts): a module built from
// cached automata is byte for byte the module built without the cache, an
// entry serves another rule file testing the same values (its predicates
// numbered differently), and a damaged entry is compiled again, not trusted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { entries, withCache } from "./helpers/cache.js";
import { compileSources } from "../src/compiler/compile.js";
import { hostFor, namespaceOf } from "./helpers/modules.js";

const RULES = `title: a
id: probe-a
detection:
  words:
    cs-uri|contains: ['/etc/passwd', 'union select', 'wp-login']
  sleep:
    cs-uri|re|i: '\\bsleep\\s*\\('
  condition: words or sleep
`;


const bytes = (text: string) => compileSources([{ path: "rules.yml", text }], { seed: 7 }).program.bytes;

test("a program from cached automata equals one built without the cache", () => {
  const uncached = withCache(() => bytes(RULES), "off");
  withCache((dir) => {
    const first = bytes(RULES);
    assert.ok(entries(dir, ".bin").length > 0, "the build stored its automata");
    assert.deepEqual(bytes(RULES), first, "the cached build");
    assert.deepEqual(first, uncached);
  });
});

test("an entry serves a rule file whose predicates are numbered differently", () => {
  // A rule before it (a number test: no automaton) shifts every predicate id of probe-a.
  const shifted = `title: z\nid: probe-z\ndetection:\n  s: {sc-status|gte: 500}\n  condition: s\n---\n${RULES}`;
  withCache((dir) => {
    bytes(RULES);
    const stored = entries(dir, ".bin").length;
    const host = hostFor(shifted);
    assert.equal(entries(dir, ".bin").length, stored, "no new entry for the same values");
    const rules = (path: string) => namespaceOf(host.call("web", 1_763_600_000, JSON.stringify({ path, method: "GET" })))?.rules;
    assert.deepEqual(rules("/x?q=1 UNION SELECT 2"), ["probe-a"]);
    assert.deepEqual(rules("/x?q=sleep (5)"), ["probe-a"]);
    assert.equal(rules("/index.html"), undefined);
  });
});

test("a damaged entry is compiled again", () => {
  const damages: [string, (entry: Buffer) => Buffer][] = [
    ["not an entry", () => Buffer.from("{ not an entry")],
    ["cut in half", (entry) => entry.subarray(0, entry.length >> 1)],
    ["two bytes swapped", (entry) => {
      // The class map of the first automaton (after the 72-byte head, its count and
      // five numbers): bytes 0 and "a" swapped, still valid classes; only the hash sees it.
      const copy = Buffer.from(entry);
      const map = 72 + 4 + 5 * 4;
      [copy[map], copy[map + 0x61]] = [copy[map + 0x61], copy[map]];
      return copy;
    }],
    ["one byte longer", (entry) => Buffer.concat([entry, Buffer.of(0)])],
  ];
  for (const [what, damage] of damages) {
    withCache((dir) => {
      const good = bytes(RULES);
      const stored = entries(dir, ".bin").map((f) => [f, readFileSync(f)] as const);
      for (const [f, entry] of stored) writeFileSync(f, damage(entry));
      assert.deepEqual(bytes(RULES), good, what);
      for (const [f, entry] of stored) assert.deepEqual(readFileSync(f), entry, `${what}: the entry is stored again, whole`);
    });
  }
});
