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
import { ONES, HIGHS, repeated, leadingMask } from "../runtime/swar";
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

  /**
   * Scans the object at `p`; false when it is not exactly one valid JSON
   * object. The scan walks a pointer, not an index: under WAMR's
   * interpreter every `p + i` before a load is one more instruction.
   */
  scan(p: usize, len: i32, members: Members, shape: ObjectShape): bool {
    members.clear();
    shape.count = 0;
    shape.owned.reset();
    const end = p + <usize>len;
    let q = skipSpace(p, end);
    if (q >= end || load<u8>(q) != CharCode.OpenBrace) return false;
    q = skipSpace(q + 1, end);
    if (q < end && load<u8>(q) == CharCode.CloseBrace) return this.close(p, q, end, shape, 0);
    let n = 0; // member position
    while (true) {
      let keyAt = q;
      // The key this position had in the last record, when it is the same
      // and the colon follows it: no scan, no lookup.
      let key: i32;
      const afterColon = this.sameKeyEnd(n, q, end);
      if (afterColon != 0) {
        key = this.seenAt(n).key;
        q = afterColon;
      } else {
        // Whitespace before a key (never in Fluent Bit's compact JSON) fails the compare above.
        q = skipSpace(q, end);
        keyAt = q;
        if (q >= end || load<u8>(q) != CharCode.Quote) return false;
        const keyEnd = this.skipString(q, end);
        if (keyEnd == 0) return false;
        key = this.hadEscape ? this.findEscaped(q + 1, <i32>(keyEnd - q) - 2) : this.findAndRemember(n, q, keyEnd, end);
        // Fluent Bit writes compact JSON: the colon right after the key.
        if (keyEnd < end && load<u8>(keyEnd) == CharCode.Colon) {
          q = keyEnd + 1;
        } else {
          q = skipSpace(keyEnd, end);
          if (q >= end || load<u8>(q) != CharCode.Colon) return false;
          q++;
        }
      }
      n++;
      // Compact JSON: the value right after the colon. The load is in bounds at `end` too (slack).
      let c = <u32>load<u8>(q);
      if (c <= <u32>CharCode.Space) {
        q = skipSpace(q, end);
        c = <u32>load<u8>(q);
      }
      if (q >= end) return false;
      const valueAt = q;
      let valueEnd: usize;
      let kind: u32;
      if (c == CharCode.Quote) {
        valueEnd = this.skipString(q, end);
        kind = this.hadEscape ? Kind.String | ESCAPED : Kind.String;
      } else if (c == CharCode.OpenBrace || c == CharCode.OpenBracket) {
        valueEnd = this.skipNested(q, end);
        kind = c == CharCode.OpenBrace ? Kind.Object : Kind.Array;
      } else {
        valueEnd = skipScalar(q, end);
        kind = c == CharCode.LowerT ? Kind.True : c == CharCode.LowerF ? Kind.False : c == CharCode.LowerN ? Kind.Null : Kind.Number;
      }
      if (valueEnd == 0) return false;
      if (key >= 0) {
        const owned = this.owned;
        if (owned != null && unchecked(owned[key])) {
          shape.owned.reserve(8);
          store<i32>(shape.owned.end, <i32>(keyAt - p));
          store<i32>(shape.owned.end, <i32>(valueEnd - p), 4);
          shape.owned.length += 8;
        }
        members.set(key, kind, valueAt, valueEnd);
      }
      // Compact JSON again: the comma or the closing brace right after the value.
      const next = valueEnd < end ? <u32>load<u8>(valueEnd) : 0;
      if (next == CharCode.Comma) {
        q = valueEnd + 1;
      } else if (next == CharCode.CloseBrace) {
        return this.close(p, valueEnd, end, shape, n);
      } else {
        q = skipSpace(valueEnd, end);
        if (q >= end) return false;
        const sep = load<u8>(q);
        if (sep == CharCode.CloseBrace) return this.close(p, q, end, shape, n);
        if (sep != CharCode.Comma) return false;
        q++;
      }
    }
  }

  /** `brace`: the closing brace of the object starting at `p`. */
  private close(p: usize, brace: usize, end: usize, shape: ObjectShape, members: i32): bool {
    shape.closeAt = <i32>(brace - p);
    shape.count = members;
    return skipSpace(brace + 1, end) == end;
  }

  @inline private seenAt(n: i32): RememberedKey {
    return changetype<RememberedKey>(this.remembered + <usize>n * REMEMBERED_BYTES);
  }

  /**
   * Just past the colon when the key starting at `at` (its quote) has
   * exactly the bytes remembered for member position `n` and a colon right
   * after it, else 0. Those bytes were validated when remembered (no quote,
   * backslash or control byte), so the key needs no scan. Buffers carry 8
   * bytes of slack: every load is in bounds.
   */
  @inline private sameKeyEnd(n: i32, at: usize, end: usize): usize {
    if (n >= REMEMBERED) return 0;
    const seen = this.seenAt(n);
    const close = at + <usize>seen.length; // the key's closing quote
    if (close + 1 >= end || seen.length == 0) return 0;
    if (<u32>load<u16>(close) != QUOTE_COLON) return 0;
    if ((load<u64>(at) & seen.firstMask) != seen.first) return 0;
    if ((load<u64>(at + <usize>seen.lastAt) & seen.lastMask) != seen.last) return 0;
    return close + 2;
  }

  /**
   * The table index of the key from `at` (its quote) to `keyEnd` (past its
   * closing quote) that `sameKeyEnd` did not recognise. A key of at most 15
   * bytes followed by a colon (compact JSON) is remembered for member
   * position `n`.
   */
  @inline private findAndRemember(n: i32, at: usize, keyEnd: usize, end: usize): i32 {
    const stem = <i32>(keyEnd - at) - 1; // the opening quote and the key
    const key = this.keys.find(at + 1, stem - 1);
    if (n >= REMEMBERED || stem > 16 || keyEnd >= end || load<u8>(keyEnd) != CharCode.Colon) return key;
    const seen = this.seenAt(n);
    seen.key = key;
    seen.length = stem;
    seen.firstMask = leadingMask(stem);
    seen.first = load<u64>(at) & seen.firstMask;
    seen.lastAt = stem > 8 ? stem - 8 : 0;
    seen.lastMask = stem > 8 ? <u64>-1 : 0;
    seen.last = load<u64>(at + <usize>seen.lastAt) & seen.lastMask;
    return key;
  }

  /** A key written with escapes (`"\u0070ath"`): decoded, then looked up. Rare. */
  private findEscaped(p: usize, len: i32): i32 {
    this.keyBuffer.reset();
    unescapeJson(p, len, this.keyBuffer);
    return this.keys.find(this.keyBuffer.ptr, this.keyBuffer.length);
  }

  /** Just past the string starting at `at` (its quote), or 0. Inlined: it runs twice per member. */
  @inline skipString(at: usize, end: usize): usize {
    let q = at + 1;
    this.hadEscape = false;
    while (true) {
      // Buffers carry 8 bytes of slack, so a load may start at any byte before `end`.
      while (q < end) {
        const m = special8(load<u64>(q));
        if (m != 0) {
          q += <usize>(ctz(m) >> 3);
          break;
        }
        q += 8;
      }
      if (q >= end) return 0;
      const c = <u32>load<u8>(q);
      if (c == CharCode.Quote) return q + 1;
      if (c != CharCode.Backslash || q + 1 >= end) return 0; // a raw control byte, or a cut escape
      this.hadEscape = true;
      const e = <u32>load<u8>(q, 1);
      if (e == CharCode.LowerU) {
        if (q + 5 >= end) return 0;
        for (let k: usize = 2; k < 6; k++) if (hexValue(<u32>load<u8>(q + k)) < 0) return 0;
        q += 6;
      } else if (e == CharCode.Quote || e == CharCode.Backslash || e == CharCode.Slash || e == 0x62 || e == CharCode.LowerF || e == CharCode.LowerN || e == 0x72 || e == CharCode.LowerT) {
        q += 2;
      } else {
        return 0;
      }
    }
    return 0;
  }

  /** Just past the object or array starting at `at`, or 0. */
  private skipNested(at: usize, end: usize): usize {
    const stack = this.stack;
    stack.reset();
    stack.byte(<u32>load<u8>(at));
    let q = skipSpace(at + 1, end);
    let afterOpen = true; // just opened: no comma before the first member
    while (true) {
      if (q >= end) return 0;
      const inObject = load<u8>(stack.ptr + <usize>(stack.length - 1)) == CharCode.OpenBrace;
      let c = <u32>load<u8>(q);
      if (c == (inObject ? CharCode.CloseBrace : CharCode.CloseBracket)) {
        stack.length--;
        if (stack.length == 0) return q + 1;
        q = skipSpace(q + 1, end);
        afterOpen = false;
        continue;
      }
      if (!afterOpen) {
        if (c != CharCode.Comma) return 0;
        q = skipSpace(q + 1, end);
        if (q >= end) return 0;
        c = <u32>load<u8>(q);
      }
      if (inObject) {
        if (c != CharCode.Quote) return 0;
        q = this.skipString(q, end);
        if (q == 0) return 0;
        q = skipSpace(q, end);
        if (q >= end || load<u8>(q) != CharCode.Colon) return 0;
        q = skipSpace(q + 1, end);
        if (q >= end) return 0;
        c = <u32>load<u8>(q);
      }
      if (c == CharCode.OpenBrace || c == CharCode.OpenBracket) {
        stack.byte(c);
        q = skipSpace(q + 1, end);
        afterOpen = true;
        continue;
      }
      q = c == CharCode.Quote ? this.skipString(q, end) : skipScalar(q, end);
      if (q == 0) return 0;
      q = skipSpace(q, end);
      afterOpen = false;
    }
  }

  /** Decodes a JSON string token (quotes included) into `out`. */
  decodeString(start: usize, end: usize, out: Bytes): void {
    unescapeJson(start + 1, <i32>(end - start) - 2, out);
  }
}

