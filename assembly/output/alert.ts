// Writes the alerts raised by the current record into the namespace object:
//   "alerts":[{"rule":..,"title":..,"level":..,"type":..,"status":..,"tags":[..],
//     "group":{"c-ip":"203.0.113.9"},"key":"203.0.113.9","count":5,"threshold":5,
//     "window":300,"first":"..Z","last":"..Z", type-specific fields}]
import { Program } from "../program/program";
import { Scan } from "../record/scan";
import { Correlation, Type } from "../correlation/correlation";
import { Alert, AlertKind, pending } from "../correlation/alert";
import { SAMPLE_BYTES } from "../correlation/value-count";
import { readSlot, valuePtr, valueLen } from "../fields/slot";
import { out, LEVEL_NAMES, writeTags, resetTags } from "./namespace";
import { writeString, writeEscaped, writeNumber, writeTime } from "./json";

const TYPE_NAMES: string[] = ["event_count", "value_count", "temporal", "temporal_ordered", "spike", "anomaly"];

function field(name: string): void {
  out.ascii(',"');
  out.ascii(name);
  out.ascii('":');
}

function writeGroup(c: Correlation, program: Program, scan: Scan): void {
  out.ascii(',"group":{');
  for (let g = 0; g < c.groupSlots.length; g++) {
    if (g > 0) out.byte(0x2c);
    const name = c.groupNames[g];
    out.copy(name.ptr, name.len);
    out.byte(0x3a);
    if (readSlot(program.slots[c.groupSlots[g]], scan)) writeString(out, valuePtr, valueLen);
    else out.ascii("null");
  }
  out.ascii('},"key":"');
  // The group values joined with '|', for SIEMs that want one field.
  for (let g = 0; g < c.groupSlots.length; g++) {
    if (g > 0) out.byte(0x7c);
    if (readSlot(program.slots[c.groupSlots[g]], scan)) writeEscaped(out, valuePtr, valueLen);
  }
  out.byte(0x22);
}

function writeSamples(a: Alert): void {
  if (a.samples == 0) return;
  field("samples");
  out.byte(0x5b);
  for (let k = 0; k < a.sampleCount; k++) {
    const at = a.samples + <usize>k * SAMPLE_BYTES;
    const n = <i32>load<u8>(at);
    if (k > 0) out.byte(0x2c);
    writeString(out, at + 1, n);
  }
  out.byte(0x5d);
}

export function writeAlerts(program: Program, count: i32, scan: Scan): void {
  out.ascii(',"alerts":[');
  for (let k = 0; k < count; k++) {
    const a = pending[k];
    const c = program.correlations[a.correlation];
    if (k > 0) out.byte(0x2c);
    out.ascii('{"rule":');
    out.copy(c.id.ptr, c.id.len);
    field("title");
    out.copy(c.title.ptr, c.title.len);
    out.ascii(',"level":"');
    out.ascii(LEVEL_NAMES[c.level]);
    out.ascii('","type":"');
    out.ascii(TYPE_NAMES[c.type]);
    out.ascii('","status":"');
    out.ascii(a.kind == AlertKind.Recovered ? "recovered" : "fired");
    out.ascii('","tags":[');
    resetTags(program);
    writeTags(program, c.tags, true);
    out.byte(0x5d);
    writeGroup(c, program, scan);
    if (c.type == Type.Spike || c.type == Type.Anomaly) {
      field("observed");
      writeNumber(out, a.count);
      field(c.type == Type.Spike ? "baseline" : "mean");
      writeNumber(out, a.baseline);
      if (c.type == Type.Spike) {
        field("factor");
        writeNumber(out, c.factor);
        field("interval");
        writeNumber(out, <f64>c.interval / 1000);
      } else {
        field("stddev");
        writeNumber(out, a.deviation);
        field("zscore");
        writeNumber(out, c.zscore);
        field("field");
        out.copy(c.valueName.ptr, c.valueName.len);
      }
    } else {
      field("count");
      writeNumber(out, a.count);
      field("threshold");
      writeNumber(out, c.type == Type.Temporal || c.type == Type.TemporalOrdered ? <f64>c.rules.length : c.threshold);
      if (c.type == Type.ValueCount) {
        field("field");
        out.copy(c.valueName.ptr, c.valueName.len);
      }
    }
    if (c.type != Type.Spike) {
      field("window");
      writeNumber(out, <f64>c.span / 1000);
    }
    field("first");
    writeTime(out, a.first);
    field("last");
    writeTime(out, a.last);
    writeSamples(a);
    out.byte(0x7d);
  }
  out.byte(0x5d);
}
