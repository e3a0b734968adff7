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
import { ONES, HIGHS, repeated } from "../runtime/swar";
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

/** `":` as one little-endian u16: a key's closing quote and the colon compact JSON puts right after it. */
const QUOTE_COLON: u32 = 0x3a22;

/**
 * The key seen at one member position, compared as its opening quote and
 * key bytes (`"path`, at most 16 bytes): the first 8 bytes under a mask and
 * the last 8 (an empty mask when the first word holds all). Masks and the
 * last word's offset are kept, not recomputed, because the compare runs
 * for every member of every record.
 */
@unmanaged class RememberedKey {
  first: u64;
  firstMask: u64;
  last: u64;
  lastMask: u64;
  lastAt: i32;
  /** Bytes of the quote and key; 0: nothing remembered (never seen as the same). */
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
  // recognised by three compares (the quote and colon after it, its first
  // and last words: sameKeyEnd), with neither a string scan nor a lookup.
  private remembered: usize = heap.alloc(REMEMBERED_BYTES * REMEMBERED);

  /** `owned`: per key, whether tripline writes it (the namespace, the route fields); null: none. */
  constructor(public keys: KeyTable, public owned: StaticArray<bool> | null) {
    for (let n = 0; n < REMEMBERED; n++) this.seenAt(n).length = 0;
  }

  /** Scans the object at `p`; false when it is not exactly one valid JSON object. */
  scan(p: usize, len: i32, members: Members, shape: ObjectShape): bool {
    members.clear();
    shape.count = 0;
    shape.owned.reset();
    let i = skipSpace(p, 0, len);
    if (i >= len || load<u8>(p + <usize>i) != CharCode.OpenBrace) return false;
    i = skipSpace(p, i + 1, len);
    if (i < len && load<u8>(p + <usize>i) == CharCode.CloseBrace) return this.close(p, i, len, shape, 0);
    let n = 0; // member position
    while (true) {
      let keyAt = i;
      // The key this position had in the last record, when it is the same
      // and the colon follows it: no scan, no lookup.
      let key: i32;
      const afterColon = this.sameKeyEnd(n, p, i, len);
      if (afterColon > 0) {
        key = this.seenAt(n).key;
        i = afterColon;
      } else {
        // Whitespace before a key (never in Fluent Bit's compact JSON) fails the compare above.
        i = skipSpace(p, i, len);
        keyAt = i;
        if (i >= len || load<u8>(p + <usize>i) != CharCode.Quote) return false;
        const keyEnd = this.skipString(p, i, len);
        if (keyEnd < 0) return false;
        key = this.hadEscape ? this.findEscaped(p + <usize>(i + 1), keyEnd - i - 2) : this.findAndRemember(n, p, i, keyEnd, len);
        // Fluent Bit writes compact JSON: the colon right after the key.
        if (keyEnd < len && load<u8>(p + <usize>keyEnd) == CharCode.Colon) {
          i = keyEnd + 1;
        } else {
          i = skipSpace(p, keyEnd, len);
          if (i >= len || load<u8>(p + <usize>i) != CharCode.Colon) return false;
          i++;
        }
      }
      n++;
      // Compact JSON: the value right after the colon. The load is in bounds at `len` too (slack).
      let c = <u32>load<u8>(p + <usize>i);
      if (c <= <u32>CharCode.Space) {
        i = skipSpace(p, i, len);
        c = <u32>load<u8>(p + <usize>i);
      }
      if (i >= len) return false;
      const valueAt = i;
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
        return this.close(p, end, len, shape, n);
      } else {
        i = skipSpace(p, end, len);
        if (i >= len) return false;
        const sep = load<u8>(p + <usize>i);
        if (sep == CharCode.CloseBrace) return this.close(p, i, len, shape, n);
        if (sep != CharCode.Comma) return false;
        i++;
      }
    }
  }

  private close(p: usize, at: i32, len: i32, shape: ObjectShape, members: i32): bool {
    shape.closeAt = at;
    shape.count = members;
    return skipSpace(p, at + 1, len) == len;
  }

  @inline private seenAt(n: i32): RememberedKey {
    return changetype<RememberedKey>(this.remembered + <usize>n * REMEMBERED_BYTES);
  }

  /**
   * The offset just past the colon when the key starting at `at` (its
   * quote) has exactly the bytes remembered for member position `n` and a
   * colon right after it, else -1. Those bytes were validated when
   * remembered (no quote, backslash or control byte), so the key needs no
   * scan. Buffers carry 8 bytes of slack: every load is in bounds.
   */
  @inline private sameKeyEnd(n: i32, p: usize, at: i32, len: i32): i32 {
    if (n >= REMEMBERED) return -1;
    const seen = this.seenAt(n);
    const close = at + seen.length; // the key's closing quote
    if (close + 1 >= len || seen.length == 0) return -1;
    const q = p + <usize>at;
    if (<u32>load<u16>(p + <usize>close) != QUOTE_COLON) return -1;
    if ((load<u64>(q) & seen.firstMask) != seen.first) return -1;
    if ((load<u64>(q + <usize>seen.lastAt) & seen.lastMask) != seen.last) return -1;
    return close + 2;
  }

  /**
   * The table index of the key from `at` (its quote) to `keyEnd` (past its
   * closing quote) that `sameKeyEnd` did not recognise. A key of at most 15
   * bytes followed by a colon (compact JSON) is remembered for member
   * position `n`.
   */
  @inline private findAndRemember(n: i32, p: usize, at: i32, keyEnd: i32, len: i32): i32 {
    const stem = keyEnd - 1 - at; // the opening quote and the key
    const key = this.keys.find(p + <usize>(at + 1), stem - 1);
    if (n >= REMEMBERED || stem > 16 || keyEnd >= len || load<u8>(p + <usize>keyEnd) != CharCode.Colon) return key;
    const seen = this.seenAt(n);
    const q = p + <usize>at;
    seen.key = key;
    seen.length = stem;
    seen.firstMask = stem >= 8 ? <u64>-1 : (<u64>1 << (<u64>stem << 3)) - 1;
    seen.first = load<u64>(q) & seen.firstMask;
    seen.lastAt = stem > 8 ? stem - 8 : 0;
    seen.lastMask = stem > 8 ? <u64>-1 : 0;
    seen.last = load<u64>(q + <usize>seen.lastAt) & seen.lastMask;
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
