// Validates a record as one strict RFC 8259 JSON object and notes where each
// top-level value the rules need lies. Iterative with an explicit container
// stack, so 10,000 levels of nesting cost memory, not the 8 KiB wasm stack.
// Bytes >= 0x80 inside strings are passed through unchecked: Fluent Bit built
// the record, and refusing invalid UTF-8 would let an attacker hide a payload
// from detection with one stray byte.
import { Bytes } from "../runtime/bytes";
import { KeyTable } from "./keys";

export const enum Kind {
  Absent = 0,
  String = 1,
  Number = 2,
  True = 3,
  False = 4,
  Null = 5,
  Object = 6,
  Array = 7,
  /** Bytes already decoded (a field tripline parsed out of a raw line): no quotes, no escapes. */
  Text = 8,
}

const OPEN_OBJECT: u8 = 0x7b; // {
const CLOSE_OBJECT: u8 = 0x7d; // }
const OPEN_ARRAY: u8 = 0x5b; // [
const CLOSE_ARRAY: u8 = 0x5d; // ]
const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;

/** What the scan learned about one record. Reused for every record. */
export class Scan {
  /** Offset of the closing brace of the top-level object. */
  closeAt: i32 = 0;
  members: i32 = 0;
  /** Changes with every scan, so caches keyed on a record can tell records apart. */
  serial: u32 = 0;
  /**
   * Existing members with the names tripline writes (namespace, alert field),
   * every occurrence, in record order: pairs of (key offset, value end offset).
   */
  owned: Bytes = new Bytes(64);
  // Per wanted key: value span (absolute addresses) and kind.
  valueStart: StaticArray<usize>;
  valueEnd: StaticArray<usize>;
  kind: StaticArray<u8>;
  escaped: StaticArray<bool>;

  constructor(public keys: KeyTable, public namespaceKey: i32, public alertKey: i32) {
    const n = keys.keys.length;
    this.valueStart = new StaticArray<usize>(n);
    this.valueEnd = new StaticArray<usize>(n);
    this.kind = new StaticArray<u8>(n);
    this.escaped = new StaticArray<bool>(n);
  }
}

const stack = new Bytes(64);
let serials: u32 = 0;

@inline function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

@inline function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

@inline function isHex(c: u32): bool {
  return c - 0x30 < 10 || (c | 0x20) - 0x61 < 6;
}

// Scanner state between tokens.
const EXPECT_VALUE = 0;
const OBJECT_FIRST = 1; // after '{': a key or '}'
const OBJECT_NEXT = 2; // after a member: ',' or '}'
const ARRAY_FIRST = 3; // after '[': a value or ']'
const ARRAY_NEXT = 4; // after an element: ',' or ']'
const AFTER_KEY = 5; // ':'

let stringHadEscape = false;

// Eight bytes at a time: any byte below 0x20, a quote or a backslash?
// (The classic "has less than" / "has zero byte" tests; false alarms only
// send the loop to the byte-by-byte path, which decides.)
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

@inline function special8(v: u64): u64 {
  const control = (v - 0x2020202020202020) & ~v & HIGHS;
  const q = v ^ 0x2222222222222222;
  const b = v ^ 0x5c5c5c5c5c5c5c5c;
  return control | ((q - ONES) & ~q & HIGHS) | ((b - ONES) & ~b & HIGHS);
}

/** Returns the offset just past a string starting at `at` (the quote), or -1. */
function skipString(p: usize, at: i32, len: i32): i32 {
  let i = at + 1;
  stringHadEscape = false;
  while (true) {
    while (i + 8 <= len && special8(load<u64>(p + <usize>i)) == 0) i += 8;
    if (i >= len) return -1;
    const c = <u32>load<u8>(p + <usize>i);
    if (c == QUOTE) return i + 1;
    if (c < 0x20) return -1;
    if (c == BACKSLASH) {
      stringHadEscape = true;
      if (i + 1 >= len) return -1;
      const e = <u32>load<u8>(p + <usize>(i + 1));
      if (e == 0x75) {
        if (i + 5 >= len) return -1;
        for (let k = 2; k < 6; k++) if (!isHex(<u32>load<u8>(p + <usize>(i + k)))) return -1;
        i += 6;
        continue;
      }
      if (e == QUOTE || e == BACKSLASH || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        i += 2;
        continue;
      }
      return -1;
    }
    i++;
  }
}

/** Returns the offset just past a number starting at `at`, or -1. */
function skipNumber(p: usize, at: i32, len: i32): i32 {
  let i = at;
  if (load<u8>(p + <usize>i) == 0x2d) i++;
  if (i >= len) return -1;
  let c = <u32>load<u8>(p + <usize>i);
  if (c == 0x30) {
    i++;
  } else if (isDigit(c)) {
    while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
  } else {
    return -1;
  }
  if (i < len && load<u8>(p + <usize>i) == 0x2e) {
    i++;
    const digitsAt = i;
    while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
    if (i == digitsAt) return -1;
  }
  if (i < len && (<u32>load<u8>(p + <usize>i) | 0x20) == 0x65) {
    i++;
    if (i < len) {
      c = <u32>load<u8>(p + <usize>i);
      if (c == 0x2b || c == 0x2d) i++;
    }
    const digitsAt = i;
    while (i < len && isDigit(<u32>load<u8>(p + <usize>i))) i++;
    if (i == digitsAt) return -1;
  }
  return i;
}