/** Fluent Bit's JSON is compact: one compare settles the usual case of no space. */
@inline function skipSpace(q: usize, end: usize): usize {
  while (q < end) {
    const c = <u32>load<u8>(q);
    if (c > <u32>CharCode.Space || !isJsonSpace(c)) break;
    q++;
  }
  return q;
}

/** A number or literal starting at `at`: just past it, or 0. */
function skipScalar(at: usize, end: usize): usize {
  const c = <u32>load<u8>(at);
  if (c == CharCode.LowerT) return skipWord(at, end, 0x65757274, 4); // true
  if (c == CharCode.LowerN) return skipWord(at, end, 0x6c6c756e, 4); // null
  if (c == CharCode.LowerF) return at + 5 <= end && load<u8>(at, 4) == 0x65 ? skipWord(at, end, 0x736c6166, 5) : 0; // false
  return skipNumber(at, end);
}

/** `word` holds the first four bytes of the literal, little-endian. */
@inline function skipWord(at: usize, end: usize, word: u32, n: usize): usize {
  return at + n <= end && load<u32>(at) == word ? at + n : 0;
}

function skipNumber(at: usize, end: usize): usize {
  let q = at;
  if (load<u8>(q) == CharCode.Minus) q++;
  if (q >= end) return 0;
  const c = <u32>load<u8>(q);
  if (c == CharCode.Zero) q++;
  else if (isDigit(c)) while (q < end && isDigit(<u32>load<u8>(q))) q++;
  else return 0;
  if (q < end && load<u8>(q) == CharCode.Dot) {
    const digitsAt = ++q;
    while (q < end && isDigit(<u32>load<u8>(q))) q++;
    if (q == digitsAt) return 0;
  }
  if (q < end && (<u32>load<u8>(q) | 0x20) == CharCode.LowerE) {
    q++;
    if (q < end && (load<u8>(q) == CharCode.Plus || load<u8>(q) == CharCode.Minus)) q++;
    const digitsAt = q;
    while (q < end && isDigit(<u32>load<u8>(q))) q++;
    if (q == digitsAt) return 0;
  }
  return q;
}
