// Writes the output record: the input bytes up to its closing brace, then the
// namespace member, then the brace. An existing namespace member (a record
// tagged by an edge tripline and seen again at an aggregator) is replaced,
// so the output never holds the key twice.
import { Bytes } from "../runtime/bytes";
import { Scan } from "../record/scan";
import { Program } from "../program/program";
import { Rule } from "../rules/rule";

const LEVEL_NAMES: string[] = ["informational", "low", "medium", "high", "critical"];

export const out = new Bytes(4096);
const tagSeen = new Bytes(64); // one byte per program tag: emitted for this record

function openMember(record: usize, scan: Scan, program: Program): void {
  out.reset();
  if (scan.nsKeyAt >= 0) {
    // Copy everything except `"ns": value`, then re-add it at the end.
    out.copy(record, scan.nsKeyAt);
    let rest = scan.nsValueEnd;
    // Drop the separator that belonged to the removed member.
    let at = rest;
    while (at < scan.closeAt && isSpace(load<u8>(record + <usize>at))) at++;
    if (at < scan.closeAt && load<u8>(record + <usize>at) == 0x2c) rest = at + 1;
    out.copy(record + <usize>rest, scan.closeAt - rest);
    trimTrailingComma();
    if (scan.members > 1) out.byte(0x2c);
  } else {
    out.copy(record, scan.closeAt);
    if (scan.members > 0) out.byte(0x2c);
  }
  out.byte(0x22);
  out.copy(program.namespace.ptr, program.namespace.len);
  out.ascii('":{');
}

function isSpace(c: u8): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

function trimTrailingComma(): void {
  let n = out.length;
  while (n > 0 && isSpace(load<u8>(out.ptr + <usize>(n - 1)))) n--;
  if (n > 0 && load<u8>(out.ptr + <usize>(n - 1)) == 0x2c) out.length = n - 1;
}

/** Begins the output with the matched rules' ids, highest level and tags. */
export function writeMatches(record: usize, scan: Scan, program: Program, matched: StaticArray<u16>, count: i32): void {
  openMember(record, scan, program);
  out.ascii('"rules":[');
  let level = 0;
  for (let k = 0; k < count; k++) {
    const rule = program.rules[unchecked(matched[k])];
    if (k > 0) out.byte(0x2c);
    out.copy(rule.id.ptr, rule.id.len);
    if (<i32>rule.level > level) level = rule.level;
  }
  out.ascii('],"level":"');
  out.ascii(LEVEL_NAMES[level]);
  out.ascii('","tags":[');
  tagSeen.reset();
  tagSeen.reserve(program.tags.length);
  memory.fill(tagSeen.ptr, 0, <usize>program.tags.length);
  let first = true;
  for (let k = 0; k < count; k++) {
    const rule: Rule = program.rules[unchecked(matched[k])];
    for (let t = 0; t < rule.tags.length; t++) {
      const tag = <i32>unchecked(rule.tags[t]);
      if (load<u8>(tagSeen.ptr + <usize>tag) != 0) continue;
      store<u8>(tagSeen.ptr + <usize>tag, 1);
      if (!first) out.byte(0x2c);
      first = false;
      const span = program.tags[tag];
      out.copy(span.ptr, span.len);
    }
  }
  out.byte(0x5d);
}

/** Ends the namespace object and the record, and NUL-terminates for the host. */
export function closeRecord(): usize {
  out.ascii("}}");
  out.byte(0);
  return out.ptr;
}
