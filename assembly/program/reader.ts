// Sequential little-endian reader over the embedded program bytes.
// The program is produced by our own compiler, so it is trusted data; the
// reader still refuses to read past the end, so a truncated program gives an
// empty rule set rather than a trap.
export class Reader {
  ok: bool = true;
  constructor(public pos: usize, public end: usize) {}

  private take(n: usize): usize {
    const at = this.pos;
    if (at + n > this.end) {
      this.ok = false;
      return 0;
    }
    this.pos = at + n;
    return at;
  }

  u8(): u8 {
    const at = this.take(1);
    return this.ok ? load<u8>(at) : 0;
  }
  u16(): u16 {
    const at = this.take(2);
    return this.ok ? load<u16>(at) : 0;
  }
  u32(): u32 {
    const at = this.take(4);
    return this.ok ? load<u32>(at) : 0;
  }
  i32(): i32 {
    return <i32>this.u32();
  }
  f64(): f64 {
    const at = this.take(8);
    return this.ok ? load<f64>(at) : 0;
  }
  /** Skips `n` bytes and returns where they start (tables are used in place). */
  bytes(n: usize): usize {
    return this.take(n);
  }
  align4(): void {
    const pad: usize = (4 - (this.pos & 3)) & 3;
    this.take(pad);
  }
}

/** A byte range inside the program (strings are used in place, never copied). */
export class Span {
  constructor(public ptr: usize, public len: i32) {}
}

export function readSpan(r: Reader): Span {
  const len = r.u16();
  return new Span(r.bytes(len), len);
}
