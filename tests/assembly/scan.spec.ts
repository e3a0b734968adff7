import { ObjectScanner, ObjectShape } from "../../assembly/record/scan";
import { Members, Kind } from "../../assembly/record/members";
import { KeyTable } from "../../assembly/record/keys";
import { Span } from "../../assembly/runtime/span";

function span(s: string): Span {
  const b = String.UTF8.encode(s);
  return new Span(changetype<usize>(b), b.byteLength);
}

const keys = new KeyTable(StaticArray.fromArray<Span>([span("path"), span("code"), span("tripline")]));
const owned = StaticArray.fromArray<bool>([false, false, true]);
const scanner = new ObjectScanner(keys, owned);
const members = new Members(3);
const shape = new ObjectShape();

let input = new ArrayBuffer(0);
let base: usize = 0;

/** Scans `json` from a copy with 8 bytes of slack after it, as the module's allocator provides. */
function run(json: string): bool {
  const bytes = String.UTF8.encode(json);
  input = new ArrayBuffer(bytes.byteLength + 8);
  memory.copy(changetype<usize>(input), changetype<usize>(bytes), <usize>bytes.byteLength);
  base = changetype<usize>(input);
  return scanner.scan(base, bytes.byteLength, members, shape);
}

describe("ObjectScanner", () => {
  it("accepts objects and notes the wanted values", () => {
    expect(run('{"path":"/a","code":404,"x":[1,{"y":2}]}')).toBe(true);
    expect(members.kind(0)).toBe(Kind.String);
    expect(members.start(0) - base).toBe(8);
    expect(members.end(0) - base).toBe(12);
    expect(members.kind(1)).toBe(Kind.Number);
    expect(shape.count).toBe(3);
    expect(shape.closeAt).toBe(39);
  });

  it("ignores keys of nested objects", () => {
    expect(run('{"a":{"path":"/x"}}')).toBe(true);
    expect(members.kind(0)).toBe(Kind.Absent);
  });

  it("finds every existing namespace member", () => {
    expect(run('{"a":1,"tripline":{"rules":[]}}')).toBe(true);
    expect(shape.owned.length).toBe(8);
    expect(load<i32>(shape.owned.ptr)).toBe(7);
    expect(load<i32>(shape.owned.ptr, 4)).toBe(30);
    expect(run('{"tripline":1,"b":2,"tripline":"x"}')).toBe(true);
    expect(shape.owned.length).toBe(16);
    expect(load<i32>(shape.owned.ptr, 8)).toBe(20);
  });

  it("rejects what is not one JSON object", () => {
    const bad: string[] = [
      "", "[]", "1", '"s"', "{", '{"a":1', '{"a":1,}', '{"a" 1}', '{"a":01}', '{"a":1.}',
      '{"a":-}', '{"a":tru}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":[1,]}', '{"a":[}',
      '{"a":{]}', '{"a":1}}', '{"a":1} x', '{a:1}', "{\"a\":\"tab\there\"}", '{"a":1e}',
    ];
    for (let i = 0; i < bad.length; i++) {
      expect(run(bad[i])).toBe(false, bad[i]);
    }
  });

  it("accepts every valid scalar form and whitespace", () => {
    const good: string[] = [
      "{}", " { } ", '{"a":-0.5e+10}', '{"a":true,"b":false,"c":null}', '{"a":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}',
      '{"a":[]}', '{"a":[[],{}]}', '{\n"a" : 1\r\n}\t',
    ];
    for (let i = 0; i < good.length; i++) {
      expect(run(good[i])).toBe(true, good[i]);
    }
  });

  it("handles deep nesting without recursion", () => {
    let s = '{"a":';
    for (let i = 0; i < 10000; i++) s += "[";
    for (let i = 0; i < 10000; i++) s += "]";
    s += "}";
    expect(run(s)).toBe(true);
    expect(run(s.slice(0, s.length - 2) + "}")).toBe(false);
  });
});
