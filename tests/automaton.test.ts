// Tests of the multi-pattern automaton builder (src/compiler/match/automaton.ts).
//
// The differential tests compare runDfa(buildDfa(set)) with matchReference,
// which runs each pattern alone through V8's RegExp. Random cases come from a
// seeded PRNG: set AUTOMATON_SEED=<n> to replay a reported failure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "./fuzz/rng.js";
import {
  buildDfa,
  dfaStats,
  PatternError,
  runDfa,
  type Dfa,
  type PatternOp,
  type PatternSpec,
} from "../src/compiler/match/automaton.js";
import { matchReference } from "../src/compiler/match/reference.js";

const SEED = process.env.AUTOMATON_SEED ? Number(process.env.AUTOMATON_SEED) : 0x7217_11e5;

// --- helpers -------------------------------------------------------------

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const latin1Bytes = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

function matches(patterns: PatternSpec[], input: string | Uint8Array): number[] {
  const dfa = buildDfa(patterns);
  return [...runDfa(dfa, typeof input === "string" ? bytes(input) : input)].sort((a, b) => a - b);
}

function one(op: PatternOp, value: string, cased = true): PatternSpec[] {
  return [{ id: 7, op, value, cased }];
}

function hit(op: PatternOp, value: string, input: string | Uint8Array, cased = true): boolean {
  return matches(one(op, value, cased), input).includes(7);
}

const show = (b: Uint8Array): string => JSON.stringify(Buffer.from(b).toString("latin1"));

/** Differential check; returns a description of the first mismatches. */
function differential(patterns: PatternSpec[], inputs: Uint8Array[], label: string): void {
  const dfa = buildDfa(patterns);
  const problems: string[] = [];
  let mismatches = 0;
  for (const input of inputs) {
    const got = [...runDfa(dfa, input)].sort((a, b) => a - b);
    const want = patterns.filter((p) => matchReference(p, input)).map((p) => p.id);
    if (got.join(",") !== want.join(",")) {
      mismatches++;
      if (problems.length < 5) {
        const gotSet = new Set(got);
        const wantSet = new Set(want);
        const extra = patterns.filter((p) => gotSet.has(p.id) && !wantSet.has(p.id));
        const missing = patterns.filter((p) => wantSet.has(p.id) && !gotSet.has(p.id));
        problems.push(
          `input ${show(input)}: reported but not matching ${JSON.stringify(extra)}; matching but not reported ${JSON.stringify(missing)}`,
        );
      }
    }
  }
  assert.equal(
    mismatches,
    0,
    `${label}: ${mismatches}/${inputs.length} mismatches (replay with AUTOMATON_SEED=${SEED})\n${problems.join("\n")}`,
  );
}

/** Structural invariants every built DFA must satisfy. */
function checkShape(dfa: Dfa): void {
  assert.equal(dfa.classMap.length, 256);
  assert.ok(dfa.next instanceof Uint32Array);
  assert.equal(dfa.next.length, dfa.stateCount * dfa.classCount);
  assert.equal(dfa.emitAnywhere.length, dfa.stateCount);
  assert.equal(dfa.emitAtEnd.length, dfa.stateCount);
  for (const c of dfa.classMap) assert.ok(c < dfa.classCount);
  for (const t of dfa.next) assert.ok(t < dfa.stateCount);
  if (dfa.dead >= 0) {
    assert.equal(dfa.emitAtEnd[dfa.dead].length, 0, "dead state has emitAtEnd");
    for (let c = 0; c < dfa.classCount; c++) assert.equal(dfa.next[dfa.dead * dfa.classCount + c], dfa.dead);
  }
  // Every class is used: two classes with identical columns should have been merged.
  const columns = new Set<string>();
  for (let c = 0; c < dfa.classCount; c++) {
    let col = "";
    for (let s = 0; s < dfa.stateCount; s++) col += dfa.next[s * dfa.classCount + c] + ",";
    columns.add(col);
  }
  assert.equal(columns.size, dfa.classCount, "two byte classes behave identically");
}

/** Moore's algorithm, written independently: the number of distinguishable states. */
function mooreCount(dfa: Dfa): number {
  const n = dfa.stateCount;
  const k = dfa.classCount;
  let cls = new Array<number>(n);
  const ids = new Map<string, number>();
  for (let s = 0; s < n; s++) {
    const key = `${[...dfa.emitAnywhere[s]].sort()}|${[...dfa.emitAtEnd[s]].sort()}`;
    if (!ids.has(key)) ids.set(key, ids.size);
    cls[s] = ids.get(key)!;
  }
  let count = ids.size;
  for (;;) {
    const sig = new Map<string, number>();
    const nextCls = new Array<number>(n);
    for (let s = 0; s < n; s++) {
      let key = String(cls[s]);
      for (let c = 0; c < k; c++) key += "," + cls[dfa.next[s * k + c]];
      if (!sig.has(key)) sig.set(key, sig.size);
      nextCls[s] = sig.get(key)!;
    }
    if (sig.size === count) return count;
    count = sig.size;
    cls = nextCls;
  }
}

