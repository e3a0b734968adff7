import { samePadded, sameBytes } from "../../assembly/runtime/span";

// The oracle is the definition: equal exactly when every one of the `len`
// bytes is equal, whatever lies before or after them.
const SLACK = 8;
const a = heap.alloc(64 + 2 * SLACK) + SLACK;
const b = heap.alloc(64 + 2 * SLACK) + SLACK;

/** The same bytes in both buffers; the bytes around the compared ones differ. */
function fill(len: i32): void {
  for (let i = -SLACK; i < 64 + SLACK; i++) {
    const inside = i >= 0 && i < len;
    store<u8>(a + <usize>i, <u8>(i * 7 + 3));
    store<u8>(b + <usize>i, inside ? <u8>(i * 7 + 3) : <u8>(i * 7 + 4));
  }
}

describe("samePadded and sameBytes", () => {
  it("are true for equal bytes, whatever surrounds them", () => {
    for (let len = 1; len <= 56; len++) {
      fill(len);
      expect(samePadded(a, b, len)).toBe(true, "samePadded len " + len.toString());
      expect(sameBytes(a, b, len)).toBe(true, "sameBytes len " + len.toString());
    }
  });

  it("see one differing bit at any position of any length", () => {
    for (let len = 1; len <= 56; len++) {
      for (let k = 0; k < len; k++) {
        fill(len);
        store<u8>(b + <usize>k, load<u8>(b + <usize>k) ^ 0x10);
        expect(samePadded(a, b, len)).toBe(false, "samePadded len " + len.toString() + " at " + k.toString());
        expect(sameBytes(a, b, len)).toBe(false, "sameBytes len " + len.toString() + " at " + k.toString());
      }
    }
  });
});
