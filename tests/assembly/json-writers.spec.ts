// The module's JSON writers, read back with json-as: what tripline adds to a
// record must parse as the value it was written from.
import { JSON } from "json-as";
import { Bytes } from "../../assembly/runtime/bytes";
import { writeString, writeNumber, writeTime } from "../../assembly/runtime/json";

function text(b: Bytes): string {
  return String.UTF8.decodeUnsafe(b.ptr, <usize>b.length);
}

function written(s: string): string {
  const bytes = String.UTF8.encode(s);
  const out = new Bytes(16);
  writeString(out, changetype<usize>(bytes), bytes.byteLength);
  return text(out);
}

function number(v: f64): string {
  const out = new Bytes(16);
  writeNumber(out, v);
  return text(out);
}

function time(ms: i64): string {
  const out = new Bytes(16);
  writeTime(out, ms);
  return text(out);
}

describe("writeString", () => {
  it("round-trips quotes, backslashes, control characters and non-ASCII", () => {
    const samples: string[] = ['plain', 'a"b', "back\\slash", "line\nfeed\ttab\r", "\u0001\u001f\u007f", "café ünïcode", "emoji 😀", ""];
    for (let i = 0; i < samples.length; i++) {
      expect(JSON.parse<string>(written(samples[i]))).toBe(samples[i], samples[i]);
    }
  });
});

describe("writeNumber", () => {
  it("writes integers exactly and fractions to six places", () => {
    expect(number(5)).toBe("5");
    expect(number(-42)).toBe("-42");
    expect(number(2.5)).toBe("2.5");
    expect(number(0.05)).toBe("0.05");
    expect(number(8.0 / 3.0)).toBe("2.666667");
    expect(number(-1.0000001)).toBe("-1");
    expect(JSON.parse<f64>(number(105.571429))).toBe(105.571429);
  });

  it("writes null for what JSON cannot hold", () => {
    expect(number(NaN)).toBe("null");
    expect(number(Infinity)).toBe("null");
  });
});

describe("writeTime", () => {
  it("writes ISO 8601 UTC", () => {
    expect(JSON.parse<string>(time(0))).toBe("1970-01-01T00:00:00.000Z");
    expect(JSON.parse<string>(time(1795255205123))).toBe("2026-11-21T10:00:05.123Z");
    expect(JSON.parse<string>(time(951782400000))).toBe("2000-02-29T00:00:00.000Z");
    expect(JSON.parse<string>(time(-1000))).toBe("1969-12-31T23:59:59.000Z");
  });
});