// --- random patterns and inputs -----------------------------------------

const SIGMA_PIECES = ["a", "a", "a", "b", "b", "b", "A", "B", "c", "/", ".", "é", "日", "*", "?", "\\*", "\\?", "\\\\", "\\x", "%"];

function randomSigma(r: Rng, star: boolean): string {
  const len = r.range(0, 6);
  let s = "";
  let stars = 0;
  for (let i = 0; i < len; i++) {
    let piece = r.pick(SIGMA_PIECES);
    // At most two stars: V8's backtracking in the reference is O(n^stars).
    if (piece === "*" && (!star || stars++ >= 2)) piece = "?";
    s += piece;
  }
  return s;
}

const RE_ATOMS = [
  "a", "a", "b", "b", "A", "B", "c", "\\.", "/", "[ab]", "[^a]", "[a-c]", "[A-Z]", "[^A-Za]", "[Z-a]", "[b-]",
  ".", "\\d", "\\w", "\\s", "\\W", "\\x61", "\\x41", "\\xe9", "[\\x80-\\xff]", "é", "日", "😀", "[]", "[^]", "\\n",
];
const RE_QUANTS = ["?", "*", "+", "{2}", "{1,3}", "{0,2}", "{2,}", "*?", "+?", "??"];
const RE_BOUNDED = ["?", "{2}", "{1,3}", "{0,2}", "??"];

// Unbounded quantifiers are limited per regex, and groups only get bounded
// ones: the reference is V8's backtracking matcher, which is exponential on
// nested stars such as (?:a|a)* and polynomial (n^stars) otherwise.
let unboundedLeft = 0;

/** Extra atoms the word-boundary test mixes in. */
let extraAtoms: readonly string[] = [];

function randomRegexBody(r: Rng, depth: number): string {
  const alts = r.chance(0.25) ? r.range(2, 3) : 1;
  const out: string[] = [];
  for (let a = 0; a < alts; a++) {
    let seq = "";
    const len = r.range(depth === 0 ? 1 : 0, 4);
    for (let i = 0; i < len; i++) {
      let atom: string;
      const roll = r.next();
      if (depth < 2 && roll < 0.12) atom = `(?:${randomRegexBody(r, depth + 1)})`;
      else if (depth < 2 && roll < 0.17) atom = `(${randomRegexBody(r, depth + 1)})`;
      else if (roll < 0.2) atom = r.pick(["(?:^|/)", "(?:$|x)", "(?:^a|b)", "^", "$"]);
      else if (extraAtoms.length > 0 && r.chance(0.3)) atom = r.pick(extraAtoms);
      else atom = r.pick(RE_ATOMS);
      // `^` and `$` cannot be quantified in JS; everything else may be.
      if (atom !== "^" && atom !== "$" && !/\\[bB]/.test(atom) && r.chance(0.35)) {
        // Unbounded quantifiers only on top-level atoms: inside a repeated
        // group, (?:a+){1,3} is as bad for backtracking as three of them.
        const bounded = atom.startsWith("(") || depth > 0;
        let q = r.pick(bounded ? RE_BOUNDED : RE_QUANTS);
        if (q.includes("*") || q.includes("+") || q.endsWith(",}")) {
          if (unboundedLeft > 0) unboundedLeft--;
          else q = r.pick(RE_BOUNDED);
        }
        atom += q;
      }
      seq += atom;
    }
    out.push(seq);
  }
  return out.join("|");
}

function randomRegex(r: Rng): string {
  unboundedLeft = 2;
  const body = randomRegexBody(r, 0);
  return (r.chance(0.25) ? "^" : "") + body + (r.chance(0.25) ? "$" : "");
}

const OPS: PatternOp[] = ["contains", "startswith", "endswith", "equals"];

/**
 * `starShare` of the Sigma values may hold `*`. Every `x*y` makes the
 * automaton remember "x seen", so a large set with many of them is
 * exponential for any DFA; such sets are tested small.
 */
function randomPatterns(r: Rng, count: number, reShare: number, starShare: number): PatternSpec[] {
  const out: PatternSpec[] = [];
  for (let id = 0; id < count; id++) {
    const cased = r.chance(0.5);
    if (r.chance(reShare)) out.push({ id, op: "re", value: randomRegex(r), cased });
    else out.push({ id, op: r.pick(OPS), value: randomSigma(r, r.chance(starShare)), cased });
  }
  return out;
}

const INPUT_PIECES = ["a", "a", "b", "b", "A", "B", "ab", "ba", "c", "/", ".", "*", "?", "\\", "é", "É", "日本", "😀", "\n", "\r", " ", "1", "x", "%", "\u00a0"];

function mutate(r: Rng, text: string): string {
  let s = text;
  const edits = r.range(0, 3);
  for (let e = 0; e < edits; e++) {
    const at = r.range(0, s.length);
    const kind = r.int(5);
    if (kind === 0) s = s.slice(0, at) + r.pick(INPUT_PIECES) + s.slice(at);
    else if (kind === 1) s = s.slice(0, at) + s.slice(at + 1);
    else if (kind === 2) s = s.slice(0, at) + s.slice(at).toUpperCase();
    else if (kind === 3) s = s.slice(0, at) + s.slice(at).toLowerCase();
    else s = r.pick(INPUT_PIECES) + s + r.pick(INPUT_PIECES);
  }
  return s;
}

