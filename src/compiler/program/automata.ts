// Builds the automata of each slot from all its string predicates (several
// when one would exceed the state budget; see buildDfas) and lays them out
// for the module (assembly/match/dfa.ts): states that report a match at any
// position are renumbered first, so the module tests them with a compare.
import { buildDfas, DEFAULT_MAX_AUTOMATA, PatternError, type PatternSpec } from "../match/automaton.js";
import type { Dfa } from "../match/automaton.js";
import { cachedAutomata } from "../match/cache.js";
import { RuleError } from "../ir.js";
import type { ByteWriter } from "./writer.js";
import type { NumberedPredicate } from "./predicates.js";

/** Record keys whose values are URLs: their rules also see the URL-decoded value. */
export const URL_KEYS = new Set(["path", "query", "url", "uri", "request", "request_uri", "referer", "cs-uri-stem", "cs-uri-query"]);

export interface SlotAutomaton {
  slot: number;
  urlDecode: boolean;
  dfa: Dfa;
}

/**
 * One SlotAutomaton per automaton, sorted by slot; a slot whose tests do not
 * fit one automaton of `maxStates` states gets several, consecutive, each a
 * separate pass over the value (at most `maxAutomata` per slot).
 */
export function buildAutomata(
  predicates: NumberedPredicate[],
  slotKeys: string[][],
  maxStates: number,
  maxAutomata: number = DEFAULT_MAX_AUTOMATA,
  cacheDir?: string,
): SlotAutomaton[] {
  const bySlot = new Map<number, PatternSpec[]>();
  predicates.forEach(({ pred, slot }, id) => {
    if (pred.kind !== "string") return;
    const list = bySlot.get(slot) ?? [];
    list.push({ id, op: pred.op, value: pred.value, cased: pred.cased });
    bySlot.set(slot, list);
  });
  const out: SlotAutomaton[] = [];
  for (const slot of [...bySlot.keys()].sort((a, b) => a - b)) {
    const patterns = bySlot.get(slot)!;
    let dfas: Dfa[];
    try {
      dfas = cachedAutomata(patterns, { maxStates, maxAutomata }, (local) => buildDfas(local, { maxStates, maxAutomata }).map(inModuleOrder), cacheDir);
    } catch (err) {
      if (err instanceof PatternError) {
        // The builder saw the patterns numbered 0..n-1 (cache.ts).
        const culprit = predicates[patterns[err.patternId >= 0 ? err.patternId : 0].id];
        throw new RuleError(culprit.pred.pos, err.message);
      }
      throw err;
    }
    const urlDecode = slotKeys[slot].some((k) => URL_KEYS.has(k));
    for (const dfa of dfas) out.push({ slot, urlDecode, dfa });
  }
  return out;
}

/** Per field (slot): its record keys, how many automata it got and their states. */
export interface FieldAutomataStats {
  slot: number;
  /** The record keys the slot reads, first present wins (e.g. ["uri_stem", "path"]). */
  keys: string[];
  /** Whether the URL-decoded value is scanned too (each automaton then runs twice on encoded values). */
  urlDecode: boolean;
  automata: number;
  /** States of each automaton, in program order. */
  states: number[];
  totalStates: number;
}

/** Stats of buildAutomata's result, for `tripline build` to print. */
export function automataStats(automata: SlotAutomaton[], slotKeys: string[][]): FieldAutomataStats[] {
  const out: FieldAutomataStats[] = [];
  for (const a of automata) {
    let last = out[out.length - 1];
    if (!last || last.slot !== a.slot) {
      last = { slot: a.slot, keys: [...slotKeys[a.slot]], urlDecode: a.urlDecode, automata: 0, states: [], totalStates: 0 };
      out.push(last);
    }
    last.automata++;
    last.states.push(a.dfa.stateCount);
    last.totalStates += a.dfa.stateCount;
  }
  return out;
}

/** The dead state if the module may stop scanning there: it reports nothing, not even at the end; else -1. */
function stoppingState(dfa: Dfa): number {
  return dfa.dead >= 0 && dfa.emitAnywhere[dfa.dead].length === 0 && dfa.emitAtEnd[dfa.dead].length === 0 ? dfa.dead : -1;
}

