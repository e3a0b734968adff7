// Decodes the compiled rule program (src/compiler/program/encode.ts writes
// it; the layout is described there, section by section) and checks all of
// it: every count against the bytes left, every index against its table,
// every automaton transition and emit list, every condition program. Each
// stage gets its tables from here. Anything wrong and the module refuses
// the program: it stops at instantiation, so Fluent Bit does not start with
// a filter that would quietly let everything through.
import { MAGIC, VERSION, Section, FIXED_KEYS, Level, Action, RedactKind, NumberOp, CorrelationType, MAX_ROUTES, MAX_SHARDS, MAX_THRESHOLD, Format } from "../runtime/schema";
import { Reader } from "../runtime/reader";
import { Span } from "../runtime/span";
import { KeyTable } from "../record/keys";
import { ObjectScanner } from "../record/scan";
import { isWordByte } from "../runtime/ascii";
import { Slot } from "../fields/reader";
import { Matcher } from "../match/dfa";
import { NumberTest } from "../match/number";
import { CidrTest } from "../match/cidr";
import { SlotTests } from "../match/tests";
import { Rule, Redaction, validCode } from "../rules/rule";
import { Correlation } from "../correlation/correlation";
import { Store } from "../correlation/store";
import { eventCountPayload } from "../correlation/event-count";
import { valueCountPayload } from "../correlation/value-count";
import { temporalPayload } from "../correlation/temporal";
import { spikePayload } from "../correlation/spike";
import { anomalyPayload } from "../correlation/anomaly";
import { percentilePayload } from "../correlation/percentile";

const ALL_FORMATS: u32 = 0xffffffff;
const KNOWN_FORMATS: u32 = (1 << Format.Count) - 1;
/** Row offsets of the narrow automaton layout are u16 byte offsets. */
const NARROW_LIMIT: i64 = 0xffff;

/** The program's first 16 bytes (src/compiler/program/encode.ts writes them). */
@unmanaged export class ProgramHeader {
  magic: u32;
  version: u32;
  /** The whole program's length, header included. */
  length: u32;
  checksum: u32;
}

export class Options {
  namespace: Span = new Span();
  routeFields: StaticArray<Span> = new StaticArray<Span>(0);
  statsInterval: i64 = 0;
  lateness: i64 = 0;
  seed: u64 = 0;
  readLines: bool = false;
  /** Aggregators correlation keys are sharded over; 0: no fleet. */
  shards: i32 = 0;
  /** The key an edge writes the shard list under (raw bytes, no quotes). */
  shardField: Span = new Span();
}

export class Program {
  options: Options = new Options();
  keys: KeyTable = new KeyTable(new StaticArray<Span>(0));
  owned: StaticArray<bool> = new StaticArray<bool>(0);
  slots: StaticArray<Slot> = new StaticArray<Slot>(0);
  predicateCount: i32 = 0;
  tested: StaticArray<SlotTests> = new StaticArray<SlotTests>(0);
  tags: StaticArray<Span> = new StaticArray<Span>(0);
  rules: StaticArray<Rule> = new StaticArray<Rule>(0);
  wakes: StaticArray<StaticArray<i32>> = new StaticArray<StaticArray<i32>>(0);
  always: StaticArray<i32> = new StaticArray<i32>(0);
  correlations: StaticArray<Correlation> = new StaticArray<Correlation>(0);
  /** 0 when valid; else the program offset of the first problem + 1. */
  failedAt: usize = 0;
}

// Strings the output copies as they are (ids, titles, tags, routes, field
// names) must be JSON strings, and the names written inside quotes (the
// namespace, the route fields) plain key characters: a damaged program must
// never make the module write something that is not JSON.
const strings = new ObjectScanner(new KeyTable(new StaticArray<Span>(0)), null);

function jsonString(r: Reader, s: Span): Span {
  if (r.ok && (s.len < 2 || load<u8>(s.ptr) != 0x22 || strings.skipString(s.ptr, s.ptr + <usize>s.len) != s.ptr + <usize>s.len)) r.fail();
  return s;
}

function keyName(r: Reader, s: Span, longest: i32 = 64): Span {
  if (s.len < 1 || s.len > longest) r.fail();
  for (let i = 0; i < s.len && r.ok; i++) {
    const c = <u32>load<u8>(s.ptr + <usize>i);
    if (!(isWordByte(c) || c == 0x2e || c == 0x2d)) r.fail();
  }
  return s;
}