function skipWord(p: usize, at: i32, len: i32, word: string): i32 {
  const n = word.length;
  if (at + n > len) return -1;
  for (let k = 0; k < n; k++) {
    if (<i32>load<u8>(p + <usize>(at + k)) != word.charCodeAt(k)) return -1;
  }
  return at + n;
}

/**
 * Scans the record at `p` (length `len`). Returns false when it is not a
 * single valid JSON object; `out` is then meaningless.
 */
export function scanRecord(p: usize, len: i32, out: Scan): bool {
  const wanted = out.keys.keys.length;
  out.serial = ++serials;
  for (let k = 0; k < wanted; k++) unchecked((out.kind[k] = <u8>Kind.Absent));
  out.members = 0;
  out.owned.reset();
  stack.reset();

  let i = 0;
  while (i < len && isSpace(<u32>load<u8>(p + <usize>i))) i++;
  if (i >= len || load<u8>(p + <usize>i) != OPEN_OBJECT) return false;
  stack.byte(OPEN_OBJECT);
  i++;
  let state = OBJECT_FIRST;
  // The top-level member being read: its key slot and where its key/value start.
  let memberKey = -1;
  let memberKeyAt = 0;
  let memberValueAt = 0;

  while (true) {
    while (i < len && isSpace(<u32>load<u8>(p + <usize>i))) i++;
    if (i >= len) return false;
    const c = load<u8>(p + <usize>i);
    const depth = stack.length;

    if (state == OBJECT_FIRST || state == OBJECT_NEXT) {
      if (c == CLOSE_OBJECT) {
        i++;
        // fall through to close handling below
      } else {
        if (state == OBJECT_NEXT) {
          if (c != 0x2c) return false;
          i++;
          while (i < len && isSpace(<u32>load<u8>(p + <usize>i))) i++;
          if (i >= len) return false;
        }
        if (load<u8>(p + <usize>i) != QUOTE) return false;
        const end = skipString(p, i, len);
        if (end < 0) return false;
        if (depth == 1) {
          memberKeyAt = i;
          memberKey = stringHadEscape ? -1 : out.keys.find(p + <usize>(i + 1), end - i - 2);
          out.members++;
        }
        i = end;
        state = AFTER_KEY;
        continue;
      }
    } else if (state == AFTER_KEY) {
      if (c != 0x3a) return false;
      i++;
      state = EXPECT_VALUE;
      continue;
    } else if (state == ARRAY_FIRST && c == CLOSE_ARRAY) {
      i++;
    } else if (state == ARRAY_NEXT) {
      if (c == CLOSE_ARRAY) {
        i++;
      } else {
        if (c != 0x2c) return false;
        i++;
        state = EXPECT_VALUE;
        continue;
      }
    } else {
      // EXPECT_VALUE or ARRAY_FIRST with a value.
      if (depth == 1) memberValueAt = i;
      let end: i32;
      let kind: i32;
      let escaped = false;
      if (c == OPEN_OBJECT || c == OPEN_ARRAY) {
        stack.byte(c);
        i++;
        state = c == OPEN_OBJECT ? OBJECT_FIRST : ARRAY_FIRST;
        continue;
      } else if (c == QUOTE) {
        end = skipString(p, i, len);
        kind = Kind.String;
        escaped = stringHadEscape;
      } else if (c == 0x74) {
        end = skipWord(p, i, len, "true");
        kind = Kind.True;
      } else if (c == 0x66) {
        end = skipWord(p, i, len, "false");
        kind = Kind.False;
      } else if (c == 0x6e) {
        end = skipWord(p, i, len, "null");
        kind = Kind.Null;
      } else {
        end = skipNumber(p, i, len);
        kind = Kind.Number;
      }
      if (end < 0) return false;
      if (depth == 1) noteMember(out, p, memberKey, memberKeyAt, memberValueAt, end, kind, escaped);
      i = end;
      state = load<u8>(stack.ptr + <usize>(depth - 1)) == OPEN_OBJECT ? OBJECT_NEXT : ARRAY_NEXT;
      continue;
    }

    // A container closed at offset i - 1.
    const open = load<u8>(stack.ptr + <usize>(depth - 1));
    if ((open == OPEN_OBJECT) != (load<u8>(p + <usize>(i - 1)) == CLOSE_OBJECT)) return false;
    stack.length--;
    if (stack.length == 0) {
      out.closeAt = i - 1;
      while (i < len && isSpace(<u32>load<u8>(p + <usize>i))) i++;
      return i == len;
    }
    if (stack.length == 1) {
      noteMember(out, p, memberKey, memberKeyAt, memberValueAt, i, open == OPEN_OBJECT ? Kind.Object : Kind.Array, false);
    }
    state = load<u8>(stack.ptr + <usize>(stack.length - 1)) == OPEN_OBJECT ? OBJECT_NEXT : ARRAY_NEXT;
  }
}

function noteMember(out: Scan, p: usize, key: i32, keyAt: i32, valueAt: i32, valueEnd: i32, kind: i32, escaped: bool): void {
  if (key < 0) return;
  if (key == out.namespaceKey || key == out.alertKey) {
    out.owned.reserve(8);
    store<i32>(out.owned.ptr + <usize>out.owned.length, keyAt);
    store<i32>(out.owned.ptr + <usize>out.owned.length, valueEnd, 4);
    out.owned.length += 8;
  }
  unchecked((out.valueStart[key] = p + <usize>valueAt));
  unchecked((out.valueEnd[key] = p + <usize>valueEnd));
  unchecked((out.kind[key] = <u8>kind));
  unchecked((out.escaped[key] = escaped));
}
