// Validates a record as one strict RFC 8259 JSON object and notes where each
// top-level value the rules need lies. Nested values are skipped with an
// explicit container stack, so 10,000 levels of nesting cost memory, not the
// 8 KiB wasm stack. Bytes >= 0x80 inside strings pass unchecked: refusing
// invalid UTF-8 would let one stray byte hide a payload from detection.
//
// Speed matters here more than anywhere (every byte of every record passes
// through): strings are skipped 8 bytes per step, jumping straight to the
// first quote, backslash or control byte.
import { Bytes } from "../runtime/bytes";
import { ONES, HIGHS, repeated, leadingBytes } from "../runtime/swar";
import { CharCode, isDigit, isJsonSpace, hexValue } from "../runtime/ascii";
import { KeyTable } from "./keys";
import { Members, Kind, ESCAPED } from "./members";
import { unescapeJson } from "./unescape";

/**
 * A high bit in each byte of `v` that is below 0x20, a quote or a backslash.
 * XOR 0x02 maps the quote (0x22) to 0x20 and keeps every byte below 0x20
 * below it, while no other byte lands below 0x21: one less-than test covers
 * both (10 operations instead of 14). Borrows can flag a byte above a true
 * one, never below it, so the lowest flag is exact.
 */
@inline function special8(v: u64): u64 {
  const q = v ^ repeated(0x02);
  const b = v ^ repeated(CharCode.Backslash);
  return (((q - repeated(0x21)) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

/** What the scan learned about one record besides its members. */
export class ObjectShape {
  /** Offset of the closing brace of the top-level object. */
  closeAt: i32 = 0;
  /** Top-level members, wanted or not. */
  count: i32 = 0;
  /**
   * Members named like the ones tripline writes (namespace, alert field),
   * every occurrence in record order, as (key offset, value end offset) pairs.
   */
  owned: Bytes = new Bytes(64);
}

/** Members whose key the scanner remembers by position (records of one source keep their key order). */
const REMEMBERED = 32;

/** The key seen at one member position: its first and last 8 bytes (masked), length and table index. */
@unmanaged class RememberedKey {
  first: u64;
  last: u64;
  length: i32;
  /** Index in the key table; -1: a key no rule reads. */
  key: i32;
}

const REMEMBERED_BYTES = offsetof<RememberedKey>();

export class ObjectScanner {
  private stack: Bytes = new Bytes(64);
  private keyBuffer: Bytes = new Bytes(64);
  private hadEscape: bool = false;
  // The key at each member position of the previous record. A record from
  // the same parser has the same keys in the same order, so most keys are
  // recognised by one quote test and two word compares (sameKeyEnd), with
  // neither a string scan nor a lookup.
  private remembered: usize = heap.alloc(REMEMBERED_BYTES * REMEMBERED);

  /** `owned`: per key, whether tripline writes it (the namespace, the route fields); null: none. */
  constructor(public keys: KeyTable, public owned: StaticArray<bool> | null) {
    for (let n = 0; n < REMEMBERED; n++) this.seenAt(n).length = -1;
  }

  /** Scans the object at `p`; false when it is not exactly one valid JSON object. */
  scan(p: usize, len: i32, members: Members, shape: ObjectShape): bool {
    members.clear();
    shape.count = 0;
    shape.owned.reset();
    let i = skipSpace(p, 0, len);
    if (i >= len || load<u8>(p + <usize>i) != CharCode.OpenBrace) return false;
    i = skipSpace(p, i + 1, len);
    if (i < len && load<u8>(p + <usize>i) == CharCode.CloseBrace) return this.close(p, i, len, shape);
    while (true) {
      if (i >= len || load<u8>(p + <usize>i) != CharCode.Quote) return false;
      const keyAt = i;
      // The key this position had in the last record, when it is the same: no scan, no lookup.
      let keyEnd = this.sameKeyEnd(shape.count, p, i, len);
      let key: i32;
      if (keyEnd > 0) {
        key = this.seenAt(shape.count).key;
      } else {
        keyEnd = this.skipString(p, i, len);
        if (keyEnd < 0) return false;
        key = this.hadEscape ? this.findEscaped(p + <usize>(i + 1), keyEnd - i - 2) : this.findAndRemember(shape.count, p + <usize>(i + 1), keyEnd - i - 2);
      }
      shape.count++;
      // Fluent Bit writes compact JSON: the colon right after the key, the value right after it.
      if (keyEnd < len && load<u8>(p + <usize>keyEnd) == CharCode.Colon) {
        i = keyEnd + 1;
      } else {
        i = skipSpace(p, keyEnd, len);
        if (i >= len || load<u8>(p + <usize>i) != CharCode.Colon) return false;
        i++;
      }
      if (i < len && <u32>load<u8>(p + <usize>i) <= <u32>CharCode.Space) i = skipSpace(p, i, len);
      if (i >= len) return false;
      const valueAt = i;
      const c = <u32>load<u8>(p + <usize>i);
      let end: i32;
      let kind: u32;
      if (c == CharCode.Quote) {
        end = this.skipString(p, i, len);
        kind = this.hadEscape ? Kind.String | ESCAPED : Kind.String;
      } else if (c == CharCode.OpenBrace || c == CharCode.OpenBracket) {
        end = this.skipNested(p, i, len);
        kind = c == CharCode.OpenBrace ? Kind.Object : Kind.Array;
      } else {
        end = skipScalar(p, i, len);
        kind = c == CharCode.LowerT ? Kind.True : c == CharCode.LowerF ? Kind.False : c == CharCode.LowerN ? Kind.Null : Kind.Number;
      }
      if (end < 0) return false;
      if (key >= 0) {
        const owned = this.owned;
        if (owned != null && unchecked(owned[key])) {
          shape.owned.reserve(8);
          store<i32>(shape.owned.end, keyAt);
          store<i32>(shape.owned.end, end, 4);
          shape.owned.length += 8;
        }
        members.set(key, kind, p + <usize>valueAt, p + <usize>end);
      }
      // Compact JSON again: the comma or the closing brace right after the value.
      const next = end < len ? <u32>load<u8>(p + <usize>end) : 0;
      if (next == CharCode.Comma) {
        i = end + 1;
      } else if (next == CharCode.CloseBrace) {
        return this.close(p, end, len, shape);
      } else {
        i = skipSpace(p, end, len);
        if (i >= len) return false;
        const sep = load<u8>(p + <usize>i);
        if (sep == CharCode.CloseBrace) return this.close(p, i, len, shape);
        if (sep != CharCode.Comma) return false;
        i++;
      }
      if (i < len && <u32>load<u8>(p + <usize>i) <= <u32>CharCode.Space) i = skipSpace(p, i, len);
    }
  }

  private close(p: usize, at: i32, len: i32, shape: ObjectShape): bool {
    shape.closeAt = at;
    return skipSpace(p, at + 1, len) == len;
  }

  @inline private seenAt(n: i32): RememberedKey {
    return changetype<RememberedKey>(this.remembered + <usize>n * REMEMBERED_BYTES);
  }

  /**
   * Where the key string starting at `at` ends (past its quote) when it has
   * exactly the bytes remembered for member position `n`, else -1. Those
   * bytes were validated when remembered (no quote, backslash or control
   * byte), and a remembered key is at most 16 bytes, so its first and last
   * words cover all of it.
   */
  @inline private sameKeyEnd(n: i32, p: usize, at: i32, len: i32): i32 {
    if (n >= REMEMBERED) return -1;
    const seen = this.seenAt(n);
    const keyLen = seen.length;
    if (keyLen < 0) return -1; // nothing remembered at this position
    const end = at + 1 + keyLen;
    if (end >= len || load<u8>(p + <usize>end) != CharCode.Quote) return -1;
    const ptr = p + <usize>(at + 1);
    if (leadingBytes(ptr, keyLen) != seen.first) return -1;
    if ((keyLen > 8 ? load<u64>(ptr + <usize>(keyLen - 8)) : 0) != seen.last) return -1;
    return end + 1;
  }

  /** The table index of a key `sameKeyEnd` did not recognise; a short one is remembered for member position `n`. */
  @inline private findAndRemember(n: i32, ptr: usize, len: i32): i32 {
    const key = this.keys.find(ptr, len);
    if (n >= REMEMBERED || len > 16) return key;
    // Keys lie in buffers with 8 bytes of slack: a short key reads as one masked word.
    const seen = this.seenAt(n);
    seen.key = key;
    seen.length = len;
    seen.first = leadingBytes(ptr, len);
    seen.last = len > 8 ? load<u64>(ptr + <usize>(len - 8)) : 0;
    return key;
  }

  /** A key written with escapes (`"\u0070ath"`): decoded, then looked up. Rare. */
  private findEscaped(p: usize, len: i32): i32 {
    this.keyBuffer.reset();
    unescapeJson(p, len, this.keyBuffer);
    return this.keys.find(this.keyBuffer.ptr, this.keyBuffer.length);
  }

  /** The offset just past the string starting at `at` (its quote), or -1. Inlined: it runs twice per member. */
  @inline skipString(p: usize, at: i32, len: i32): i32 {
    let i = at + 1;
    this.hadEscape = false;
    while (true) {
      // Buffers carry 8 bytes of slack, so a load may start at any byte before `len`.
      while (i < len) {
        const m = special8(load<u64>(p + <usize>i));
        if (m != 0) {
          i += <i32>(ctz(m) >> 3);
          break;
        }
        i += 8;
      }
      if (i >= len) return -1;
      const c = <u32>load<u8>(p + <usize>i);
      if (c == CharCode.Quote) return i + 1;
      if (c != CharCode.Backslash || i + 1 >= len) return -1; // a raw control byte, or a cut escape
      this.hadEscape = true;
      const e = <u32>load<u8>(p + <usize>(i + 1));
      if (e == CharCode.LowerU) {
        if (i + 5 >= len) return -1;
        for (let k = 2; k < 6; k++) if (hexValue(<u32>load<u8>(p + <usize>(i + k))) < 0) return -1;
        i += 6;
      } else if (e == CharCode.Quote || e == CharCode.Backslash || e == CharCode.Slash || e == 0x62 || e == CharCode.LowerF || e == CharCode.LowerN || e == 0x72 || e == CharCode.LowerT) {
        i += 2;
      } else {
        return -1;
      }
    }
    return -1;
  }

  /** The offset just past the object or array starting at `at`, or -1. */
  private skipNested(p: usize, at: i32, len: i32): i32 {
    const stack = this.stack;
    stack.reset();
    stack.byte(<u32>load<u8>(p + <usize>at));
    let i = skipSpace(p, at + 1, len);
    let afterOpen = true; // just opened: no comma before the first member
    while (true) {
      if (i >= len) return -1;
      const inObject = load<u8>(stack.ptr + <usize>(stack.length - 1)) == CharCode.OpenBrace;
      let c = <u32>load<u8>(p + <usize>i);
      if (c == (inObject ? CharCode.CloseBrace : CharCode.CloseBracket)) {
        stack.length--;
        if (stack.length == 0) return i + 1;
        i = skipSpace(p, i + 1, len);
        afterOpen = false;
        continue;
      }
      if (!afterOpen) {
        if (c != CharCode.Comma) return -1;
        i = skipSpace(p, i + 1, len);
        if (i >= len) return -1;
        c = <u32>load<u8>(p + <usize>i);
      }
      if (inObject) {
        if (c != CharCode.Quote) return -1;
        i = this.skipString(p, i, len);
        if (i < 0) return -1;
        i = skipSpace(p, i, len);
        if (i >= len || load<u8>(p + <usize>i) != CharCode.Colon) return -1;
        i = skipSpace(p, i + 1, len);
        if (i >= len) return -1;
        c = <u32>load<u8>(p + <usize>i);
      }
      if (c == CharCode.OpenBrace || c == CharCode.OpenBracket) {
        stack.byte(c);
        i = skipSpace(p, i + 1, len);
        afterOpen = true;
        continue;
      }
      i = c == CharCode.Quote ? this.skipString(p, i, len) : skipScalar(p, i, len);
      if (i < 0) return -1;
      i = skipSpace(p, i, len);
      afterOpen = false;
    }
  }

  /** Decodes a JSON string token (quotes included) into `out`. */
  decodeString(start: usize, end: usize, out: Bytes): void {
    unescapeJson(start + 1, <i32>(end - start) - 2, out);
  }
}

/** Fluent Bit's JSON is compact: one compare settles the usual case of no space. */
@inline function skipSpace(p: usize, i: i32, len: i32): i32 {
  while (i < len) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c > <u32>CharCode.Space || !isJsonSpace(c)) break;
    i++;
  }
  return i;
}

/** A number or literal starting at `at`: the offset just past it, or -1. */
function skipScalar(p: usize, at: i32, len: i32): i32 {
  const c = <u32>load<u8>(p + <usize>at);
  if (c == CharCode.LowerT) return skipWord(p, at, len, 0x65757274, 4); // true
  if (c == CharCode.LowerN) return skipWord(p, at, len, 0x6c6c756e, 4); // null
  if (c == CharCode.LowerF) return at + 5 <= len && load<u8>(p + <usize>at + 4) == 0x65 ? skipWord(p, at, len, 0x736c6166, 5) : -1; // false
  return skipNumber(p, at, len);
}

/** `word` holds the first four bytes of the literal, little-endian. */
@inline function skipWord(p: usize, at: i32, len: i32, word: u32, n: i32): i32 {
  return at + n <= len && load<u32>(p + <usize>at) == word ? at + n : -1;
}

function skipNumber(p: usize, at: i32, len: i32): i32 {
  let i = at;
  if (load<u8>(p + <usize>i) == CharCode.Minus) i++;
  if (i >= len) return -1;
  const c = <u32>load<u8>(p + <usize>i);
  if (c == CharCode.Zero) i++;
  else if (isDigit(c)) while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
  else return -1;
  if (i < len && load<u8>(p + <usize>i) == CharCode.Dot) {
    const digitsAt = ++i;
    while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
    if (i == digitsAt) return -1;
  }
  if (i < len && (<u32>load<u8>(p + <usize>i) | 0x20) == CharCode.LowerE) {
    i++;
    if (i < len && (load<u8>(p + <usize>i) == CharCode.Plus || load<u8>(p + <usize>i) == CharCode.Minus)) i++;
    const digitsAt = i;
    while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
    if (i == digitsAt) return -1;
  }
  return i;
}
