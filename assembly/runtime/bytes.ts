// A growable byte buffer outside the garbage collector. The filter's hot path
// allocates nothing else: buffers are created once and reused for every record.
export class Bytes {
  ptr: usize = 0;
  length: i32 = 0;
  capacity: i32 = 0;

  constructor(initial: i32) {
    this.ptr = heap.alloc(<usize>initial);
    this.capacity = initial;
  }

  reset(): void {
    this.length = 0;
  }

  reserve(extra: i32): void {
    const need = this.length + extra;
    if (need <= this.capacity) return;
    let cap = this.capacity << 1;
    if (cap < need) cap = need;
    this.ptr = heap.realloc(this.ptr, <usize>cap);
    this.capacity = cap;
  }

  byte(b: u8): void {
    if (this.length >= this.capacity) this.reserve(1);
    store<u8>(this.ptr + <usize>this.length, b);
    this.length++;
  }

  copy(src: usize, len: i32): void {
    if (len <= 0) return;
    this.reserve(len);
    memory.copy(this.ptr + <usize>this.length, src, <usize>len);
    this.length += len;
  }

  /** Appends an ASCII-only string literal (used for fixed JSON punctuation). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    for (let i = 0; i < n; i++) store<u8>(this.ptr + <usize>(this.length + i), <u8>s.charCodeAt(i));
    this.length += n;
  }

  decimal(value: i64): void {
    if (value < 0) {
      this.byte(0x2d);
      value = -value;
    }
    this.reserve(20);
    let digits = 1;
    for (let v = value / 10; v > 0; v /= 10) digits++;
    let at = this.ptr + <usize>(this.length + digits);
    let v = value;
    do {
      at--;
      store<u8>(at, <u8>(0x30 + <i32>(v % 10)));
      v /= 10;
    } while (v > 0);
    this.length += digits;
  }
}
