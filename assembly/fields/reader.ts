// Stage 2: fields. A slot is one Sigma field as records present it, an
// ordered list of record keys (cs-uri-query -> query); the first one present
// gives the value. Strings are read without quotes and with escapes decoded;
// numbers, booleans and nested values as their JSON text. The request
// target's parts (query, stem, host, extension) are derived the first time
// a slot asks for one, the same way for every record shape.
import { Field } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { CharCode, lowerAscii } from "../runtime/ascii";
import { findEither } from "../runtime/span";
import { Record } from "../record/record";
import { Kind, ESCAPED, IN_LINE, IN_RECORD, keyBit } from "../record/members";
import { unescapeJson } from "../record/unescape";
import { FieldValue } from "./value";

export class Slot {
  /** keyBit of each key, and of the request target when a key is derived from it. */
  keyBits: u64 = 0;

  constructor(public keys: StaticArray<i32>) {
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      this.keyBits |= keyBit(isDerived(key) ? Field.Path : key) | keyBit(key);
    }
  }

  /**
   * The one key of the slot a record with these key bits (Members.present)
   * can have, when the bits settle it: every key below 64 (a bit of its
   * own), none cut from the request target, exactly one bit set. -1: they
   * do not (presentKey must look).
   */
  settledKey(present: u64): i32 {
    const keys = this.keys;
    let found = -1;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key >= 64 || isDerived(key)) return -1;
      if ((present & keyBit(key)) == 0) continue;
      if (found >= 0) return -1;
      found = key;
    }
    return found;
  }
}

/** Keys whose value is cut from the request target. */
const DERIVED: u32 = (1 << Field.Query) | (1 << Field.UriStem) | (1 << Field.UriHost) | (1 << Field.UriExtension) | (1 << Field.UriSection);

@inline function isDerived(key: i32): bool {
  return <u32>key < 32 && ((DERIVED >> <u32>key) & 1) != 0;
}

export class FieldReader {
  private decoded: Bytes = new Bytes(256);
  private decodedKey: i32 = -1;
  private decodedSerial: u32 = 0;
  private target: Bytes = new Bytes(256);
  private derivedSerial: u32 = 0;

  /** The first of the slot's keys present in the record (null counts as absent), or -1. Inlined: it runs for every tested field of every record. */
  @inline presentKey(slot: Slot, record: Record): i32 {
    const keys = slot.keys;
    const m = record.members;
    for (let k = 0, length = keys.length; k < length; k++) {
      const key = unchecked(keys[k]);
      if (m.has(key)) return key;
      if (isDerived(key) && this.derivedSerial != record.serial) {
        this.derive(record);
        if (m.has(key)) return key;
      }
    }
    return -1;
  }

  /** Reads the slot's value into `out`; false when no key of it is present. */
  read(slot: Slot, record: Record, out: FieldValue): bool {
    const key = this.presentKey(slot, record);
    if (key < 0) return false;
    this.readKey(key, record, out);
    return true;
  }

  /** Reads a present key. A decoded value stays valid until another escaped key is read. */
  @inline readKey(key: i32, record: Record, out: FieldValue): void {
    const m = record.members;
    const start = m.start(key);
    const len = <i32>(m.end(key) - start);
    out.key = key;
    if (m.kind(key) != Kind.String) {
      out.ptr = start;
      out.len = len;
    } else if ((m.flags(key) & ESCAPED) == 0) {
      out.ptr = start + 1;
      out.len = len - 2;
    } else {
      if (this.decodedKey != key || this.decodedSerial != record.serial) {
        this.decoded.reset();
        unescapeJson(start + 1, len - 2, this.decoded);
        this.decodedKey = key;
        this.decodedSerial = record.serial;
      }
      out.ptr = this.decoded.ptr;
      out.len = this.decoded.length;
    }
  }

  /** Whether the record has `key`, deriving the target's parts first when `key` is one. */
  has(record: Record, key: i32): bool {
    if (isDerived(key) && this.derivedSerial != record.serial) this.derive(record);
    return record.members.has(key);
  }

  /** Derives the target's parts now (explain shows every field, asked for or not). */
  deriveNow(record: Record): void {
    if (this.derivedSerial != record.serial) this.derive(record);
  }

