// Applies the redactions of the matched rules: every redacted string member
// is rewritten in a copy of the record, which is then scanned again so the
// later stages see the redacted record as if it had arrived that way.
import { Bytes } from "../runtime/bytes";
import { Program } from "../program/program";
import { Scan, Kind, scanRecord } from "../record/scan";
import { presentKey, readKey, valuePtr, valueLen } from "../fields/slot";
import { redact } from "./redact";
import { writeString } from "./json";

const rewritten = new Bytes(4096);
const passA = new Bytes(256);
const passB = new Bytes(256);
// Per key: a bit per redaction kind, for the current record.
let kinds = new StaticArray<u8>(0);
let edited = new StaticArray<i32>(0);

/**
 * Rewrites the record for the matched rules' redactions. Returns the new
 * record pointer (scan updated) or 0 when nothing changed.
 */
export function applyRedactions(program: Program, scan: Scan, record: usize, recordLen: i32, matched: StaticArray<u16>, count: i32): usize {
  const keyCount = program.keys.keys.length;
  if (kinds.length != keyCount) {
    kinds = new StaticArray<u8>(keyCount);
    edited = new StaticArray<i32>(keyCount);
  }
  let edits = 0;
  for (let m = 0; m < count; m++) {
    const rule = program.rules[unchecked(matched[m])];
    for (let k = 0; k < rule.redactions.length; k++) {
      const red = rule.redactions[k];
      const key = presentKey(program.slots[red.slot], scan);
      // Only members of the record itself: fields read out of a raw line (also
      // a JSON line's members) live in another buffer; they are redacted
      // through the line (`field: log`).
      if (key < 0 || unchecked(scan.kind[key]) != <u8>Kind.String) continue;
      const at = unchecked(scan.valueStart[key]);
      if (at < record || at >= record + <usize>recordLen) continue;
      if (unchecked(kinds[key]) == 0) unchecked((edited[edits++] = key));
      unchecked((kinds[key] = kinds[key] | (<u8>1 << red.kind)));
    }
  }
  if (edits == 0) return 0;
  // Members in record order.
  for (let i = 1; i < edits; i++) {
    const v = unchecked(edited[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(scan.valueStart[unchecked(edited[j])]) > unchecked(scan.valueStart[v])) {
      unchecked((edited[j + 1] = edited[j]));
      j--;
    }
    unchecked((edited[j + 1] = v));
  }
  rewritten.reset();
  let at = record;
  for (let e = 0; e < edits; e++) {
    const key = unchecked(edited[e]);
    const start = unchecked(scan.valueStart[key]);
    rewritten.copy(at, <i32>(start - at));
    readKey(key, scan);
    let src = valuePtr;
    let len = valueLen;
    let target = passA;
    for (let kind = 0; kind < 3; kind++) {
      if ((unchecked(kinds[key]) & (<u8>1 << <u8>kind)) == 0) continue;
      target.reset();
      redact(kind, src, len, target);
      src = target.ptr;
      len = target.length;
      target = target == passA ? passB : passA;
    }
    writeString(rewritten, src, len);
    at = unchecked(scan.valueEnd[key]);
    unchecked((kinds[key] = 0));
  }
  rewritten.copy(at, <i32>(record + <usize>recordLen - at));
  // The rewrite only replaced strings with strings, so this scan succeeds.
  if (!scanRecord(rewritten.ptr, rewritten.length, scan)) return 0;
  return rewritten.ptr;
}

