// The top-level members of a record that the rules read, by key index: what
// kind of value, and where its bytes are. Fields tripline reads out of a raw
// line (or derives from the request target) are added here too, marked so
// later stages know where their bytes live.

export const enum Kind {
  Absent = 0,
  String = 1,
  Number = 2,
  True = 3,
  False = 4,
  Null = 5,
  Object = 6,
  Array = 7,
  /** Bytes already decoded: no quotes, no escapes (raw-line fields, derived fields, constants). */
  Text = 8,
}

/** Flags above the kind. */
export const ESCAPED: u32 = 0x10; // a JSON string holding escapes: decoded when read
export const IN_LINE: u32 = 0x20; // Text inside the decoded raw line (redaction rewrites the line)
export const IN_RECORD: u32 = 0x40; // Text that is a slice of a string member of the record itself
const KIND_MASK: u32 = 0x0f;

/**
 * A key's bit in `Members.present`: keys above 63 share bits, so a set bit
 * means "maybe present" and a clear one "surely absent".
 */
@inline export function keyBit(key: i32): u64 {
  return <u64>1 << (<u64>key & 63);
}

@unmanaged class ValueSpan {
  start: usize;
  end: usize;
}

const SPAN_BYTES = offsetof<ValueSpan>();

export class Members {
  private kinds: usize;
  private spans: usize;
  /** keyBit of every key set since `clear`: lets a stage skip fields the record cannot have with one AND. */
  present: u64 = 0;

  constructor(public count: i32) {
    this.kinds = heap.alloc(<usize>max(count, 1));
    this.spans = heap.alloc(<usize>max(count, 1) * SPAN_BYTES);
    this.clear();
  }

  @inline clear(): void {
    this.present = 0;
    memory.fill(this.kinds, 0, <usize>this.count);
  }

  @inline kind(key: i32): u32 {
    return <u32>load<u8>(this.kinds + <usize>key) & KIND_MASK;
  }

  @inline flags(key: i32): u32 {
    return <u32>load<u8>(this.kinds + <usize>key) & ~KIND_MASK;
  }

  /** Whether a key among `bits` (keyBit values) may be present; false: surely none is. */
  @inline mayHave(bits: u64): bool {
    return (this.present & bits) != 0;
  }

  /** Present with a value a test can read (null counts as absent, as in Sigma). */
  @inline has(key: i32): bool {
    const k = this.kind(key);
    return k != Kind.Absent && k != Kind.Null;
  }

  @inline start(key: i32): usize {
    return changetype<ValueSpan>(this.spans + <usize>key * SPAN_BYTES).start;
  }

  @inline end(key: i32): usize {
    return changetype<ValueSpan>(this.spans + <usize>key * SPAN_BYTES).end;
  }

  @inline set(key: i32, kindAndFlags: u32, start: usize, end: usize): void {
    store<u8>(this.kinds + <usize>key, <u8>kindAndFlags);
    this.present |= keyBit(key);
    const s = changetype<ValueSpan>(this.spans + <usize>key * SPAN_BYTES);
    s.start = start;
    s.end = end;
  }

  /** Sets `key` to Text bytes unless the record already has it. */
  @inline fill(key: i32, p: usize, len: i32, flags: u32): void {
    if (key >= 0 && this.kind(key) == Kind.Absent) this.set(key, Kind.Text | flags, p, p + <usize>len);
  }

  /** Makes `key` read exactly as `from` does (same bytes, same decoding). */
  alias(key: i32, from: i32): void {
    if (key < 0 || this.kind(key) != Kind.Absent) return;
    store<u8>(this.kinds + <usize>key, load<u8>(this.kinds + <usize>from));
    this.present |= keyBit(key);
    const s = changetype<ValueSpan>(this.spans + <usize>key * SPAN_BYTES);
    s.start = this.start(from);
    s.end = this.end(from);
  }

  /** Copies every member `other` has and this lacks (a JSON line's members into its record). */
  adopt(other: Members, owned: StaticArray<bool>): void {
    for (let k = 0; k < this.count; k++) {
      if (this.kind(k) != Kind.Absent || other.kind(k) == Kind.Absent || unchecked(owned[k])) continue;
      store<u8>(this.kinds + <usize>k, <u8>(load<u8>(other.kinds + <usize>k) | <u8>IN_LINE));
      this.present |= keyBit(k);
      const s = changetype<ValueSpan>(this.spans + <usize>k * SPAN_BYTES);
      s.start = other.start(k);
      s.end = other.end(k);
    }
  }
}