function randomInputs(r: Rng, patterns: PatternSpec[], count: number): Uint8Array[] {
  const out: Uint8Array[] = [
    new Uint8Array(0),
    Uint8Array.from({ length: 256 }, (_, i) => i),
    Uint8Array.from({ length: 256 }, (_, i) => 255 - i),
    bytes("ab".repeat(150)),
    bytes("a".repeat(300)),
    bytes("AbaB".repeat(40) + "/"),
    bytes("é日本😀 ab/c.a*b?\\"),
  ];
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (let i = 255; i > 0; i--) {
    const j = r.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  out.push(all);
  while (out.length < count) {
    const roll = r.next();
    if (roll < 0.35) {
      let s = "";
      const len = r.range(0, 24);
      for (let i = 0; i < len; i++) s += r.pick(INPUT_PIECES);
      out.push(bytes(s));
    } else if (roll < 0.75 && patterns.length > 0) {
      // Mutated pattern text: wildcards filled with random pieces.
      const p = r.pick(patterns);
      let text = p.value.replace(/\\([*?\\])/g, "$1");
      if (p.op !== "re") text = text.replace(/[*?]/g, () => (r.chance(0.5) ? r.pick(INPUT_PIECES) : ""));
      else text = text.replace(/[\\()[\]^$|{}+*?]/g, () => (r.chance(0.3) ? r.pick(INPUT_PIECES) : ""));
      out.push(bytes(mutate(r, text)));
    } else if (roll < 0.9) {
      const len = r.range(0, 12);
      out.push(Uint8Array.from({ length: len }, () => r.int(256)));
    } else {
      // Two pattern texts glued, to provoke overlaps between patterns.
      const a = patterns.length > 0 ? r.pick(patterns).value : "";
      const b = patterns.length > 0 ? r.pick(patterns).value : "";
      out.push(bytes(mutate(r, a.replace(/[*?\\]/g, "") + b.replace(/[*?\\]/g, ""))));
    }
  }
  return out;
}

// --- differential tests --------------------------------------------------

test("differential: word boundaries (\\b, \\B) and a leading (?i)", () => {
  const r = new Rng(SEED + 7);
  extraAtoms = ["\\b", "\\b", "\\B", "\\b\\w+", "\\w\\b", "\\B\\W", "_", "1", " "];
  try {
    let checks = 0;
    for (let round = 0; round < 600; round++) {
      const count = round % 3 === 0 ? 5 : 1;
      const patterns = randomPatterns(r, count, 0.8, 0.5).map((p) =>
        p.op === "re" && r.chance(0.3) ? { ...p, value: "(?i)" + p.value, cased: r.chance(0.5) } : p,
      );
      const inputs = randomInputs(r, patterns, 60);
      for (let i = 0; i < 20; i++) inputs.push(bytes(mutate(r, r.pick(["a_b 1", "ab.ab", "x__y", " a ", "_", "é_a", "1a!"]))));
      differential(patterns, inputs, `word boundaries, round ${round}: ${JSON.stringify(patterns)}`);
      checks += inputs.length * patterns.length;
    }
    assert.ok(checks > 90_000, `only ${checks} checks`);
  } finally {
    extraAtoms = [];
  }
});

test("word boundaries: JavaScript's word bytes, the ends of the input, bytes above 0x7F", () => {
  const cases: [string, string, boolean][] = [
    ["\\bunion\\b", "union", true],
    ["\\bunion\\b", "1 union select", true],
    ["\\bunion\\b", "reunion", false],
    ["\\bunion\\b", "unions", false],
    ["\\bunion\\b", "_union", false],
    ["\\bunion\\b", "(union)", true],
    ["\\bselect\\b", "\u00e9select", true], // é is two bytes above 0x7F: non-word
    ["a\\B", "ab", true],
    ["a\\B", "a", false],
    ["\\B", "", true],
    ["\\b", "", false],
    ["x$\\b", "x", true],
    ["!$\\b", "!", false],
    ["(?i)\\bSLEEP\\b", "and sleep(5)", true],
    ["(?i)\\bSLEEP\\b", "asleep(5)", false],
  ];
  for (const [source, input, want] of cases) {
    assert.equal(hit("re", source, input), want, `/${source}/ on ${JSON.stringify(input)}`);
    assert.equal(matchReference({ id: 7, op: "re", value: source, cased: true }, bytes(input)), want, `reference /${source}/`);
  }
});

test("differential: single random patterns", () => {
  const r = new Rng(SEED);
  for (let round = 0; round < 400; round++) {
    const patterns = randomPatterns(r, 1, 0.5, 1);
    differential(patterns, randomInputs(r, patterns, 40), `single pattern ${JSON.stringify(patterns[0])}`);
  }
});

test("differential: sets of 5 random patterns", () => {
  const r = new Rng(SEED + 1);
  for (let round = 0; round < 150; round++) {
    const patterns = randomPatterns(r, 5, 0.4, 1);
    const dfa = buildDfa(patterns);
    checkShape(dfa);
    assert.equal(mooreCount(dfa), dfa.stateCount, `not minimal: ${JSON.stringify(patterns)}`);
    differential(patterns, randomInputs(r, patterns, 120), `set of 5, round ${round}`);
  }
});

test("differential: sets of 50 random patterns", () => {
  const r = new Rng(SEED + 2);
  for (let round = 0; round < 12; round++) {
    const patterns = randomPatterns(r, 50, 0.3, round % 2 === 0 ? 0.5 : 0.1);
    const dfa = buildDfa(patterns);
    checkShape(dfa);
    if (dfa.stateCount < 3000) assert.equal(mooreCount(dfa), dfa.stateCount, "not minimal");
    differential(patterns, randomInputs(r, patterns, 600), `set of 50, round ${round}`);
  }
});

test("differential: sets of 300 random patterns", () => {
  const r = new Rng(SEED + 3);
  let tooLarge = 0;
  for (let round = 0; round < 3; round++) {
    // Mostly literals (a few with `*`), some regexes. Random regexes can
    // need many states together (each one that must remember something
    // doubles the count): such a set is correctly refused, so draw another.
    const patterns = randomPatterns(r, 300, 0.1, 0.03);
    let dfa: Dfa;
    try {
      dfa = buildDfa(patterns);
    } catch (err) {
      assert.ok(err instanceof PatternError && err.patternId === -1, String(err));
      assert.ok(++tooLarge <= 3, `too many random sets over the state budget (AUTOMATON_SEED=${SEED})`);
      round--;
      continue;
    }
    checkShape(dfa);
    differential(patterns, randomInputs(r, patterns, 2500), `set of 300, round ${round}`);
  }
});

test("differential: sets of anchored patterns only (exercises the dead state)", () => {
  const r = new Rng(SEED + 4);
  let withDead = 0;
  for (let round = 0; round < 60; round++) {
    const patterns: PatternSpec[] = [];
    const n = r.range(1, 8);
    for (let id = 0; id < n; id++) {
      if (r.chance(0.3)) {
        patterns.push({ id, op: "re", value: "^" + randomRegexBody(r, 1).replace(/\|/g, "|^"), cased: r.chance(0.5) });
      } else {
        patterns.push({ id, op: r.pick(["startswith", "equals"] as const), value: randomSigma(r, r.chance(0.3)), cased: r.chance(0.5) });
      }
    }
    const dfa = buildDfa(patterns);
    checkShape(dfa);
    if (dfa.dead >= 0) withDead++;
    differential(patterns, randomInputs(r, patterns, 150), `anchored set, round ${round}`);
  }
  assert.ok(withDead > 30, `only ${withDead} of 60 anchored sets had a dead state`);
});

// --- targeted tests -------------------------------------------------------

test("each operator", () => {
  assert.ok(hit("contains", "abc", "xxabcxx"));
  assert.ok(!hit("contains", "abc", "xxabxcx"));
  assert.ok(hit("startswith", "abc", "abcxx"));
  assert.ok(!hit("startswith", "abc", "xabc"));
  assert.ok(hit("endswith", "abc", "xxabc"));
  assert.ok(!hit("endswith", "abc", "abcx"));
  assert.ok(hit("equals", "abc", "abc"));
  assert.ok(!hit("equals", "abc", "abcabc"));
  assert.ok(!hit("equals", "abc", "ab"));
  assert.ok(hit("re", "b+c", "abbbc"));
  assert.ok(!hit("re", "^b+c", "abbbc"));
  assert.ok(hit("re", "ab$", "xab"));
  assert.ok(!hit("re", "ab$", "abx"));
});

test("empty patterns", () => {
  assert.ok(hit("contains", "", ""));
  assert.ok(hit("contains", "", "anything"));
  assert.ok(hit("equals", "", ""));
  assert.ok(!hit("equals", "", "x"));
  assert.ok(hit("startswith", "", "x"));
  assert.ok(hit("endswith", "", "x"));
  assert.ok(hit("re", "", ""));
  assert.ok(hit("re", "", "x"));
  assert.ok(hit("re", "^$", ""));
  assert.ok(!hit("re", "^$", "x"));
  // The start state reports patterns that match the empty prefix.
  const dfa = buildDfa(one("contains", ""));
  assert.deepEqual(dfa.emitAnywhere[dfa.start], [7]);
});

test("several patterns report their own ids in one pass", () => {
  const patterns: PatternSpec[] = [
    { id: 1, op: "contains", value: "he", cased: true },
    { id: 2, op: "contains", value: "she", cased: true },
    { id: 3, op: "contains", value: "his", cased: true },
    { id: 4, op: "contains", value: "hers", cased: true },
    { id: 5, op: "endswith", value: "s", cased: true },
    { id: 6, op: "equals", value: "ushers", cased: true },
    { id: 7, op: "startswith", value: "us", cased: true },
  ];
  assert.deepEqual(matches(patterns, "ushers"), [1, 2, 4, 5, 6, 7]);
  assert.deepEqual(matches(patterns, "ushersx"), [1, 2, 4, 7]);
  assert.deepEqual(matches(patterns, "this"), [3, 5]);
  assert.deepEqual(matches(patterns, ""), []);
});

test("cased and uncased", () => {
  assert.ok(hit("contains", "Select", "xSelectx"));
  assert.ok(!hit("contains", "Select", "xSELECTx"));
  assert.ok(hit("contains", "Select", "xSELECTx", false));
  assert.ok(hit("contains", "Select", "xselectx", false));
  assert.ok(hit("re", "un[a-z]on", "UNIoN", false));
  assert.ok(!hit("re", "un[a-z]on", "UNIoN", true));
  // Negated classes are folded before negation, as JS /i does.
  assert.ok(!hit("re", "^[^a]$", "A", false));
  assert.ok(!hit("re", "^[^a]$", "a", false));
  assert.ok(hit("re", "^[^a]$", "A", true));
  assert.ok(hit("re", "^\\x41$", "a", false));
  // Non-ASCII is never folded: é (C3 A9) vs É (C3 89), and escaped bytes.
  assert.ok(!hit("contains", "é", "É", false));
  assert.ok(hit("contains", "é", "é", false));
  assert.ok(!hit("re", "\\xe9", latin1Bytes("\xc9"), false));
  assert.ok(hit("re", "\\xe9", latin1Bytes("\xe9"), false));
  // Only letters fold: @ (0x40) and ` (0x60) are not a case pair.
  assert.ok(!hit("contains", "@", "`", false));
  assert.ok(!hit("contains", "[", "{", false));
});

test("wildcards and their escapes", () => {
  assert.ok(hit("equals", "a*c", "ac"));
  assert.ok(hit("equals", "a*c", "abbbc"));
  assert.ok(!hit("equals", "a*c", "abbbcd"));
  assert.ok(hit("equals", "a?c", "abc"));
  assert.ok(!hit("equals", "a?c", "ac"));
  assert.ok(!hit("equals", "a?c", "abbc"));
  // `?` is one byte, so a two-byte character needs two.
  assert.ok(!hit("equals", "?", "é"));
  assert.ok(hit("equals", "??", "é"));
  assert.ok(hit("equals", "a\\*b", "a*b"));
  assert.ok(!hit("equals", "a\\*b", "axb"));
  assert.ok(hit("equals", "a\\?b", "a?b"));
  assert.ok(!hit("equals", "a\\?b", "axb"));
  assert.ok(hit("equals", "a\\\\b", "a\\b"));
  assert.ok(!hit("equals", "a\\\\b", "a\\\\b"));
  // A backslash before anything else is literal.
  assert.ok(hit("equals", "a\\xb", "a\\xb"));
  // Sigma's gotcha: in C:\Windows\* the final \* is an escaped star...
  assert.ok(hit("equals", "C:\\Windows\\*", "C:\\Windows*"));
  assert.ok(!hit("equals", "C:\\Windows\\*", "C:\\Windows\\System32"));
  // ...and C:\Windows\\* is a backslash followed by a wildcard.
  assert.ok(hit("equals", "C:\\Windows\\\\*", "C:\\Windows\\System32"));
  // `\\*` is a literal backslash followed by a wildcard.
  assert.ok(hit("equals", "a\\\\*", "a\\zzz"));
  assert.ok(hit("equals", "trail\\", "trail\\"));
  assert.ok(hit("contains", "*", ""));
  assert.ok(hit("equals", "*", "whatever"));
});

test("non-ASCII literals match their UTF-8 bytes", () => {
  assert.ok(hit("contains", "日本", "x日本x"));
  assert.ok(hit("contains", "日本", Uint8Array.from([0x78, 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac])));
  assert.ok(!hit("contains", "日本", "日x本"));
  assert.ok(hit("re", "^é+$", "éé"));
  assert.ok(!hit("re", "^é+$", Uint8Array.from([0xc3, 0xa9, 0xa9])));
  assert.ok(hit("re", "^😀{2}$", "😀😀"));
  assert.ok(!hit("re", "^.$", "é"));
  assert.ok(hit("re", "^..$", "é"));
  assert.ok(hit("re", "^[\\x80-\\xff]+$", "日本"));
  assert.ok(hit("re", "^\\xc3\\xa9$", "é"));
  assert.ok(!hit("re", "^.$", "\n"));
  assert.ok(!hit("re", "^.$", "\r"));
  assert.ok(hit("re", "^.$", latin1Bytes("\x85")));
});

test("anchors inside groups and alternatives", () => {
  assert.ok(hit("re", "(?:^|/)etc/passwd", "etc/passwd"));
  assert.ok(hit("re", "(?:^|/)etc/passwd", "../../etc/passwd"));
  assert.ok(!hit("re", "(?:^|/)etc/passwd", "xetc/passwd"));
  assert.ok(hit("re", "a$|^b", "xa"));
  assert.ok(hit("re", "a$|^b", "bx"));
  assert.ok(!hit("re", "a$|^b", "xbax"));
  assert.ok(!hit("re", "a^b", "a^b"));
  assert.ok(!hit("re", "a$b", "ab"));
  assert.ok(hit("re", "(?:a|$)(?:^|b)", ""));
  // $ then ^ can only hold together on the empty input.
  for (const source of ["$^", "$^$", "^\\Wb[^]|$^$", "x|$(?:^)"]) {
    assert.ok(hit("re", source, ""), source);
    assert.ok(!hit("re", source, "a"), source);
  }
});

test("unsupported constructs throw PatternError naming them", () => {
  const cases: [string, RegExp][] = [
    ["a(?=b)", /lookahead is not supported: "\(\?=b\)"/],
    ["a(?!b)", /negative lookahead is not supported/],
    ["(?<=a)b", /lookbehind is not supported: "\(\?<=a\)"/],
    ["(?<!a)b", /negative lookbehind is not supported/],
    ["(a)\\1", /backreferences are not supported: "\\1"/],
    ["(?<x>a)\\k<x>", /backreferences are not supported/],
    ["a(?i)select", /inline flags are not supported: "\(\?i\)"/],
    ["(?i)(?i)select", /inline flags are not supported/],
    ["(?i:select)", /inline flags are not supported/],
    ["[éè]", /non-ASCII characters in a character class are not supported/],
    ["[a-é]", /non-ASCII characters in a character class are not supported/],
    ["\\u4e2d", /above \\xFF/],
    ["(", /invalid regular expression/],
    ["a{2,1}", /invalid regular expression/],
  ];
  for (const [source, message] of cases) {
    assert.throws(
      () => buildDfa([{ id: 1, op: "contains", value: "ok", cased: true }, { id: 42, op: "re", value: source, cased: true }]),
      (err: unknown) => {
        assert.ok(err instanceof PatternError, `${source}: not a PatternError: ${err}`);
        assert.equal(err.patternId, 42, source);
        assert.match(err.message, message, source);
        return true;
      },
      source,
    );
  }
  assert.throws(() => buildDfa([{ id: 3, op: "like" as PatternOp, value: "x", cased: true }]), PatternError);
});

test("state budget throws PatternError naming the culprit or the whole set", () => {
  // [ab]*a[ab]{12} needs 2^13 states on its own.
  assert.throws(
    () =>
      buildDfa(
        [
          { id: 1, op: "contains", value: "abc", cased: true },
          { id: 9, op: "re", value: "[ab]*a[ab]{12}", cased: true },
        ],
        { maxStates: 1000 },
      ),
    (err: unknown) => err instanceof PatternError && err.patternId === 9 && /1000/.test(err.message) && /state/.test(err.message),
  );
  // Each of these is small, but together they must remember which prefixes were seen.
  const set: PatternSpec[] = [];
  for (let i = 0; i < 16; i++) {
    set.push({ id: i, op: "contains", value: `${String.fromCharCode(65 + i)}*${String.fromCharCode(97 + i)}`, cased: true });
  }
  assert.throws(
    () => buildDfa(set, { maxStates: 5000 }),
    (err: unknown) => err instanceof PatternError && err.patternId === -1 && /5000/.test(err.message),
  );
  // The same set builds with a budget that fits (2^16 * a little).
  assert.throws(() => buildDfa(set.slice(0, 12), { maxStates: 4000 }), PatternError);
  const ok = buildDfa(set.slice(0, 8), { maxStates: 4000 });
  assert.ok(ok.stateCount >= 256);
  // Huge repetition counts are refused before the NFA grows without bound.
  assert.throws(
    () => buildDfa([{ id: 5, op: "re", value: "(?:a{1000}){1000}", cased: true }]),
    (err: unknown) => err instanceof PatternError && err.patternId === 5 && /too large/.test(err.message),
  );
});

test("dead state: anchored sets stop early, unanchored ones never do", () => {
  const anchored = buildDfa([
    { id: 1, op: "startswith", value: "GET /admin", cased: true },
    { id: 2, op: "equals", value: "POST", cased: true },
  ]);
  checkShape(anchored);
  assert.ok(anchored.dead >= 0);
  assert.deepEqual(anchored.emitAnywhere[anchored.dead], []);
  // After a mismatching first byte the scan is in the dead state.
  const s = anchored.next[anchored.start * anchored.classCount + anchored.classMap[0x78]];
  assert.equal(s, anchored.dead);
  const loose = buildDfa([{ id: 1, op: "contains", value: "admin", cased: true }]);
  assert.equal(loose.dead, -1);
  // After its first byte, ^a[^]*$ loops on every byte but reports at the
  // end: that state is not dead. (Both orders of the two states in the table.)
  for (const [value, good, bad] of [["^a[^]*$", 0x61, 0x62], ["^[^a][^]*$", 0x62, 0x61]] as const) {
    const tail = buildDfa([{ id: 1, op: "re", value, cased: true }]);
    checkShape(tail);
    const loop = tail.next[tail.start * tail.classCount + tail.classMap[good]];
    assert.deepEqual(tail.emitAtEnd[loop], [1]);
    assert.notEqual(tail.dead, loop, value);
    assert.equal(tail.dead, tail.next[tail.start * tail.classCount + tail.classMap[bad]], value);
  }
});

// A realistic literal set, in the spirit of community Sigma web rules.
const ATTACK_LITERALS = [
  "union select", "union all select", "' or 1=1", "\" or 1=1", "' or '1'='1", "or 1=1--", "' --", "'; drop table",
  "select \\* from", "information_schema", "sleep(", "benchmark(", "waitfor delay", "pg_sleep", "load_file(",
  "into outfile", "into dumpfile", "@@version", "char(", "concat(", "group_concat(", "xp_cmdshell", "exec master",
  "sp_executesql", "0x3c736372697074", "/\\*\\*/", "%27", "%22", "%3b", "' and '", "order by 1--", "having 1=1",
  "<script", "</script>", "javascript:", "onerror=", "onload=", "onmouseover=", "alert(", "document.cookie",
  "document.location", "window.location", "<iframe", "<img src=", "<svg", "<body onload", "eval(", "fromcharcode",
  "%3cscript", "&#x3c;script", "expression(", "vbscript:", "data:text/html", "<object", "<embed",
  "../", "..\\", "%2e%2e%2f", "%2e%2e/", "..%2f", "%2e%2e%5c", "..%5c", "%252e%252e%252f", "....//", "/etc/passwd",
  "/etc/shadow", "c:\\windows\\win.ini", "boot.ini", "/proc/self/environ", "web.config", ".htaccess", ".git/config",
  "/bin/sh", "/bin/bash", "cmd.exe", "powershell", ";wget ", ";curl ", "|nc ", "`id`", "$(id)", ";cat ",
  "&& whoami", "| whoami", "/usr/bin/id", "nc -e", "bash -i", "python -c", "perl -e", "base64 -d", "chmod +x",
  "${jndi:", "${jndi:ldap", "${jndi:rmi", "${env:", "${lower:", "class.module.classloader", "wp-config.php",
  "phpinfo()", "php://input", "php://filter", "file:///", "expect://", "cmd=", "/shell.php", "c99.php", "r57.php",
];

const EXTRA_WORDS = [
  "admin", "login", "passwd", "config", "backup", "shell", "upload", "debug", "console", "manager", "phpmyadmin",
  "actuator", "env", "heapdump", "jolokia", "struts", "solr", "jenkins", "wls-wsat", "cgi-bin", "invoker", "axis2",
  "druid", "telescope", "swagger", "graphql", "server-status", "owa", "ecp", "autodiscover", "exchange", "vpn",
];

/** The attack literals, then distinct path-like values made from EXTRA_WORDS. */
function literalSet(count: number): PatternSpec[] {
  const values = new Set(ATTACK_LITERALS);
  const seps = ["/", "/api/", ".", "_", "-", "\\?"];
  const period = EXTRA_WORDS.length * seps.length;
  for (let i = 0; values.size < count; i++) {
    const w = EXTRA_WORDS[i % EXTRA_WORDS.length];
    const v = seps[Math.floor(i / EXTRA_WORDS.length) % seps.length];
    const round = Math.floor(i / period);
    const value = i % 2 === 0 ? v + w : w + v + EXTRA_WORDS[(i * 7 + 3) % EXTRA_WORDS.length];
    values.add(round > 0 ? value + round : value);
  }
  return [...values].slice(0, count).map((value, id) => ({ id, op: "contains", value, cased: false }));
}

test("realistic SQLi/XSS/path traversal literal sets stay small and fast", () => {
  assert.ok(ATTACK_LITERALS.length >= 100);
  for (const count of [ATTACK_LITERALS.length, 300]) {
    const patterns = literalSet(count);
    assert.equal(new Set(patterns.map((p) => p.value)).size, count, "duplicate literals");
    const t0 = performance.now();
    const dfa = buildDfa(patterns);
    const ms = performance.now() - t0;
    const stats = dfaStats(dfa);
    console.log(`# ${count} uncased contains literals: ${stats.states} states, ${stats.classes} classes, ${stats.tableBytes} table bytes, built in ${ms.toFixed(0)} ms`);
    assert.ok(stats.states < 5000, `${stats.states} states`);
    assert.ok(ms < 2000, `built in ${ms} ms`);
    checkShape(dfa);
    const inputs = [
      "GET /index.php?id=1%27%20UNION%20SELECT%20password%20FROM%20users",
      "/cgi-bin/../../etc/passwd",
      "q=<ScRiPt>alert(document.cookie)</script>",
      "${jndi:ldap://evil/a}",
      "perfectly ordinary request",
      "",
    ].map(bytes);
    const r = new Rng(SEED + 5);
    differential(patterns, [...inputs, ...randomInputs(r, patterns, 1500)], `${count} attack literals`);
  }
});

// Regexes of the kind web rules use; none of them needs to remember much.
const WEB_REGEXES = [
  "union\\s+(?:all\\s+)?select", "\\.\\./", "(?:^|/)etc/(?:passwd|shadow)", "on(?:error|load)\\s*=",
  "\\$\\{jndi:(?:ldap|rmi|dns)", "%2e%2e(?:%2f|%5c)", "(?:sleep|benchmark)\\(\\d+", "\\.env$", "^(?:GET|POST|HEAD) ",
  "cmd\\.exe", "powershell(?:\\.exe)?\\s+-e", "\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}", "/wp-(?:admin|login|content)/",
  "base64_decode\\(", "^/api/v[0-9]+/", "\\.(?:bak|old|swp)$",
];

function mixedSet(): PatternSpec[] {
  const ops = ["contains", "contains", "contains", "startswith", "endswith", "equals"] as const;
  const patterns: PatternSpec[] = literalSet(300).map((p, i) => ({ ...p, op: ops[i % 6], cased: i % 3 === 0 }));
  let id = patterns.length;
  // 100 regexes: each of the above cased and uncased, then variants.
  for (let i = 0; i < 100; i++, id++) {
    const src = WEB_REGEXES[i % WEB_REGEXES.length];
    const value = i < 2 * WEB_REGEXES.length ? src : `${src}|/${EXTRA_WORDS[i % EXTRA_WORDS.length]}${i}`;
    patterns.push({ id, op: "re", value, cased: i % 2 === 0 });
  }
  // 100 more literals: every 10th with leading and trailing wildcards (free:
  // contains *x* is contains x), two with a wildcard inside (each of those
  // must remember its prefix was seen: x2 states each).
  for (let i = 0; patterns.length < 500; i++, id++) {
    const w = EXTRA_WORDS[i % EXTRA_WORDS.length];
    const value = i % 50 === 7 ? `/${w}/*.jsp` : i % 10 === 0 ? `*/${w}/v${i}*` : `/${w}/v${i}`;
    patterns.push({ id, op: i % 4 === 1 ? "equals" : "contains", value, cased: false });
  }
  return patterns;
}

test("500 mixed patterns stay below the default state budget", () => {
  const patterns = mixedSet();
  assert.equal(patterns.length, 500);
  const t0 = performance.now();
  const dfa = buildDfa(patterns);
  const ms = performance.now() - t0;
  const stats = dfaStats(dfa);
  console.log(`# 500 mixed patterns: ${stats.states} states, ${stats.classes} classes, built in ${ms.toFixed(0)} ms`);
  assert.ok(stats.states < 50000);
  checkShape(dfa);
  const r = new Rng(SEED + 6);
  differential(patterns, randomInputs(r, patterns, 400), "500 mixed");
});

test("a regex that must remember something multiplies the state count", () => {
  // select.+from must remember "select seen, no newline since" while the
  // other 500 patterns go on: the minimal DFA (which this is) doubles.
  const patterns = mixedSet();
  const before = buildDfa(patterns).stateCount;
  const after = buildDfa([...patterns, { id: 999, op: "re", value: "select.+from", cased: false }]).stateCount;
  console.log(`# adding select.+from: ${before} -> ${after} states`);
  assert.ok(after > 1.6 * before && after < 2.2 * before, `${before} -> ${after}`);
  // So does every wildcard inside a value: three more give about x8, past
  // the default budget, and the error blames the set, not a pattern.
  const inner = [1, 2, 3].map((i) => ({ id: 990 + i, op: "contains" as const, value: `x${i}*y${i}`, cased: false }));
  assert.throws(
    () => buildDfa([...patterns, ...inner]),
    (err: unknown) => err instanceof PatternError && err.patternId === -1 && /50000/.test(err.message),
  );
  // Leading and trailing wildcards cost nothing: contains *x* is contains x.
  const free = [1, 2, 3].map((i) => ({ id: 990 + i, op: "contains" as const, value: `*x${i}y${i}*`, cased: false }));
  const plain = [1, 2, 3].map((i) => ({ id: 990 + i, op: "contains" as const, value: `x${i}y${i}`, cased: false }));
  assert.equal(buildDfa([...patterns, ...free]).stateCount, buildDfa([...patterns, ...plain]).stateCount);
});

test("runDfa follows the runtime's loop exactly", () => {
  // A hand-made automaton, independent of buildDfa. Byte 'a' is class 1.
  // State 1 is dead; state 2 reports 11 when entered and 13 at the end.
  const dfa: Dfa = {
    classMap: new Uint8Array(256).map((_, b) => (b === 0x61 ? 1 : 0)),
    classCount: 2,
    stateCount: 3,
    start: 0,
    next: Uint32Array.from([1, 2, 1, 1, 2, 2]),
    emitAnywhere: [[10], [], [11]],
    emitAtEnd: [[12], [], [13]],
    dead: 1,
  };
  assert.deepEqual([...runDfa(dfa, bytes(""))].sort(), [10, 12]);
  assert.deepEqual([...runDfa(dfa, bytes("a"))].sort(), [10, 11, 13]);
  assert.deepEqual([...runDfa(dfa, bytes("x"))].sort(), [10]);
  assert.deepEqual([...runDfa(dfa, bytes("aaa"))].sort(), [10, 11, 13]);
});
