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
//   - \b and \B are JS's (word bytes A-Z a-z 0-9 _, every byte above 0x7F
//     a non-word byte, the ends of the input non-word); see word.ts;
//   - a leading (?i) makes the regex case-insensitive (as cased=false);
//   - lookahead, lookbehind, backreferences and other inline flags are
//     PatternErrors naming the construct.
// - cased=false folds ASCII letters only (A-Z <-> a-z). Bytes >= 0x80 are
//   never folded (that would corrupt UTF-8). In `re`, a negated class is
//   folded before negation, as JS's /i does: uncased [^a] matches neither a
//   nor A.
//
// Construction
// ------------
// Each pattern becomes a labelled NFA (nfa.ts) under a search root that
// loops on every byte, with `^`/`$` as start/end edges. A pattern reports
// emitAnywhere when its final node is reached and emitAtEnd when that needs
// a `$`; the runtime keeps reported ids in its bitset, so the automaton never
// remembers what it already reported (Aho-Corasick style).
// 1. Units: all Sigma values without an inner `*` go into one shared trie
//    (sigma.ts; leading/trailing `*` are folded into the operator first).
//    Every regex and every value with an inner `*` is a unit of its own.
//    Identical specs with different ids share one unit and report all ids.
// 2. Byte classes from all units' edge sets; subset construction of each
//    unit (determinize.ts) and Hopcroft minimization with the label sets in
//    the initial partition (minimize.ts).
// 3. The field's automaton is the reachable part of the product of the unit
//    automata, storing only the units that are not idle (product.ts). Units
//    report disjoint ids, so the product of minimal units is minimal; it is
//    only minimized again if some id belongs to two different specs.
// 4. States are numbered breadth-first from the start (0), byte classes that
//    became identical are merged, and the dead state is found.
// Cost model: states ~ trie nodes for literals; every part of a pattern that
// must be remembered while other patterns go on (an inner `*`, `a.*b`,
// `<x[^>]*>`) multiplies the whole field's state count by about 2, and a
// counter such as [0-9a-f]{32} by up to its range. maxStates bounds each
// unit and the product.
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
import { wordTransform } from "./word.js";
import { normalizeSigma, sigmaFragment, sigmaTrie, type SigmaItem, type SigmaOp } from "./sigma.js";
import { PatternError, type Dfa, type PatternSpec } from "./types.js";

export { PatternError, type Dfa, type PatternOp, type PatternSpec } from "./types.js";

export const DEFAULT_MAX_STATES = 50000;
/** NFA nodes one pattern may use (large repetition counts are the usual cause). */
const MAX_NFA_NODES = 100000;
/** NFA nodes of the unit shared by all plain Sigma values of a field. */
const MAX_SHARED_NFA_NODES = 2000000;

const OPS = new Set(["contains", "startswith", "endswith", "equals", "re"]);

interface Unit {
  nfa: Nfa;
  root: number;
  live: Uint8Array;
}

/** A new NFA whose root node loops on every byte (search semantics). */
function rooted(limit: number): { nfa: Nfa; root: number } {
  const nfa = new Nfa(limit);
  const root = nfa.node();
  nfa.char(root, fullSet(), root);
  return { nfa, root };
}

/** The unit of one pattern; its final node is labelled `label` (its group). */
function patternUnit(p: PatternSpec, label: number): Unit {
  let { nfa, root } = rooted(MAX_NFA_NODES);
  try {
    const frag: Frag =
      p.op === "re" ? regexFragment(nfa, p.id, p.value, p.cased) : sigmaFragment(nfa, p.op, p.value, p.cased);
    const fin = nfa.node();
    nfa.epsilon(frag.out, fin);
    nfa.finalOf[fin] = label;
    if (nfa.hasWordEdges) {
      // \b and \B: the pattern is rewritten under a root of its own (word.ts).
      ({ nfa, root } = wordTransform(nfa, frag.in, MAX_NFA_NODES));
    } else {
      nfa.epsilon(root, frag.in);
    }
  } catch (err) {
    if (!(err instanceof NfaTooLarge)) throw err;
    throw new PatternError(
      p.id,
      `pattern is too large: it needs more than ${MAX_NFA_NODES} automaton nodes (large repetition counts such as {1000}?)`,
    );
  }
  return { nfa, root, live: liveNodes(nfa) };
}

