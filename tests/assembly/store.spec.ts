// The per-correlation key store (assembly/correlation/store.ts) against its
// contract (README "Bounded"): at most `capacity` keys, the least recently
// used one evicted and counted, entries reused (memory stops at the cap),
// every live key found again whatever was removed before it. The expected
// order is kept by a plain list here: most recent at the end.
import { Store, Entry, NEVER } from "../../assembly/correlation/store";

function entry(s: Store, e: i32): Entry {
  return changetype<Entry>(s.at(e));
}

/** A small LCG for reproducible choices. */
let seed: u32 = 12345;
function next(): u32 {
  seed = seed * 1103515245 + 12345;
  return seed >> 8;
}

describe("Store", () => {
  it("creates an entry once, zeroed, with no alert yet and its first time", () => {
    const s = new Store(4, 24);
    const e = s.touch(0x1111, 5000);
    expect(s.created).toBe(true);
    expect(s.used).toBe(1);
    expect(entry(s, e).hash).toBe(0x1111);
    expect(entry(s, e).lastAlert).toBe(NEVER);
    expect(entry(s, e).firstSeen).toBe(5000);
    for (let k = 0; k < 24; k++) expect(load<u8>(s.payload(e) + <usize>k)).toBe(0);
    store<u64>(s.payload(e), 77);
    const again = s.touch(0x1111, 9000);
    expect(s.created).toBe(false);
    expect(again).toBe(e);
    expect(entry(s, e).firstSeen).toBe(5000, "first seen stays");
    expect(load<u64>(s.payload(e))).toBe(77, "the payload is kept");
    expect(s.find(0x2222)).toBe(-1);
  });

  it("evicts the least recently used key at the cap, and counts it", () => {
    const s = new Store(3, 8);
    s.touch(1, 0);
    s.touch(2, 0);
    s.touch(3, 0);
    s.touch(1, 0); // 2 is now the least recently used
    s.touch(4, 0);
    expect(s.evictions).toBe(1);
    expect(s.used).toBe(3);
    expect(s.find(2)).toBe(-1);
    expect(s.find(1)).toBeGreaterThanOrEqual(0);
    expect(s.find(3)).toBeGreaterThanOrEqual(0);
    expect(s.find(4)).toBeGreaterThanOrEqual(0);
    s.touch(5, 0); // 3 is next
    expect(s.find(3)).toBe(-1);
    expect(s.evictions).toBe(2);
  });

  it("a key created after an eviction starts clean in the freed entry (memory stops at the cap)", () => {
    const s = new Store(2, 16);
    const a = s.touch(10, 1);
    store<u64>(s.payload(a), 0xdead);
    entry(s, a).lastAlert = 99;
    s.touch(11, 2);
    const c = s.touch(12, 3); // evicts 10
    expect(c).toBe(a, "the evicted entry is reused");
    expect(s.created).toBe(true);
    expect(entry(s, c).hash).toBe(12);
    expect(entry(s, c).lastAlert).toBe(NEVER);
    expect(entry(s, c).firstSeen).toBe(3);
    expect(load<u64>(s.payload(c))).toBe(0, "the payload is zeroed");
    // Entries never go past the cap.
    for (let k: u64 = 100; k < 1000; k++) expect(s.touch(k, 0)).toBeLessThan(2);
  });

  it("finds every live key after thousands of evictions, with keys that all collide in the index", () => {
    const cap = 50;
    const s = new Store(cap, 8);
    const lru = new Array<u64>(); // least recent first
    for (let i = 1; i <= 5000; i++) {
      let h: u64;
      const r = next() % 4;
      if (r == 0 && lru.length > 0) {
        h = lru[<i32>(next() % <u32>lru.length)]; // a live key comes back
      } else if (r == 1) {
        h = (<u64>i << 32) | <u64>i; // (h ^ h >> 32) == 0: every such key has the same home slot
      } else {
        h = (<u64>next() << 20) ^ <u64>i;
      }
      const at = lru.indexOf(h);
      let evicted: u64 = 0;
      if (at >= 0) lru.splice(at, 1);
      else if (lru.length == cap) evicted = lru.shift();
      lru.push(h);
      const e = s.touch(h, <i64>i);
      expect(entry(s, e).hash).toBe(h);
      if (evicted != 0) expect(s.find(evicted)).toBe(-1);
    }
    expect(s.used).toBe(lru.length);
    for (let k = 0; k < lru.length; k++) {
      const e = s.find(lru[k]);
      expect(e).toBeGreaterThanOrEqual(0, "a live key was lost from the index");
      expect(entry(s, e).hash).toBe(lru[k]);
    }
    // The order is the LRU order: each new key now evicts the oldest of the list.
    for (let k = 0; k < cap; k++) {
      const oldest = lru[k];
      s.touch(<u64>0x7700000000 + <u64>k, 0);
      expect(s.find(oldest)).toBe(-1);
    }
  });

  it("counts evictions exactly", () => {
    const s = new Store(10, 8);
    for (let k: u64 = 1; k <= 1000; k++) s.touch(k, 0);
    expect(s.evictions).toBe(990);
    expect(s.used).toBe(10);
  });
});
