// The multi-pattern automaton of one field: all string predicates of a field
// compiled into ONE deterministic automaton that still reports WHICH
// predicates (pattern ids) matched.
//
// Semantics
// ---------
// - The input is the field value as UTF-8 bytes. Every pattern is matched
//   over bytes: think of the input as a Latin-1 string, one char per byte.
// - contains / startswith / endswith / equals: `value` is a Sigma string.
//   `*` matches any byte sequence, `?` exactly one byte; `\*` `\?` `\\` are a
//   literal `*` `?` `\`; a backslash before anything else is a literal
//   backslash. Other text matches its UTF-8 bytes. contains = anywhere,
//   startswith = prefix, endswith = suffix, equals = the whole value.
//   contains "" matches everything; equals "" only the empty value.
// - re: JavaScript regex syntax (no flags), search semantics like
//   RegExp.prototype.test, run over the Latin-1 view of the bytes:
//   - a non-ASCII character written as itself outside a character class
//     matches its UTF-8 bytes (as one unit: `é+` repeats both bytes);
//     inside a class it is a PatternError;
//   - escapes denote raw bytes: \xE9 (or \u00E9) matches the single byte
//     0xE9; an escape above \xFF outside a class is a PatternError (it could
//     never match), inside a class it is simply never matched;
//   - `.` matches any byte but \n and \r; \s, \w, \d are JS's sets cut to
//     bytes (so \s includes 0xA0, as JS's does);
//   - `^` is position 0 and `$` the end of the input (no multiline mode),
//     wherever they appear: (^|/)etc and a$|b are supported;
//   - \b \B, lookahead, lookbehind, backreferences and inline flags such as
//     (?i) are PatternErrors naming the construct.
// - cased=false folds ASCII letters only (A-Z <-> a-z). Bytes >= 0x80 are
//   never folded (that would corrupt UTF-8). In `re`, a negated class is
//   folded before negation, as JS's /i does: uncased [^a] matches neither a
//   nor A.
//
// Construction
// ------------
// All patterns are compiled into one labelled NFA (nfa.ts): a shared root
// node with a self-loop on every byte, an epsilon edge from it into each
// pattern, `^` and `$` as start/end edges, and one final node per pattern.
// A pattern reports emitAnywhere when its final node is reached (the runtime
// keeps what was reported in its bitset, so the automaton need not remember
// it: Aho-Corasick style), and emitAtEnd when its final node is reachable
// only through `$`. Subset construction over byte classes (determinize.ts),
// then Hopcroft minimization with the label sets in the initial partition
// (minimize.ts). States are numbered breadth-first from the start (0).
//
// The runtime (and runDfa, its reference):
//   s = start; matched |= emitAnywhere[s]
//   for each byte b: s = next[s*classCount + classMap[b]]; matched |= emitAnywhere[s]; if s == dead break
//   matched |= emitAtEnd[s]
//
// `dead` is a state whose every transition leads back to itself and that has
// no emitAtEnd: once there, nothing new can be reported. A set made only of
// start-anchored patterns usually has one; a set with an unanchored pattern
// keeps scanning (the search loop is always alive).

import {
  collectEdgeSets,
  computeByteClasses,
  determinize,
  liveNodes,
  StateBudgetExceeded,
  type ByteClasses,
  type PatternDfa,
  type SubsetDfa,
} from "./determinize.js";
import { fullSet, type ByteSet } from "./bytes.js";
import { minimize } from "./minimize.js";
import { Nfa, NfaTooLarge, type Frag } from "./nfa.js";
import { product, type Component } from "./product.js";
import { regexFragment } from "./regex.js";
import { sigmaFragment } from "./sigma.js";
import { PatternError, type Dfa, type PatternSpec } from "./types.js";

export { PatternError, type Dfa, type PatternOp, type PatternSpec } from "./types.js";
export { matchReference } from "./reference.js";

export const DEFAULT_MAX_STATES = 50000;
/** NFA nodes one pattern may use (large repetition counts are the usual cause). */
const MAX_NFA_NODES = 100000;

const OPS = new Set(["contains", "startswith", "endswith", "equals", "re"]);

