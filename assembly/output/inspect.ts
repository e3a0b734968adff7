// What `tripline explain` shows about one record, as JSON: the shape and
// formats the record stage saw, every field it could read (as matched:
// decoded, with the URL-decoded form where an automaton reads that too),
// the predicates that held, the rules that matched, and for each
// correlation those rules feed, its state for the record's key before the
// record counts. Nothing is changed: no window, no statistics.
import { SHAPE_NAMES, FORMAT_NAMES, CORRELATION_TYPE_NAMES, Format, CorrelationType } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { CharCode } from "../runtime/ascii";
import { writeString, writeEscaped, writeNumber, writeTime } from "../runtime/json";
import { Span } from "../runtime/span";
import { Record } from "../record/record";
import { FieldReader } from "../fields/reader";
import { FieldValue } from "../fields/value";
import { needsUrlDecode, urlDecode } from "../fields/urldecode";
import { Fired } from "../match/fired";
import { SlotTests } from "../match/tests";
import { Rule } from "../rules/rule";
import { Matches } from "../rules/select";
import { Correlation } from "../correlation/correlation";
import { GroupKey, groupKey } from "../correlation/key";
import { Entry, NEVER } from "../correlation/store";
import { EventCountState, eventTimes } from "../correlation/event-count";
import { ValueCountState } from "../correlation/value-count";
import { SpikeState } from "../correlation/spike";
import { AnomalyState } from "../correlation/anomaly";
import { PercentileState } from "../correlation/percentile";

export class Inspector {
  out: Bytes = new Bytes(4096);
  private value: FieldValue = new FieldValue();
  private decoded: Bytes = new Bytes(256);
  private key: GroupKey = new GroupKey();

  constructor(
    public keys: StaticArray<Span>,
    public tested: StaticArray<SlotTests>,
    public rules: StaticArray<Rule>,
    public correlations: StaticArray<Correlation>,
    public fields: FieldReader,
    public seed: u64,
  ) {}

  unreadable(): usize {
    this.out.reset();
    this.out.ascii('{"readable":false}');
    this.out.byte(0);
    return this.out.ptr;
  }

  write(record: Record, fired: Fired, matches: Matches): usize {
    const out = this.out;
    out.reset();
    out.ascii('{"readable":true,"shape":"');
    out.ascii(SHAPE_NAMES[<i32>record.shape]);
    out.ascii('","formats":[');
    let first = true;
    for (let f = 0; f < <i32>Format.Count; f++) {
      if ((record.formats & (1 << f)) == 0) continue;
      if (!first) out.byte(CharCode.Comma);
      first = false;
      out.byte(CharCode.Quote);
      out.ascii(FORMAT_NAMES[f]);
      out.byte(CharCode.Quote);
    }
    out.ascii('],"time":');
    writeTime(out, record.time);
    this.writeFields(record);
    out.ascii(',"predicates":[');
    for (let k = 0; k < fired.count; k++) {
      if (k > 0) out.byte(CharCode.Comma);
      out.decimal(unchecked(fired.list[k]));
    }
    out.ascii('],"rules":[');
    for (let k = 0; k < matches.count; k++) {
      if (k > 0) out.byte(CharCode.Comma);
      out.span(unchecked(this.rules[unchecked(matches.ids[k])]).id);
    }
    out.ascii('],"correlations":[');
    this.writeCorrelations(record, matches);
    out.ascii("]}");
    out.byte(0);
    return out.ptr;
  }

  /** Every key present (record members, raw-line fields, derived target parts). */
  private writeFields(record: Record): void {
    const out = this.out;
    const m = record.members;
    // Derived fields appear once some slot asked for them: ask for all of them.
    this.fields.deriveNow(record);
    out.ascii(',"fields":{');
    let first = true;
    for (let k = 0; k < m.count; k++) {
      if (!m.has(k)) continue;
      if (!first) out.byte(CharCode.Comma);
      first = false;
      const name = unchecked(this.keys[k]);
      writeString(out, name.ptr, name.len);
      out.byte(CharCode.Colon);
      this.fields.readKey(k, record, this.value);
      writeString(out, this.value.ptr, this.value.len);
    }
    out.ascii('},"url_decoded":{');
    first = true;
    for (let t = 0; t < this.tested.length; t++) {
      const tests = unchecked(this.tested[t]);
      if (!tests.urlDecode) continue;
      const key = this.fields.presentKey(tests.slot, record);
      if (key < 0) continue;
      this.fields.readKey(key, record, this.value);
      if (!needsUrlDecode(this.value.ptr, this.value.len)) continue;
      urlDecode(this.value.ptr, this.value.len, this.decoded);
      if (!first) out.byte(CharCode.Comma);
      first = false;
      const name = unchecked(this.keys[key]);
      writeString(out, name.ptr, name.len);
      out.byte(CharCode.Colon);
      writeString(out, this.decoded.ptr, this.decoded.length);
    }
    out.byte(CharCode.CloseBrace);
  }

