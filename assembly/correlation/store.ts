// Per-correlation state: one fixed-size entry per group key, found by a
// 64-bit key hash in an open-addressing index, kept in least-recently-used
// order. At `capacity` keys the least recently used one is evicted (and
// counted), so memory plateaus at the cap whatever the traffic. Entries live
// in chunks of CHUNK allocated as keys arrive: idle rules cost little, and
// growing never copies (a doubling realloc would leave the old blocks behind
// in linear memory, which never shrinks).
//
// Entry layout (bytes): 0 hash u64 | 8 prev i32 | 12 next i32 |
//   16 last alert ms i64 | 24 first event ms i64 | 32.. payload of the type.
export const HEADER = 32;
const EMPTY: i32 = -1;
const NEVER: i64 = i64.MIN_VALUE;
const CHUNK_BITS = 10;
const CHUNK: i32 = 1 << CHUNK_BITS;

export class Store {
  chunks: usize[] = [];
  allocated: i32 = 0;
  used: i32 = 0;
  head: i32 = EMPTY; // most recently used
  tail: i32 = EMPTY; // least recently used
  free: i32 = EMPTY; // freed entries, chained through `next`
  index: StaticArray<i32>;
  mask: i32;
  evictions: i64 = 0;
  entrySize: i32;

  constructor(public capacity: i32, payload: i32) {
    this.entrySize = (HEADER + payload + 7) & ~7;
    let size = 16;
    while (size < capacity * 2) size <<= 1;
    this.index = new StaticArray<i32>(size);
    for (let i = 0; i < size; i++) unchecked((this.index[i] = EMPTY));
    this.mask = size - 1;
  }

  @inline at(entry: i32): usize {
    return unchecked(this.chunks[entry >> CHUNK_BITS]) + <usize>(entry & (CHUNK - 1)) * <usize>this.entrySize;
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
      if (load<u64>(this.at(e)) == hash) return e;
      i = (i + 1) & this.mask;
    }
  }

  /** The entry for `hash`, created (zeroed payload) and marked most recent. `created` tells which. */
  created: bool = false;
  touch(hash: u64): i32 {
    let e = this.find(hash);
    this.created = e == EMPTY;
    if (e == EMPTY) {
      e = this.allocate();
      const p = this.at(e);
      memory.fill(p, 0, <usize>this.entrySize);
      store<u64>(p, hash);
      store<i64>(p, NEVER, 16);
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
      this.free = load<i32>(this.at(e), 12);
      return e;
    }
    if (this.used >= this.capacity) {
      const victim = this.tail;
      this.remove(victim);
      this.evictions++;
      const e = this.free;
      this.free = load<i32>(this.at(e), 12);
      return e;
    }
    if ((this.allocated & (CHUNK - 1)) == 0) {
      // A new chunk, sized down for a small capacity.
      const left = this.capacity - this.allocated;
      const count = left < CHUNK ? left : CHUNK;
      this.chunks.push(heap.alloc(<usize>count * <usize>this.entrySize));
    }
    return this.allocated++;
  }


  /** Removes an entry: unlinks it, deletes it from the index (backward shift) and frees it. */
  remove(e: i32): void {
    this.unlink(e);
    const hash = load<u64>(this.at(e));
    let i = this.slotOf(hash);
    while (unchecked(this.index[i]) != e) i = (i + 1) & this.mask;
    // Backward-shift deletion keeps probe chains intact without tombstones.
    let j = i;
    while (true) {
      j = (j + 1) & this.mask;
      const f = unchecked(this.index[j]);
      if (f == EMPTY) break;
      const home = this.slotOf(load<u64>(this.at(f)));
      // Move f back to i if its home is not in the cyclic range (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        unchecked((this.index[i] = f));
        i = j;
      }
    }
    unchecked((this.index[i] = EMPTY));
    store<i32>(this.at(e), this.free, 12);
    this.free = e;
    this.used--;
  }

  private unlink(e: i32): void {
    const p = this.at(e);
    const prev = load<i32>(p, 8);
    const next = load<i32>(p, 12);
    if (prev != EMPTY) store<i32>(this.at(prev), next, 12);
    else this.head = next;
    if (next != EMPTY) store<i32>(this.at(next), prev, 8);
    else this.tail = prev;
  }

  private pushFront(e: i32): void {
    const p = this.at(e);
    store<i32>(p, EMPTY, 8);
    store<i32>(p, this.head, 12);
    if (this.head != EMPTY) store<i32>(this.at(this.head), e, 8);
    this.head = e;
    if (this.tail == EMPTY) this.tail = e;
  }
}
