// The compiled rule program, decoded once from the bytes the compiler embedded
// (see src/compiler/program/encode.ts for the byte layout, field by field).
// Tables (automata, strings, rule code) stay where they are in memory; only
// the small index objects are allocated, once.
import { Reader, Span, readSpan } from "./reader";
import { KeyTable } from "../record/keys";
import { Slot } from "../fields/slot";
import { Matcher } from "../match/dfa";
import { NumberTest } from "../match/number";
import { CidrTest } from "../match/cidr";
import { Rule, Redaction } from "../rules/rule";
import { Correlation, readCorrelations } from "../correlation/correlation";

export const MAGIC: u32 = 0x4c505254; // "TRPL"
export const VERSION: u32 = 1;

export class ExistsTest {
  slot: i32 = 0;
  predicate: i32 = 0;
}

/** The tests of one slot, as index ranges into the program's sorted test lists. */
export class SlotTests {
  matcherFrom: i32 = 0;
  matcherTo: i32 = 0;
  numberFrom: i32 = 0;
  numberTo: i32 = 0;
  cidrFrom: i32 = 0;
  cidrTo: i32 = 0;
  existsFrom: i32 = 0;
  existsTo: i32 = 0;
  /** Some automaton of the slot also reads the URL-decoded value. */
  urlDecode: bool = false;
  /** Some test needs the value, not only its presence. */
  readsValue: bool = false;
}

export class Program {
  valid: bool = false;
  namespace: Span = new Span(0, 0);
  alertField: Span = new Span(0, 0);
  keys: KeyTable = new KeyTable([]);
  namespaceKey: i32 = -1;
  alertKey: i32 = -1;
  /** Statistics interval in ms (0: off). */
  statsInterval: i64 = 0;
  slots: Slot[] = [];
  slotTests: SlotTests[] = [];
  /** The slots some predicate tests (group-by and redaction slots may have none). */
  testedSlots: StaticArray<i32> = new StaticArray<i32>(0);
  predicateCount: i32 = 0;
  matchers: Matcher[] = [];
  numbers: NumberTest[] = [];
  cidrs: CidrTest[] = [];
  exists: ExistsTest[] = [];
  tags: Span[] = [];
  rules: Rule[] = [];
  /** For each predicate, the rules that can only hold when it does. */
  predicateRules: StaticArray<u16>[] = [];
  /** Rules that must be evaluated on every record. */
  alwaysRules: u16[] = [];
  anyTagGlobs: bool = false;
  correlations: Correlation[] = [];
}

function readMatcher(r: Reader): Matcher {
  const m = new Matcher();
  m.slot = r.u16();
  const flags = r.u8();
  m.urlDecode = (flags & 1) != 0;
  m.wide = (flags & 2) != 0;
  m.classCount = r.u16();
  const stateCount = r.u32();
  m.start = r.i32();
  m.dead = r.i32();
  m.special = r.i32();
  const listBytes = r.u32();
  r.align4();
  m.classMap = r.bytes(256);
  m.next = r.bytes(<usize>stateCount * <usize>m.classCount * (m.wide ? 4 : 2));
  r.align4();
  m.emitAnywhere = r.bytes(<usize>stateCount * 4);
  m.emitAtEnd = r.bytes(<usize>stateCount * 4);
  m.lists = r.bytes(listBytes);
  return m;
}

function readRule(r: Reader): Rule {
  const rule = new Rule();
  rule.id = readSpan(r);
  rule.title = readSpan(r);
  rule.level = r.u8();
  rule.action = r.u8();
  rule.silent = r.u8() != 0;
  const tagCount = <i32>r.u8();
  rule.tags = new StaticArray<u16>(tagCount);
  for (let k = 0; k < tagCount; k++) rule.tags[k] = r.u16();
  const globCount = <i32>r.u8();
  for (let k = 0; k < globCount; k++) rule.tagGlobs.push(readSpan(r));
  rule.alwaysEvaluate = r.u8() != 0;
  rule.codeLength = r.u16();
  rule.code = r.bytes(<usize>rule.codeLength);
  const redactCount = <i32>r.u8();
  for (let k = 0; k < redactCount; k++) {
    const red = new Redaction();
    red.slot = r.u16();
    red.kind = r.u8();
    rule.redactions.push(red);
  }
  return rule;
}

