// Several automata per field (buildDfas, buildAutomata): a field whose tests
// do not fit one automaton under the state budget is split into groups that
// each fit, and together they report exactly what the patterns match.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mulberry32 } from "../bench/gen/random.js";
import { buildDfa, buildDfas, PatternError, runDfa, type PatternSpec } from "../src/compiler/match/automaton.js";
import { matchReference } from "../src/compiler/match/reference.js";
import { automataStats, buildAutomata } from "../src/compiler/program/automata.js";
import type { NumberedPredicate } from "../src/compiler/program/predicates.js";
import { RuleError, type Predicate } from "../src/compiler/ir.js";
import { compileSources } from "../src/compiler/compile.js";
import { hostFor, namespaceOf } from "./helpers/modules.js";

const enc = new TextEncoder();

/** `X*x` for 16 letters: each must remember "X seen", 2^16 states together. */
function rememberingSet(count: number): PatternSpec[] {
  const set: PatternSpec[] = [];
  for (let i = 0; i < count; i++) {
    set.push({ id: i, op: "contains", value: `${String.fromCharCode(65 + i)}*${String.fromCharCode(97 + i)}`, cased: true });
  }
  return set;
}

function union(dfas: ReturnType<typeof buildDfas>, input: Uint8Array): number[] {
  const all = new Set<number>();
  for (const d of dfas) for (const id of runDfa(d, input)) all.add(id);
  return [...all].sort((a, b) => a - b);
}

function randomInput(next: () => number, alphabet: string): Uint8Array {
  const len = Math.floor(next() * 40);
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return enc.encode(s);
}

test("a set over the budget of one automaton is split into automata that each fit", () => {
  const set = rememberingSet(16);
  assert.throws(() => buildDfa(set, { maxStates: 5000 }), PatternError);
  const dfas = buildDfas(set, { maxStates: 5000 });
  assert.ok(dfas.length >= 2, `${dfas.length} automata`);
  for (const d of dfas) assert.ok(d.stateCount <= 5000, `${d.stateCount} states`);
  // Every pattern is reported by exactly one automaton.
  const owners = new Map<number, number>();
  dfas.forEach((d, k) => {
    for (let s = 0; s < d.stateCount; s++) {
      for (const id of [...d.emitAnywhere[s], ...d.emitAtEnd[s]]) {
        assert.ok(!owners.has(id) || owners.get(id) === k, `pattern ${id} in two automata`);
        owners.set(id, k);
      }
    }
  });
  assert.deepEqual([...owners.keys()].sort((a, b) => a - b), set.map((p) => p.id));
  // Differential against V8 over random inputs of the patterns' letters.
  const next = mulberry32(0x5b1a);
  for (let n = 0; n < 3000; n++) {
    const input = randomInput(next, "ABCDEFGHIJKLMNOPabcdefghijklmnop-");
    const want = set.filter((p) => matchReference(p, input)).map((p) => p.id);
    assert.deepEqual(union(dfas, input), want, Buffer.from(input).toString("latin1"));
  }
});

test("splitting is deterministic and keeps one automaton when one fits", () => {
  const set = rememberingSet(14);
  const a = buildDfas(set, { maxStates: 3000 });
  const b = buildDfas(set, { maxStates: 3000 });
  assert.equal(a.length, b.length);
  for (let k = 0; k < a.length; k++) {
    assert.equal(a[k].stateCount, b[k].stateCount);
    assert.deepEqual([...a[k].next], [...b[k].next]);
  }
  assert.equal(buildDfas(rememberingSet(4), { maxStates: 3000 }).length, 1);
});

test("a trie of literals over the budget is cut into parts", () => {
  const set: PatternSpec[] = [];
  for (let i = 0; i < 400; i++) set.push({ id: i, op: "contains", value: `lit${(i * 7919).toString(36)}x${i}`, cased: i % 2 === 0 });
  assert.throws(() => buildDfa(set, { maxStates: 1500 }), PatternError);
  const dfas = buildDfas(set, { maxStates: 1500 });
  assert.ok(dfas.length >= 2);
  for (const d of dfas) assert.ok(d.stateCount <= 1500);
  for (const p of set) {
    const input = enc.encode(`--${p.cased ? p.value : p.value.toUpperCase()}--`);
    assert.ok(union(dfas, input).includes(p.id), p.value);
  }
  assert.deepEqual(union(dfas, enc.encode("lit-none")), []);
});