interface PatternNfa {
  nfa: Nfa;
  root: number;
  live: Uint8Array;
}

/** One pattern's labelled NFA under its own search root (a self-loop on every byte). */
function patternNfa(p: PatternSpec): PatternNfa {
  if (!OPS.has(p.op)) throw new PatternError(p.id, `unknown string operator "${String(p.op)}"`);
  if (typeof p.value !== "string") throw new PatternError(p.id, `pattern value must be a string`);
  const nfa = new Nfa(MAX_NFA_NODES);
  try {
    const root = nfa.node();
    nfa.char(root, fullSet(), root);
    const frag: Frag = p.op === "re" ? regexFragment(nfa, p.id, p.value, p.cased) : sigmaFragment(nfa, p.op, p.value, p.cased);
    nfa.epsilon(root, frag.in);
    const fin = nfa.node();
    nfa.epsilon(frag.out, fin);
    nfa.finalOf[fin] = p.id;
    return { nfa, root, live: liveNodes(nfa) };
  } catch (err) {
    if (!(err instanceof NfaTooLarge)) throw err;
    throw new PatternError(
      p.id,
      `pattern is too large: it needs more than ${MAX_NFA_NODES} automaton nodes (large repetition counts such as {1000}?)`,
    );
  }
}

/** Hopcroft-minimizes one pattern's DFA into a compact component. */
function toComponent(raw: PatternDfa): Component {
  const K = raw.classCount;
  const n = raw.stateCount;
  const keys = new Array<string>(n);
  for (let s = 0; s < n; s++) keys[s] = raw.emitAnywhere[s].join(",") + "/" + raw.emitAtEnd[s].join(",");
  const { blockOf, blockCount } = minimize(n, K, raw.next, keys);
  const next = new Uint32Array(blockCount * K);
  const emitAnywhere = new Array<number[]>(blockCount);
  const emitAtEnd = new Array<number[]>(blockCount);
  for (let s = 0; s < n; s++) {
    const b = blockOf[s];
    if (emitAnywhere[b] !== undefined) continue;
    emitAnywhere[b] = raw.emitAnywhere[s];
    emitAtEnd[b] = raw.emitAtEnd[s];
    for (let c = 0; c < K; c++) next[b * K + c] = blockOf[raw.next[s * K + c]];
  }
  return {
    stateCount: blockCount,
    start: blockOf[raw.start],
    next,
    emitAnywhere,
    emitAtEnd,
    idle: raw.idle >= 0 ? blockOf[raw.idle] : -1,
  };
}

/** Minimizes and renumbers breadth-first from the start state. */
function finish(raw: SubsetDfa): Dfa {
  const K = raw.classCount;
  const n = raw.stateCount;
  const keys = new Array<string>(n);
  for (let s = 0; s < n; s++) keys[s] = raw.emitAnywhere[s].join(",") + "/" + raw.emitAtEnd[s].join(",");
  const { blockOf, blockCount } = minimize(n, K, raw.next, keys);

  const rep = new Int32Array(blockCount).fill(-1);
  for (let s = 0; s < n; s++) if (rep[blockOf[s]] < 0) rep[blockOf[s]] = s;
  const order = new Int32Array(blockCount).fill(-1);
  const queue: number[] = [blockOf[raw.start]];
  order[blockOf[raw.start]] = 0;
  let count = 1;
  for (let qi = 0; qi < queue.length; qi++) {
    const row = rep[queue[qi]] * K;
    for (let c = 0; c < K; c++) {
      const b = blockOf[raw.next[row + c]];
      if (order[b] < 0) {
        order[b] = count++;
        queue.push(b);
      }
    }
  }
  const wide = new Uint32Array(count * K);
  const emitAnywhere: number[][] = [];
  const emitAtEnd: number[][] = [];
  for (let i = 0; i < count; i++) {
    const r = rep[queue[i]];
    for (let c = 0; c < K; c++) wide[i * K + c] = order[blockOf[raw.next[r * K + c]]];
    emitAnywhere.push(raw.emitAnywhere[r].slice());
    emitAtEnd.push(raw.emitAtEnd[r].slice());
  }
  // Byte classes were computed on the NFA; after minimization some of them
  // may lead everywhere to the same states. Merge identical columns.
  const columnOf = new Map<string, number>();
  const newClass = new Int32Array(K);
  const keptColumns: number[] = [];
  for (let c = 0; c < K; c++) {
    let key = "";
    for (let s = 0; s < count; s++) key += wide[s * K + c] + ",";
    let nc = columnOf.get(key);
    if (nc === undefined) {
      nc = keptColumns.length;
      columnOf.set(key, nc);
      keptColumns.push(c);
    }
    newClass[c] = nc;
  }
  const classCount = keptColumns.length;
  const next = new Uint32Array(count * classCount);
  for (let s = 0; s < count; s++) {
    for (let nc = 0; nc < classCount; nc++) next[s * classCount + nc] = wide[s * K + keptColumns[nc]];
  }
  const classMap = raw.classMap.map((c) => newClass[c]);
  let dead = -1;
  for (let s = 0; s < count && dead < 0; s++) {
    if (emitAtEnd[s].length > 0) continue;
    let selfOnly = true;
    for (let c = 0; c < classCount && selfOnly; c++) selfOnly = next[s * classCount + c] === s;
    if (selfOnly) dead = s;
  }
  return {
    classMap,
    classCount,
    stateCount: count,
    start: 0,
    next,
    emitAnywhere,
    emitAtEnd,
    dead,
  };
}