  /** The state, before this record, of each correlation a matched rule feeds. */
  private writeCorrelations(record: Record, matches: Matches): void {
    const out = this.out;
    let first = true;
    for (let c = 0; c < this.correlations.length; c++) {
      const corr = unchecked(this.correlations[c]);
      let fed = false;
      for (let k = 0; k < matches.count && !fed; k++) {
        const list = unchecked(this.rules[unchecked(matches.ids[k])]).correlations;
        for (let j = 0; j < list.length; j++) if (unchecked(list[j]) == c) fed = true;
      }
      if (!fed) continue;
      if (!first) out.byte(CharCode.Comma);
      first = false;
      out.ascii('{"rule":');
      out.span(corr.id);
      out.ascii(',"type":"');
      out.ascii(CORRELATION_TYPE_NAMES[corr.type]);
      out.byte(CharCode.Quote);
      groupKey(this.seed, corr.groupSlots, this.fields, record, this.value, this.key);
      if (!this.key.present) {
        out.ascii(',"missing_key":true}');
        continue;
      }
      out.ascii(',"key":"');
      for (let g = 0; g < corr.groupSlots.length; g++) {
        if (g > 0) out.byte(CharCode.Pipe);
        if (this.fields.read(unchecked(corr.groupSlots[g]), record, this.value)) writeEscaped(out, this.value.ptr, this.value.len);
      }
      out.byte(CharCode.Quote);
      const e = corr.store.find(this.key.hash);
      if (e < 0) {
        out.ascii(',"new_key":true');
      } else {
        const entry = changetype<Entry>(corr.store.at(e));
        if (entry.lastAlert != NEVER) {
          out.ascii(',"last_alert":');
          writeTime(out, entry.lastAlert);
        }
        this.writeState(corr, corr.store.payload(e), record.time);
      }
      if (corr.type == CorrelationType.EventCount || corr.type == CorrelationType.ValueCount) {
        out.ascii(',"threshold":');
        out.decimal(corr.threshold);
      }
      if (corr.type != CorrelationType.Spike && corr.type != CorrelationType.Percentile) {
        out.ascii(',"window":');
        writeNumber(out, <f64>corr.span / 1000);
      }
      out.ascii(',"cooldown":');
      writeNumber(out, <f64>corr.cooldown / 1000);
      out.byte(CharCode.CloseBrace);
    }
  }

  private writeState(c: Correlation, p: usize, t: i64): void {
    const out = this.out;
    if (c.type == CorrelationType.EventCount) {
      // Events kept for the key that still lie in a window ending now.
      const state = changetype<EventCountState>(p);
      const times = eventTimes(p);
      let inWindow = 0;
      for (let k = 0; k < state.count; k++) if (t - load<i64>(times + <usize>k * 8) < c.span) inWindow++;
      out.ascii(',"events_in_window":');
      out.decimal(inWindow);
    } else if (c.type == CorrelationType.ValueCount) {
      out.ascii(',"distinct_values":');
      out.decimal(changetype<ValueCountState>(p).count);
    } else if (c.type == CorrelationType.Temporal || c.type == CorrelationType.TemporalOrdered) {
      out.ascii(',"seen":[');
      for (let k = 0; k < c.rules.length; k++) {
        if (k > 0) out.byte(CharCode.Comma);
        const seen = load<i64>(p + <usize>k * 8);
        if (seen == i64.MIN_VALUE) out.ascii("null");
        else writeTime(out, seen);
      }
      out.byte(CharCode.CloseBracket);
    } else if (c.type == CorrelationType.Spike) {
      const s = changetype<SpikeState>(p);
      out.ascii(',"interval_count":');
      writeNumber(out, s.count);
      out.ascii(',"baseline":');
      writeNumber(out, s.filled == 0 ? 0 : s.sum / <f64>s.filled);
      out.ascii(',"baseline_intervals":');
      out.decimal(s.filled);
      out.ascii(s.inSpike != 0 ? ',"in_spike":true' : ',"in_spike":false');
    } else if (c.type == CorrelationType.Anomaly) {
      const s = changetype<AnomalyState>(p);
      out.ascii(',"samples":');
      writeNumber(out, s.n);
      out.ascii(',"mean":');
      writeNumber(out, s.mean);
      out.ascii(',"stddev":');
      writeNumber(out, Math.sqrt(s.variance));
    } else {
      const s = changetype<PercentileState>(p);
      out.ascii(',"interval_count":');
      out.decimal(s.count);
      out.ascii(',"baseline":');
      writeNumber(out, s.filled == 0 ? NaN : s.baseline);
    }
  }
}