/** FNV-1a over the program after its header, a u32 word a step (src/compiler/program/encode.ts: checksum). */
function checksum(p: usize, len: usize): u32 {
  let h: u32 = 2166136261;
  const words = len & ~3;
  let i: usize = 0;
  for (; i < words; i += 4) h = (h ^ load<u32>(p + i)) * 16777619;
  for (; i < len; i++) h = (h ^ <u32>load<u8>(p + i)) * 16777619;
  return h;
}

export function loadProgram(ptr: usize, len: usize): Program {
  const program = new Program();
  const r = new Reader(ptr, ptr + len);
  if (r.u32() != MAGIC || r.u32() != VERSION || <usize>r.u32() != len) r.fail();
  const sum = r.u32();
  if (r.ok && checksum(ptr + 16, len - 16) != sum) r.fail();
  readOptions(r, program);
  readKeys(r, program);
  readSlots(r, program);
  readTests(r, program);
  readTags(r, program);
  readRules(r, program);
  readTriggers(r, program);
  readCorrelations(r, program);
  if (r.ok && r.pos != r.end) r.fail();
  program.failedAt = r.failedAt == 0 ? 0 : r.failedAt - ptr;
  return program;
}

function readOptions(r: Reader, p: Program): void {
  r.enter(Section.Options);
  const o = p.options;
  o.namespace = keyName(r, r.span());
  const routes = r.u32();
  if (routes != <u32>MAX_ROUTES) r.fail();
  o.routeFields = new StaticArray<Span>(r.ok ? MAX_ROUTES : 0);
  for (let k = 0; k < o.routeFields.length; k++) o.routeFields[k] = keyName(r, r.span());
  o.statsInterval = <i64>r.number(0, 1e15);
  o.lateness = <i64>r.number(0, 1e15);
  o.seed = r.u64();
  const flags = r.u32();
  if (flags > 1) r.fail();
  o.readLines = (flags & 1) != 0;
  o.shards = r.i32();
  if (o.shards < 0 || o.shards > MAX_SHARDS) r.fail();
  // The namespace (up to 64 bytes) + "_shards".
  o.shardField = keyName(r, r.span(), 64 + 7);
  r.leave();
}

function readKeys(r: Reader, p: Program): void {
  r.enter(Section.Keys);
  const n = r.count(4);
  if (n < FIXED_KEYS.length) r.fail();
  const keys = new StaticArray<Span>(r.ok ? n : 0);
  for (let k = 0; k < keys.length; k++) keys[k] = r.span();
  // The fixed keys sit where the module's constants say.
  for (let k = 0; k < FIXED_KEYS.length && r.ok; k++) {
    const expected = String.UTF8.encode(FIXED_KEYS[k]);
    if (!keys[k].equals(changetype<usize>(expected), expected.byteLength)) r.fail();
  }
  p.keys = new KeyTable(keys);
  p.owned = new StaticArray<bool>(keys.length);
  const owned = r.count(4);
  for (let k = 0; k < owned; k++) p.owned[r.index(keys.length)] = true;
  r.leave();
}

function readIndexList(r: Reader, limit: i32): StaticArray<i32> {
  const n = r.count(4);
  const list = new StaticArray<i32>(n);
  for (let k = 0; k < n; k++) list[k] = r.index(limit);
  return list;
}

function readSlots(r: Reader, p: Program): void {
  r.enter(Section.Slots);
  const n = r.count(4);
  p.slots = new StaticArray<Slot>(n);
  for (let s = 0; s < n; s++) p.slots[s] = new Slot(readIndexList(r, p.keys.count));
  r.leave();
}

function readFormats(r: Reader): u32 {
  const f = r.u32();
  if (f != ALL_FORMATS && (f & ~KNOWN_FORMATS) != 0) r.fail();
  return f;
}

function readTests(r: Reader, p: Program): void {
  r.enter(Section.Tests);
  p.predicateCount = r.count(0);
  const n = r.count(8);
  p.tested = new StaticArray<SlotTests>(n);
  for (let t = 0; t < n; t++) {
    const slot = p.slots[r.index(p.slots.length)];
    const formats = readFormats(r);
    const exists = readIndexList(r, p.predicateCount);
    const matchers = new StaticArray<Matcher>(r.count(16));
    for (let k = 0; k < matchers.length; k++) matchers[k] = readMatcher(r, p.predicateCount);
    const numbers = new StaticArray<NumberTest>(r.count(16));
    for (let k = 0; k < numbers.length; k++) {
      const test = new NumberTest();
      test.op = r.u32();
      if (test.op >= <u32>NumberOp.Count) r.fail();
      test.value = r.f64();
      if (isNaN(test.value)) r.fail();
      test.predicate = r.index(p.predicateCount);
      numbers[k] = test;
    }
    const cidrs = new StaticArray<CidrTest>(r.count(24));
    for (let k = 0; k < cidrs.length; k++) {
      const test = new CidrTest();
      test.predicate = r.index(p.predicateCount);
      test.prefix = r.index(129);
      test.network = r.bytes(16);
      cidrs[k] = test;
    }
    p.tested[t] = new SlotTests(slot, formats, exists, matchers, numbers, cidrs);
  }
  r.leave();
}

