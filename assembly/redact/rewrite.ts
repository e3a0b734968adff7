// Stage 5: redaction, decided before correlation so nothing later (alerts,
// samples, group keys, statistics) ever sees a secret the record loses.
//
// Each redaction of a matched rule masks one field. Where the field's bytes
// live decides what is rewritten:
//   - a string (or number) member of the record: the member;
//   - a slice of an unescaped string member (the query cut from `path`):
//     that range inside the member;
//   - a field read out of the raw line or a parsed message (IN_LINE): that
//     range inside the line, and the line's member is rewritten.
// Values that are no part of the record (fixed words) have nothing to mask.
// A redaction rule that masked nothing does not count as matched: it tags
// only records it actually changed.
import { Bytes } from "../runtime/bytes";
import { sameBytes } from "../runtime/span";
import { writeString } from "../runtime/json";
import { Record } from "../record/record";
import { Kind, ESCAPED, IN_LINE, IN_RECORD } from "../record/members";
import { unescapeJson } from "../record/unescape";
import { FieldReader, Slot } from "../fields/reader";
import { FieldValue } from "../fields/value";
import { Rule } from "../rules/rule";
import { Matches } from "../rules/select";
import { Field } from "../runtime/schema";
import { redact } from "./kinds";
import { UrlMasker } from "./url";

/** One masking: a range of a member's decoded text. */
@unmanaged class Edit {
  /** The record member whose token is rewritten. */
  member: i32;
  /** Range within the member's decoded text; `whole` covers all of it. */
  begin: i32;
  finish: i32;
  whole: i32;
  /** The range is a JSON string token inside a JSON line (decoded before masking, re-escaped after). */
  json: i32;
  /** Bit per RedactKind. */
  kinds: u32;
  /** The field is a URL: masked as logged and URL-decoded (url.ts). */
  url: i32;
}

const EDIT = offsetof<Edit>();

export class Redactor {
  private edits: Bytes = new Bytes(16 * 32);
  private value: FieldValue = new FieldValue();
  private scratchA: Bytes = new Bytes(256);
  private scratchB: Bytes = new Bytes(256);
  private text: Bytes = new Bytes(1024);
  private piece: Bytes = new Bytes(256);
  private urls: UrlMasker = new UrlMasker();
  /** The rewritten record; valid until the next record. */
  out: Bytes = new Bytes(4096);

  constructor(public rules: StaticArray<Rule>, public slots: StaticArray<Slot>, public fields: FieldReader) {}

  /**
   * Applies the redactions of the matched rules. Drops from `matches` the
   * redaction rules that masked nothing. Returns true when the record was
   * rewritten (into `out`).
   */
  apply(record: Record, matches: Matches): bool {
    this.edits.reset();
    for (let k = 0; k < matches.count; k++) {
      const rule = unchecked(this.rules[unchecked(matches.ids[k])]);
      const reds = rule.redactions;
      if (reds.length == 0) continue;
      let masked = false;
      for (let j = 0; j < reds.length; j++) if (this.plan(record, reds[j].slot, reds[j].kind)) masked = true;
      if (!masked) {
        matches.removeAt(k);
        if (!rule.silent) matches.visible--;
        k--;
      }
    }
    if (this.edits.length == 0) return false;
    this.rewrite(record);
    return true;
  }

  /** Plans masking `slot` with `kind`; true when that changes its value. */
  private plan(record: Record, slot: i32, kind: u32): bool {
    const key = this.fields.presentKey(unchecked(this.slots[slot]), record);
    return key >= 0 && this.planKey(record, key, kind);
  }

  private planKey(record: Record, key: i32, kind: u32): bool {
    const m = record.members;
    const url = isUrl(key);
    const flags = m.flags(key);
    const k = m.kind(key);
    const start = m.start(key);
    const end = m.end(key);
    if (flags & IN_LINE) {
      if (record.lineKey < 0) return false;
      const from = <i32>(start - record.line.ptr);
      const to = <i32>(end - record.line.ptr);
      if (from < 0 || to > record.line.length) return false;
      const json = k == Kind.String;
      if (!this.changes(start, <i32>(end - start), kind, json, url)) return false;
      this.add(record.lineKey, from, to, false, json, kind, url);
      return true;
    }
    if (k == Kind.String || k == Kind.Number) {
      if (!this.changes(start, <i32>(end - start), kind, k == Kind.String, url)) return false;
      this.add(key, 0, 0, true, false, kind, url);
      return true;
    }
    if ((flags & IN_RECORD) != 0) {
      const member = containing(record, start);
      if (member < 0) return false;
      const base = m.start(member) + 1;
      if (!this.changes(start, <i32>(end - start), kind, false, url)) return false;
      this.add(member, <i32>(start - base), <i32>(end - base), false, false, kind, url);
      return true;
    }
    return false;
  }

  /** Whether masking `kind` changes the bytes (a JSON token is decoded first). */
  private changes(p: usize, len: i32, kind: u32, json: bool, url: bool): bool {
    if (json) {
      this.piece.reset();
      unescapeJson(p + 1, len - 2, this.piece);
      p = this.piece.ptr;
      len = this.piece.length;
    }
    const out = this.scratchA;
    out.reset();
    this.mask(kind, p, len, out, url);
    return out.length != len || !sameBytes(out.ptr, p, len);
  }

  @inline private mask(kind: u32, p: usize, len: i32, out: Bytes, url: bool): void {
    if (url) this.urls.mask(kind, p, len, out);
    else redact(kind, p, len, out);
  }

