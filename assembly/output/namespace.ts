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

function trimTrailingComma(): void {
  let n = out.length;
  while (n > 0 && isSpace(load<u8>(out.ptr + <usize>(n - 1)))) n--;
  if (n > 0 && load<u8>(out.ptr + <usize>(n - 1)) == 0x2c) out.length = n - 1;
}

/**
 * Starts the output: the record without its closing brace and without any
 * member named like the ones tripline writes (each with its separating
 * comma), then `"<namespace>":{`.
 */
export function beginNamespace(record: usize, scan: Scan, program: Program): void {
  out.reset();
  const owned = scan.owned;
  const removed = owned.length >> 3;
  let at = 0;
  for (let k = 0; k < removed; k++) {
    const keyAt = load<i32>(owned.ptr + (<usize>k << 3));
    const valueEnd = load<i32>(owned.ptr + (<usize>k << 3), 4);
    out.copy(record + <usize>at, keyAt - at);
    // Skip the member and the comma after it.
    at = valueEnd;
    while (at < scan.closeAt && isSpace(load<u8>(record + <usize>at))) at++;
    if (at < scan.closeAt && load<u8>(record + <usize>at) == 0x2c) at++;
  }
  out.copy(record + <usize>at, scan.closeAt - at);
  trimTrailingComma();
  if (scan.members > removed) out.byte(0x2c);
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