/**
 * The same automaton with its states in the order the module lays them out:
 * states that report at any position first, then the stopping dead state,
 * then the rest, each group in the builder's order. Done once when the
 * automaton is built, before it is cached, so that writing a cached
 * automaton copies its table instead of renumbering millions of targets.
 * Tables of at most 0xffff states are kept as u16, as the module reads them.
 */
export function inModuleOrder(dfa: Dfa): Dfa {
  const k = dfa.classCount;
  const dead = stoppingState(dfa);
  const order: number[] = [];
  for (let s = 0; s < dfa.stateCount; s++) if (dfa.emitAnywhere[s].length > 0) order.push(s);
  if (dead >= 0) order.push(dead);
  for (let s = 0; s < dfa.stateCount; s++) if (dfa.emitAnywhere[s].length === 0 && s !== dead) order.push(s);
  const renumber = new Uint32Array(dfa.stateCount);
  order.forEach((old, now) => (renumber[old] = now));
  const next = dfa.stateCount > 0xffff ? new Uint32Array(dfa.stateCount * k) : new Uint16Array(dfa.stateCount * k);
  let at = 0;
  for (const old of order) for (let c = 0; c < k; c++) next[at++] = renumber[dfa.next[old * k + c]];
  return {
    classMap: dfa.classMap,
    classCount: k,
    stateCount: dfa.stateCount,
    start: renumber[dfa.start],
    next,
    emitAnywhere: order.map((old) => dfa.emitAnywhere[old]),
    emitAtEnd: order.map((old) => dfa.emitAtEnd[old]),
    dead: dfa.dead >= 0 ? renumber[dfa.dead] : -1,
  };
}

/**
 * Writes an automaton for the module (assembly/program/load.ts reads it and
 * lays it out for its loop, assembly/match/dfa.ts): states that report at
 * any position are numbered first, then the dead state, so the loop needs
 * one compare per byte to know whether anything special happened. The
 * automaton must already be in that order (inModuleOrder).
 *   u32 flags (1: also URL-decoded, 2: 32-bit targets), u32 formats,
 *   u32 classes, u32 states, u32 start, i32 dead (-1: none), u32 special,
 *   256 bytes class map, states x classes targets (u16 or u32, padded to 4),
 *   per state: u32 any-position list offset, then per state the
 *   end-of-input one (0xffffffff: none), u32 list words, the lists
 *   (u32 count, u32 predicate ids...).
 */
export function writeAutomaton(w: ByteWriter, a: SlotAutomaton, formats: number): void {
  const { dfa } = a;
  const dead = stoppingState(dfa);
  let special = 0;
  while (special < dfa.stateCount && dfa.emitAnywhere[special].length > 0) special++;
  if (dead >= 0 && dead !== special++) throw new Error("automaton not in module order: the dead state must follow the reporting states");
  for (let s = special; s < dfa.stateCount; s++) if (dfa.emitAnywhere[s].length > 0) throw new Error("automaton not in module order: a reporting state follows the others");
  const wideTargets = dfa.stateCount > 0xffff;
  if (!(dfa.next instanceof (wideTargets ? Uint32Array : Uint16Array))) throw new Error("automaton not in module order: targets of the wrong width");

  const lists: number[] = [];
  const listIndex = new Map<string, number>();
  const listOffset = (ids: readonly number[]): number => {
    if (ids.length === 0) return 0xffffffff; // most states: no list to sort or look up
    const sorted = [...ids].sort((x, y) => x - y);
    const key = sorted.join(",");
    let at = listIndex.get(key);
    if (at === undefined) {
      at = lists.length * 4;
      lists.push(sorted.length, ...sorted);
      listIndex.set(key, at);
    }
    return at;
  };
  const anywhere = Uint32Array.from(dfa.emitAnywhere, listOffset);
  const atEnd = Uint32Array.from(dfa.emitAtEnd, listOffset);

  w.u32((a.urlDecode ? 1 : 0) | (wideTargets ? 2 : 0));
  w.u32(formats);
  w.u32(dfa.classCount);
  w.u32(dfa.stateCount);
  w.u32(dfa.start);
  w.i32(dead);
  w.u32(special);
  w.bytes(dfa.classMap);
  w.values(dfa.next);
  w.align4();
  w.values(anywhere);
  w.values(atEnd);
  w.list(lists);
}
