// The group key of a record for one correlation: a seeded 64-bit hash of the
// group-by values (FNV-1a, then a murmur finalizer so every bit of the index
// depends on every byte). The seed is chosen per build, so colliding keys
// cannot be prepared offline against every tripline module.
import { Slot, readSlot, valuePtr, valueLen } from "../fields/slot";
import { Scan } from "../record/scan";

export function mix64(h: u64): u64 {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >> 33;
  return h;
}

export function hashValue(h: u64, p: usize, len: i32): u64 {
  for (let i = 0; i < len; i++) h = (h ^ <u64>load<u8>(p + <usize>i)) * 0x100000001b3;
  return h;
}

/** Whether the last groupHash call found at least one group-by value. */
export let groupPresent = false;

export function groupHash(seed: u64, slots: StaticArray<i32>, all: Slot[], scan: Scan): u64 {
  let h: u64 = 0xcbf29ce484222325 ^ seed;
  groupPresent = slots.length == 0;
  for (let k = 0; k < slots.length; k++) {
    if (readSlot(unchecked(all[unchecked(slots[k])]), scan)) {
      groupPresent = true;
      h = hashValue(h, valuePtr, valueLen);
    }
    h = (h ^ 0x1f) * 0x100000001b3; // field separator: ("ab","c") != ("a","bc")
  }
  return mix64(h);
}
