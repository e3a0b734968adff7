// Fluent Bit tag globs: `*` matches any run of characters, everything else
// itself. Iterative with one backtrack point, so it is linear-ish and safe.
import { Span } from "../runtime/span";

export function globMatches(glob: Span, p: usize, len: i32): bool {
  let g = 0;
  let t = 0;
  let starG = -1;
  let starT = 0;
  while (t < len) {
    if (g < glob.len) {
      const c = load<u8>(glob.ptr + <usize>g);
      if (c == 0x2a) {
        starG = g++;
        starT = t;
        continue;
      }
      if (c == load<u8>(p + <usize>t)) {
        g++;
        t++;
        continue;
      }
    }
    if (starG < 0) return false;
    g = starG + 1;
    t = ++starT;
  }
  while (g < glob.len && load<u8>(glob.ptr + <usize>g) == 0x2a) g++;
  return g == glob.len;
}
