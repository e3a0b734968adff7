// Sets of bytes (0..255) as 256-bit bitmaps, and the byte-level helpers the
// pattern front ends share: ASCII-only case folding and UTF-8 encoding.

/** Whether typed arrays are little-endian here, as the program and the cache are: then tables are copied whole. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A set of bytes: 8 words of 32 bits. */
export type ByteSet = Uint32Array;

export function emptySet(): ByteSet {
  return new Uint32Array(8);
}

export function fullSet(): ByteSet {
  return new Uint32Array(8).fill(0xffffffff);
}

export function byteSet(...bytes: number[]): ByteSet {
  const s = emptySet();
  for (const b of bytes) addByte(s, b);
  return s;
}

export function addByte(s: ByteSet, b: number): void {
  s[b >>> 5] |= 1 << (b & 31);
}

export function hasByte(s: ByteSet, b: number): boolean {
  return (s[b >>> 5] & (1 << (b & 31))) !== 0;
}

/** Adds lo..hi (inclusive), clamped to 0..255. */
export function addRange(s: ByteSet, lo: number, hi: number): void {
  if (hi > 255) hi = 255;
  for (let b = lo; b <= hi; b++) addByte(s, b);
}

export function unionInto(target: ByteSet, other: ByteSet): void {
  for (let i = 0; i < 8; i++) target[i] |= other[i];
}

export function complement(s: ByteSet): ByteSet {
  const r = emptySet();
  for (let i = 0; i < 8; i++) r[i] = ~s[i];
  return r;
}

export function setKey(s: ByteSet): string {
  let k = "";
  for (let i = 0; i < 8; i++) k += s[i].toString(16) + ",";
  return k;
}

export function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** The other case of an ASCII letter. */
export function swapAsciiCase(b: number): number {
  return b ^ 0x20;
}

/** The closure of `s` under A-Z <-> a-z. Bytes >= 0x80 are never folded. */
export function foldAscii(s: ByteSet): ByteSet {
  const r = s.slice();
  for (let b = 0x41; b <= 0x7a; b++) {
    if (isAsciiLetter(b) && hasByte(s, b)) addByte(r, swapAsciiCase(b));
  }
  return r;
}

/** The set matching byte `b`, with its other case too when `cased` is false. */
export function byteMatcher(b: number, cased: boolean): ByteSet {
  const s = byteSet(b);
  if (!cased && isAsciiLetter(b)) addByte(s, swapAsciiCase(b));
  return s;
}

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
