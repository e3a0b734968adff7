// Byte classes, and the subset construction of one unit's labelled NFA
// (nfa.ts): one pattern, or the trie of all plain Sigma values.
//
// A DFA state is the set of "important" live NFA nodes the scan can be in:
// nodes with a char edge, a final label or an end edge (nodes with only
// epsilon edges add nothing once their closure is in, and leaving them out
// lets equivalent sets coincide). The search root (self-loop on every byte)
// and what it reaches by epsilon edges form the "base" set, which every
// state contains once anything unanchored can start; states store it as one
// flag plus the sorted extra nodes.
//
// Labels: emitAnywhere = labels of final nodes in the set; emitAtEnd =
// labels of final nodes reachable from the set through epsilon and end (`$`)
// edges, minus emitAnywhere. Start (`^`) edges are only followed from the
// initial state, which is never merged with another set.

import { setKey, hasByte, type ByteSet } from "./bytes.js";
import type { Nfa } from "./nfa.js";

export class StateBudgetExceeded extends Error {
  constructor(readonly count: number) {
    super(`more than ${count - 1} states`);
  }
}

export interface ByteClasses {
  classMap: Uint8Array;
  classCount: number;
}

/** Partitions 0..255 so that bytes of one class belong to exactly the same sets. */
export function computeByteClasses(sets: Iterable<ByteSet>): ByteClasses {
  // Refine one partition of 0..255 by each set in turn: the class of a byte
  // becomes (its old class, whether the set holds it).
  const cls = new Int32Array(256);
  let count = 1;
  const remap = new Int32Array(512);
  for (const s of sets) {
    remap.fill(-1, 0, count * 2);
    let next = 0;
    for (let b = 0; b < 256; b++) {
      const key = cls[b] * 2 + (hasByte(s, b) ? 1 : 0);
      if (remap[key] < 0) remap[key] = next++;
      cls[b] = remap[key];
    }
    count = next;
  }
  return { classMap: Uint8Array.from(cls), classCount: count };
}

export interface SubsetDfa extends ByteClasses {
  stateCount: number;
  start: number;
  /** stateCount*classCount transitions (the array may be longer). */
  next: Uint32Array;
  emitAnywhere: number[][];
  emitAtEnd: number[][];
}

export function sortedUnique(ids: number[]): number[] {
  if (ids.length < 2) return ids;
  ids.sort((a, b) => a - b);
  let w = 1;
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[w - 1]) ids[w++] = ids[i];
  ids.length = w;
  return ids;
}

/** Live nodes: those that can reach a final node without a start edge. */
export function liveNodes(nfa: Nfa): Uint8Array {
  const N = nfa.size;
  const { eps, charTo, endTo, finalOf } = nfa;
  const revHead = new Int32Array(N).fill(-1);
  const revNext: number[] = [];
  const revFrom: number[] = [];
  const addRev = (from: number, to: number): void => {
    revFrom.push(from);
    revNext.push(revHead[to]);
    revHead[to] = revFrom.length - 1;
  };
  for (let u = 0; u < N; u++) {
    for (const v of eps[u]) addRev(u, v);
    for (const v of charTo[u]) addRev(u, v);
    for (const v of endTo[u]) addRev(u, v);
  }
  const live = new Uint8Array(N);
  const stack: number[] = [];
  for (let u = 0; u < N; u++) {
    if (finalOf[u] >= 0) {
      live[u] = 1;
      stack.push(u);
    }
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let e = revHead[v]; e >= 0; e = revNext[e]) {
      const u = revFrom[e];
      if (!live[u]) {
        live[u] = 1;
        stack.push(u);
      }
    }
  }
  return live;
}

/** Adds the byte sets of the NFA's useful char edges to `into`, keyed by setKey. */
export function collectEdgeSets(nfa: Nfa, live: Uint8Array, into: Map<string, ByteSet>): void {
  for (let u = 0; u < nfa.size; u++) {
    if (!live[u]) continue;
    const sets = nfa.charSet[u];
    for (let i = 0; i < sets.length; i++) {
      if (live[nfa.charTo[u][i]]) {
        const k = setKey(sets[i]);
        if (!into.has(k)) into.set(k, sets[i]);
      }
    }
  }
}

