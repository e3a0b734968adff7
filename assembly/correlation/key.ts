// The group key of a record for one correlation: a seeded 64-bit hash of
// the group-by values. Keys are kept as hashes only; the seed (`tripline
// build --seed`, else derived from the rules) keeps colliding keys from
// being prepared offline against a published module.
import { hashBytes, mix64 } from "../runtime/hash";
import { Record } from "../record/record";
import { Slot, FieldReader } from "../fields/reader";
import { FieldValue } from "../fields/value";

export class GroupKey {
  hash: u64 = 0;
  /** At least one group-by value was present (or the correlation has none: one global key). */
  present: bool = false;
}

export function groupKey(seed: u64, slots: StaticArray<Slot>, fields: FieldReader, record: Record, value: FieldValue, out: GroupKey): void {
  let h: u64 = 0xcbf29ce484222325 ^ seed;
  out.present = slots.length == 0;
  for (let k = 0, length = slots.length; k < length; k++) {
    if (fields.read(unchecked(slots[k]), record, value)) {
      out.present = true;
      h = hashBytes(h, value.ptr, value.len);
    }
    h = mix64(h ^ 0x1f); // field separator: ("ab","c") != ("a","bc")
  }
  out.hash = mix64(h);
}
