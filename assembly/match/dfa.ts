// Runs one automaton over a value. All string tests of a field (up to a
// state budget per automaton) were compiled into it at build time, so the
// cost is one table step per byte whatever the number of rules.
//
// The compiler lays the tables out for this loop (src/compiler/program/
// automata.ts): a state is held as the byte offset of its row (in large
// automata, its row's address: one add less per byte); the class map gives
// each byte its class already scaled to a byte offset; states that report
// a match at any position come first, then the dead state, so one compare
// per byte (`s < special`) says whether anything needs doing. The loop is
// unrolled four times: interpreted, loop bookkeeping costs as much as the
// step itself.
import { Fired } from "./fired";

export class Matcher {
  /** Also run over the URL-decoded value. */
  urlDecode: bool = false;
  /** 32-bit transitions (else 16-bit) and a 16-bit class map (else 8-bit). */
  wide: bool = false;
  /** Format bits of the rules this automaton serves (all bits: every record). */
  formats: u32 = 0;
  /** Bytes per row: classes x transition size. */
  rowBytes: i32 = 0;
  /** States as row offsets into `next`; in wide automata as row addresses. `dead`: -1 when there is none. */
  start: usize = 0;
  dead: usize = -1;
  special: usize = 0;
  classMap: usize = 0;
  next: usize = 0;
  /** Per state (by row): u32 offset into `lists`, 0xffffffff for none. */
  emitAnywhere: usize = 0;
  emitAtEnd: usize = 0;
  /** u32 count, then u32 predicate ids. */
  lists: usize = 0;
}

function emit(m: Matcher, table: usize, row: usize, fired: Fired): void {
  const offset = load<u32>(table + (row << 2));
  if (offset == 0xffffffff) return;
  const list = m.lists + <usize>offset;
  const count = load<u32>(list);
  for (let k: u32 = 0; k < count; k++) fired.set(<i32>load<u32>(list + 4 + (<usize>k << 2)));
}

/** The row of a state: narrow automata hold offsets, wide ones addresses. */
@inline function rowOf(m: Matcher, s: usize): usize {
  return (m.wide ? s - m.next : s) / <usize>m.rowBytes;
}

export function runMatcher(m: Matcher, p: usize, len: i32, fired: Fired): void {
  let s = m.start;
  if (s < m.special) {
    if (s == m.dead) return;
    emit(m, m.emitAnywhere, rowOf(m, s), fired);
  }
  s = m.wide ? runWide(m, p, len, s, fired) : runNarrow(m, p, len, s, fired);
  if (s != STOPPED) emit(m, m.emitAtEnd, rowOf(m, s), fired);
}

/** What the loops return when the dead state ended the run. */
const STOPPED: usize = -1;

/** 8-bit class map, 16-bit transitions (row offsets). Returns the final state, or STOPPED. */
function runNarrow(m: Matcher, p: usize, len: i32, s: usize, fired: Fired): usize {
  const classMap = m.classMap;
  const next = m.next;
  const special = m.special;
  const dead = m.dead;
  const end = p + <usize>len;
  while (p + 4 <= end) {
    s = <usize>load<u16>(next + s + <usize>load<u8>(classMap + <usize>load<u8>(p)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, s / <usize>m.rowBytes, fired);
    }
    s = <usize>load<u16>(next + s + <usize>load<u8>(classMap + <usize>load<u8>(p, 1)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, s / <usize>m.rowBytes, fired);
    }
    s = <usize>load<u16>(next + s + <usize>load<u8>(classMap + <usize>load<u8>(p, 2)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, s / <usize>m.rowBytes, fired);
    }
    s = <usize>load<u16>(next + s + <usize>load<u8>(classMap + <usize>load<u8>(p, 3)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, s / <usize>m.rowBytes, fired);
    }
    p += 4;
  }
  while (p < end) {
    s = <usize>load<u16>(next + s + <usize>load<u8>(classMap + <usize>load<u8>(p)));
    p++;
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, s / <usize>m.rowBytes, fired);
    }
  }
  return s;
}

/** 16-bit class map, 32-bit transitions holding row addresses: large automata. Unrolled four times, as runNarrow is. */
function runWide(m: Matcher, p: usize, len: i32, s: usize, fired: Fired): usize {
  const classMap = m.classMap;
  const special = m.special;
  const dead = m.dead;
  const end = p + <usize>len;
  while (p + 4 <= end) {
    s = load<u32>(s + <usize>load<u16>(classMap + (<usize>load<u8>(p) << 1)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, rowOf(m, s), fired);
    }
    s = load<u32>(s + <usize>load<u16>(classMap + (<usize>load<u8>(p, 1) << 1)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, rowOf(m, s), fired);
    }
    s = load<u32>(s + <usize>load<u16>(classMap + (<usize>load<u8>(p, 2) << 1)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, rowOf(m, s), fired);
    }
    s = load<u32>(s + <usize>load<u16>(classMap + (<usize>load<u8>(p, 3) << 1)));
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, rowOf(m, s), fired);
    }
    p += 4;
  }
  while (p < end) {
    s = load<u32>(s + <usize>load<u16>(classMap + (<usize>load<u8>(p) << 1)));
    p++;
    if (s < special) {
      if (s == dead) return STOPPED;
      emit(m, m.emitAnywhere, rowOf(m, s), fired);
    }
  }
  return s;
}
