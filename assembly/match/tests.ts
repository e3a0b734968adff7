// Stage 3: predicates. Every field some rule tests is read once per record
// and run through all its tests: presence, the automata (on the value as
// logged and, for URL fields, URL-decoded), numbers, CIDR networks. What
// held goes into `fired`. A field whose rules are all limited to formats
// the record does not have is not read at all.
import { Bytes } from "../runtime/bytes";
import { Record } from "../record/record";
import { Slot, FieldReader } from "../fields/reader";
import { FieldValue } from "../fields/value";
import { needsUrlDecode, urlDecode } from "../fields/urldecode";
import { Fired } from "./fired";
import { Matcher, runMatcher } from "./dfa";
import { MatchMemo } from "./memo";
import { NumberTest, parseNumber, testNumber } from "./number";
import { CidrTest, testCidrs } from "./cidr";

/** Every test of one field. */
export class SlotTests {
  constructor(
    public slot: Slot,
    /** Format bits of the rules served; 0xffffffff: every record. */
    public formats: u32,
    public exists: StaticArray<i32>,
    public matchers: StaticArray<Matcher>,
    public numbers: StaticArray<NumberTest>,
    public cidrs: StaticArray<CidrTest>,
  ) {
    this.hasExists = exists.length > 0;
    this.hasMatchers = matchers.length > 0;
    this.hasNumbers = numbers.length > 0;
    this.hasCidrs = cidrs.length > 0;
    this.readsValue = this.hasMatchers || this.hasNumbers || this.hasCidrs;
    for (let k = 0; k < matchers.length; k++) if (matchers[k].urlDecode) this.urlDecode = true;
  }
  /** What the automata fired for recent values of this field. */
  memo: MatchMemo = new MatchMemo();
  // Which kinds of test the field has, as flags: a StaticArray's length
  // costs a header load and a shift each time, and each runs per field per record.
  hasExists: bool;
  hasMatchers: bool;
  hasNumbers: bool;
  hasCidrs: bool;
  readsValue: bool;
  urlDecode: bool = false;
}

export class PredicateTester {
  private value: FieldValue = new FieldValue();
  private decoded: Bytes = new Bytes(256);

  // The tested fields a record may have, for the last key mask and formats
  // seen: records of one source share both, so the fields they cannot have
  // are skipped without being looked at. Pairs: the field's index in
  // `tested`, and the key to read when the mask settles it (-1: look).
  private plan: StaticArray<i32>;
  private planned: i32 = 0;
  private planPresent: u64 = 0;
  private planFormats: u32 = 0;

  constructor(public tested: StaticArray<SlotTests>, public fields: FieldReader) {
    this.plan = new StaticArray<i32>(tested.length * 2);
    this.replan(0, 0);
  }

  /** Lists the tested fields whose keys may be present (a key bit is set) and whose rules apply to the formats. */
  private replan(present: u64, formats: u32): void {
    const tested = this.tested;
    let n = 0;
    for (let t = 0; t < tested.length; t++) {
      const tests = unchecked(tested[t]);
      if ((tests.slot.keyBits & present) == 0) continue;
      if ((tests.formats & formats) == 0 && tests.formats != 0xffffffff) continue;
      unchecked((this.plan[n++] = t));
      unchecked((this.plan[n++] = tests.slot.settledKey(present)));
    }
    this.planned = n;
    this.planPresent = present;
    this.planFormats = formats;
  }

  test(record: Record, fired: Fired): void {
    fired.clear();
    const tested = this.tested;
    if (tested.length == 0) return;
    const formats = record.formats;
    const present = record.members.present;
    if (present != this.planPresent || formats != this.planFormats) this.replan(present, formats);
    const plan = this.plan;
    const planned = this.planned;
    const members = record.members;
    for (let k = 0; k < planned; k += 2) {
      const tests = unchecked(tested[unchecked(plan[k])]);
      const settled = unchecked(plan[k + 1]);
      const key = settled >= 0 ? (members.has(settled) ? settled : -1) : this.fields.presentKey(tests.slot, record);
      if (key < 0) continue;
      if (tests.hasExists) {
        const exists = tests.exists;
        for (let k = 0, length = exists.length; k < length; k++) fired.set(unchecked(exists[k]));
      }
      if (!tests.readsValue) continue; // presence was all it needed: no decoding
      const v = this.value;
      this.fields.readKey(key, record, v);
      if (tests.hasMatchers && !tests.memo.recall(v.ptr, v.len, formats, fired)) {
        const matchers = tests.matchers;
        const from = fired.count;
        const decode = tests.urlDecode && needsUrlDecode(v.ptr, v.len);
        if (decode) urlDecode(v.ptr, v.len, this.decoded);
        for (let k = 0, length = matchers.length; k < length; k++) {
          const m = unchecked(matchers[k]);
          if ((m.formats & formats) == 0 && m.formats != 0xffffffff) continue;
          runMatcher(m, v.ptr, v.len, fired);
          if (decode && m.urlDecode) runMatcher(m, this.decoded.ptr, this.decoded.length, fired);
        }
        tests.memo.remember(v.ptr, v.len, formats, fired, from);
      }
      if (tests.hasNumbers) {
        const numbers = tests.numbers;
        const n = parseNumber(v.ptr, v.len);
        for (let k = 0, length = numbers.length; k < length; k++) testNumber(unchecked(numbers[k]), n, fired);
      }
      if (tests.hasCidrs) testCidrs(tests.cidrs, 0, tests.cidrs.length, v.ptr, v.len, fired);
    }
  }
}