export function readProgram(ptr: usize, len: usize): Program {
  const p = new Program();
  const r = new Reader(ptr, ptr + len);
  if (r.u32() != MAGIC || r.u32() != VERSION) return p;
  p.namespace = readSpan(r);
  p.alertField = readSpan(r);
  p.statsInterval = <i64>r.f64();

  const keyCount = <i32>r.u16();
  const keys = new Array<Span>(0);
  for (let k = 0; k < keyCount; k++) keys.push(readSpan(r));
  p.keys = new KeyTable(keys);
  p.namespaceKey = r.u16() - 1; // stored +1; 0 = not among the keys
  p.alertKey = r.u16() - 1;

  const slotCount = <i32>r.u16();
  for (let s = 0; s < slotCount; s++) {
    const slot = new Slot();
    const n = <i32>r.u8();
    slot.keys = new StaticArray<i32>(n);
    for (let k = 0; k < n; k++) slot.keys[k] = r.u16();
    p.slots.push(slot);
    p.slotTests.push(new SlotTests());
  }
  p.predicateCount = r.u16();

  const matcherCount = <i32>r.u16();
  for (let k = 0; k < matcherCount; k++) p.matchers.push(readMatcher(r));
  const numberCount = <i32>r.u16();
  for (let k = 0; k < numberCount; k++) {
    const t = new NumberTest();
    t.slot = r.u16();
    t.op = r.u8();
    t.value = r.f64();
    t.predicate = r.u16();
    p.numbers.push(t);
  }
  const cidrCount = <i32>r.u16();
  for (let k = 0; k < cidrCount; k++) {
    const t = new CidrTest();
    t.slot = r.u16();
    t.predicate = r.u16();
    t.prefix = r.u8();
    t.network = r.bytes(16);
    p.cidrs.push(t);
  }
  const existsCount = <i32>r.u16();
  for (let k = 0; k < existsCount; k++) {
    const t = new ExistsTest();
    t.slot = r.u16();
    t.predicate = r.u16();
    p.exists.push(t);
  }
  indexSlotTests(p);

  const tagCount = <i32>r.u16();
  for (let k = 0; k < tagCount; k++) p.tags.push(readSpan(r));
  const ruleCount = <i32>r.u16();
  for (let k = 0; k < ruleCount; k++) {
    const rule = readRule(r);
    if (rule.tagGlobs.length > 0) p.anyTagGlobs = true;
    if (rule.alwaysEvaluate) p.alwaysRules.push(<u16>k);
    p.rules.push(rule);
  }
  for (let k = 0; k < p.predicateCount; k++) {
    const n = <i32>r.u16();
    const list = new StaticArray<u16>(n);
    for (let j = 0; j < n; j++) list[j] = r.u16();
    p.predicateRules.push(list);
  }
  p.correlations = readCorrelations(r, p.rules.length);
  for (let c = 0; c < p.correlations.length; c++) {
    const rules = p.correlations[c].rules;
    for (let step = 0; step < rules.length; step++) {
      const rule = p.rules[rules[step]];
      rule.correlations.push(c);
      rule.steps.push(step);
    }
  }
  p.valid = r.ok && r.pos == r.end;
  return p;
}

/** The compiler sorts every test list by slot; record each slot's range. */
function indexSlotTests(p: Program): void {
  for (let k = 0; k < p.matchers.length; k++) {
    const t = p.slotTests[p.matchers[k].slot];
    if (t.matcherTo == 0) t.matcherFrom = k;
    t.matcherTo = k + 1;
    if (p.matchers[k].urlDecode) t.urlDecode = true;
  }
  for (let k = 0; k < p.numbers.length; k++) {
    const t = p.slotTests[p.numbers[k].slot];
    if (t.numberTo == 0) t.numberFrom = k;
    t.numberTo = k + 1;
  }
  for (let k = 0; k < p.cidrs.length; k++) {
    const t = p.slotTests[p.cidrs[k].slot];
    if (t.cidrTo == 0) t.cidrFrom = k;
    t.cidrTo = k + 1;
  }
  for (let k = 0; k < p.exists.length; k++) {
    const t = p.slotTests[p.exists[k].slot];
    if (t.existsTo == 0) t.existsFrom = k;
    t.existsTo = k + 1;
  }
  let n = 0;
  for (let s = 0; s < p.slotTests.length; s++) {
    const t = p.slotTests[s];
    t.readsValue = t.matcherTo > t.matcherFrom || t.numberTo > t.numberFrom || t.cidrTo > t.cidrFrom;
    if (hasTests(t)) n++;
  }
  p.testedSlots = new StaticArray<i32>(n);
  n = 0;
  for (let s = 0; s < p.slotTests.length; s++) if (hasTests(p.slotTests[s])) p.testedSlots[n++] = s;
}

function hasTests(t: SlotTests): bool {
  return t.matcherTo > t.matcherFrom || t.numberTo > t.numberFrom || t.cidrTo > t.cidrFrom || t.existsTo > t.existsFrom;
}
