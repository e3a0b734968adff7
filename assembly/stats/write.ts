// Writes `"stats":{...}` into the namespace object (see stats.ts).
import { Stats } from "./stats";
import { Program } from "../program/program";
import { out } from "../output/namespace";
import { writeString, writeNumber, writeTime } from "../output/json";

function field(name: string, value: i64): void {
  out.ascii(',"');
  out.ascii(name);
  out.ascii('":');
  out.decimal(value);
}

export function writeStats(s: Stats, program: Program, to: i64, first: bool): void {
  if (!first) out.byte(0x2c);
  out.ascii('"stats":{"from":');
  writeTime(out, s.from);
  out.ascii(',"to":');
  writeTime(out, to);
  field("records", s.records);
  field("matched", s.matched);
  field("alerted", s.alerted);
  field("dropped", s.dropped);
  out.ascii(',"rules":{');
  let any = false;
  for (let r = 0; r < program.rules.length; r++) {
    const n = unchecked(s.ruleMatches[r]);
    if (n == 0) continue;
    if (any) out.byte(0x2c);
    any = true;
    const id = program.rules[r].id;
    out.copy(id.ptr, id.len);
    out.byte(0x3a);
    out.decimal(n);
  }
  out.ascii('},"correlations":{');
  for (let c = 0; c < program.correlations.length; c++) {
    const corr = program.correlations[c];
    if (c > 0) out.byte(0x2c);
    out.copy(corr.id.ptr, corr.id.len);
    out.ascii(':{"alerts":');
    out.decimal(unchecked(s.ruleAlerts[c]));
    field("keys", corr.store.used);
    field("capacity", corr.store.capacity);
    field("evictions", corr.store.evictions);
    field("late", corr.late);
    out.byte(0x7d);
  }
  out.ascii('},"sections":{');
  let busiest = -1;
  for (let k = 0; k < s.sections; k++) {
    if (k > 0) out.byte(0x2c);
    const at = s.sectionName + <usize>k * 48;
    writeString(out, at + 1, <i32>load<u8>(at));
    out.byte(0x3a);
    out.decimal(unchecked(s.sectionHits[k]));
    if (busiest < 0 || unchecked(s.sectionHits[k]) > unchecked(s.sectionHits[busiest])) busiest = k;
  }
  out.byte(0x7d);
  if (busiest >= 0) {
    out.ascii(',"busiest_section":');
    const at = s.sectionName + <usize>busiest * 48;
    writeString(out, at + 1, <i32>load<u8>(at));
    field("busiest_hits", unchecked(s.sectionHits[busiest]));
  }
  field("hits", s.hits);
  out.ascii(',"interval":');
  writeNumber(out, <f64>s.interval / 1000);
  out.byte(0x7d);
}