/**
 * An automaton: u32 flags (1: also URL-decoded, 2: 32-bit targets), u32
 * formats, u32 classes, u32 states, u32 start, i32 dead, u32 special, 256
 * class bytes, the transition table (row-major, target state indices), per
 * state the offset of its any-position and end-of-input emit lists, then
 * the lists (u32 count, u32 predicate ids). Laid out again here for the
 * module's loop (match/dfa.ts): states as byte offsets of their rows, or in
 * the wide layout as their rows' addresses.
 */
/**
 * Turns the program's transition targets (state numbers) into row byte
 * offsets at `next` (wide layout: row addresses); false when one names no
 * state. One loop per layout, with no branch per cell: under WAMR's
 * interpreter this runs once per cell of every automaton at each start.
 */
function scaleTargets(table: usize, wideTargets: bool, next: usize, wide: bool, cells: usize, states: u32, rowBytes: u32): bool {
  let highest: u32 = 0;
  if (!wideTargets && !wide) {
    for (let i: usize = 0; i < cells; i++) {
      const target = <u32>load<u16>(table + (i << 1));
      highest = max(highest, target);
      store<u16>(next + (i << 1), <u16>(target * rowBytes));
    }
  } else if (!wideTargets) {
    for (let i: usize = 0; i < cells; i++) {
      const target = <u32>load<u16>(table + (i << 1));
      highest = max(highest, target);
      store<u32>(next + (i << 2), <u32>next + target * rowBytes);
    }
  } else if (wide) {
    for (let i: usize = 0; i < cells; i++) {
      const target = load<u32>(table + (i << 2));
      highest = max(highest, target);
      store<u32>(next + (i << 2), <u32>next + target * rowBytes);
    }
  } else {
    return false; // 32-bit targets always go with the wide layout (src/compiler/program/automata.ts)
  }
  return highest < states;
}

function readMatcher(r: Reader, predicates: i32): Matcher {
  const m = new Matcher();
  const flags = r.u32();
  if (flags > 3) r.fail();
  m.urlDecode = (flags & 1) != 0;
  const wideTargets = (flags & 2) != 0;
  m.formats = readFormats(r);
  const classes = <i32>r.u32();
  const states = r.count(classes > 0 ? classes * (wideTargets ? 4 : 2) : 1);
  const start = r.index(max(states, 1));
  const dead = r.i32();
  const special = r.i32();
  if (classes < 1 || classes > 256 || states < 1 || dead < -1 || dead >= states || special < 0 || special > states) r.fail();
  if (dead >= special) r.fail(); // the dead state must be caught by the one compare per byte
  const classMap = r.bytes(256);
  if (!r.ok) return m;
  for (let b = 0; b < 256; b++) if (<i32>load<u8>(classMap + <usize>b) >= classes) r.fail();
  const cells = <i64>states * <i64>classes;
  m.wide = classes > 127 || (cells - 1) * 2 > NARROW_LIMIT;
  const size: i32 = m.wide ? 4 : 2;
  m.rowBytes = classes * size;
  // Class map scaled to byte offsets within a row.
  m.classMap = heap.alloc(m.wide ? 512 : 256);
  for (let b = 0; b < 256; b++) {
    const offset = <u32>load<u8>(classMap + <usize>b) * <u32>size;
    if (m.wide) store<u16>(m.classMap + (<usize>b << 1), <u16>offset);
    else store<u8>(m.classMap + <usize>b, <u8>offset);
  }
  const table = r.bytes((<usize>cells * (wideTargets ? 4 : 2) + 3) & ~3);
  if (!r.ok) return m;
  m.next = heap.alloc(<usize>cells * <usize>size);
  if (!scaleTargets(table, wideTargets, m.next, m.wide, <usize>cells, <u32>states, <u32>m.rowBytes)) {
    r.fail();
    return m;
  }
  // Wide automata hold states as row addresses, narrow ones as row offsets (match/dfa.ts).
  const base: usize = m.wide ? m.next : 0;
  m.start = base + <usize>start * <usize>m.rowBytes;
  m.dead = dead < 0 ? <usize>-1 : base + <usize>dead * <usize>m.rowBytes;
  m.special = base + <usize>special * <usize>m.rowBytes;
  const anywhere = r.bytes(<usize>states * 4);
  const atEnd = r.bytes(<usize>states * 4);
  const words = r.count(4);
  m.lists = r.bytes(<usize>words * 4);
  if (!r.ok) return m;
  m.emitAnywhere = anywhere;
  m.emitAtEnd = atEnd;
  // Every emit offset names a whole list of valid predicates; only states below `special` may emit anywhere.
  for (let s = 0; s < states; s++) {
    const a = load<u32>(anywhere + (<usize>s << 2));
    const e = load<u32>(atEnd + (<usize>s << 2));
    if (a != 0xffffffff && (s >= special || !validList(m.lists, words, a, predicates))) r.fail();
    if (e != 0xffffffff && !validList(m.lists, words, e, predicates)) r.fail();
    if (s == dead && (a != 0xffffffff || e != 0xffffffff)) r.fail();
  }
  return m;
}