test("a single pattern over the budget still names itself; too many automata name the set", () => {
  assert.throws(
    () => buildDfas([{ id: 1, op: "contains", value: "abc", cased: true }, { id: 9, op: "re", value: "[ab]*a[ab]{12}", cased: true }], { maxStates: 1000 }),
    (err: unknown) => err instanceof PatternError && err.patternId === 9 && /state budget/.test(err.message),
  );
  assert.throws(
    () => buildDfas(rememberingSet(16), { maxStates: 600, maxAutomata: 2 }),
    (err: unknown) => err instanceof PatternError && err.patternId === -1 && /more than 2 automata/.test(err.message),
  );
});

// --- buildAutomata and the module ------------------------------------------

const pos = { file: "rules.yml", line: 1, col: 1 };

function stringPred(value: string, fields: string[]): Predicate {
  return { kind: "string", op: "contains", value, cased: true, fields, pos } as Predicate;
}

test("buildAutomata: several automata for one slot, consecutive and sorted by slot, with per-field stats", () => {
  const predicates: NumberedPredicate[] = [];
  rememberingSet(16).forEach((p) => predicates.push({ pred: stringPred(p.value, ["path"]), slot: 1 } as NumberedPredicate));
  predicates.push({ pred: stringPred("curl", ["user_agent"]), slot: 0 } as NumberedPredicate);
  const slotKeys = [["user_agent"], ["path"]];
  const automata = buildAutomata(predicates, slotKeys, 5000);
  assert.equal(automata[0].slot, 0);
  assert.ok(automata.length >= 3);
  assert.ok(automata.slice(1).every((a) => a.slot === 1 && a.urlDecode));
  const stats = automataStats(automata, slotKeys);
  assert.equal(stats.length, 2);
  assert.deepEqual(stats[0].keys, ["user_agent"]);
  assert.equal(stats[0].automata, 1);
  assert.equal(stats[1].automata, automata.length - 1);
  assert.equal(stats[1].totalStates, stats[1].states.reduce((a, b) => a + b, 0));
  assert.ok(stats[1].states.every((n) => n <= 5000));
  // Too many automata: a RuleError at the first predicate of the field.
  assert.throws(() => buildAutomata(predicates, slotKeys, 600, 2), (err: unknown) => err instanceof RuleError && /automata/.test(err.message));
});

test("the module runs every automaton of a split field", () => {
  const docs = rememberingSet(16).map(
    (p, i) => `title: R${i}\nid: r${i}\nlogsource: {category: webserver}\ndetection:\n  sel: {cs-user-agent|contains|cased: '${p.value}'}\n  condition: sel\n`,
  );
  const rules = docs.join("---\n");
  const { program } = compileSources([{ path: "rules.yml", text: rules }], { seed: 7, maxStates: 5000 });
  assert.ok(program.stats.automata >= 2, `${program.stats.automata} automata`);
  const host = hostFor(rules, { maxStates: 5000 });
  const record = (agent: string) =>
    JSON.stringify({ log: `192.0.2.1 - - [19/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "${agent}"` });
  // Each pattern alone, and one agent that satisfies all of them.
  for (let i = 0; i < 16; i++) {
    const agent = `${String.fromCharCode(65 + i)}-x-${String.fromCharCode(97 + i)}`;
    const ns = namespaceOf(host.call("logs", 1_700_000_000, record(agent)));
    assert.deepEqual(ns?.rules, [`r${i}`], agent);
  }
  const every = "ABCDEFGHIJKLMNOP abcdefghijklmnop";
  assert.deepEqual((namespaceOf(host.call("logs", 1_700_000_001, record(every)))?.rules as string[]).length, 16);
  assert.equal(namespaceOf(host.call("logs", 1_700_000_002, record("abcdefghijklmnop ABCDEFGHIJKLMNOP"))), undefined);
});
