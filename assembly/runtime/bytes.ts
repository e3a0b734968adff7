// A growable byte buffer outside the garbage collector. Buffers are created
// once and reused for every record, so the per-record path allocates nothing.
// Every buffer has SLACK bytes past its capacity, so scanners may load 8
// bytes at a time up to its last byte.
import { Span } from "./span";

export const SLACK: usize = 8;
const HEX_DIGITS = "0123456789abcdef";

export class Bytes {
  ptr: usize = 0;
  length: i32 = 0;
  capacity: i32 = 0;

  constructor(initial: i32) {
    this.ptr = heap.alloc(<usize>initial + SLACK);
    this.capacity = initial;
  }

  @inline reset(): void {
    this.length = 0;
  }

  /** Where the next byte goes. */
  @inline get end(): usize {
    return this.ptr + <usize>this.length;
  }

  reserve(extra: i32): void {
    const need = this.length + extra;
    if (need <= this.capacity) return;
    let cap = this.capacity << 1;
    if (cap < need) cap = need;
    this.ptr = heap.realloc(this.ptr, <usize>cap + SLACK);
    this.capacity = cap;
  }

  byte(b: u32): void {
    if (this.length >= this.capacity) this.reserve(1);
    store<u8>(this.ptr + <usize>this.length, <u8>b);
    this.length++;
  }

  /** A byte as two lowercase hex digits (JSON's \u00XX, a URL's %XX). */
  hex(b: u32): void {
    this.byte(<u32>HEX_DIGITS.charCodeAt((b >> 4) & 15));
    this.byte(<u32>HEX_DIGITS.charCodeAt(b & 15));
  }

  copy(src: usize, len: i32): void {
    if (len <= 0) return;
    this.reserve(len);
    memory.copy(this.ptr + <usize>this.length, src, <usize>len);
    this.length += len;
  }

  span(s: Span): void {
    this.copy(s.ptr, s.len);
  }

  /** Appends an ASCII string literal (fixed JSON punctuation and names). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const at = this.ptr + <usize>this.length;
    const chars = changetype<usize>(s);
    let i = 0;
    // Four UTF-16 code units a step, each narrowed to its low byte: interpreted, a byte loop costs per character.
    for (; i + 4 <= n; i += 4) {
      const w = load<u64>(chars + (<usize>i << 1));
      store<u32>(at + <usize>i, <u32>((w & 0xff) | ((w >> 8) & 0xff00) | ((w >> 16) & 0xff0000) | ((w >> 24) & 0xff000000)));
    }
    for (; i < n; i++) store<u8>(at + <usize>i, <u8>load<u16>(chars + (<usize>i << 1)));
    this.length += n;
  }

  decimal(value: i64): void {
    if (value < 0) {
      this.byte(0x2d);
      // i64.MIN_VALUE has no positive twin: its digits are written from a u64.
      this.unsigned(<u64>(-(value + 1)) + 1);
      return;
    }
    this.unsigned(<u64>value);
  }

  unsigned(value: u64): void {
    this.reserve(20);
    let digits = 1;
    for (let v = value / 10; v > 0; v /= 10) digits++;
    let at = this.ptr + <usize>(this.length + digits);
    let v = value;
    do {
      at--;
      store<u8>(at, <u8>(0x30 + <u32>(v % 10)));
      v /= 10;
    } while (v > 0);
    this.length += digits;
  }
}