function validList(lists: usize, words: i32, offset: u32, predicates: i32): bool {
  if ((offset & 3) != 0 || offset >= <u32>words * 4) return false;
  const count = load<u32>(lists + <usize>offset);
  if (<u64>offset / 4 + 1 + <u64>count > <u64>words) return false;
  for (let k: u32 = 0; k < count; k++) if (load<u32>(lists + <usize>offset + 4 + (<usize>k << 2)) >= <u32>predicates) return false;
  return true;
}

function readTags(r: Reader, p: Program): void {
  r.enter(Section.Tags);
  const n = r.count(4);
  p.tags = new StaticArray<Span>(n);
  for (let k = 0; k < n; k++) p.tags[k] = jsonString(r, r.span());
  r.leave();
}

function readRules(r: Reader, p: Program): void {
  r.enter(Section.Rules);
  const n = r.count(32);
  p.rules = new StaticArray<Rule>(n);
  let always = 0;
  for (let k = 0; k < n; k++) {
    const rule = new Rule();
    rule.id = jsonString(r, r.span());
    rule.title = jsonString(r, r.span());
    rule.level = r.u32();
    rule.action = r.u32();
    if (rule.level >= <u32>Level.Count || rule.action >= <u32>Action.Count) r.fail();
    const flags = r.u32();
    if (flags > 7) r.fail();
    rule.silent = (flags & 1) != 0;
    rule.always = (flags & 2) != 0;
    rule.anyTrigger = (flags & 4) != 0;
    rule.formats = readFormats(r);
    rule.tags = readIndexList(r, p.tags.length);
    const globs = new StaticArray<Span>(r.count(4));
    for (let g = 0; g < globs.length; g++) globs[g] = r.span();
    rule.globs = globs;
    rule.codeLength = r.count(1);
    rule.code = r.bytes(<usize>((rule.codeLength + 3) & ~3));
    if (r.ok && !validCode(rule.code, rule.codeLength, p.predicateCount)) r.fail();
    const reds = new StaticArray<Redaction>(r.count(8));
    for (let j = 0; j < reds.length; j++) {
      const slot = r.index(p.slots.length);
      const kind = r.u32();
      if (kind >= <u32>RedactKind.Count) r.fail();
      reds[j] = new Redaction(slot, kind);
    }
    rule.redactions = reds;
    if (rule.always) always++;
    p.rules[k] = rule;
  }
  p.always = new StaticArray<i32>(always);
  always = 0;
  for (let k = 0; k < n; k++) if (p.rules[k].always) p.always[always++] = k;
  r.leave();
}

function readTriggers(r: Reader, p: Program): void {
  r.enter(Section.Triggers);
  if (r.u32() != <u32>p.predicateCount) r.fail();
  p.wakes = new StaticArray<StaticArray<i32>>(r.ok ? p.predicateCount : 0);
  for (let k = 0; k < p.wakes.length; k++) p.wakes[k] = readIndexList(r, p.rules.length);
  r.leave();
}

