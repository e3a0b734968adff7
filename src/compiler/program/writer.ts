// Little-endian byte writer for the program format read by assembly/program/reader.ts.
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u16(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`value ${v} does not fit the program's 16-bit field`);
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** A u16 length and the UTF-8 bytes. */
  span(s: string | Uint8Array): void {
    const b = typeof s === "string" ? new TextEncoder().encode(s) : s;
    this.u16(b.length);
    this.bytes(b);
  }
  /** Pads to a multiple of 4, counting from the program's first byte (which the module aligns to 16). */
  align4(): void {
    while (this.length % 4 !== 0) this.u8(0);
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
