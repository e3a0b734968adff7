// Eight bytes per step ("SIMD within a register"): interpreted wasm pays per
// instruction, not per byte, so scanners test a whole word at once.

export const ONES: u64 = 0x0101010101010101;
export const HIGHS: u64 = 0x8080808080808080;

/**
 * A high bit in each byte of `v` that is zero. Borrows can flag a byte above
 * a true zero, never below it, so the lowest flag is exact.
 */
@inline export function zeroBytes(v: u64): u64 {
  return (v - ONES) & ~v & HIGHS;
}

/** `b` in every byte of a word. */
@inline export function repeated(b: u32): u64 {
  return <u64>b * ONES;
}

/** A word's first `n` bytes (all 8 from `n` = 8 on) set, the rest zero. */
@inline export function leadingMask(n: i32): u64 {
  return n >= 8 ? <u64>-1 : (<u64>1 << (<u64>n << 3)) - 1;
}

/** The first `n` (0..8) bytes at `p` as a word, the rest zero; `p` must lie in a buffer with 8 bytes of slack. */
@inline export function leadingBytes(p: usize, n: i32): u64 {
  return load<u64>(p) & leadingMask(n);
}
