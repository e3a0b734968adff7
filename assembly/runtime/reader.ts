// Reads the compiled program and checks it as it goes: every count against
// the bytes left, every index against its table, every section against its
// stated length. The first problem is kept; the loader then refuses the
// whole program (the module stops at instantiation), so a corrupt or
// foreign program can never become a filter that quietly matches nothing.
import { Span } from "./span";

export class Reader {
  /** 0 while everything read so far is valid; else the offset of the first problem + 1. */
  failedAt: usize = 0;
  private sectionEnd: usize;

  constructor(public pos: usize, public end: usize) {
    this.sectionEnd = end;
  }

  @inline get ok(): bool {
    return this.failedAt == 0;
  }

  fail(): void {
    if (this.failedAt == 0) this.failedAt = this.pos + 1;
    // Nothing more is read once something is wrong.
    this.pos = this.sectionEnd;
  }

  private take(n: usize): usize {
    const at = this.pos;
    if (!this.ok || n > this.sectionEnd - at) {
      this.fail();
      return 0;
    }
    this.pos = at + n;
    return at;
  }

  u8(): u32 {
    const at = this.take(1);
    return at == 0 ? 0 : <u32>load<u8>(at);
  }

  u32(): u32 {
    const at = this.take(4);
    return at == 0 ? 0 : load<u32>(at);
  }

  i32(): i32 {
    return <i32>this.u32();
  }

  u64(): u64 {
    const at = this.take(8);
    return at == 0 ? 0 : load<u64>(at);
  }

  f64(): f64 {
    const at = this.take(8);
    return at == 0 ? 0 : load<f64>(at);
  }

  /** A finite number within [min, max]. */
  number(min: f64, max: f64): f64 {
    const v = this.f64();
    if (!(v >= min && v <= max)) this.fail();
    return v;
  }

  /** A u32 below `limit`. */
  index(limit: i32): i32 {
    const v = this.u32();
    if (v >= <u32>limit) {
      this.fail();
      return 0;
    }
    return <i32>v;
  }

  /** A u32 below `limit`, or 0xffffffff read as -1 (none). */
  optionalIndex(limit: i32): i32 {
    const v = this.u32();
    if (v == 0xffffffff) return -1;
    if (v >= <u32>limit) {
      this.fail();
      return -1;
    }
    return <i32>v;
  }

  /** A count of items of at least `minBytes` each that the rest of the section can hold. */
  count(minBytes: i32): i32 {
    const v = this.u32();
    if (<u64>v * <u64>max(minBytes, 1) > <u64>(this.sectionEnd - this.pos)) {
      this.fail();
      return 0;
    }
    return <i32>v;
  }

  /** `n` bytes used in place; returns where they start. */
  bytes(n: usize): usize {
    return this.take(n);
  }

  /** A string: u32 length, the bytes, padding to a multiple of 4. */
  span(): Span {
    const n = this.u32();
    const at = this.take(n);
    this.take((4 - (n & 3)) & 3);
    return new Span(at, this.ok ? <i32>n : 0);
  }

  /** Enters section `id`: u32 id, u32 length; reading stays inside it. */
  enter(id: u32): void {
    this.sectionEnd = this.end;
    if (this.u32() != id) this.fail();
    const length = this.u32();
    if (!this.ok || <usize>length > this.end - this.pos) {
      this.fail();
      return;
    }
    this.sectionEnd = this.pos + length;
  }

  /** Leaves the section: everything in it must have been read. */
  leave(): void {
    if (this.pos != this.sectionEnd) this.fail();
    this.sectionEnd = this.end;
  }
}
