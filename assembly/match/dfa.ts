// Runs one field's combined automaton over a value. All string predicates on
// a field were compiled into this one DFA at build time, so the cost is one
// table lookup per byte whatever the number of rules.
//
// States are numbered by the compiler so that every state with an
// "emit anywhere" label comes first (index < emitLimit): the common case costs
// one compare per byte, not a table load.
import { Fired } from "./fired";

export class Matcher {
  slot: i32 = 0;
  urlDecode: bool = false;
  classCount: i32 = 0;
  start: i32 = 0;
  dead: i32 = -1;
  emitLimit: i32 = 0;
  classMap: usize = 0; // 256 x u8
  next: usize = 0; // stateCount * classCount x u16
  emitAnywhere: usize = 0; // stateCount x u32 offsets into lists (0xffffffff = none)
  emitAtEnd: usize = 0;
  lists: usize = 0; // u16 count, then u16 predicate ids
}

function emit(m: Matcher, table: usize, state: i32, fired: Fired): void {
  const offset = load<u32>(table + (<usize>state << 2));
  if (offset == 0xffffffff) return;
  const list = m.lists + <usize>offset;
  const count = <i32>load<u16>(list);
  for (let k = 0; k < count; k++) fired.set(<i32>load<u16>(list + 2 + (<usize>k << 1)));
}

export function runMatcher(m: Matcher, p: usize, len: i32, fired: Fired): void {
  const classMap = m.classMap;
  const next = m.next;
  const classCount = m.classCount;
  const emitLimit = m.emitLimit;
  const dead = m.dead;
  let s = m.start;
  if (s < emitLimit) emit(m, m.emitAnywhere, s, fired);
  for (let i = 0; i < len; i++) {
    const cls = <i32>load<u8>(classMap + <usize>load<u8>(p + <usize>i));
    s = <i32>load<u16>(next + (<usize>(s * classCount + cls) << 1));
    if (s < emitLimit) emit(m, m.emitAnywhere, s, fired);
    if (s == dead) return;
  }
  emit(m, m.emitAtEnd, s, fired);
}
