// The labelled NFA that all patterns of one field are compiled into.
//
// Edges are of four kinds:
//   - char:   consumes one byte of a ByteSet;
//   - eps:    consumes nothing;
//   - start:  consumes nothing, usable only at input position 0 (`^`);
//   - end:    consumes nothing, usable only at the end of the input (`$`);
//   - word / nonWord: consume nothing, usable only at a word boundary (`\b`)
//     or away from one (`\B`). They depend on the bytes on both sides, so
//     word.ts rewrites an NFA that has them into one without them before
//     determinization (tracking whether the previous byte was a word byte).
// A node may be final for one label (finalOf). A unit's patterns hang off a
// root node with a self-loop on every byte, which gives search semantics;
// anchored patterns reach their body only through start edges.

import type { ByteSet } from "./bytes.js";

/** Thrown when the NFA would grow past its node budget. */
export class NfaTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`NFA node budget of ${limit} exceeded`);
  }
}

/** A piece of NFA with one entry and one exit node. */
export interface Frag {
  in: number;
  out: number;
}

export class Nfa {
  readonly eps: number[][] = [];
  readonly charSet: ByteSet[][] = [];
  readonly charTo: number[][] = [];
  readonly startTo: number[][] = [];
  readonly endTo: number[][] = [];
  readonly wordTo: number[][] = [];
  readonly nonWordTo: number[][] = [];
  /** Whether any word or non-word edge was added. */
  hasWordEdges = false;
  /** Pattern id for final nodes, -1 otherwise. */
  readonly finalOf: number[] = [];
  /** Node creation throws NfaTooLarge beyond this count. */
  limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.finalOf.length;
  }

  node(): number {
    const n = this.finalOf.length;
    if (n >= this.limit) throw new NfaTooLarge(this.limit);
    this.eps.push([]);
    this.charSet.push([]);
    this.charTo.push([]);
    this.startTo.push([]);
    this.endTo.push([]);
    this.wordTo.push([]);
    this.nonWordTo.push([]);
    this.finalOf.push(-1);
    return n;
  }

  epsilon(from: number, to: number): void {
    this.eps[from].push(to);
  }

  char(from: number, set: ByteSet, to: number): void {
    this.charSet[from].push(set);
    this.charTo[from].push(to);
  }

  anchorStart(from: number, to: number): void {
    this.startTo[from].push(to);
  }

  anchorEnd(from: number, to: number): void {
    this.endTo[from].push(to);
  }

  /** `\b` (negate false) or `\B` (negate true) from `from` to `to`. */
  wordEdge(from: number, to: number, negate: boolean): void {
    (negate ? this.nonWordTo : this.wordTo)[from].push(to);
    this.hasWordEdges = true;
  }

  // --- fragment helpers -------------------------------------------------

  /** Matches the empty string. */
  empty(): Frag {
    const n = this.node();
    return { in: n, out: n };
  }

  /** Matches one byte of `set`. */
  one(set: ByteSet): Frag {
    const a = this.node();
    const b = this.node();
    this.char(a, set, b);
    return { in: a, out: b };
  }

  /** Matches the given sequence of byte sets. */
  sequence(sets: ByteSet[]): Frag {
    const first = this.node();
    let cur = first;
    for (const s of sets) {
      const n = this.node();
      this.char(cur, s, n);
      cur = n;
    }
    return { in: first, out: cur };
  }

  concat(parts: Frag[]): Frag {
    if (parts.length === 0) return this.empty();
    for (let i = 1; i < parts.length; i++) this.epsilon(parts[i - 1].out, parts[i].in);
    return { in: parts[0].in, out: parts[parts.length - 1].out };
  }

  alternate(parts: Frag[]): Frag {
    if (parts.length === 1) return parts[0];
    const a = this.node();
    const b = this.node();
    for (const p of parts) {
      this.epsilon(a, p.in);
      this.epsilon(p.out, b);
    }
    return { in: a, out: b };
  }

  /**
   * `min` to `max` (possibly Infinity) repetitions; `make` builds one fresh
   * copy of the repeated fragment each time it is called.
   */
  repeat(make: () => Frag, min: number, max: number): Frag {
    const parts: Frag[] = [];
    for (let i = 0; i < min; i++) parts.push(make());
    if (max === Infinity) {
      const loop = this.node();
      const body = make();
      this.epsilon(loop, body.in);
      this.epsilon(body.out, loop);
      parts.push({ in: loop, out: loop });
    } else if (max > min) {
      // Nested optionals: (x(x(x)?)?)? with a shared exit.
      const exit = this.node();
      const entry = this.node();
      let cur = entry;
      for (let i = min; i < max; i++) {
        const body = make();
        this.epsilon(cur, exit);
        this.epsilon(cur, body.in);
        cur = body.out;
      }
      this.epsilon(cur, exit);
      parts.push({ in: entry, out: exit });
    }
    return this.concat(parts);
  }

  anchoredStart(): Frag {
    const a = this.node();
    const b = this.node();
    this.anchorStart(a, b);
    return { in: a, out: b };
  }

  wordBoundary(negate: boolean): Frag {
    const a = this.node();
    const b = this.node();
    this.wordEdge(a, b, negate);
    return { in: a, out: b };
  }

  anchoredEnd(): Frag {
    const a = this.node();
    const b = this.node();
    this.anchorEnd(a, b);
    return { in: a, out: b };
  }
}
