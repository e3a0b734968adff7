// Little-endian byte writer for the program format (read by the module's
// assembly/runtime/reader.ts). Strings are a u32 length, the bytes, and
// padding to a multiple of 4, so every number in the program stays aligned.
import { LITTLE_ENDIAN } from "../match/bytes.js";

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  /** `capacity`: the bytes expected; the buffer grows beyond it as needed. */
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

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
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }
  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`value ${v} does not fit the program's 32-bit field`);
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, v, true);
    this.length += 8;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  /** Many u16 (or u32) values at once, e.g. an automaton's table: copied as they are on a little-endian host. */
  values(v: Uint16Array | Uint32Array): void {
    if (LITTLE_ENDIAN) return this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const width = v.BYTES_PER_ELEMENT;
    this.reserve(v.length * width);
    let at = this.length;
    if (width === 2) for (let i = 0; i < v.length; i++, at += 2) this.view.setUint16(at, v[i], true);
    else for (let i = 0; i < v.length; i++, at += 4) this.view.setUint32(at, v[i], true);
    this.length = at;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** A u32 length, the UTF-8 bytes, padding to 4. */
  span(s: string | Uint8Array): void {
    const b = typeof s === "string" ? new TextEncoder().encode(s) : s;
    this.u32(b.length);
    this.bytes(b);
    this.align4();
  }
  /** A u32 count, then each as u32. */
  list(values: readonly number[]): void {
    this.u32(values.length);
    for (const v of values) this.u32(v);
  }
  align4(): void {
    while (this.length % 4 !== 0) this.u8(0);
  }
  /** Writes a section: u32 id, u32 length, then what `body` writes. */
  section(id: number, body: () => void): void {
    this.u32(id);
    const lengthAt = this.length;
    this.u32(0);
    body();
    this.align4();
    this.view.setUint32(lengthAt, this.length - lengthAt - 4, true);
  }
  /** Overwrites a u32 already written. */
  patch32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }
  /** The bytes written: a view of the buffer (no copy of a program of megabytes), which starts at offset 0. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
