// Hashes over bytes. Key tables hash 8 bytes per step (interpreted wasm pays
// per instruction, not per byte); group keys use a seeded 64-bit hash whose
// every bit depends on every byte.
import { leadingBytes } from "./swar";

/**
 * A table hash of a short name from its length and its first and last 8
 * bytes, no loop (tables compare the whole name on a hit). The bytes must
 * lie in a buffer with 8 bytes of slack: record, line, program.
 */
@inline export function wordHash(ptr: usize, len: i32): u32 {
  let h = leadingBytes(ptr, len) ^ (<u64>len * 0x9e3779b97f4a7c15);
  if (len > 8) h ^= load<u64>(ptr + <usize>(len - 8)) * 0xc2b2ae3d27d4eb4f;
  h *= 0xff51afd7ed558ccd;
  return <u32>(h >> 32);
}

/** The murmur3 finalizer: spreads every input bit over the whole word. */
export function mix64(h: u64): u64 {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >> 33;
  return h;
}

/** Folds bytes into a running 64-bit hash (FNV-1a, 8 bytes a step). */
export function hashBytes(h: u64, p: usize, len: i32): u64 {
  let i = 0;
  for (; i + 8 <= len; i += 8) h = mix64(h ^ load<u64>(p + <usize>i));
  for (; i < len; i++) h = (h ^ <u64>load<u8>(p + <usize>i)) * 0x100000001b3;
  return h;
}
