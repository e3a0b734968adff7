// Builds the automata of each slot from all its string predicates (several
// when one would exceed the state budget; see buildDfas) and lays them out
// for the module (assembly/match/dfa.ts): states that report a match at any
// position are renumbered first, so the module tests them with a compare.
import { buildDfas, DEFAULT_MAX_AUTOMATA, PatternError, type PatternSpec } from "../match/automaton.js";
import type { Dfa } from "../match/automaton.js";
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
      dfas = buildDfas(patterns, { maxStates, maxAutomata });
    } catch (err) {
      if (err instanceof PatternError) {
        const culprit = predicates[err.patternId >= 0 ? err.patternId : patterns[0].id];
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

/**
 * Lays the automaton out for the module's scanning loop (assembly/match/dfa.ts):
 * states that report at any position come first, then the dead state, so one
 * compare per byte tells whether anything special happened; transitions hold
 * the target's row offset (state x classCount), saving a multiply per byte;
 * 16-bit entries when the table allows, else 32-bit.
 */
export function writeAutomaton(w: ByteWriter, a: SlotAutomaton): void {
  const { dfa } = a;
  const k = dfa.classCount;
  const dead = dfa.dead >= 0 && dfa.emitAnywhere[dfa.dead].length === 0 && dfa.emitAtEnd[dfa.dead].length === 0 ? dfa.dead : -1;
  const order: number[] = [];
  for (let s = 0; s < dfa.stateCount; s++) if (dfa.emitAnywhere[s].length > 0) order.push(s);
  if (dead >= 0) order.push(dead);
  const special = order.length;
  for (let s = 0; s < dfa.stateCount; s++) if (dfa.emitAnywhere[s].length === 0 && s !== dead) order.push(s);
  const renumber = new Array<number>(dfa.stateCount);
  order.forEach((old, now) => (renumber[old] = now));
  const wide = dfa.stateCount * k > 0xffff;

  const lists: number[] = [];
  const listIndex = new Map<string, number>();
  const listOffset = (ids: number[]): number => {
    if (ids.length === 0) return 0xffffffff;
    const key = ids.join(",");
    let at = listIndex.get(key);
    if (at === undefined) {
      at = lists.length * 2;
      lists.push(ids.length, ...ids);
      listIndex.set(key, at);
    }
    return at;
  };
  const anywhere = order.map((old) => listOffset([...dfa.emitAnywhere[old]].sort((x, y) => x - y)));
  const atEnd = order.map((old) => listOffset([...dfa.emitAtEnd[old]].sort((x, y) => x - y)));

  w.u16(a.slot);
  w.u8((a.urlDecode ? 1 : 0) | (wide ? 2 : 0));
  w.u16(k);
  w.u32(dfa.stateCount);
  w.i32(renumber[dfa.start] * k);
  w.i32(dead >= 0 ? renumber[dead] * k : -1);
  w.i32(special * k);
  w.u32(lists.length * 2);
  w.align4();
  w.bytes(dfa.classMap);
  for (const old of order) {
    for (let c = 0; c < k; c++) {
      const row = renumber[dfa.next[old * k + c]] * k;
      if (wide) w.u32(row);
      else w.u16(row);
    }
  }
  w.align4();
  for (const off of anywhere) w.u32(off);
  for (const off of atEnd) w.u32(off);
  for (const v of lists) w.u16(v);
}
