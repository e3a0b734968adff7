// Key sharding across a fleet (`tripline build --shards N`). One module runs
// on every node; the record's tag says where it is:
//   - on an edge (any tag but tripline.shard.<i>), local correlations
//     (`scope: local`) run as usual; for every other correlation the record
//     feeds, the shard that owns its group key is noted, and the output
//     lists those shards in one field ("0,2") that the edge's rewrite_tag
//     filters route on, one copy per shard;
//   - on aggregator i (tag tripline.shard.<i>), only the other correlations
//     run, and only for the keys shard i owns. The shard is recomputed here,
//     not read from the field: a copy that reached this shard for another
//     correlation's key (or by a stale field) is not counted twice.
// Shards come from Lamping & Veach's jump consistent hash ("A Fast, Minimal
// Memory, Consistent Hash Algorithm", 2014): going from N to N+1 shards
// moves about 1/(N+1) of the keys, every one of them to the new shard.
import { MAX_SHARDS, SHARD_TAG_PREFIX } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { Span } from "../runtime/span";
import { CharCode } from "../runtime/ascii";

/** The bucket in [0, buckets) of a 64-bit key (buckets >= 1). */
export function jumpHash(key: u64, buckets: i32): i32 {
  let b: i64 = -1;
  let j: i64 = 0;
  while (j < <i64>buckets) {
    b = j;
    key = key * 2862933555777941757 + 1;
    j = <i64>(<f64>(b + 1) * (<f64>(<i64>1 << 31) / <f64>((key >> 33) + 1)));
  }
  return <i32>b;
}

/** The shard a tag names (`tripline.shard.<i>`), or -1 for any other tag. */
export function tagShard(tag: usize, len: i32): i32 {
  const prefix = SHARD_TAG_PREFIX.length;
  if (len <= prefix || len > prefix + 3) return -1;
  for (let i = 0; i < prefix; i++) if (<i32>load<u8>(tag + <usize>i) != SHARD_TAG_PREFIX.charCodeAt(i)) return -1;
  let n = 0;
  for (let i = prefix; i < len; i++) {
    const d = <i32>load<u8>(tag + <usize>i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

export class Shards {
  /** The shard this node is for this record (from its tag); -1 on an edge. */
  own: i32 = -1;
  /** Edge: how many distinct shards this record needs. */
  count: i32 = 0;
  /** Aggregator: this record has a key this shard owns. */
  owned: bool = false;
  /**
   * Aggregator, since start: records that reached this shard with no key it
   * owns. Edges and aggregators disagree on the module (another --shards,
   * seed or rule set) or the routing: their events were not correlated.
   */
  misrouted: i64 = 0;
  private needed: StaticArray<bool> = new StaticArray<bool>(MAX_SHARDS);

  /** `total`: the number of aggregators; 0 when the module is not built for a fleet. */
  constructor(public total: i32) {}

  /** Starts a record: where it is comes from its tag. */
  begin(tag: usize, tagLen: i32): void {
    if (this.count > 0) {
      memory.fill(changetype<usize>(this.needed), 0, <usize>MAX_SHARDS);
      this.count = 0;
    }
    this.own = tagShard(tag, tagLen);
    this.owned = false;
  }

  /** Ends a record: an aggregator counts it when no key of it was its own. */
  end(): void {
    if (this.own >= 0 && !this.owned) this.misrouted++;
  }

  @inline get atEdge(): bool {
    return this.own < 0;
  }

  /** Edge: the record must reach the shard owning this key. */
  note(key: u64): void {
    const s = jumpHash(key, this.total);
    if (unchecked(this.needed[s])) return;
    unchecked((this.needed[s] = true));
    this.count++;
  }

  /** Aggregator: whether this shard owns the key. */
  owns(key: u64): bool {
    if (jumpHash(key, this.total) != this.own) return false;
    this.owned = true;
    return true;
  }

  /** `,"<field>":"0,2"`: the noted shards, ascending. */
  write(out: Bytes, field: Span, comma: bool): void {
    if (comma) out.byte(CharCode.Comma);
    out.byte(CharCode.Quote);
    out.span(field);
    out.ascii('":"');
    let first = true;
    for (let s = 0; s < this.total; s++) {
      if (!unchecked(this.needed[s])) continue;
      if (!first) out.byte(CharCode.Comma);
      first = false;
      out.unsigned(<u64>s);
    }
    out.byte(CharCode.Quote);
  }
}
