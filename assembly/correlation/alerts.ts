// The alerts the current record raised, with copies of what the output
// writes about them (group values, samples, addresses), taken when the
// correlation decided: the output never goes back to the record.
import { Bytes } from "../runtime/bytes";
import { Status } from "./outcome";

export class Alert {
  correlation: i32 = 0;
  status: Status = Status.Fired;
  count: f64 = 0;
  baseline: f64 = NaN;
  deviation: f64 = NaN;
  score: f64 = NaN;
  first: i64 = 0;
  last: i64 = 0;
  /** Arena offsets of the copied values: group values (one per group-by field, -1 when absent), then samples. */
  groupAt: i32 = 0;
  groupCount: i32 = 0;
  samplesAt: i32 = 0;
  sampleCount: i32 = 0;
  addressesAt: i32 = 0;
  addressCount: i32 = 0;
}

/** A value in the arena: u32 length (0xffffffff: absent), then the bytes. */
@unmanaged class Stored {
  length: u32;
}

export const ABSENT: u32 = 0xffffffff;

export class Alerts {
  private list: Array<Alert> = [new Alert(), new Alert(), new Alert(), new Alert()];
  count: i32 = 0;
  arena: Bytes = new Bytes(512);

  reset(): void {
    this.count = 0;
    this.arena.reset();
  }

  @inline at(k: i32): Alert {
    return unchecked(this.list[k]);
  }

  /** The next alert, cleared (grown on demand; reused across records). */
  next(correlation: i32): Alert {
    if (this.count == this.list.length) this.list.push(new Alert());
    const a = unchecked(this.list[this.count++]);
    a.correlation = correlation;
    a.status = Status.Fired;
    a.count = 0;
    a.baseline = NaN;
    a.deviation = NaN;
    a.score = NaN;
    a.groupCount = 0;
    a.sampleCount = 0;
    a.addressCount = 0;
    a.groupAt = this.arena.length;
    a.samplesAt = this.arena.length;
    a.addressesAt = this.arena.length;
    return a;
  }

  /** Copies a value into the arena; returns its offset. */
  store(p: usize, len: i32): i32 {
    const at = this.arena.length;
    this.arena.reserve(4 + max(len, 0));
    changetype<Stored>(this.arena.end).length = len < 0 ? ABSENT : <u32>len;
    this.arena.length += 4;
    if (len > 0) this.arena.copy(p, len);
    return at;
  }

  /** The value at `offset`, and where the next one starts. */
  @inline valueLength(offset: i32): u32 {
    return changetype<Stored>(this.arena.ptr + <usize>offset).length;
  }

  @inline valuePtr(offset: i32): usize {
    return this.arena.ptr + <usize>offset + 4;
  }

  @inline following(offset: i32): i32 {
    const n = this.valueLength(offset);
    return offset + 4 + (n == ABSENT ? 0 : <i32>n);
  }
}
