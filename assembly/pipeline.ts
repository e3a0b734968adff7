// One record through every stage:
//   record (scan) -> fields (slots) -> predicates (match) -> rules -> correlation -> output
// Returns the pointer Fluent Bit copies the result from.
import { Program, readProgram } from "./program/program";
import { Scan, scanRecord } from "./record/scan";
import { Fired } from "./match/fired";
import { RawParser, parseRaw } from "./record/raw/line";
import { presentKey, valuePtr, valueLen } from "./fields/slot";
import { needsUrlDecode, urlDecode } from "./fields/urldecode";
import { runMatcher } from "./match/dfa";
import { parseNumber, testNumber } from "./match/number";
import { testCidrs } from "./match/cidr";
import { Bytes } from "./runtime/bytes";
import { Action, evaluate } from "./rules/rule";
import { globMatches } from "./rules/tag-glob";
import { beginNamespace, writeMatches, closeRecord } from "./output/namespace";
import { Stats } from "./stats/stats";
import { writeStats } from "./stats/write";
import { readKey, valuePtr as keyValuePtr, valueLen as keyValueLen } from "./fields/slot";
import { KeyTable } from "./record/keys";
import { writeAlerts } from "./output/alert";
import { applyRedactions } from "./output/rewrite";
import { observe } from "./correlation/correlation";
import { pending, pendingCount, resetAlerts } from "./correlation/alert";

let program: Program = new Program();
let scan: Scan = new Scan(program.keys, -1, -1);
let fired: Fired = new Fired(0);
let raw: RawParser = new RawParser(program.keys);
let stats: Stats = new Stats(program);
let pathKey = -1;
const STATS_ROUTE = memory.data<u8>([0x22, 0x73, 0x74, 0x61, 0x74, 0x73, 0x22]); // "stats"
let candidates = new StaticArray<u16>(0);
let candidateStamp = new StaticArray<u32>(0);
let matched = new StaticArray<u16>(0);
let tagAllowed = new StaticArray<bool>(0);
let stamp: u32 = 0;
const lastTag = new Bytes(64);
const urlDecoded = new Bytes(256);
const EMPTY = memory.data<u8>([0]);

export function load(ptr: usize, len: usize): bool {
  program = readProgram(ptr, len);
  scan = new Scan(program.keys, program.namespaceKey, program.alertKey);
  fired = new Fired(program.predicateCount);
  raw = new RawParser(program.keys);
  stats = new Stats(program);
  pathKey = findKey(program.keys, "path");
  const n = program.rules.length;
  candidates = new StaticArray<u16>(n);
  candidateStamp = new StaticArray<u32>(n);
  matched = new StaticArray<u16>(n);
  tagAllowed = new StaticArray<bool>(n);
  lastTag.length = -1; // forces the first tag to be matched against the globs
  return program.valid;
}

function testSlots(): void {
  const slots = program.slots;
  const tested = program.testedSlots;
  for (let t = 0; t < tested.length; t++) {
    const s = unchecked(tested[t]);
    const tests = unchecked(program.slotTests[s]);
    const key = presentKey(unchecked(slots[s]), scan);
    if (key < 0) continue;
    for (let k = tests.existsFrom; k < tests.existsTo; k++) fired.set(unchecked(program.exists[k]).predicate);
    if (!tests.readsValue) continue; // presence was all it needed: no decoding
    readKey(key, scan);
    const p = valuePtr;
    const len = valueLen;
    if (tests.matcherTo > tests.matcherFrom) {
      const decode = tests.urlDecode && needsUrlDecode(p, len);
      if (decode) urlDecode(p, len, urlDecoded);
      for (let k = tests.matcherFrom; k < tests.matcherTo; k++) {
        const m = unchecked(program.matchers[k]);
        runMatcher(m, p, len, fired);
        if (decode && m.urlDecode) runMatcher(m, urlDecoded.ptr, urlDecoded.length, fired);
      }
    }
    if (tests.numberTo > tests.numberFrom) {
      const value = parseNumber(p, len);
      for (let k = tests.numberFrom; k < tests.numberTo; k++) testNumber(unchecked(program.numbers[k]), value, fired);
    }
    if (tests.cidrTo > tests.cidrFrom) testCidrs(program.cidrs, tests.cidrFrom, tests.cidrTo, p, len, fired);
  }
}

/** Re-evaluates which rules the tag allows, only when the tag changes. */
function refreshTag(tag: usize, tagLen: i32): void {
  if (lastTag.length == tagLen && memory.compare(lastTag.ptr, tag, <usize>tagLen) == 0) return;
  lastTag.reset();
  lastTag.copy(tag, tagLen);
  const rules = program.rules;
  for (let r = 0; r < rules.length; r++) {
    const globs = unchecked(rules[r]).tagGlobs;
    let ok = globs.length == 0;
    for (let g = 0; g < globs.length && !ok; g++) ok = globMatches(unchecked(globs[g]), tag, tagLen);
    unchecked((tagAllowed[r] = ok));
  }
}