/** The unit of all plain Sigma values, as one trie. */
function trieUnit(entries: { op: SigmaOp; items: SigmaItem[]; cased: boolean; label: number }[]): Unit {
  const { nfa, root } = rooted(MAX_SHARED_NFA_NODES);
  try {
    sigmaTrie(nfa, root, entries);
  } catch (err) {
    if (!(err instanceof NfaTooLarge)) throw err;
    throw new PatternError(-1, `the values of this field are too large: more than ${MAX_SHARED_NFA_NODES} automaton nodes`);
  }
  return { nfa, root, live: liveNodes(nfa) };
}

/**
 * Hopcroft-minimizes one unit's DFA into a compact component, turning its
 * labels (group indices) into pattern ids.
 */
function toComponent(raw: PatternDfa, groupIds: number[][]): Component {
  const K = raw.classCount;
  const n = raw.stateCount;
  const keys = new Array<string>(n);
  for (let s = 0; s < n; s++) keys[s] = raw.emitAnywhere[s].join(",") + "/" + raw.emitAtEnd[s].join(",");
  const { blockOf, blockCount } = minimize(n, K, raw.next, keys);
  const idsCache = new Map<string, number[]>();
  const toIds = (labels: number[]): number[] => {
    if (labels.length === 0) return [];
    if (labels.length === 1) return groupIds[labels[0]];
    const key = labels.join(",");
    let ids = idsCache.get(key);
    if (ids === undefined) {
      ids = [...new Set(labels.flatMap((g) => groupIds[g]))].sort((a, b) => a - b);
      idsCache.set(key, ids);
    }
    return ids;
  };
  const next = new Uint32Array(blockCount * K);
  const emitAnywhere = new Array<number[]>(blockCount);
  const emitAtEnd = new Array<number[]>(blockCount);
  for (let s = 0; s < n; s++) {
    const b = blockOf[s];
    if (emitAnywhere[b] !== undefined) continue;
    emitAnywhere[b] = toIds(raw.emitAnywhere[s]);
    emitAtEnd[b] = toIds(raw.emitAtEnd[s]);
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

/**
 * Minimizes (unless the product is known to be minimal already), renumbers
 * breadth-first from the start state, merges byte classes that became
 * identical, and finds the dead state.
 */
function finish(raw: SubsetDfa, minimal: boolean): Dfa {
  const K = raw.classCount;
  const n = raw.stateCount;
  let blockOf: Int32Array;
  let blockCount: number;
  if (minimal) {
    blockOf = Int32Array.from({ length: n }, (_, i) => i);
    blockCount = n;
  } else {
    const keys = new Array<string>(n);
    for (let s = 0; s < n; s++) keys[s] = raw.emitAnywhere[s].join(",") + "/" + raw.emitAtEnd[s].join(",");
    ({ blockOf, blockCount } = minimize(n, K, raw.next, keys));
  }

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
  const newClass = new Int32Array(K);
  const keptColumns: number[] = [];
  const columnHash = new Int32Array(K);
  for (let c = 0; c < K; c++) {
    let h = 0x6b43a9b5;
    for (let s = 0; s < count; s++) h = Math.imul(h ^ wide[s * K + c], 0x9e3779b1) ^ (h >>> 15);
    columnHash[c] = h;
    let nc = -1;
    for (let k = 0; k < keptColumns.length && nc < 0; k++) {
      const d = keptColumns[k];
      if (columnHash[d] !== h) continue;
      let same = true;
      for (let s = 0; s < count && same; s++) same = wide[s * K + c] === wide[s * K + d];
      if (same) nc = k;
    }
    if (nc < 0) {
      nc = keptColumns.length;
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

/** Compiles the patterns of one field into one labelled DFA (PatternError when one is not enough). */
export function buildDfa(patterns: PatternSpec[], options?: { maxStates?: number }): Dfa {
  return buildDfas(patterns, { maxStates: options?.maxStates, maxAutomata: 1 })[0];
}

/**
 * Groups are filled up to maxStates / SOFT_SHARE states: patterns that must
 * remember something multiply the states of everything in their automaton,
 * so several moderate automata hold far fewer states (memory, cache misses)
 * than one at the hard budget, for one more pass over the value each.
 */
export const SOFT_SHARE = 4;

/** Automata one field may get before its patterns are refused: each one is a pass over the value. */
export const DEFAULT_MAX_AUTOMATA = 16;

/**
 * Compiles the patterns of one field into as few labelled DFAs as fit the
 * state budget each. Together they report exactly what one DFA of all the
 * patterns would: every pattern lives in exactly one of them.
 *
 * Splitting: every pattern (and the trie of plain Sigma values) is first
 * determinized and minimized on its own (a component). Components are then
 * grouped next-fit in pattern order (the trie first): a component joins the
 * current group while the group's product stays within the soft budget
 * (maxStates / SOFT_SHARE unless given), else starts the next group; then
 * neighbouring groups are merged while their product stays within it; if
 * more than `maxAutomata` groups remain, the smallest neighbours are merged
 * within the hard budget. Everything follows pattern order, so builds
 * repeat. A trie over the budget on its own is cut in halves (in pattern
 * order) until each half fits. A single pattern over the budget is a
 * PatternError naming it; more than `maxAutomata` groups is a
 * PatternError for the whole set (-1).
 */
export function buildDfas(patterns: PatternSpec[], options?: { maxStates?: number; maxAutomata?: number; softStates?: number }): Dfa[] {
  const maxStates = options?.maxStates ?? DEFAULT_MAX_STATES;
  const softStates = options?.softStates ?? Math.ceil(maxStates / SOFT_SHARE);
  const maxAutomata = options?.maxAutomata ?? DEFAULT_MAX_AUTOMATA;
  // Identical specs (many rules test the same value) share one component.
  const groupOf = new Map<string, number>();
  const groups: { spec: PatternSpec; ids: number[] }[] = [];
  for (const p of patterns) {
    if (!OPS.has(p.op)) throw new PatternError(p.id, `unknown string operator "${String(p.op)}"`);
    if (typeof p.value !== "string") throw new PatternError(p.id, `pattern value must be a string`);
    const key = `${p.op}\u0000${p.cased ? 1 : 0}\u0000${p.value}`;
    const g = groupOf.get(key);
    if (g === undefined) {
      groupOf.set(key, groups.length);
      groups.push({ spec: p, ids: [p.id] });
    } else if (!groups[g].ids.includes(p.id)) {
      groups[g].ids.push(p.id);
    }
  }
  for (const g of groups) g.ids.sort((a, b) => a - b);
  // With every id in one group only, the product is minimal (product.ts).
  const allIds = new Set<number>();
  let idsDistinct = true;
  for (const g of groups) for (const id of g.ids) idsDistinct = idsDistinct && !allIds.has(id) && !!allIds.add(id);

  // Sigma values without an inner `*` are loop-free: as one trie they
  // determinize into an Aho-Corasick automaton with no redundant states.
  // Every other pattern is a unit of its own, so that the redundant NFA
  // positions of one never multiply with the states of the others.
  type TrieEntry = { op: SigmaOp; items: SigmaItem[]; cased: boolean; label: number };
  const shared: TrieEntry[] = [];
  const units: { unit: Unit; culprit: number }[] = [];
  groups.forEach((g, i) => {
    if (g.spec.op !== "re") {
      const { op, items } = normalizeSigma(g.spec.op, g.spec.value);
      if (!items.some((item) => item.kind === "star")) {
        shared.push({ op, items, cased: g.spec.cased, label: i });
        return;
      }
    }
    units.push({ unit: patternUnit(g.spec, i), culprit: g.spec.id });
  });
  const trie = shared.length > 0 ? trieUnit(shared) : undefined;
  const groupIds = groups.map((g) => g.ids);
  // Byte classes of the whole field: they separate every edge set of every
  // unit, so also those of any part of the trie.
  const sets = new Map<string, ByteSet>();
  if (trie) collectEdgeSets(trie.nfa, trie.live, sets);
  for (const { unit } of units) collectEdgeSets(unit.nfa, unit.live, sets);
  const classes: ByteClasses = computeByteClasses(sets.values());
  const component = (unit: Unit): Component => toComponent(determinize(unit.nfa, unit.root, unit.live, classes, maxStates), groupIds);

  const components: Component[] = [];
  // The trie, cut in halves while a part exceeds the budget.
  const trieParts = (entries: TrieEntry[], unit: Unit | undefined): void => {
    try {
      components.push(component(unit ?? trieUnit(entries)));
    } catch (err) {
      if (!(err instanceof StateBudgetExceeded)) throw err;
      if (entries.length === 1) {
        throw new PatternError(
          groups[entries[0].label].spec.id,
          `pattern needs more than ${maxStates} automaton states on its own (the state budget); simplify it`,
        );
      }
      const half = entries.length >> 1;
      trieParts(entries.slice(0, half), undefined);
      trieParts(entries.slice(half), undefined);
    }
  };
  if (trie) trieParts(shared, trie);
  for (const { unit, culprit } of units) {
    try {
      components.push(component(unit));
    } catch (err) {
      if (!(err instanceof StateBudgetExceeded)) throw err;
      throw new PatternError(culprit, `pattern needs more than ${maxStates} automaton states on its own (the state budget); simplify it`);
    }
  }

  const productOf = (list: Component[], limit = maxStates): SubsetDfa | undefined => {
    if (list.length === 1) return { ...list[0], ...classes };
    try {
      return product(list, classes, limit);
    } catch (err) {
      if (!(err instanceof StateBudgetExceeded)) throw err;
      return undefined;
    }
  };
  const tooMany = (): PatternError =>
    new PatternError(
      -1,
      maxAutomata === 1
        ? `the ${patterns.length} patterns of this field together need more than ${maxStates} automaton states (the state budget); ` +
            `split them over fewer rules or simplify wildcards and regexes`
        : `the ${patterns.length} patterns of this field need more than ${maxAutomata} automata of ${maxStates} states ` +
            `(the state budget; each automaton is one more pass over the value): simplify wildcards and regexes or test fewer values`,
    );

  // Next-fit in pattern order (the trie first): a component joins the
  // current group while the group's product stays within the soft budget,
  // else it starts a new group. The product of the group so far is kept as
  // one component, so each step costs one product of at most the soft
  // budget (a failed one stops there). Then neighbouring groups are merged
  // while their product stays within it, and, if there are more groups than
  // `maxAutomata`, the smallest neighbours are merged within the hard budget.
  const soft = Math.min(maxStates, softStates);
  const bins: SubsetDfa[] = [];
  let cur: SubsetDfa | undefined;
  for (const c of components) {
    if (cur === undefined) {
      cur = productOf([c], maxStates)!;
      continue;
    }
    const merged = productOf([asComponent(cur), c], soft);
    if (merged) cur = merged;
    else {
      bins.push(cur);
      cur = productOf([c], maxStates)!;
    }
  }
  if (cur) bins.push(cur);
  const mergeNeighbours = (limit: number, smallestFirst: boolean): void => {
    for (;;) {
      let best = -1;
      let bestRaw: SubsetDfa | undefined;
      const order = bins.map((_, k) => k).slice(0, -1);
      if (smallestFirst) order.sort((a, b) => bins[a].stateCount + bins[a + 1].stateCount - (bins[b].stateCount + bins[b + 1].stateCount) || a - b);
      for (const k of order) {
        const raw = productOf([asComponent(bins[k]), asComponent(bins[k + 1])], limit);
        if (raw) {
          best = k;
          bestRaw = raw;
          break;
        }
      }
      if (best < 0 || !bestRaw) return;
      bins.splice(best, 2, bestRaw);
      if (smallestFirst && bins.length <= maxAutomata) return;
    }
  };
  mergeNeighbours(soft, false);
  if (bins.length > maxAutomata) mergeNeighbours(maxStates, true);
  if (bins.length > maxAutomata) throw tooMany();
  return bins.map((raw) => finish(raw, idsDistinct));
}

/** A product (or any DFA over the field's classes) as a component of a further product. */
function asComponent(raw: SubsetDfa): Component {
  return { stateCount: raw.stateCount, start: raw.start, next: raw.next, emitAnywhere: raw.emitAnywhere, emitAtEnd: raw.emitAtEnd, idle: -1 };
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