/** Compiles the patterns of one field into one labelled DFA. */
export function buildDfa(patterns: PatternSpec[], options?: { maxStates?: number }): Dfa {
  const maxStates = options?.maxStates ?? DEFAULT_MAX_STATES;
  const nfas = patterns.map(patternNfa);
  const sets = new Map<string, ByteSet>();
  for (const { nfa, live } of nfas) collectEdgeSets(nfa, live, sets);
  const classes: ByteClasses = computeByteClasses(sets.values());
  const components = nfas.map(({ nfa, root, live }, i) => {
    try {
      return toComponent(determinize(nfa, root, live, classes, maxStates));
    } catch (err) {
      if (!(err instanceof StateBudgetExceeded)) throw err;
      throw new PatternError(
        patterns[i].id,
        `pattern needs more than ${maxStates} automaton states on its own (the state budget); simplify it`,
      );
    }
  });
  let raw: SubsetDfa;
  try {
    raw = product(components, classes, maxStates);
  } catch (err) {
    if (!(err instanceof StateBudgetExceeded)) throw err;
    throw new PatternError(
      -1,
      `the ${patterns.length} patterns of this field together need more than ${maxStates} automaton states (the state budget); ` +
        `split them over fewer rules or simplify wildcards and regexes`,
    );
  }
  return finish(raw);
}

/** Exactly what the WebAssembly runtime does. */
export function runDfa(dfa: Dfa, input: Uint8Array): Set<number> {
  const matched = new Set<number>();
  const { next, classMap, classCount, emitAnywhere, dead } = dfa;
  let s = dfa.start;
  for (const id of emitAnywhere[s]) matched.add(id);
  for (let i = 0; i < input.length; i++) {
    s = next[s * classCount + classMap[input[i]]];
    const ids = emitAnywhere[s];
    for (let j = 0; j < ids.length; j++) matched.add(ids[j]);
    if (s === dead) break;
  }
  for (const id of dfa.emitAtEnd[s]) matched.add(id);
  return matched;
}

export interface DfaStats {
  states: number;
  classes: number;
  /** Transition table as u16 entries plus the 256-byte class map. */
  tableBytes: number;
  /** Total entries of all emitAnywhere and emitAtEnd lists. */
  labelEntries: number;
  hasDead: boolean;
}

export function dfaStats(dfa: Dfa): DfaStats {
  let labelEntries = 0;
  for (let s = 0; s < dfa.stateCount; s++) labelEntries += dfa.emitAnywhere[s].length + dfa.emitAtEnd[s].length;
  return {
    states: dfa.stateCount,
    classes: dfa.classCount,
    tableBytes: dfa.stateCount * dfa.classCount * 2 + 256,
    labelEntries,
    hasDead: dfa.dead >= 0,
  };
}
