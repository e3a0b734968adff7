// Runs one field's combined automaton over a value. All string predicates on
// a field were compiled into this one DFA at build time, so the cost is one
// table lookup per byte whatever the number of rules.
//
// The compiler lays the table out for this loop (src/compiler/program/automata.ts):
// a state is held as its row offset (state x classCount); states that report
// a match at any position come first, then the dead state, so a single
// compare per byte (`s < special`) says whether anything needs doing.
import { Fired } from "./fired";

export class Matcher {
  slot: i32 = 0;
  urlDecode: bool = false;
  wide: bool = false; // 32-bit transitions
  classCount: i32 = 0;
  start: i32 = 0; // row offset
  dead: i32 = -1; // row offset, or -1
  special: i32 = 0; // row offsets below this report or stop
  classMap: usize = 0; // 256 x u8
  next: usize = 0; // stateCount * classCount x u16 (or u32): target row offsets
  emitAnywhere: usize = 0; // stateCount x u32 offsets into lists (0xffffffff = none)
  emitAtEnd: usize = 0;
  lists: usize = 0; // u16 count, then u16 predicate ids
}

function emit(m: Matcher, table: usize, row: i32, fired: Fired): void {
  const offset = load<u32>(table + (<usize>(row / m.classCount) << 2));
  if (offset == 0xffffffff) return;
  const list = m.lists + <usize>offset;
  const count = <i32>load<u16>(list);
  for (let k = 0; k < count; k++) fired.set(<i32>load<u16>(list + 2 + (<usize>k << 1)));
}

export function runMatcher(m: Matcher, p: usize, len: i32, fired: Fired): void {
  const classMap = m.classMap;
  const next = m.next;
  const special = m.special;
  const dead = m.dead;
  const end = p + <usize>len;
  let s = m.start;
  if (s < special) {
    if (s == dead) return;
    emit(m, m.emitAnywhere, s, fired);
  }
  if (m.wide) {
    while (p < end) {
      s = <i32>load<u32>(next + (<usize>(s + <i32>load<u8>(classMap + <usize>load<u8>(p))) << 2));
      p++;
      if (s < special) {
        if (s == dead) return;
        emit(m, m.emitAnywhere, s, fired);
      }
    }
  } else {
    while (p < end) {
      s = <i32>load<u16>(next + (<usize>(s + <i32>load<u8>(classMap + <usize>load<u8>(p))) << 1));
      p++;
      if (s < special) {
        if (s == dead) return;
        emit(m, m.emitAnywhere, s, fired);
      }
    }
  }
  emit(m, m.emitAtEnd, s, fired);
}
