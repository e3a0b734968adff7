import { ObjectScanner, ObjectShape } from "../../assembly/record/scan";
import { Members, Kind } from "../../assembly/record/members";
import { KeyTable } from "../../assembly/record/keys";
import { Span } from "../../assembly/runtime/span";
import { bytes } from "./helpers";

// bytes() keeps each key's buffer alive: the table holds bare pointers to them.
const keys = new KeyTable(StaticArray.fromArray<Span>([bytes("path"), bytes("code"), bytes("tripline")]));
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
    // The member starts at its key's quote, not at the whitespace before it.
    expect(run('{"a":1, \t"tripline":2 }')).toBe(true);
    expect(shape.owned.length).toBe(8);
    expect(load<i32>(shape.owned.ptr)).toBe(9);
    expect(load<i32>(shape.owned.ptr, 4)).toBe(21);
  });

  it("reads each record's keys afresh, whatever the record before it had at that position", () => {
    // The scanner remembers the key at each position; the oracle is a scanner that has seen nothing.
    const records: string[] = [
      '{"path":"/a","code":1}', '{"path":"/b","code":2}', '{"pat":"/b","code":2}', '{"patH":"/c","code":3}',
      '{"code":4,"path":"/d"}', '{"path":"/e","code":5}', '{"\\u0070ath":"/f","code":6}', '{"path" :"/g","code":7}',
      '{"path":"/h","codex":8}', '{"path":"/i","code":9}', '{"a_very_long_key_name_x":1,"path":"/j"}',
      '{"a_very_long_key_name_y":1,"path":"/k"}', '{"path":"/l","code', "{\"pa\th\":1}", '{"path":"/m","code":"x"}',
      '{"":1,"path":"/n"}', '{"":2,"path":"/o"}', '{"path":"/p","code":10}',
      // Keys around the remembered compare's word sizes (quote + key of 8, 9, 16 and 17 bytes), each
      // followed by a near miss in one byte, a missing colon or a cut record.
      '{"abcdefg":1,"path":"/q"}', '{"abcdefg":1,"path":"/r"}', '{"abcdefX":1,"path":"/s"}', '{"abcdefg" :1,"path":"/t"}',
      '{"abcdefgh":1,"code":11}', '{"abcdefgh":1,"code":12}', '{"abcdefgX":1,"code":13}', '{"Xbcdefgh":1,"code":14}',
      '{"abcdefghijklmno":1,"path":"/u"}', '{"abcdefghijklmno":2,"path":"/v"}', '{"abcdefghijklmnX":2,"path":"/w"}',
      '{"abcdefghXjklmno":2,"path":"/x"}', '{"abcdefghijklmnop":1,"path":"/y"}', '{"abcdefghijklmnop":1,"path":"/z"}',
      '{"path":"/1","code":15}', '{"path"}', '{"path":"/2","code":16}', '{"path":', '{"path":"/3","code":17}', '{"path"',
      '{"path":"/4","code":18}', '{"path":"/5","code"', '{"path":"/6","code":19}', '{"path":"/7","cod":19}',
      '{"tripline":1,"path":"/8"}', '{"triplinX":1,"path":"/9"}', '{"tripline":1,"path":"/10"}', '{"Xripline":1,"path":"/11"}',
      // Whitespace where a remembered key would start, and around values.
      '{"tripline":1, "path":"/12"}', '{ "tripline":1,"path":"/13"}', '{"tripline": 1 ,\n"path":\t"/14" }', '{"tripline":1,"path":"/15"}',
    ];
    for (let r = 0; r < records.length; r++) {
      const ok = run(records[r]);
      const fresh = new ObjectScanner(keys, owned);
      const freshMembers = new Members(3);
      const freshShape = new ObjectShape();
      const len = String.UTF8.byteLength(records[r]);
      expect(ok).toBe(fresh.scan(base, len, freshMembers, freshShape), records[r]);
      if (!ok) continue;
      expect(shape.count).toBe(freshShape.count, records[r] + " count");
      expect(shape.owned.length).toBe(freshShape.owned.length, records[r] + " owned");
      for (let at = 0; at < shape.owned.length; at += 4) {
        expect(load<i32>(shape.owned.ptr + <usize>at)).toBe(load<i32>(freshShape.owned.ptr + <usize>at), records[r] + " owned at");
      }
      for (let key = 0; key < 3; key++) {
        expect(members.kind(key)).toBe(freshMembers.kind(key), records[r] + " kind " + key.toString());
        if (members.kind(key) == Kind.Absent) continue;
        expect(members.start(key)).toBe(freshMembers.start(key), records[r] + " start " + key.toString());
        expect(members.end(key)).toBe(freshMembers.end(key), records[r]);
      }
    }
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

  it("refuses exactly the raw bytes RFC 8259 forbids in a string, at every offset of an 8-byte step", () => {
    // RFC 8259 section 7: a string holds any byte but the quote, the backslash and
    // control bytes (below 0x20) unescaped; bytes of 0x80 and above pass (UTF-8 is not checked).
    // `b` sits at each offset of a key and of a value, so every byte lane of the 8-byte test sees it.
    for (let b = 0; b < 256; b++) {
      const allowed = b >= 0x20 && b != 0x22 && b != 0x5c;
      for (let at = 0; at < 16; at++) {
        for (let inKey = 0; inKey < 2; inKey++) {
          const text = new Uint8Array(64);
          let n = 0;
          text[n++] = 0x7b; // {
          text[n++] = 0x22;
          if (inKey == 1) {
            for (let k = 0; k < at; k++) text[n++] = 0x6b; // k
            text[n++] = <u8>b;
            text[n++] = 0x6b;
          } else {
            text[n++] = 0x6b;
          }
          text[n++] = 0x22;
          text[n++] = 0x3a; // :
          text[n++] = 0x22;
          if (inKey == 0) {
            for (let k = 0; k < at; k++) text[n++] = 0x76; // v
            text[n++] = <u8>b;
            text[n++] = 0x76;
          }
          text[n++] = 0x22;
          text[n++] = 0x7d; // }
          // A fresh scanner each time: the key memory must not decide.
          const fresh = new ObjectScanner(keys, owned);
          const ok = fresh.scan(changetype<usize>(text.buffer), n, new Members(3), new ObjectShape());
          expect(ok).toBe(allowed, "byte " + b.toString() + " at " + at.toString() + (inKey == 1 ? " in a key" : " in a value"));
        }
      }
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
