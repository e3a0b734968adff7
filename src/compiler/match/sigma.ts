// Sigma string values (contains / startswith / endswith / equals) to NFA.
//
// `*` matches any byte sequence, `?` exactly one byte; `\*` `\?` `\\` are a
// literal `*` `?` `\`, and a backslash before anything else is a literal
// backslash. Literal text is matched as its UTF-8 bytes.

import { byteMatcher, fullSet, setKey, utf8, type ByteSet } from "./bytes.js";
import type { Frag, Nfa } from "./nfa.js";
import type { PatternOp } from "./types.js";

export type SigmaItem = { kind: "bytes"; bytes: Uint8Array } | { kind: "any" } | { kind: "star" };

/** Splits a Sigma value into literal byte runs and wildcards. */
export function parseSigmaValue(value: string): SigmaItem[] {
  const items: SigmaItem[] = [];
  let text = "";
  const flush = (): void => {
    if (text !== "") items.push({ kind: "bytes", bytes: utf8(text) });
    text = "";
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "\\") {
      const nx = value[i + 1];
      if (nx === "*" || nx === "?" || nx === "\\") {
        text += nx;
        i++;
      } else {
        text += "\\";
      }
    } else if (ch === "*") {
      flush();
      if (items.length === 0 || items[items.length - 1].kind !== "star") items.push({ kind: "star" });
    } else if (ch === "?") {
      flush();
      items.push({ kind: "any" });
    } else {
      text += ch;
    }
  }
  flush();
  return items;
}

export type SigmaOp = Exclude<PatternOp, "re">;

/**
 * Moves leading and trailing `*` into the operator, which says the same
 * thing: contains *x* = contains x, equals *x = endswith x,
 * startswith *x = contains x, equals x* = startswith x, and so on.
 */
export function normalizeSigma(op: SigmaOp, value: string): { op: SigmaOp; items: SigmaItem[] } {
  const items = parseSigmaValue(value);
  if (items.length > 0 && items[0].kind === "star") {
    items.shift();
    if (op === "startswith") op = "contains";
    else if (op === "equals") op = "endswith";
  }
  if (items.length > 0 && items[items.length - 1].kind === "star") {
    items.pop();
    if (op === "endswith") op = "contains";
    else if (op === "equals") op = "startswith";
  }
  return { op, items };
}

/** The fragment for one Sigma predicate, anchors included. */
export function sigmaFragment(nfa: Nfa, sigmaOp: SigmaOp, value: string, cased: boolean): Frag {
  const { op, items } = normalizeSigma(sigmaOp, value);
  const any = fullSet();
  const first = nfa.node();
  let cur = first;
  const step = (set: ByteSet): void => {
    const n = nfa.node();
    nfa.char(cur, set, n);
    cur = n;
  };
  if (op === "startswith" || op === "equals") {
    const n = nfa.node();
    nfa.anchorStart(cur, n);
    cur = n;
  }
  for (const item of items) {
    if (item.kind === "bytes") {
      for (const b of item.bytes) step(byteMatcher(b, cased));
    } else if (item.kind === "any") {
      step(any);
    } else {
      // The nodes form a chain, so a self-loop here is exactly [^]*.
      nfa.char(cur, any, cur);
    }
  }
  if (op === "endswith" || op === "equals") {
    const n = nfa.node();
    nfa.anchorEnd(cur, n);
    cur = n;
  }
  return { in: first, out: cur };
}

/**
 * Adds Sigma values without `*` to `nfa` as a trie hanging off `root`:
 * values with equal leading byte sets share nodes, so that after any input
 * only a few trie nodes are active (as in Aho-Corasick) however many values
 * share a prefix. Value i gets a final node labelled labels[i].
 */
export function sigmaTrie(
  nfa: Nfa,
  root: number,
  entries: { op: SigmaOp; items: SigmaItem[]; cased: boolean; label: number }[],
): void {
  const children = new Map<number, Map<string, number>>();
  const any = fullSet();
  let unanchored = -1;
  let anchored = -1;
  const child = (from: number, set: ByteSet): number => {
    let m = children.get(from);
    if (m === undefined) {
      m = new Map();
      children.set(from, m);
    }
    const key = setKey(set);
    let to = m.get(key);
    if (to === undefined) {
      to = nfa.node();
      nfa.char(from, set, to);
      m.set(key, to);
    }
    return to;
  };
  for (const { op, items, cased, label } of entries) {
    let cur: number;
    if (op === "startswith" || op === "equals") {
      if (anchored < 0) {
        anchored = nfa.node();
        nfa.anchorStart(root, anchored);
      }
      cur = anchored;
    } else {
      if (unanchored < 0) {
        unanchored = nfa.node();
        nfa.epsilon(root, unanchored);
      }
      cur = unanchored;
    }
    for (const item of items) {
      if (item.kind === "star") throw new Error("sigmaTrie: values with * do not belong in the trie");
      if (item.kind === "any") cur = child(cur, any);
      else for (const b of item.bytes) cur = child(cur, byteMatcher(b, cased));
    }
    const fin = nfa.node();
    nfa.finalOf[fin] = label;
    if (op === "endswith" || op === "equals") nfa.anchorEnd(cur, fin);
    else nfa.epsilon(cur, fin);
  }
}