function readCorrelations(r: Reader, p: Program): void {
  r.enter(Section.Correlations);
  const n = r.count(64);
  p.correlations = new StaticArray<Correlation>(n);
  // Per rule: the correlations it feeds and its step in each, counted first.
  const feeds = new StaticArray<i32>(p.rules.length);
  for (let k = 0; k < n; k++) {
    const c = new Correlation();
    c.id = jsonString(r, r.span());
    c.title = jsonString(r, r.span());
    c.route = jsonString(r, r.span());
    c.level = r.u32();
    c.type = r.u32();
    if (c.level >= <u32>Level.Count || c.type >= <u32>CorrelationType.Count) r.fail();
    c.tags = readIndexList(r, p.tags.length);
    c.rules = readIndexList(r, p.rules.length);
    const temporal = c.type == CorrelationType.Temporal || c.type == CorrelationType.TemporalOrdered;
    if (c.rules.length == 0 || (temporal && c.rules.length > 64)) r.fail();
    for (let j = 0; j < c.rules.length && r.ok; j++) {
      for (let i = 0; i < j; i++) if (c.rules[i] == c.rules[j]) r.fail();
      feeds[c.rules[j]]++;
    }
    const groups = r.count(8);
    c.groupSlots = new StaticArray<Slot>(groups);
    c.groupNames = new StaticArray<Span>(groups);
    for (let g = 0; g < groups; g++) {
      c.groupSlots[g] = p.slots[r.index(p.slots.length)];
      c.groupNames[g] = jsonString(r, r.span());
    }
    const valueSlot = r.optionalIndex(p.slots.length);
    if (valueSlot >= 0) c.valueSlot = p.slots[valueSlot];
    c.valueName = r.span();
    // Written by the types that measure a field: there it must be a JSON string.
    const measures = c.type == CorrelationType.ValueCount || c.type == CorrelationType.Anomaly || c.type == CorrelationType.Percentile;
    if (measures) jsonString(r, c.valueName);
    const addressSlot = r.optionalIndex(p.slots.length);
    if (addressSlot >= 0) c.addressSlot = p.slots[addressSlot];
    c.addressIsKey = c.addressSlot != null && c.groupSlots.length == 1 && c.groupSlots[0] == c.addressSlot;
    c.span = <i64>r.number(1, 1e15);
    c.cooldown = <i64>r.number(0, 1e15);
    c.threshold = r.i32();
    const counting = c.type == CorrelationType.EventCount || c.type == CorrelationType.ValueCount;
    if (counting && (c.threshold < 1 || c.threshold > MAX_THRESHOLD)) r.fail();
    if (c.type == CorrelationType.ValueCount && valueSlot < 0) r.fail();
    c.spike.baseline = r.i32();
    c.spike.interval = <i64>r.number(0, 1e15);
    c.spike.factor = r.number(0, 1e15);
    c.spike.increase = r.number(0, 1e15);
    c.spike.minCount = r.number(0, 1e15);
    if (c.type == CorrelationType.Spike && (c.spike.baseline < 1 || c.spike.baseline > 10000 || c.spike.interval < 1)) r.fail();
    c.zscore = r.number(0, 1e15);
    c.minSamples = r.number(0, 1e15);
    if (c.type == CorrelationType.Anomaly && valueSlot < 0) r.fail();
    c.percentile.quantile = r.number(0, 1);
    c.percentile.interval = <i64>r.number(0, 1e15);
    c.percentile.limit = r.f64();
    c.percentile.factor = r.f64();
    c.percentile.baseline = r.i32();
    c.percentile.minCount = r.number(0, 1e15);
    if (isNaN(c.percentile.limit) || isNaN(c.percentile.factor)) r.fail();
    if (c.type == CorrelationType.Percentile && (valueSlot < 0 || c.percentile.interval < 1 || c.percentile.baseline < 1 || c.percentile.baseline > 10000)) r.fail();
    const capacity = r.i32();
    if (capacity < 1 || capacity > 4000000) r.fail();
    const flags = r.u32();
    if (flags > 1) r.fail();
    c.local = flags == 1;
    if (!r.ok) break;
    c.store = new Store(capacity, payloadOf(c));
    p.correlations[k] = c;
  }
  for (let k = 0; k < p.rules.length; k++) {
    const rule = p.rules[k];
    rule.correlations = new StaticArray<i32>(feeds[k]);
    rule.steps = new StaticArray<i32>(feeds[k]);
    feeds[k] = 0;
  }
  for (let c = 0; c < n && r.ok; c++) {
    const rules = p.correlations[c].rules;
    for (let step = 0; step < rules.length; step++) {
      const rule = p.rules[rules[step]];
      const at = feeds[rules[step]]++;
      rule.correlations[at] = c;
      rule.steps[at] = step;
    }
  }
  r.leave();
}

function payloadOf(c: Correlation): i32 {
  if (c.type == CorrelationType.EventCount) return eventCountPayload(c.threshold);
  if (c.type == CorrelationType.ValueCount) return valueCountPayload(c.threshold);
  if (c.type == CorrelationType.Temporal || c.type == CorrelationType.TemporalOrdered) return temporalPayload(c.rules.length);
  if (c.type == CorrelationType.Spike) return spikePayload(c.spike.baseline);
  if (c.type == CorrelationType.Anomaly) return anomalyPayload();
  return percentilePayload();
}