  /**
   * Cuts query, stem, section, host and extension from the request target (`path`):
   *   /a/b.php?x=1#f        -> stem /a/b.php, section /a, query x=1, extension php
   *   http://Example.com:8080/a?x -> host Example.com, stem /a, query x (forward proxies)
   * Each is set only where the record lacks it.
   */
  private derive(record: Record): void {
    this.derivedSerial = record.serial;
    const m = record.members;
    if (!m.has(Field.Path)) return;
    const kind = m.kind(Field.Path);
    if (kind != Kind.String && kind != Kind.Text) return;
    let p: usize;
    let len: i32;
    let flags: u32;
    const start = m.start(Field.Path);
    if (kind == Kind.Text) {
      p = start;
      len = <i32>(m.end(Field.Path) - start);
      flags = m.flags(Field.Path);
    } else if ((m.flags(Field.Path) & ESCAPED) == 0) {
      p = start + 1;
      len = <i32>(m.end(Field.Path) - start) - 2;
      flags = IN_RECORD;
    } else {
      // Our own copy: the shared decode buffer is reused by the next escaped read.
      this.target.reset();
      unescapeJson(start + 1, <i32>(m.end(Field.Path) - start) - 2, this.target);
      p = this.target.ptr;
      len = this.target.length;
      flags = 0;
    }
    flags &= IN_LINE | IN_RECORD;
    let at = 0;
    const scheme = schemeEnd(p, len);
    if (scheme > 0) {
      // An absolute URL: the host is its authority without user info and port.
      at = scheme;
      let end = at;
      while (end < len) {
        const c = <u32>load<u8>(p + <usize>end);
        if (c == CharCode.Slash || c == CharCode.Question || c == CharCode.Hash) break;
        end++;
      }
      let hostAt = at;
      for (let i = at; i < end; i++) if (load<u8>(p + <usize>i) == 0x40) hostAt = i + 1;
      let hostEnd = end;
      if (hostAt < end && load<u8>(p + <usize>hostAt) == CharCode.OpenBracket) {
        while (hostEnd > hostAt && load<u8>(p + <usize>(hostEnd - 1)) != CharCode.CloseBracket) hostEnd--;
      } else {
        for (let i = hostAt; i < end; i++) {
          if (load<u8>(p + <usize>i) == CharCode.Colon) {
            hostEnd = i;
            break;
          }
        }
      }
      m.fill(Field.UriHost, p + <usize>hostAt, hostEnd - hostAt, flags);
      at = end;
    }
    const stemEnd = findEither(p, at, len, CharCode.Question, CharCode.Hash);
    m.fill(Field.UriStem, p + <usize>at, stemEnd - at, flags);
    // The site section: the stem's first segment ("/api/v1/x" -> "/api").
    if (stemEnd > at && load<u8>(p + <usize>at) == CharCode.Slash) {
      const sectionEnd = findEither(p, at + 1, stemEnd, CharCode.Slash, CharCode.Slash);
      m.fill(Field.UriSection, p + <usize>at, sectionEnd - at, flags);
    }
    if (stemEnd < len && load<u8>(p + <usize>stemEnd) == CharCode.Question) {
      const queryEnd = findEither(p, stemEnd + 1, len, CharCode.Hash, CharCode.Hash);
      m.fill(Field.Query, p + <usize>(stemEnd + 1), queryEnd - stemEnd - 1, flags);
    }
    // The extension of the last path segment: "/a/b.php" -> "php".
    for (let i = stemEnd - 1; i >= at; i--) {
      const c = <u32>load<u8>(p + <usize>i);
      if (c == CharCode.Slash) break;
      if (c == CharCode.Dot) {
        if (i + 1 < stemEnd) m.fill(Field.UriExtension, p + <usize>(i + 1), stemEnd - i - 1, flags);
        break;
      }
    }
  }
}

/** "http://", "https://" (any case): the index after it, else 0. */
function schemeEnd(p: usize, len: i32): i32 {
  if (len < 8 || lowerAscii(<u32>load<u8>(p)) != 0x68) return 0;
  let i = 1;
  while (i < len && i < 8 && load<u8>(p + <usize>i) != CharCode.Colon) i++;
  if (i + 2 >= len || load<u8>(p + <usize>(i + 1)) != CharCode.Slash || load<u8>(p + <usize>(i + 2)) != CharCode.Slash) return 0;
  const n = i;
  // "http" or "https"
  if (n != 4 && n != 5) return 0;
  if (lowerAscii(<u32>load<u8>(p + 1)) != 0x74 || lowerAscii(<u32>load<u8>(p + 2)) != 0x74 || lowerAscii(<u32>load<u8>(p + 3)) != 0x70) return 0;
  if (n == 5 && lowerAscii(<u32>load<u8>(p + 4)) != 0x73) return 0;
  return i + 3;
}