/** Collects the rules worth evaluating: those a fired predicate feeds, plus the always-rules. */
function collectCandidates(): i32 {
  stamp++;
  let count = 0;
  for (let f = 0; f < fired.count; f++) {
    const list = unchecked(program.predicateRules[unchecked(fired.list[f])]);
    for (let k = 0; k < list.length; k++) {
      const r = unchecked(list[k]);
      if (unchecked(candidateStamp[r]) == stamp) continue;
      unchecked((candidateStamp[r] = stamp));
      unchecked((candidates[count++] = r));
    }
  }
  const always = program.alwaysRules;
  for (let k = 0; k < always.length; k++) {
    const r = unchecked(always[k]);
    if (unchecked(candidateStamp[r]) == stamp) continue;
    unchecked((candidateStamp[r] = stamp));
    unchecked((candidates[count++] = r));
  }
  return count;
}

function findKey(table: KeyTable, name: string): i32 {
  const b = String.UTF8.encode(name);
  return table.find(changetype<usize>(b), b.byteLength);
}

export function process(tag: usize, tagLen: i32, sec: i32, nsec: i32, record: usize, recordLen: i32): usize {
  // Unmatched and unreadable records go back as the host's own pinned copy,
  // which is NUL-terminated and outlives the host's strdup of the result.
  if (!program.valid || recordLen < 2) return record;
  if (!scanRecord(record, recordLen, scan)) return record;
  fired.clear();
  parseRaw(raw, scan);
  testSlots();
  if (program.anyTagGlobs) refreshTag(tag, tagLen);
  const count = collectCandidates();
  let matchedCount = 0;
  let visible = 0;
  let drop = false;
  let redacting = false;
  resetAlerts();
  const time = <i64><u32>sec * 1000 + <i64>(<u32>nsec / 1000000);
  for (let k = 0; k < count; k++) {
    const r = unchecked(candidates[k]);
    if (program.anyTagGlobs && !unchecked(tagAllowed[r])) continue;
    const rule = unchecked(program.rules[r]);
    if (!evaluate(rule, fired)) continue;
    if (rule.action == Action.Drop) drop = true;
    else if (rule.action == Action.Redact) redacting = true;
    if (!rule.silent) visible++;
    unchecked((matched[matchedCount++] = r));
  }
  // Correlations see the matched rules in rule-file order, whatever fired
  // first, so the alerts of one record always come in the same order.
  sortIds(matched, matchedCount);
  for (let k = 0; k < matchedCount; k++) {
    const rule = unchecked(program.rules[unchecked(matched[k])]);
    for (let j = 0; j < rule.correlations.length; j++) {
      const c = unchecked(rule.correlations[j]);
      observe(unchecked(program.correlations[c]), c, unchecked(rule.steps[j]), time, program.slots, scan);
    }
  }
  const alerts = pendingCount;
  const statsDue = countRecord(matchedCount, alerts, drop, time);
  if (drop) return EMPTY;
  if (visible == 0 && alerts == 0 && !statsDue) return record;
  if (redacting) {
    const rewritten = applyRedactions(program, scan, record, recordLen, matched, matchedCount);
    if (rewritten != 0) record = rewritten;
  }
  // Silent rules are listed only beside the alert they fed.
  if (alerts == 0) matchedCount = keepVisible(matchedCount);
  beginNamespace(record, scan, program);
  if (matchedCount > 0) writeMatches(program, matched, matchedCount, highestLevel(matchedCount, alerts));
  if (alerts > 0) writeAlerts(program, alerts, scan);
  if (statsDue) {
    writeStats(stats, program, time, matchedCount == 0);
    stats.reset(time - (time % stats.interval));
  }
  if (alerts > 0) {
    const route = program.correlations[pending[0].correlation].route;
    return closeRecord(program, route.ptr, route.len);
  }
  return statsDue ? closeRecord(program, STATS_ROUTE, 7) : closeRecord(program, 0, 0);
}

/** Counts the record for the statistics; returns whether it closes the interval. */
function countRecord(matchedCount: i32, alerts: i32, drop: bool, time: i64): bool {
  if (stats.interval <= 0) return false;
  const due = stats.due(time);
  stats.records++;
  if (matchedCount > 0) stats.matched++;
  if (alerts > 0) stats.alerted++;
  if (drop) stats.dropped++;
  for (let k = 0; k < matchedCount; k++) unchecked((stats.ruleMatches[unchecked(matched[k])] += 1));
  for (let k = 0; k < alerts; k++) unchecked((stats.ruleAlerts[pending[k].correlation] += 1));
  if (pathKey >= 0 && unchecked(scan.kind[pathKey]) != 0) {
    readKey(pathKey, scan);
    stats.section(keyValuePtr, keyValueLen);
  }
  return due && !drop;
}

function keepVisible(n: i32): i32 {
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const r = unchecked(matched[k]);
    if (!program.rules[r].silent) unchecked((matched[kept++] = r));
  }
  return kept;
}

function highestLevel(matchedCount: i32, alerts: i32): i32 {
  let level = 0;
  for (let k = 0; k < matchedCount; k++) {
    const l = <i32>program.rules[unchecked(matched[k])].level;
    if (l > level) level = l;
  }
  for (let k = 0; k < alerts; k++) {
    const l = <i32>program.correlations[pending[k].correlation].level;
    if (l > level) level = l;
  }
  return level;
}

/** Rule order in the output follows the rule files, whatever fired first. */
function sortIds(ids: StaticArray<u16>, n: i32): void {
  for (let i = 1; i < n; i++) {
    const v = unchecked(ids[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(ids[j]) > v) {
      unchecked((ids[j + 1] = ids[j]));
      j--;
    }
    unchecked((ids[j + 1] = v));
  }
}
