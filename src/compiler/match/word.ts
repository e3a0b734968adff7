// Word-boundary assertions (`\b`, `\B`) without changing the runtime.
//
// JavaScript's `\b` holds between two positions when exactly one of the
// bytes around it is a word byte ([A-Za-z0-9_]; without the `u` flag every
// byte above 0x7F is a non-word byte); the start and the end of the input
// count as non-word. A DFA that reads one byte at a time knows the byte
// before the current position only if it remembers it, and the byte after
// only once it reads it. So the pattern's NFA is rewritten (a product
// construction) into one whose nodes are triples
//
//   (node, p, q)   p: the previous byte was a word byte (0 at position 0)
//                  q: what the NEXT byte must be: 0 anything, 1 a word byte,
//                     2 a non-word byte or the end of the input
//
// - a char edge on S leaves (u,p,q) on S restricted by q, and splits into
//   S ∩ word -> (v,1,0) and S \ word -> (v,0,0);
// - `\b` from (u,p,q) to v requires the next byte to differ from p in
//   wordness: q' = p ? 2 : 1, combined with q (a conflict drops the edge);
//   `\B` requires it to be the same: q' = p ? 1 : 2;
// - `$` needs q != 1 (the end is non-word) and leaves q = 2;
// - a final node reached with q = 0 reports at once; with q = 1 or 2 it
//   reports after one more byte of the right kind (or, for q = 2, at the
//   end of the input). Reporting one byte late changes nothing: the runtime
//   collects ids in a set, and the automaton never stops early while a
//   report is pending (such a state is not the dead state).
// - The search root loops on every byte as usual and enters the pattern
//   after consuming a byte (so p is that byte's wordness), or at position 0
//   through a start edge with p = 0.
// The result has no word edges; determinize.ts handles it like any other
// unit. Byte classes separate word bytes because every char edge is split.

import { addRange, emptySet, fullSet, type ByteSet } from "./bytes.js";
import { Nfa } from "./nfa.js";

/** JavaScript's \w without the `u` flag: A-Z a-z 0-9 _. */
export function wordBytes(): ByteSet {
  const s = emptySet();
  addRange(s, 0x30, 0x39);
  addRange(s, 0x41, 0x5a);
  addRange(s, 0x61, 0x7a);
  addRange(s, 0x5f, 0x5f);
  return s;
}

const WORD = wordBytes();
const NON_WORD = (() => {
  const s = emptySet();
  for (let i = 0; i < 8; i++) s[i] = ~WORD[i];
  return s;
})();

function and(a: ByteSet, b: ByteSet): ByteSet | null {
  const r = emptySet();
  let any = 0;
  for (let i = 0; i < 8; i++) any |= r[i] = a[i] & b[i];
  return any === 0 ? null : r;
}

/** Combines two next-byte requirements; -1 when they conflict. */
function combine(q: number, need: number): number {
  if (q === 0 || q === need) return need;
  return -1;
}

/**
 * Rewrites the pattern `src` (entered at `entry`; its final nodes carry
 * labels in finalOf) under a new search root. `limit` bounds the new NFA's
 * nodes (NfaTooLarge beyond).
 */
export function wordTransform(src: Nfa, entry: number, limit: number): { nfa: Nfa; root: number } {
  const nfa = new Nfa(limit);
  const root = nfa.node();
  nfa.char(root, fullSet(), root);
  const ids = new Map<number, number>();
  const work: number[] = [];
  const get = (u: number, p: number, q: number): number => {
    const key = u * 6 + p * 3 + q;
    let n = ids.get(key);
    if (n === undefined) {
      n = nfa.node();
      ids.set(key, n);
      work.push(key);
    }
    return n;
  };
  // One confirmation node per label, for finals that wait for the next byte.
  const confirm = new Map<number, number>();
  const confirmOf = (label: number): number => {
    let c = confirm.get(label);
    if (c === undefined) {
      c = nfa.node();
      nfa.finalOf[c] = label;
      confirm.set(label, c);
    }
    return c;
  };

  nfa.char(root, WORD, get(entry, 1, 0));
  nfa.char(root, NON_WORD, get(entry, 0, 0));
  nfa.anchorStart(root, get(entry, 0, 0));

  while (work.length > 0) {
    const key = work.pop()!;
    const u = Math.floor(key / 6);
    const p = Math.floor(key / 3) % 2;
    const q = key % 3;
    const n = ids.get(key)!;
    const label = src.finalOf[u];
    if (label >= 0) {
      if (q === 0) nfa.finalOf[n] = label;
      else {
        const c = confirmOf(label);
        nfa.char(n, q === 1 ? WORD : NON_WORD, c);
        if (q === 2) nfa.anchorEnd(n, c);
      }
    }
    for (const v of src.eps[u]) nfa.epsilon(n, get(v, p, q));
    for (const v of src.startTo[u]) nfa.anchorStart(n, get(v, p, q));
    if (q !== 1) for (const v of src.endTo[u]) nfa.anchorEnd(n, get(v, p, 2));
    for (const v of src.wordTo[u]) {
      const q2 = combine(q, p ? 2 : 1);
      if (q2 >= 0) nfa.epsilon(n, get(v, p, q2));
    }
    for (const v of src.nonWordTo[u]) {
      const q2 = combine(q, p ? 1 : 2);
      if (q2 >= 0) nfa.epsilon(n, get(v, p, q2));
    }
    const sets = src.charSet[u];
    for (let i = 0; i < sets.length; i++) {
      const v = src.charTo[u][i];
      const allowed = q === 0 ? sets[i] : and(sets[i], q === 1 ? WORD : NON_WORD);
      if (allowed === null) continue;
      const w = and(allowed, WORD);
      const nw = and(allowed, NON_WORD);
      if (w) nfa.char(n, w, get(v, 1, 0));
      if (nw) nfa.char(n, nw, get(v, 0, 0));
    }
  }
  return { nfa, root };
}