export interface PatternDfa extends SubsetDfa {
  /** The state with no pattern progress (only the search loop, or nothing); -1 if unreachable. */
  idle: number;
}

/**
 * Subset construction of one NFA (normally: one pattern under its own search
 * root) over the given byte classes, which must separate all its edge sets.
 */
export function determinize(nfa: Nfa, root: number, live: Uint8Array, classes: ByteClasses, maxStates: number): PatternDfa {
  const N = nfa.size;
  const { eps, charSet, charTo, startTo, endTo, finalOf } = nfa;
  const { classMap, classCount } = classes;
  const K = classCount;
  const classesOfKey = new Map<string, Uint8Array>();
  const classesOf = (set: ByteSet): Uint8Array => {
    const k = setKey(set);
    let list = classesOfKey.get(k);
    if (list === undefined) {
      const seenCls = new Uint8Array(K);
      const out: number[] = [];
      for (let b = 0; b < 256; b++) {
        if (hasByte(set, b) && !seenCls[classMap[b]]) {
          seenCls[classMap[b]] = 1;
          out.push(classMap[b]);
        }
      }
      list = Uint8Array.from(out);
      classesOfKey.set(k, list);
    }
    return list;
  };
  // Per node: outgoing char edges as (class list, target), live targets only.
  const edgeCls: Uint8Array[][] = new Array(N);
  const edgeTo: number[][] = new Array(N);
  for (let u = 0; u < N; u++) {
    edgeCls[u] = [];
    edgeTo[u] = [];
    if (!live[u]) continue;
    const sets = charSet[u];
    for (let i = 0; i < sets.length; i++) {
      const v = charTo[u][i];
      if (!live[v]) continue;
      const cl = classesOf(sets[i]);
      if (cl.length === 0) continue;
      edgeCls[u].push(cl);
      edgeTo[u].push(v);
    }
  }

  // Important nodes: the only ones kept in subsets. A node whose edges are
  // all epsilon or start edges adds nothing once its closure is in the set,
  // and leaving it out lets equivalent subsets coincide.
  const important = new Uint8Array(N);
  for (let u = 0; u < N; u++) {
    if (!live[u]) continue;
    if (edgeTo[u].length > 0 || finalOf[u] >= 0 || endTo[u].some((v) => live[v])) important[u] = 1;
  }

  // Closures, with a stamp array instead of clearing a visited set.
  const mark = new Uint32Array(N);
  let stamp = 0;
  const inBase = new Uint8Array(N);
  const work: number[] = [];

  /**
   * Important nodes (all live ones if `all`) reachable from seeds by eps (and
   * start) edges; skips base nodes if skipBase.
   */
  const closure = (seeds: number[], allowStart: boolean, skipBase: boolean, all = false): number[] => {
    const out: number[] = [];
    stamp++;
    work.length = 0;
    for (const s of seeds) work.push(s);
    while (work.length > 0) {
      const u = work.pop()!;
      if (mark[u] === stamp) continue;
      mark[u] = stamp;
      if (skipBase && inBase[u]) continue;
      if (live[u]) {
        if (all || important[u]) out.push(u);
      } else if (!allowStart) continue;
      for (const v of eps[u]) if (mark[v] !== stamp) work.push(v);
      if (allowStart) for (const v of startTo[u]) if (mark[v] !== stamp) work.push(v);
    }
    return out;
  };

  /** Pattern ids of final nodes reachable from `nodes` by eps and end (and start) edges. */
  const endFinals = (nodes: ArrayLike<number>, allowStart: boolean, skipBase: boolean): number[] => {
    const ids: number[] = [];
    stamp++;
    work.length = 0;
    for (let i = 0; i < nodes.length; i++) work.push(nodes[i]);
    while (work.length > 0) {
      const u = work.pop()!;
      if (mark[u] === stamp) continue;
      mark[u] = stamp;
      if (skipBase && inBase[u]) continue;
      if (!allowStart && !live[u]) continue;
      if (finalOf[u] >= 0) ids.push(finalOf[u]);
      for (const v of eps[u]) if (mark[v] !== stamp) work.push(v);
      for (const v of endTo[u]) if (mark[v] !== stamp) work.push(v);
      if (allowStart) for (const v of startTo[u]) if (mark[v] !== stamp) work.push(v);
    }
    return ids;
  };

  const finalsOf = (nodes: ArrayLike<number>): number[] => {
    const ids: number[] = [];
    for (let i = 0; i < nodes.length; i++) if (finalOf[nodes[i]] >= 0) ids.push(finalOf[nodes[i]]);
    return ids;
  };

  // The base set.
  const hasBase = live[root] === 1;
  const base = hasBase ? closure([root], false, false) : [];
  if (hasBase) for (const u of closure([root], false, false, true)) inBase[u] = 1;
  const baseMove: number[][] = [];
  for (let c = 0; c < K; c++) baseMove.push([]);
  for (const u of base) {
    for (let i = 0; i < edgeCls[u].length; i++) for (const c of edgeCls[u][i]) baseMove[c].push(edgeTo[u][i]);
  }
  const baseFinals = finalsOf(base);
  const baseEndFinals = hasBase ? endFinals(base, false, false) : [];

  // Per-node closures (live nodes reachable by eps edges), computed lazily.
  const closureCache: (Int32Array | undefined)[] = new Array(N);
  const closureOf = (v: number): Int32Array => {
    let c = closureCache[v];
    if (c === undefined) {
      c = Int32Array.from(closure([v], false, false));
      closureCache[v] = c;
    }
    return c;
  };
  const seen = new Uint32Array(N);
  let seenStamp = 0;
  /** Sorted union of the closures of `seeds`, without base nodes if skipBase. */
  const closeSorted = (seeds: ArrayLike<number>, count: number, skipBase: boolean): Int32Array => {
    seenStamp++;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const cl = closureOf(seeds[i]);
      for (let j = 0; j < cl.length; j++) {
        const w = cl[j];
        if (seen[w] === seenStamp || (skipBase && inBase[w])) continue;
        seen[w] = seenStamp;
        out.push(w);
      }
    }
    return Int32Array.from(out).sort();
  };

  // What the base nodes add to every base state's successor on each class.
  const baseClosed: Int32Array[] = [];
  for (let c = 0; c < K; c++) baseClosed.push(closeSorted(baseMove[c], baseMove[c].length, true));

  // States. The initial state is never looked up, so it stays apart.
  const stateBase: boolean[] = [];
  const stateExtras: Int32Array[] = [];
  const emitAnywhere: number[][] = [];
  const emitAtEnd: number[][] = [];
  const byHash = new Map<number, number[]>();
  let next = new Uint32Array(Math.max(16, K * 64));

  const addState = (isBase: boolean, extras: Int32Array, any: number[], end: number[]): number => {
    const id = stateBase.length;
    if (id + 1 > maxStates) throw new StateBudgetExceeded(id + 1);
    stateBase.push(isBase);
    stateExtras.push(extras);
    const anySet = sortedUnique(any);
    const anyLookup = new Set(anySet);
    emitAnywhere.push(anySet);
    emitAtEnd.push(sortedUnique(end.filter((p) => !anyLookup.has(p))));
    if ((id + 1) * K > next.length) {
      const grown = new Uint32Array(Math.max(next.length * 2, (id + 1) * K));
      grown.set(next);
      next = grown;
    }
    return id;
  };

  /** The state of the sorted node list nodes[0..len); nodes may be a scratch buffer. */
  const intern = (isBase: boolean, nodes: Int32Array, len: number): number => {
    let h = isBase ? 0x51ed270b : 0x2545f491;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ nodes[i], 0x9e3779b1) ^ (h >>> 15);
    let bucket = byHash.get(h);
    if (bucket !== undefined) {
      for (const id of bucket) {
        if (stateBase[id] !== isBase) continue;
        const other = stateExtras[id];
        if (other.length !== len) continue;
        let same = true;
        for (let i = 0; i < len && same; i++) same = other[i] === nodes[i];
        if (same) return id;
      }
    } else {
      bucket = [];
      byHash.set(h, bucket);
    }
    const extras = nodes.slice(0, len);
    const any = finalsOf(extras);
    const end = endFinals(extras, false, isBase);
    if (isBase) {
      for (const p of baseFinals) any.push(p);
      for (const p of baseEndFinals) end.push(p);
    }
    const id = addState(isBase, extras, any, end);
    bucket.push(id);
    return id;
  };

  // The initial state: start edges are followed here and only here.
  {
    const full = closure([root], true, false);
    const extras = Int32Array.from(hasBase ? full.filter((u) => !inBase[u]) : full).sort();
    // The end closure starts from the root, not from `full`: a node that
    // leads on only through `$` then `^` (as in $^) is not live, so `full`
    // lacks it, yet at position 0 of an empty input both edges are usable.
    addState(hasBase, extras, finalsOf(full), endFinals([root], true, false));
  }

  const buckets: number[][] = [];
  for (let c = 0; c < K; c++) buckets.push([]);
  const bucketHash = new Int32Array(K);
  const ownOf: Int32Array[] = new Array(K);
  const merged = new Int32Array(N);
  const EMPTY = new Int32Array(0);

  for (let s = 0; s < stateBase.length; s++) {
    const isBase = stateBase[s];
    const extras = stateExtras[s];
    // The state's own move on each class (base nodes are handled by baseClosed).
    for (let i = 0; i < extras.length; i++) {
      const u = extras[i];
      const cls = edgeCls[u];
      const to = edgeTo[u];
      for (let j = 0; j < cls.length; j++) {
        const v = to[j];
        const cl = cls[j];
        for (let x = 0; x < cl.length; x++) buckets[cl[x]].push(v);
      }
    }
    // Classes with the same move share one closure.
    const seenBuckets = new Map<number, number[]>();
    for (let c = 0; c < K; c++) {
      const b = buckets[c];
      if (b.length === 0) {
        ownOf[c] = EMPTY;
        continue;
      }
      let h = b.length;
      for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x2c1b3c6d) ^ (h >>> 13);
      bucketHash[c] = h;
      const same = seenBuckets.get(h);
      let found = -1;
      if (same) {
        for (const d of same) {
          const o = buckets[d];
          if (o.length !== b.length) continue;
          let eq = true;
          for (let i = 0; i < b.length && eq; i++) eq = o[i] === b[i];
          if (eq) {
            found = d;
            break;
          }
        }
        if (found < 0) same.push(c);
      } else {
        seenBuckets.set(h, [c]);
      }
      ownOf[c] = found >= 0 ? ownOf[found] : closeSorted(b, b.length, isBase);
    }
    for (let c = 0; c < K; c++) buckets[c].length = 0;

    for (let c = 0; c < K; c++) {
      const own = ownOf[c];
      let t: number;
      if (!isBase) {
        t = intern(false, own, own.length);
      } else {
        // Sorted merge of own and baseClosed[c].
        const bc = baseClosed[c];
        let i = 0;
        let j = 0;
        let n = 0;
        while (i < own.length && j < bc.length) {
          const a = own[i];
          const b = bc[j];
          if (a < b) {
            merged[n++] = a;
            i++;
          } else if (b < a) {
            merged[n++] = b;
            j++;
          } else {
            merged[n++] = a;
            i++;
            j++;
          }
        }
        while (i < own.length) merged[n++] = own[i++];
        while (j < bc.length) merged[n++] = bc[j++];
        t = intern(true, merged, n);
      }
      next[s * K + c] = t;
    }
  }

  let idle = -1;
  for (let s = 1; s < stateBase.length && idle < 0; s++) if (stateExtras[s].length === 0) idle = s;
  return { classMap, classCount: K, stateCount: stateBase.length, start: 0, next, emitAnywhere, emitAtEnd, idle };
}