  private add(member: i32, from: i32, to: i32, whole: bool, json: bool, kind: u32, url: bool): void {
    // The same range again (another rule, another kind): one edit, both kinds.
    const edits = this.edits;
    for (let at: i32 = 0; at < edits.length; at += <i32>EDIT) {
      const e = changetype<Edit>(edits.ptr + <usize>at);
      if (e.member == member && e.begin == from && e.finish == to && (e.whole != 0) == whole) {
        e.kinds |= 1 << kind;
        if (url) e.url = 1;
        return;
      }
    }
    edits.reserve(<i32>EDIT);
    const e = changetype<Edit>(edits.end);
    e.member = member;
    e.begin = from;
    e.finish = to;
    e.whole = whole ? 1 : 0;
    e.json = json ? 1 : 0;
    e.kinds = 1 << kind;
    e.url = url ? 1 : 0;
    edits.length += <i32>EDIT;
  }

  /** Copies the record with every edited member's token replaced, in record order. */
  private rewrite(record: Record): void {
    const out = this.out;
    const m = record.members;
    out.reset();
    let at = record.ptr;
    while (true) {
      // The next edited member after `at`.
      let member = -1;
      for (let off: i32 = 0; off < this.edits.length; off += <i32>EDIT) {
        const e = changetype<Edit>(this.edits.ptr + <usize>off);
        const s = m.start(e.member);
        if (s >= at && (member < 0 || s < m.start(member))) member = e.member;
      }
      if (member < 0) break;
      out.copy(at, <i32>(m.start(member) - at));
      this.memberText(record, member);
      this.applyEdits(member);
      writeString(out, this.text.ptr, this.text.length);
      at = m.end(member);
    }
    out.copy(at, <i32>(record.ptr + <usize>record.len - at));
  }

  /** The decoded text of a member (numbers as their digits) into `text`. */
  private memberText(record: Record, member: i32): void {
    const m = record.members;
    const start = m.start(member);
    const n = <i32>(m.end(member) - start);
    const text = this.text;
    text.reset();
    if (m.kind(member) != Kind.String) text.copy(start, n);
    else if (m.flags(member) & ESCAPED) unescapeJson(start + 1, n - 2, text);
    else text.copy(start + 1, n - 2);
  }

  /** Masks the ranges of `member` (in text order, later ranges shifted by earlier changes), then the whole value. */
  private applyEdits(member: i32): void {
    let shift = 0;
    let done = i32.MIN_VALUE;
    while (true) {
      let next: Edit | null = null;
      for (let off: i32 = 0; off < this.edits.length; off += <i32>EDIT) {
        const e = changetype<Edit>(this.edits.ptr + <usize>off);
        if (e.member != member || e.whole != 0 || e.begin <= done) continue;
        if (next == null || e.begin < next.begin) next = e;
      }
      if (next == null) break;
      done = next.begin;
      const from = next.begin + shift;
      const to = next.finish + shift;
      if (from < 0 || to > this.text.length || from > to) continue; // overlaps an earlier range: already masked around it
      const before = this.text.length;
      this.replace(from, to, next.kinds, next.json != 0, next.url != 0);
      shift += this.text.length - before;
    }
    let kinds: u32 = 0;
    let url = false;
    for (let off: i32 = 0; off < this.edits.length; off += <i32>EDIT) {
      const e = changetype<Edit>(this.edits.ptr + <usize>off);
      if (e.member == member && e.whole != 0) {
        kinds |= e.kinds;
        if (e.url != 0) url = true;
      }
    }
    if (kinds != 0) this.replace(0, this.text.length, kinds, false, url);
  }

  /** Replaces text[from, to) by its masked form (each kind in turn). */
  private replace(from: i32, to: i32, kinds: u32, json: bool, url: bool): void {
    const text = this.text;
    let src = this.scratchA;
    let dst = this.scratchB;
    src.reset();
    if (json) unescapeJson(text.ptr + <usize>(from + 1), to - from - 2, src);
    else src.copy(text.ptr + <usize>from, to - from);
    for (let kind: u32 = 0; kind < 32; kind++) {
      if ((kinds & (1 << kind)) == 0) continue;
      dst.reset();
      this.mask(kind, src.ptr, src.length, dst, url);
      const t = src;
      src = dst;
      dst = t;
    }
    // Rebuild: head, the masked piece (re-escaped inside a JSON line), tail.
    const tail = this.piece;
    tail.reset();
    tail.copy(text.ptr + <usize>to, text.length - to);
    text.length = from;
    if (json) writeString(text, src.ptr, src.length);
    else text.copy(src.ptr, src.length);
    text.copy(tail.ptr, tail.length);
  }
}

/** The string member of the record whose token contains `p`, or -1. */
function containing(record: Record, p: usize): i32 {
  const m = record.members;
  for (let k = 0; k < m.count; k++) {
    if (m.kind(k) == Kind.String && (m.flags(k) & (IN_LINE | ESCAPED)) == 0 && m.start(k) < p && p < m.end(k) && m.start(k) >= record.ptr && m.end(k) <= record.ptr + <usize>record.len) return k;
  }
  return -1;
}

/** Fields whose values are URLs: a secret in them may be URL-encoded. */
function isUrl(key: i32): bool {
  return key == Field.Path || key == Field.Query || key == Field.Referer || key == Field.UriStem;
}
