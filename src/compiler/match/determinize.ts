// Byte classes and subset construction over the labelled NFA (nfa.ts).
//
// A DFA state is the set of live NFA nodes the scan can be in. The shared
// search node `root` (self-loop on every byte) and everything it reaches by
// epsilon edges form the "base" set, which every state reached after a
// non-anchored pattern began contains; states store it as one flag plus the
// sorted extra nodes, so that sets stay small however many patterns there are.
//
// Labels: emitAnywhere = patterns whose final node is in the set;
// emitAtEnd = patterns whose final node is reachable from the set through
// epsilon and end (`$`) edges, minus emitAnywhere. Start (`^`) edges are only
// followed from the initial state, which is kept apart from all others.

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

function sortedUnique(ids: number[]): number[] {
  if (ids.length < 2) return ids;
  ids.sort((a, b) => a - b);
  let w = 1;
  for (let i = 1; i < ids.length; i++) if (ids[i] !== ids[w - 1]) ids[w++] = ids[i];
  ids.length = w;
  return ids;
}

export function determinize(nfa: Nfa, root: number, maxStates: number): SubsetDfa {
  const N = nfa.size;
  const { eps, charSet, charTo, startTo, endTo, finalOf, owner } = nfa;

  // Live nodes: those that can reach a final node without a start edge.
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

  // Byte classes from the sets of all useful char edges.
  const distinct = new Map<string, ByteSet>();
  for (let u = 0; u < N; u++) {
    const sets = charSet[u];
    for (let i = 0; i < sets.length; i++) {
      if (live[charTo[u][i]]) {
        const k = setKey(sets[i]);
        if (!distinct.has(k)) distinct.set(k, sets[i]);
      }
    }
  }
  const { classMap, classCount } = computeByteClasses(distinct.values());
  const K = classCount;
  const classesOfKey = new Map<string, Uint8Array>();
  for (const [k, s] of distinct) {
    const seen = new Uint8Array(K);
    const list: number[] = [];
    for (let b = 0; b < 256; b++) {
      if (hasByte(s, b) && !seen[classMap[b]]) {
        seen[classMap[b]] = 1;
        list.push(classMap[b]);
      }
    }
    classesOfKey.set(k, Uint8Array.from(list));
  }
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
      const cl = classesOfKey.get(setKey(sets[i]))!;
      if (cl.length === 0) continue;
      edgeCls[u].push(cl);
      edgeTo[u].push(v);
    }
  }

  // Closures, with a stamp array instead of clearing a visited set.
  const mark = new Uint32Array(N);
  let stamp = 0;
  const inBase = new Uint8Array(N);
  const work: number[] = [];

  /** Live nodes reachable from seeds by eps (and start) edges; skips base nodes if skipBase. */
  const closure = (seeds: number[], allowStart: boolean, skipBase: boolean): number[] => {
    const out: number[] = [];
    stamp++;
    work.length = 0;
    for (const s of seeds) work.push(s);
    while (work.length > 0) {
      const u = work.pop()!;
      if (mark[u] === stamp) continue;
      mark[u] = stamp;
      if (skipBase && inBase[u]) continue;
      if (live[u]) out.push(u);
      else if (!allowStart) continue;
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
  for (const u of base) inBase[u] = 1;
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

  const intern = (isBase: boolean, nodes: number[]): number => {
    const extras = Int32Array.from(nodes).sort();
    let h = isBase ? 0x51ed270b : 0x2545f491;
    for (let i = 0; i < extras.length; i++) h = Math.imul(h ^ extras[i], 0x9e3779b1) ^ (h >>> 15);
    let bucket = byHash.get(h);
    if (bucket !== undefined) {
      for (const id of bucket) {
        if (stateBase[id] !== isBase) continue;
        const other = stateExtras[id];
        if (other.length !== extras.length) continue;
        let same = true;
        for (let i = 0; i < extras.length && same; i++) same = other[i] === extras[i];
        if (same) return id;
      }
    } else {
      bucket = [];
      byHash.set(h, bucket);
    }
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
    addState(hasBase, extras, finalsOf(full), endFinals(full, true, false));
  }

  const buckets: number[][] = [];
  for (let c = 0; c < K; c++) buckets.push([]);
  const baseOnly = new Int32Array(K).fill(-1);
  let emptyState = -1;
  const targets: number[] = [];
  // Pattern ids reported by the state being expanded: their nodes are
  // dropped from its successors, since the runtime already remembers them.
  const reported = new Set<number>();

  for (let s = 0; s < stateBase.length; s++) {
    const isBase = stateBase[s];
    const extras = stateExtras[s];
    reported.clear();
    for (const p of emitAnywhere[s]) reported.add(p);
    const pruning = reported.size > 0;
    for (let i = 0; i < extras.length; i++) {
      const u = extras[i];
      if (pruning && reported.has(owner[u])) continue;
      const cls = edgeCls[u];
      const to = edgeTo[u];
      for (let j = 0; j < cls.length; j++) {
        const v = to[j];
        const cl = cls[j];
        for (let x = 0; x < cl.length; x++) buckets[cl[x]].push(v);
      }
    }
    for (let c = 0; c < K; c++) {
      const bucket = buckets[c];
      let t: number;
      if (bucket.length === 0 && !isBase) {
        if (emptyState < 0) emptyState = intern(false, []);
        t = emptyState;
      } else {
        const own = bucket.length;
        let pruned = false;
        if (isBase) {
          for (const v of baseMove[c]) {
            if (pruning && reported.has(owner[v])) pruned = true;
            else bucket.push(v);
          }
        }
        const onlyBase = own === 0 && !pruned;
        if (onlyBase && baseOnly[c] >= 0) {
          t = baseOnly[c];
        } else {
          seenStamp++;
          targets.length = 0;
          for (let i = 0; i < bucket.length; i++) {
            const cl = closureOf(bucket[i]);
            for (let j = 0; j < cl.length; j++) {
              const w = cl[j];
              if (seen[w] === seenStamp || (isBase && inBase[w])) continue;
              seen[w] = seenStamp;
              targets.push(w);
            }
          }
          t = intern(isBase, targets);
          if (onlyBase) baseOnly[c] = t;
        }
        bucket.length = 0;
      }
      next[s * K + c] = t;
    }
  }

  return { classMap, classCount: K, stateCount: stateBase.length, start: 0, next, emitAnywhere, emitAtEnd };
}
