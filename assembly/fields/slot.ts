// A slot is one Sigma field as the record presents it: an ordered list of
// record keys (e.g. c-ip -> client_ip, remote, host); the first one present
// gives the value. Strings are read without quotes and with escapes decoded;
// numbers, booleans and nested values are read as their JSON text.
import { Bytes } from "../runtime/bytes";
import { Kind, Scan } from "../record/scan";
import { unescapeJson } from "../record/unescape";

export class Slot {
  keys: StaticArray<i32> = new StaticArray<i32>(0);
}

const decoded = new Bytes(256);

/** Where the current slot's value lies, after readSlot returned true. */
export let valuePtr: usize = 0;
export let valueLen: i32 = 0;

/** The first of the slot's keys present in the record (not null), or -1. */
export function presentKey(slot: Slot, scan: Scan): i32 {
  const keys = slot.keys;
  for (let k = 0; k < keys.length; k++) {
    const key = unchecked(keys[k]);
    const kind = unchecked(scan.kind[key]);
    if (kind != Kind.Absent && kind != Kind.Null) return key;
  }
  return -1;
}

// The last key decoded, so rules and parsers reading one escaped value (a raw
// line, typically) decode it once per record.
let decodedKey = -1;
let decodedScan: u32 = 0;

/** Points valuePtr/valueLen at the value of a present key. */
export function readKey(key: i32, scan: Scan): void {
  const kind = unchecked(scan.kind[key]);
  const start = unchecked(scan.valueStart[key]);
  const len = <i32>(unchecked(scan.valueEnd[key]) - start);
  if (kind == Kind.Text || kind != Kind.String) {
    valuePtr = start;
    valueLen = len;
  } else if (!unchecked(scan.escaped[key])) {
    valuePtr = start + 1;
    valueLen = len - 2;
  } else {
    if (decodedKey != key || decodedScan != scan.serial) {
      decoded.reset();
      unescapeJson(start + 1, len - 2, decoded);
      decodedKey = key;
      decodedScan = scan.serial;
    }
    valuePtr = decoded.ptr;
    valueLen = decoded.length;
  }
}

export function readSlot(slot: Slot, scan: Scan): bool {
  const key = presentKey(slot, scan);
  if (key < 0) return false;
  readKey(key, scan);
  return true;
}
