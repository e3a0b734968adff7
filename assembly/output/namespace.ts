// Writes the output record: the input bytes up to its closing brace, then the
// namespace member (and the alert route field), then the brace. Members of
// those names already in the record (a record tagged by an edge tripline and
// seen again at an aggregator) are replaced, so no key appears twice.
import { Bytes } from "../runtime/bytes";
import { Scan } from "../record/scan";
import { Program } from "../program/program";
import { Rule } from "../rules/rule";

export const LEVEL_NAMES: string[] = ["informational", "low", "medium", "high", "critical"];

export const out = new Bytes(4096);
const tagSeen = new Bytes(64); // one byte per program tag: emitted for this record

function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

/** Copies record[from, to) leaving out the member [keyAt, valueEnd) and its separating comma. */
function copyWithout(record: usize, from: i32, to: i32, keyAt: i32, valueEnd: i32): void {
  if (keyAt < from || keyAt >= to) {
    out.copy(record + <usize>from, to - from);
    return;
  }
  out.copy(record + <usize>from, keyAt - from);
  let rest = valueEnd;
  let at = rest;
  while (at < to && isSpace(load<u8>(record + <usize>at))) at++;
  if (at < to && load<u8>(record + <usize>at) == 0x2c) rest = at + 1;
  out.copy(record + <usize>rest, to - rest);
}

function trimTrailingComma(): void {
  let n = out.length;
  while (n > 0 && isSpace(load<u8>(out.ptr + <usize>(n - 1)))) n--;
  if (n > 0 && load<u8>(out.ptr + <usize>(n - 1)) == 0x2c) out.length = n - 1;
}

/** Starts the output: the record without its closing brace, then `"<namespace>":{`. */
export function beginNamespace(record: usize, scan: Scan, program: Program): void {
  out.reset();
  let members = scan.members;
  // Up to two owned members to leave out; copy around them in record order.
  let aAt = scan.nsKeyAt;
  let aEnd = scan.nsValueEnd;
  let bAt = scan.alertKeyAt;
  let bEnd = scan.alertValueEnd;
  if (aAt >= 0) members--;
  if (bAt >= 0) members--;
  if (aAt < 0 || (bAt >= 0 && bAt < aAt)) {
    const t1 = aAt;
    const t2 = aEnd;
    aAt = bAt;
    aEnd = bEnd;
    bAt = t1;
    bEnd = t2;
  }
  if (aAt < 0) {
    out.copy(record, scan.closeAt);
  } else if (bAt < 0) {
    copyWithout(record, 0, scan.closeAt, aAt, aEnd);
  } else {
    copyWithout(record, 0, bAt, aAt, aEnd);
    copyWithout(record, bAt, scan.closeAt, bAt, bEnd);
  }
  trimTrailingComma();
  if (members > 0) out.byte(0x2c);
  out.byte(0x22);
  out.copy(program.namespace.ptr, program.namespace.len);
  out.ascii('":{');
}

/** Writes a list of program tags (deduplicated across calls until the next resetTags). */
export function resetTags(program: Program): void {
  tagSeen.reset();
  tagSeen.reserve(program.tags.length);
  memory.fill(tagSeen.ptr, 0, <usize>program.tags.length);
}

export function writeTags(program: Program, tags: StaticArray<u16>, first: bool): bool {
  for (let t = 0; t < tags.length; t++) {
    const tag = <i32>unchecked(tags[t]);
    if (load<u8>(tagSeen.ptr + <usize>tag) != 0) continue;
    store<u8>(tagSeen.ptr + <usize>tag, 1);
    if (!first) out.byte(0x2c);
    first = false;
    const span = program.tags[tag];
    out.copy(span.ptr, span.len);
  }
  return first;
}

/** Writes the matched rules' ids, the highest level and the tags. */
export function writeMatches(program: Program, matched: StaticArray<u16>, count: i32, level: i32): void {
  out.ascii('"rules":[');
  for (let k = 0; k < count; k++) {
    const rule = program.rules[unchecked(matched[k])];
    if (k > 0) out.byte(0x2c);
    out.copy(rule.id.ptr, rule.id.len);
  }
  out.ascii('],"level":"');
  out.ascii(LEVEL_NAMES[level]);
  out.ascii('","tags":[');
  resetTags(program);
  let first = true;
  for (let k = 0; k < count; k++) {
    const rule: Rule = program.rules[unchecked(matched[k])];
    first = writeTags(program, rule.tags, first);
  }
  out.byte(0x5d);
}

/**
 * Ends the namespace object and the record, adds the route field when an
 * alert was raised, and NUL-terminates for the host.
 */
export function closeRecord(program: Program, route: usize, routeLen: i32): usize {
  out.byte(0x7d);
  if (routeLen > 0) {
    out.ascii(',"');
    out.copy(program.alertField.ptr, program.alertField.len);
    out.ascii('":');
    out.copy(route, routeLen);
  }
  out.byte(0x7d);
  out.byte(0);
  return out.ptr;
}
