// The set of top-level record keys the rules read, as an open-addressing hash
// table built once from the program. Lookup compares raw key bytes.
import { Span } from "../program/reader";

export class KeyTable {
  private slots: StaticArray<i32>; // key index + 1, 0 = empty
  private mask: u32;

  constructor(public keys: Span[]) {
    let size: i32 = 8;
    while (size < keys.length * 2) size <<= 1;
    this.slots = new StaticArray<i32>(size);
    this.mask = <u32>(size - 1);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      let h = hashBytes(k.ptr, k.len) & this.mask;
      while (this.slots[h] != 0) h = (h + 1) & this.mask;
      this.slots[h] = i + 1;
    }
  }

  /** Index of the key with these bytes, or -1. */
  find(ptr: usize, len: i32): i32 {
    let h = hashBytes(ptr, len) & this.mask;
    while (true) {
      const entry = unchecked(this.slots[h]);
      if (entry == 0) return -1;
      const k = unchecked(this.keys[entry - 1]);
      if (k.len == len && memory.compare(k.ptr, ptr, <usize>len) == 0) return entry - 1;
      h = (h + 1) & this.mask;
    }
  }
}

/** FNV-1a over bytes. */
export function hashBytes(ptr: usize, len: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < len; i++) {
    h = (h ^ <u32>load<u8>(ptr + <usize>i)) * 16777619;
  }
  return h;
}
