// The record keys the rules read, as an open-addressing table built once
// from the program. Every top-level key of every record is looked up, so a
// lookup is a few word operations: a key length no rule uses is rejected at
// once, and the hash reads at most two 8-byte words of the key. Key bytes
// lie in buffers with 8 bytes of slack (record, line, program), so a short
// key is read as one masked word.
import { Span, sameBytes } from "../runtime/span";
import { wordHash as keyHash } from "../runtime/hash";

export class KeyTable {
  private slots: StaticArray<i32>; // key index + 1, 0 = empty
  private mask: u32;
  /** Bit n set when some key is n bytes long (bit 63: 63 bytes or more). */
  private lengths: u64 = 0;

  constructor(public keys: StaticArray<Span>) {
    let size: i32 = 16;
    while (size < keys.length * 4) size <<= 1;
    this.slots = new StaticArray<i32>(size);
    this.mask = <u32>(size - 1);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      this.lengths |= <u64>1 << <u64>min(k.len, 63);
      let h = keyHash(k.ptr, k.len) & this.mask;
      while (this.slots[h] != 0) h = (h + 1) & this.mask;
      this.slots[h] = i + 1;
    }
  }

  @inline get count(): i32 {
    return this.keys.length;
  }

  /** Index of the key with these bytes, or -1. Inlined: it runs for every member of every record. */
  @inline find(ptr: usize, len: i32): i32 {
    if (((this.lengths >> <u64>min(len, 63)) & 1) == 0) return -1;
    let h = keyHash(ptr, len) & this.mask;
    while (true) {
      const entry = unchecked(this.slots[h]);
      if (entry == 0) return -1;
      const k = unchecked(this.keys[entry - 1]);
      if (k.len == len && sameBytes(k.ptr, ptr, len)) return entry - 1;
      h = (h + 1) & this.mask;
    }
  }
}
