// Remembers, per tested field, which predicates its automata fired for a
// recent value. Logs repeat themselves: the same user agents, referers and
// paths come back record after record, and under WAMR's interpreter
// checking a remembered value (a hash of four words and one compare, 8 bytes
// a step) costs a fraction of running every automaton over it byte by byte
// (on the bench's access log the automata ran over about 215 bytes per
// record, half of them the user agent).
//
// Direct-mapped and fixed in size: a value takes the slot its hash names,
// replacing what was there. The result is a pure function of the value and
// the record's formats (which automata apply), so a remembered answer is
// exactly what running the automata again would give.
import { leadingBytes } from "../runtime/swar";
import { samePadded } from "../runtime/span";
import { Fired } from "./fired";

/** Values longer than this are matched directly (rare, and costly to keep). */
const LONGEST = 256;
/** Predicate ids one entry keeps; a value that fired more is not remembered. */
const MOST_FIRED = 16;
const ENTRIES = 128;

@unmanaged class Entry {
  /** -1: empty. */
  length: i32;
  formats: u32;
  fired: i32;
  unused: i32;
}

const HEADER = offsetof<Entry>();
const STRIDE = HEADER + <usize>LONGEST + <usize>MOST_FIRED * 4;

@inline function valueOf(e: usize): usize {
  return e + HEADER;
}

@inline function idsOf(e: usize): usize {
  return e + HEADER + <usize>LONGEST;
}

/** The value's entry: from its length and its first, middle and last 8 bytes (it lies in a buffer with 8 bytes of slack). */
@inline function bucket(p: usize, len: i32): u32 {
  let h = (<u64>len * 0x9e3779b97f4a7c15) ^ (leadingBytes(p, len) * 0xc2b2ae3d27d4eb4f);
  if (len > 8) h ^= load<u64>(p + <usize>(len - 8)) * 0xff51afd7ed558ccd;
  if (len >= 16) h ^= load<u64>(p + <usize>((len >> 1) - 4)) * 0x165667b19e3779f9;
  return <u32>(h >> 57); // ENTRIES = 128 = 2^7
}

export class MatchMemo {
  private entries: usize;
  private pending: usize = 0;

  constructor() {
    this.entries = heap.alloc(STRIDE * ENTRIES);
    for (let k: usize = 0; k < <usize>ENTRIES; k++) changetype<Entry>(this.entries + k * STRIDE).length = -1;
  }

  /**
   * Sets the predicates remembered for this value and returns true, or
   * returns false and notes the value, so `remember` can keep what the
   * automata fire for it.
   */
  recall(p: usize, len: i32, formats: u32, fired: Fired): bool {
    this.pending = 0;
    if (len > LONGEST) return false;
    const e = this.entries + <usize>bucket(p, len) * STRIDE;
    const entry = changetype<Entry>(e);
    if (entry.length == len && entry.formats == formats && samePadded(valueOf(e), p, len)) {
      const ids = idsOf(e);
      for (let k = 0; k < entry.fired; k++) fired.set(load<i32>(ids + (<usize>k << 2)));
      return true;
    }
    this.pending = e;
    return false;
  }

  /** Keeps what the automata fired since `from` (fired.count before they ran) for the value `recall` just missed. */
  remember(p: usize, len: i32, formats: u32, fired: Fired, from: i32): void {
    const e = this.pending;
    if (e == 0) return;
    const entry = changetype<Entry>(e);
    const n = fired.count - from;
    if (n > MOST_FIRED) {
      entry.length = -1;
      return;
    }
    entry.length = len;
    entry.formats = formats;
    entry.fired = n;
    memory.copy(valueOf(e), p, <usize>len);
    const ids = idsOf(e);
    for (let k = 0; k < n; k++) store<i32>(ids + (<usize>k << 2), unchecked(fired.list[from + k]));
  }
}
