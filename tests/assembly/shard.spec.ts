// Fleet shards (assembly/correlation/shard.ts): an aggregator reads its shard
// from the tag tripline.shard.<i>; jump hash is Lamping & Veach's.
import { tagShard, jumpHash } from "../../assembly/correlation/shard";
import { bytes } from "./helpers";

function shardOf(tag: string): i32 {
  const t = bytes(tag);
  return tagShard(t.ptr, t.len);
}

describe("shard tags", () => {
  it("tripline.shard.<digits> names a shard", () => {
    expect(shardOf("tripline.shard.0")).toBe(0);
    expect(shardOf("tripline.shard.7")).toBe(7);
    expect(shardOf("tripline.shard.255")).toBe(255);
  });
  it("any other tag is an edge's", () => {
    expect(shardOf("tripline.shard.")).toBe(-1);
    expect(shardOf("tripline.shard.1a")).toBe(-1);
    expect(shardOf("tripline.shard.1.x")).toBe(-1);
    expect(shardOf("tripline.shard.1000")).toBe(-1, "at most 3 digits: MAX_SHARDS is 256");
    expect(shardOf("tripline.shardX1")).toBe(-1);
    expect(shardOf("Tripline.shard.1")).toBe(-1, "tags are case-sensitive");
    expect(shardOf("logs.input")).toBe(-1);
    expect(shardOf("")).toBe(-1);
  });
});

describe("jump hash", () => {
  it("one bucket takes every key; keys stay in range", () => {
    for (let k: u64 = 0; k < 1000; k++) {
      expect(jumpHash(k * 0x9e3779b97f4a7c15, 1)).toBe(0);
      const b = jumpHash(k * 0x9e3779b97f4a7c15, 7);
      expect(b >= 0 && b < 7).toBe(true);
    }
  });
  it("a key only ever moves to the newest bucket as buckets are added", () => {
    for (let k: u64 = 1; k < 2000; k++) {
      const key = k * 0xc2b2ae3d27d4eb4f;
      let previous = jumpHash(key, 1);
      for (let n = 2; n <= 12; n++) {
        const now = jumpHash(key, n);
        expect(now == previous || now == n - 1).toBe(true);
        previous = now;
      }
    }
  });
});
