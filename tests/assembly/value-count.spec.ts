// value_count (assembly/correlation/value-count.ts) against SEMANTICS.md:
// fires when >= N distinct values were seen, each last seen less than the
// timespan before the current event; README: samples are up to three
// values, cut at 39 bytes on a character boundary; a key keeps at most N values.
import { addValue, valueCountPayload, sampleArea, ValueCountState } from "../../assembly/correlation/value-count";
import { sampleAt, sampleLength } from "../../assembly/correlation/samples";
import { Outcome, Status } from "../../assembly/correlation/outcome";
import { bytes, zeroed, text } from "./helpers";

const SPAN: i64 = 60000;

class Key {
  p: usize;
  constructor(public needed: i32) {
    this.p = zeroed(valueCountPayload(needed));
  }

  /** Adds a value at `t`; the outcome. */
  add(value: string, t: i64): Outcome {
    const v = bytes(value);
    const out = new Outcome();
    // The hash is the caller's: any fixed function of the bytes.
    let h: u64 = 1469598103934665603;
    for (let i = 0; i < v.len; i++) h = (h ^ <u64>load<u8>(v.ptr + <usize>i)) * 1099511628211;
    addValue(this.p, this.needed, h, t, SPAN, v.ptr, v.len, out);
    return out;
  }

  samples(): string[] {
    const n = changetype<ValueCountState>(this.p).samples;
    const area = sampleArea(this.p, this.needed);
    const out = new Array<string>();
    for (let k = 0; k < n; k++) out.push(text(sampleAt(area, k), sampleLength(area, k)));
    return out;
  }
}

describe("value_count", () => {
  it("counts distinct values, not events", () => {
    const k = new Key(3);
    expect(k.add("/a", 0).status).toBe(Status.None);
    expect(k.add("/a", 5000).status).toBe(Status.None);
    expect(k.add("/b", 10000).status).toBe(Status.None);
    const out = k.add("/c", 20000);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(3);
    expect(out.first).toBe(5000, "the oldest of the values' last sightings");
    expect(out.last).toBe(20000);
  });

  it("forgets a value last seen a full timespan ago", () => {
    const k = new Key(3);
    k.add("/a", 0);
    k.add("/b", 1000);
    // /a was last seen 60 s before: not less than the timespan.
    expect(k.add("/c", 60000).status).toBe(Status.None);
    const out = k.add("/d", 60500); // /b (59.5 s), /c, /d
    expect(out.status).toBe(Status.Fired);
    expect(out.first).toBe(1000);
  });

  it("a value seen again is live again", () => {
    const k = new Key(2);
    k.add("/a", 0);
    k.add("/a", 59000);
    const out = k.add("/b", 100000); // /a last seen 41 s before
    expect(out.status).toBe(Status.Fired);
    expect(out.first).toBe(59000);
  });

  it("keeps at most N values: a full key makes room and still counts N", () => {
    const k = new Key(2);
    k.add("/a", 0);
    expect(k.add("/b", 1000).status).toBe(Status.Fired);
    const out = k.add("/c", 2000);
    expect(out.status).toBe(Status.Fired);
    expect(out.count).toBe(2);
    expect(out.first).toBe(1000, "/a, the least recently seen, made room");
  });

  it("samples: the newest three values, cut at 39 bytes on a character boundary", () => {
    const k = new Key(5);
    k.add("one", 0);
    k.add("two", 1);
    k.add("x".repeat(50), 2);
    // 38 ASCII bytes then a 2-byte character: byte 39 would split it.
    k.add("y".repeat(38) + "é" + "z", 3);
    const s = k.samples();
    expect(s.length).toBe(3);
    expect(s[0]).toBe("two");
    expect(s[1]).toBe("x".repeat(39));
    expect(s[2]).toBe("y".repeat(38));
  });

  it("engine bug: samples list a value twice when it expired and came back (README: up to three distinct values)", () => {
    const k = new Key(5);
    k.add("/a", 0);
    k.add("/b", 1000);
    k.add("/a", 70000); // /a and /b had expired: /a counts again
    const s = k.samples();
    for (let i = 0; i < s.length; i++) for (let j = i + 1; j < s.length; j++) expect(s[i]).not.toBe(s[j], "a value listed twice");
  });
});
