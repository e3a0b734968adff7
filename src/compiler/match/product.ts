// The union of per-pattern DFAs as the reachable part of their product.
//
// Every pattern has its own minimal search DFA (all over the same byte
// classes). A state of the union is one state per pattern. Most patterns sit
// in their idle state (no progress) most of the time, so a product state
// stores only the components that are not idle, as a sorted list of global
// state numbers (pattern offset + local state); idle components are implicit.
//
// Labels are the union of the components' labels. As different patterns
// report different ids, two product states behave the same only if each of
// their components does, and components are minimal: so with distinct ids
// the product is already minimal (the caller minimizes anyway).

import { sortedUnique, StateBudgetExceeded, type SubsetDfa } from "./determinize.js";

/** One pattern's minimized DFA. */
export interface Component {
  stateCount: number;
  start: number;
  /** stateCount*K transitions over the shared byte classes. */
  next: Uint32Array;
  emitAnywhere: number[][];
  emitAtEnd: number[][];
  /** The idle state, or -1 when the pattern is always tracked explicitly. */
  idle: number;
}

export function product(components: Component[], classes: { classMap: Uint8Array; classCount: number }, maxStates: number): SubsetDfa {
  const K = classes.classCount;
  const P = components.length;
  const offset = new Int32Array(P + 1);
  for (let p = 0; p < P; p++) offset[p + 1] = offset[p] + components[p].stateCount;
  const G = offset[P];
  const patOf = new Int32Array(G);
  for (let p = 0; p < P; p++) patOf.fill(p, offset[p], offset[p + 1]);
  /** Global successor of global state g on class c. */
  const globalNext = new Int32Array(G * K);
  const idleG = new Int32Array(P);
  for (let p = 0; p < P; p++) {
    const comp = components[p];
    const off = offset[p];
    for (let m = 0; m < comp.stateCount; m++) {
      for (let c = 0; c < K; c++) globalNext[(off + m) * K + c] = off + comp.next[m * K + c];
    }
    idleG[p] = comp.idle >= 0 ? off + comp.idle : -1;
  }
  // What idle components do on each class (sorted by pattern).
  const idleMove: Int32Array[] = [];
  for (let c = 0; c < K; c++) {
    const list: number[] = [];
    for (let p = 0; p < P; p++) {
      if (idleG[p] < 0) continue;
      const t = globalNext[idleG[p] * K + c];
      if (t !== idleG[p]) list.push(t);
    }
    idleMove.push(Int32Array.from(list));
  }
  // Idle components that report something (patterns matching the empty string).
  const idleAny: number[] = [];
  const idleEnd: number[] = [];
  for (let p = 0; p < P; p++) {
    if (idleG[p] < 0) continue;
    const comp = components[p];
    if (comp.emitAnywhere[comp.idle].length > 0) idleAny.push(p);
    if (comp.emitAtEnd[comp.idle].length > 0) idleEnd.push(p);
  }
  const labelAny = (g: number): number[] => components[patOf[g]].emitAnywhere[g - offset[patOf[g]]];
  const labelEnd = (g: number): number[] => components[patOf[g]].emitAtEnd[g - offset[patOf[g]]];

  const states: Int32Array[] = [];
  const emitAnywhere: number[][] = [];
  const emitAtEnd: number[][] = [];
  let next = new Uint32Array(Math.max(16, K * 64));
  const explicitMark = new Uint32Array(P);
  let markStamp = 0;
  // Open-addressing hash set of states, keyed by their explicit lists.
  let table = new Int32Array(1024).fill(-1);
  let hashes = new Int32Array(512);
  const hashOf = (list: Int32Array, len: number): number => {
    let h = 0x2545f491;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ list[i], 0x9e3779b1) ^ (h >>> 15);
    return h;
  };
  const insert = (h: number, id: number): void => {
    const mask = table.length - 1;
    let at = h & mask;
    while (table[at] >= 0) at = (at + 1) & mask;
    table[at] = id;
  };

  const intern = (list: Int32Array, len: number): number => {
    const h = hashOf(list, len);
    const mask = table.length - 1;
    for (let at = h & mask; table[at] >= 0; at = (at + 1) & mask) {
      const id = table[at];
      if (hashes[id] !== h) continue;
      const other = states[id];
      if (other.length !== len) continue;
      let same = true;
      for (let i = 0; i < len && same; i++) same = other[i] === list[i];
      if (same) return id;
    }
    const id = states.length;
    if (id + 1 > maxStates) throw new StateBudgetExceeded(id + 1);
    const explicit = list.slice(0, len);
    states.push(explicit);
    if (id >= hashes.length) {
      const grown = new Int32Array(hashes.length * 2);
      grown.set(hashes);
      hashes = grown;
    }
    hashes[id] = h;
    if ((id + 1) * 2 > table.length) {
      table = new Int32Array(table.length * 2).fill(-1);
      for (let i = 0; i < id; i++) insert(hashes[i], i);
    }
    insert(h, id);
    // Labels: explicit components, plus idle ones that report.
    markStamp++;
    let any: number[] = [];
    let end: number[] = [];
    for (let i = 0; i < len; i++) {
      const g = explicit[i];
      explicitMark[patOf[g]] = markStamp;
      const la = labelAny(g);
      const le = labelEnd(g);
      for (let j = 0; j < la.length; j++) any.push(la[j]);
      for (let j = 0; j < le.length; j++) end.push(le[j]);
    }
    for (const p of idleAny) if (explicitMark[p] !== markStamp) for (const x of labelAny(idleG[p])) any.push(x);
    for (const p of idleEnd) if (explicitMark[p] !== markStamp) for (const x of labelEnd(idleG[p])) end.push(x);
    any = sortedUnique(any);
    if (end.length > 0) {
      end = sortedUnique(end);
      if (any.length > 0) end = end.filter((x) => !any.includes(x));
    }
    emitAnywhere.push(any);
    emitAtEnd.push(end);
    if ((id + 1) * K > next.length) {
      const grown = new Uint32Array(Math.max(next.length * 2, (id + 1) * K));
      grown.set(next);
      next = grown;
    }
    return id;
  };

  const scratch = new Int32Array(P);
  {
    let n = 0;
    for (let p = 0; p < P; p++) {
      const g = offset[p] + components[p].start;
      if (g !== idleG[p]) scratch[n++] = g;
    }
    intern(scratch, n);
  }

  for (let s = 0; s < states.length; s++) {
    const explicit = states[s];
    const E = explicit.length;
    for (let c = 0; c < K; c++) {
      // Merge, by pattern, the explicit components' moves with the idle moves
      // of the patterns that are idle here.
      const moves = idleMove[c];
      const M = moves.length;
      let i = 0;
      let j = 0;
      let n = 0;
      while (i < E || j < M) {
        const pe = i < E ? patOf[explicit[i]] : P;
        const pm = j < M ? patOf[moves[j]] : P;
        if (pe <= pm) {
          const t = globalNext[explicit[i] * K + c];
          if (t !== idleG[pe]) scratch[n++] = t;
          i++;
          if (pe === pm) j++;
        } else {
          scratch[n++] = moves[j++];
        }
      }
      const t = intern(scratch, n);
      next[s * K + c] = t;
    }
  }

  return {
    classMap: classes.classMap,
    classCount: K,
    stateCount: states.length,
    start: 0,
    next,
    emitAnywhere,
    emitAtEnd,
  };
}
