// Where the raw-line parsers and the shape normalisation put what they
// find: the canonical fields (schema CANONICAL_FIELDS), which sit at fixed
// indices of every program's key table. A field is filled only where the
// record does not carry that key itself.
import { Field } from "../runtime/schema";
import { Span } from "../runtime/span";
import { Members } from "./members";

export class FieldSink {
  /** Flags every value set through this sink carries (where its bytes live). */
  flags: u32 = 0;
  /** The event time the line states (epoch ms), or NO_TIME. */
  time: i64 = i64.MIN_VALUE;

  constructor(public members: Members) {}

  @inline set(f: Field, p: usize, len: i32): void {
    this.members.fill(<i32>f, p, len, this.flags);
  }

  /** A fixed word (`failure`, `access`): static bytes, never part of the record. */
  @inline constant(f: Field, value: Span): void {
    this.members.fill(<i32>f, value.ptr, value.len, 0);
  }
}

/** Static bytes for a word the parsers report. */
export function word(s: string): Span {
  const n = s.length;
  const p = heap.alloc(<usize>n);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
  return new Span(p, n);
}
