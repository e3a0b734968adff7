// Per-correlation state: one fixed-size entry per group key, found by a
// 64-bit key hash in an open-addressing index, kept in least-recently-used
// order. At `capacity` keys the least recently used one is evicted (and
// counted), so memory plateaus at the cap whatever the traffic. Entries live
// in chunks allocated as keys arrive: idle rules cost little, and growing
// never copies (a doubling realloc would leave the old blocks behind in
// linear memory, which never shrinks).
import { STORE_HEADER_BYTES, STORE_CHUNK_BITS } from "../runtime/schema";

/** The header of every entry; the type's payload follows at STORE_HEADER_BYTES. */
@unmanaged export class Entry {
  hash: u64;
  prev: i32;
  next: i32;
  /** When the key last alerted (ms), or NEVER. */
  lastAlert: i64;
  /** When the key was first seen (ms). */
  firstSeen: i64;
}

export const NEVER: i64 = i64.MIN_VALUE;
const EMPTY: i32 = -1;
const CHUNK: i32 = 1 << STORE_CHUNK_BITS;

export class Store {
  private chunks: StaticArray<usize>;
  private allocated: i32 = 0;
  used: i32 = 0;
  private head: i32 = EMPTY; // most recently used
  private tail: i32 = EMPTY; // least recently used
  private free: i32 = EMPTY; // freed entries, chained through `next`
  private index: StaticArray<i32>;
  private mask: i32 = 0;
  /** Slots of the index once the first key arrives (twice the capacity, a power of two). */
  private indexSize: i32;
  evictions: i64 = 0;
  entrySize: i32;
  /** Whether the last touch created the entry. */
  created: bool = false;

  constructor(public capacity: i32, payload: i32) {
    this.chunks = new StaticArray<usize>((capacity + CHUNK - 1) >> STORE_CHUNK_BITS);
    this.entrySize = (STORE_HEADER_BYTES + payload + 7) & ~7;
    let size = 16;
    while (size < capacity * 2) size <<= 1;
    this.indexSize = size;
    // Until the first key, a one-slot index that says "absent": a correlation no
    // record feeds costs no index memory, and the module starts without filling it.
    this.index = new StaticArray<i32>(1);
    unchecked((this.index[0] = EMPTY));
  }

  /** The full index, when the first key arrives (the store is empty then: nothing to move). */
  private openIndex(): void {
    const size = this.indexSize;
    this.index = new StaticArray<i32>(size);
    // EMPTY is -1: every byte 0xff (one bulk fill, not a loop).
    memory.fill(changetype<usize>(this.index), 0xff, <usize>size << 2);
    this.mask = size - 1;
  }

  @inline at(entry: i32): usize {
    return unchecked(this.chunks[entry >> STORE_CHUNK_BITS]) + <usize>(entry & (CHUNK - 1)) * <usize>this.entrySize;
  }

  @inline payload(entry: i32): usize {
    return this.at(entry) + STORE_HEADER_BYTES;
  }

  private slotOf(hash: u64): i32 {
    return <i32>(hash ^ (hash >> 32)) & this.mask;
  }

  /** The entry for `hash`, or -1. */
  find(hash: u64): i32 {
    let i = this.slotOf(hash);
    while (true) {
      const e = unchecked(this.index[i]);
      if (e == EMPTY) return EMPTY;
      if (changetype<Entry>(this.at(e)).hash == hash) return e;
      i = (i + 1) & this.mask;
    }
  }

  /** The entry for `hash`, created (zeroed payload) when new, and marked most recently used. */
  touch(hash: u64, now: i64): i32 {
    // The most recent key again (a correlation without group-by has only that one): nothing to find or move.
    const head = this.head;
    if (head != EMPTY && changetype<Entry>(this.at(head)).hash == hash) {
      this.created = false;
      return head;
    }
    let e = this.find(hash);
    this.created = e == EMPTY;
    if (e == EMPTY) {
      if (this.mask == 0) this.openIndex();
      e = this.allocate();
      const p = this.at(e);
      memory.fill(p, 0, <usize>this.entrySize);
      const entry = changetype<Entry>(p);
      entry.hash = hash;
      entry.lastAlert = NEVER;
      entry.firstSeen = now;
      let i = this.slotOf(hash);
      while (unchecked(this.index[i]) != EMPTY) i = (i + 1) & this.mask;
      unchecked((this.index[i] = e));
      this.used++;
    } else {
      this.unlink(e);
    }
    this.pushFront(e);
    return e;
  }

  private allocate(): i32 {
    if (this.free != EMPTY) {
      const e = this.free;
      this.free = changetype<Entry>(this.at(e)).next;
      return e;
    }
    if (this.used >= this.capacity) {
      this.remove(this.tail);
      this.evictions++;
      const e = this.free;
      this.free = changetype<Entry>(this.at(e)).next;
      return e;
    }
    if ((this.allocated & (CHUNK - 1)) == 0) {
      // A new chunk, sized down for a small capacity.
      const left = this.capacity - this.allocated;
      const count = left < CHUNK ? left : CHUNK;
      unchecked((this.chunks[this.allocated >> STORE_CHUNK_BITS] = heap.alloc(<usize>count * <usize>this.entrySize)));
    }
    return this.allocated++;
  }

  /** Removes an entry: unlinks it, deletes it from the index (backward shift) and frees it. */
  private remove(e: i32): void {
    this.unlink(e);
    let i = this.slotOf(changetype<Entry>(this.at(e)).hash);
    while (unchecked(this.index[i]) != e) i = (i + 1) & this.mask;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let j = i;
    while (true) {
      j = (j + 1) & this.mask;
      const f = unchecked(this.index[j]);
      if (f == EMPTY) break;
      const home = this.slotOf(changetype<Entry>(this.at(f)).hash);
      // Move f back to i if its home is not in the cyclic range (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        unchecked((this.index[i] = f));
        i = j;
      }
    }
    unchecked((this.index[i] = EMPTY));
    changetype<Entry>(this.at(e)).next = this.free;
    this.free = e;
    this.used--;
  }

  private unlink(e: i32): void {
    const entry = changetype<Entry>(this.at(e));
    const prev = entry.prev;
    const next = entry.next;
    if (prev != EMPTY) changetype<Entry>(this.at(prev)).next = next;
    else this.head = next;
    if (next != EMPTY) changetype<Entry>(this.at(next)).prev = prev;
    else this.tail = prev;
  }

  private pushFront(e: i32): void {
    const entry = changetype<Entry>(this.at(e));
    entry.prev = EMPTY;
    entry.next = this.head;
    if (this.head != EMPTY) changetype<Entry>(this.at(this.head)).prev = e;
    this.head = e;
    if (this.tail == EMPTY) this.tail = e;
  }
}
