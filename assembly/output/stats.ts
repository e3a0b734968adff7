// Writes `"stats":{...}` into the namespace object (see stats/stats.ts).
import { SHAPE_NAMES, Shape } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { CharCode } from "../runtime/ascii";
import { writeString, writeNumber, writeTime } from "../runtime/json";
import { quantile } from "../runtime/histogram";
import { Rule } from "../rules/rule";
import { Correlation } from "../correlation/correlation";
import { Stats } from "../stats/stats";
import { SshSessions, SSH_SESSIONS } from "../record/raw/sessions";

function field(out: Bytes, name: string, value: i64): void {
  out.ascii(',"');
  out.ascii(name);
  out.ascii('":');
  out.decimal(value);
}

/** `"ssh_sessions":{...}`: the sshd processes whose address is remembered (record/raw/sessions.ts), since start. */
function writeSessions(out: Bytes, sessions: SshSessions): void {
  out.ascii(',"ssh_sessions":{"keys":');
  out.decimal(sessions.used);
  field(out, "capacity", SSH_SESSIONS);
  field(out, "evictions", sessions.evictions);
  field(out, "too_long", sessions.tooLong);
  out.byte(CharCode.CloseBrace);
}

/** Totals since start: records by shape, per correlation what it could not count, the sshd address memory. */
export function writeReport(out: Bytes, s: Stats, correlations: StaticArray<Correlation>, sessions: SshSessions, misrouted: i64 = -1): void {
  const t = s.total;
  out.ascii('{"records":');
  out.decimal(t.records);
  if (misrouted >= 0) field(out, "misrouted", misrouted);
  field(out, "matched", t.matched);
  field(out, "alerted", t.alerted);
  field(out, "alerts", t.alerts);
  field(out, "dropped", t.dropped);
  out.ascii(',"shapes":{');
  for (let k = 0; k < <i32>Shape.Count; k++) {
    if (k > 0) out.byte(CharCode.Comma);
    out.byte(CharCode.Quote);
    out.ascii(SHAPE_NAMES[k]);
    out.ascii('":');
    out.decimal(unchecked(t.shapes[k]));
  }
  out.ascii('},"correlations":{');
  for (let c = 0; c < correlations.length; c++) {
    const corr = unchecked(correlations[c]);
    if (c > 0) out.byte(CharCode.Comma);
    out.span(corr.id);
    out.ascii(':{"keys":');
    out.decimal(corr.store.used);
    field(out, "evictions", corr.store.evictions);
    field(out, "late", corr.late);
    field(out, "out_of_order", corr.outOfOrder);
    field(out, "missing_key", corr.missingKey);
    field(out, "missing_value", corr.missingValue);
    out.byte(CharCode.CloseBrace);
  }
  out.byte(CharCode.CloseBrace);
  writeSessions(out, sessions);
  out.byte(CharCode.CloseBrace);
}

/** `misrouted`: a fleet aggregator's records with no key of its own since start (-1: not a fleet; correlation/shard.ts). */
export function writeStats(out: Bytes, s: Stats, rules: StaticArray<Rule>, correlations: StaticArray<Correlation>, sessions: SshSessions, to: i64, first: bool, misrouted: i64 = -1): void {
  if (!first) out.byte(CharCode.Comma);
  out.ascii('"stats":{"from":');
  writeTime(out, s.from);
  out.ascii(',"to":');
  writeTime(out, to);
  field(out, "records", s.records);
  field(out, "matched", s.matched);
  field(out, "alerted", s.alerted);
  field(out, "dropped", s.dropped);
  if (misrouted >= 0) field(out, "misrouted", misrouted);
  // What the records were, as tripline read them; not_json and unknown lines were not read.
  out.ascii(',"shapes":{');
  let any = false;
  for (let k = 0; k < <i32>Shape.Count; k++) {
    const n = unchecked(s.shapes[k]);
    if (n == 0) continue;
    if (any) out.byte(CharCode.Comma);
    any = true;
    out.byte(CharCode.Quote);
    out.ascii(SHAPE_NAMES[k]);
    out.ascii('":');
    out.decimal(n);
  }
  out.ascii('},"rules":{');
  any = false;
  for (let r = 0; r < rules.length; r++) {
    const n = unchecked(s.ruleMatches[r]);
    if (n == 0) continue;
    if (any) out.byte(CharCode.Comma);
    any = true;
    out.span(unchecked(rules[r]).id);
    out.byte(CharCode.Colon);
    out.decimal(n);
  }
  out.ascii('},"correlations":{');
  for (let c = 0; c < correlations.length; c++) {
    const corr = unchecked(correlations[c]);
    if (c > 0) out.byte(CharCode.Comma);
    out.span(corr.id);
    out.ascii(':{"alerts":');
    out.decimal(unchecked(s.ruleAlerts[c]));
    field(out, "keys", corr.store.used);
    field(out, "capacity", corr.store.capacity);
    field(out, "evictions", corr.store.evictions);
    field(out, "late", corr.late);
    field(out, "out_of_order", corr.outOfOrder);
    field(out, "missing_key", corr.missingKey);
    field(out, "missing_value", corr.missingValue);
    out.byte(CharCode.CloseBrace);
  }
  out.byte(CharCode.CloseBrace);
  writeSessions(out, sessions);
  out.ascii(',"sections":{');
  let busiest = -1;
  for (let k = 0; k < s.sectionCount; k++) {
    if (k > 0) out.byte(CharCode.Comma);
    const section = s.section(k);
    writeString(out, s.nameOf(k), <i32>section.nameLength);
    out.byte(CharCode.Colon);
    out.decimal(section.hits);
    if (busiest < 0 || section.hits > s.section(busiest).hits) busiest = k;
  }
  out.byte(CharCode.CloseBrace);
  writeLatencies(out, s);
  if (busiest >= 0) {
    out.ascii(',"busiest_section":');
    writeString(out, s.nameOf(busiest), <i32>s.section(busiest).nameLength);
    field(out, "busiest_hits", s.section(busiest).hits);
  }
  field(out, "hits", s.hits);
  out.ascii(',"interval":');
  writeNumber(out, <f64>s.interval / 1000);
  out.byte(CharCode.CloseBrace);
}

/** "latency":{"/api":{"count":n,"p50":..,"p95":..,"p99":..}}, for sections with response times. */
function writeLatencies(out: Bytes, s: Stats): void {
  let any = false;
  for (let k = 0; k < s.sectionCount; k++) {
    const section = s.section(k);
    if (section.timed == 0) continue;
    out.ascii(any ? "," : ',"latency":{');
    any = true;
    writeString(out, s.nameOf(k), <i32>section.nameLength);
    out.ascii(':{"count":');
    out.decimal(section.timed);
    out.ascii(',"p50":');
    writeNumber(out, quantile(s.latencyOf(k), section.timed, 0.5));
    out.ascii(',"p95":');
    writeNumber(out, quantile(s.latencyOf(k), section.timed, 0.95));
    out.ascii(',"p99":');
    writeNumber(out, quantile(s.latencyOf(k), section.timed, 0.99));
    out.byte(CharCode.CloseBrace);
  }
  if (any) out.byte(CharCode.CloseBrace);
}
