// Stage 8: output. The input bytes up to the closing brace, then the
// namespace member and the route fields, then the brace. Members of those
// names already in the record (a record tagged by an edge tripline and seen
// again at an aggregator) are replaced, so no key appears twice.
//
//   "<namespace>":{"rules":[..],"level":"high","tags":[..],
//     "alerts":[{"rule":..,"title":..,"level":..,"type":..,"status":..,"tags":[..],
//       "group":{"c-ip":"203.0.113.9"},"key":"203.0.113.9","count":5,"threshold":5,
//       "window":300,"first":"..Z","last":"..Z", type-specific fields}],
//     "stats":{..}},
//   "<alert field>":"<route>", "<alert field>_2":"<route>", ...
//   "<namespace>_shards":"0,2"    (fleet edges: correlation/shard.ts)
import { LEVEL_NAMES, CORRELATION_TYPE_NAMES, CorrelationType, MAX_ROUTES } from "../runtime/schema";
import { Bytes } from "../runtime/bytes";
import { Span } from "../runtime/span";
import { CharCode, isJsonSpace } from "../runtime/ascii";
import { writeString, writeEscaped, writeNumber, writeTime } from "../runtime/json";
import { Record } from "../record/record";
import { Rule } from "../rules/rule";
import { Matches } from "../rules/select";
import { Correlation } from "../correlation/correlation";
import { Alerts, Alert, ABSENT } from "../correlation/alerts";
import { Status } from "../correlation/outcome";
import { Shards } from "../correlation/shard";

export class Output {
  out: Bytes = new Bytes(4096);
  private tagSeen: Bytes = new Bytes(64);

  constructor(
    public namespace: Span,
    /** The route field names: `<alert field>`, `<alert field>_2`, ... (raw bytes, no quotes). */
    public routeFields: StaticArray<Span>,
    /** JSON strings. */
    public tags: StaticArray<Span>,
    public rules: StaticArray<Rule>,
    public correlations: StaticArray<Correlation>,
    /** The key of a fleet edge's shard list (raw bytes, no quotes). */
    public shardField: Span,
  ) {}

  /** Starts the output: the record without tripline's members (see strip), then `"<namespace>":{`. */
  begin(record: Record): void {
    const out = this.out;
    if (this.strip(record)) out.byte(CharCode.Comma);
    out.byte(CharCode.Quote);
    out.span(this.namespace);
    out.ascii('":{');
  }

  /**
   * A record that gains no namespace object: without tripline's members
   * (an aggregator drops the edge's), plus the shard list an edge noted.
   */
  plain(record: Record, shards: Shards): usize {
    const out = this.out;
    const comma = this.strip(record);
    if (shards.count > 0) shards.write(out, this.shardField, comma);
    out.byte(CharCode.CloseBrace);
    out.byte(0);
    return out.ptr;
  }

  /**
   * The record without its closing brace and without any member tripline
   * writes (each with its separating comma); true when members remain.
   */
  private strip(record: Record): bool {
    const out = this.out;
    out.reset();
    const p = record.ptr;
    const closeAt = record.object.closeAt;
    const owned = record.object.owned;
    const removed = owned.length >> 3;
    let at = 0;
    for (let k = 0; k < removed; k++) {
      const keyAt = load<i32>(owned.ptr + (<usize>k << 3));
      const valueEnd = load<i32>(owned.ptr + (<usize>k << 3), 4);
      out.copy(p + <usize>at, keyAt - at);
      // Skip the member and the comma after it.
      at = valueEnd;
      while (at < closeAt && isJsonSpace(<u32>load<u8>(p + <usize>at))) at++;
      if (at < closeAt && load<u8>(p + <usize>at) == CharCode.Comma) at++;
    }
    out.copy(p + <usize>at, closeAt - at);
    // A removed last member leaves its leading comma behind.
    let n = out.length;
    while (n > 0 && isJsonSpace(<u32>load<u8>(out.ptr + <usize>(n - 1)))) n--;
    if (n > 0 && load<u8>(out.ptr + <usize>(n - 1)) == CharCode.Comma) out.length = n - 1;
    return record.object.count > removed;
  }

  /** The matched rules' ids, the highest level and the tags. */
  matches(matches: Matches, level: i32): void {
    const out = this.out;
    out.ascii('"rules":[');
    for (let k = 0; k < matches.count; k++) {
      if (k > 0) out.byte(CharCode.Comma);
      out.span(unchecked(this.rules[unchecked(matches.ids[k])]).id);
    }
    out.ascii('],"level":"');
    out.ascii(LEVEL_NAMES[level]);
    out.ascii('","tags":[');
    this.resetTags();
    let first = true;
    for (let k = 0; k < matches.count; k++) first = this.writeTags(unchecked(this.rules[unchecked(matches.ids[k])]).tags, first);
    out.byte(CharCode.CloseBracket);
  }

  alerts(alerts: Alerts, first: bool): void {
    const out = this.out;
    if (!first) out.byte(CharCode.Comma);
    out.ascii('"alerts":[');
    for (let k = 0; k < alerts.count; k++) {
      if (k > 0) out.byte(CharCode.Comma);
      this.alert(alerts, alerts.at(k));
    }
    out.byte(CharCode.CloseBracket);
  }

  private alert(alerts: Alerts, a: Alert): void {
    const out = this.out;
    const c = unchecked(this.correlations[a.correlation]);
    out.ascii('{"rule":');
    out.span(c.id);
    out.ascii(',"title":');
    out.span(c.title);
    out.ascii(',"level":"');
    out.ascii(LEVEL_NAMES[c.level]);
    out.ascii('","type":"');
    out.ascii(CORRELATION_TYPE_NAMES[c.type]);
    out.ascii('","status":"');
    out.ascii(a.status == Status.Recovered ? "recovered" : "fired");
    out.ascii('","route":');
    out.span(c.route);
    out.ascii(',"tags":[');
    this.resetTags();
    this.writeTags(c.tags, true);
    out.byte(CharCode.CloseBracket);
    this.group(alerts, a, c);
    const type = c.type;
    if (type == CorrelationType.Spike || type == CorrelationType.Anomaly || type == CorrelationType.Percentile) {
      this.number("observed", a.count);
      if (type == CorrelationType.Spike) {
        this.number("baseline", a.baseline);
        this.number("factor", c.spike.factor);
        if (c.spike.increase != 0) this.number("increase", c.spike.increase);
        this.number("interval", <f64>c.spike.interval / 1000);
      } else if (type == CorrelationType.Anomaly) {
        this.number("mean", a.baseline);
        this.number("stddev", a.deviation);
        this.number("zscore", a.score);
        this.number("threshold", c.zscore);
        this.field("field");
        out.span(c.valueName);
      } else {
        this.number("quantile", c.percentile.quantile * 100);
        this.number("baseline", a.baseline);
        if (isFinite(c.percentile.limit)) this.number("limit", c.percentile.limit);
        if (isFinite(c.percentile.factor)) this.number("factor", c.percentile.factor);
        this.number("interval", <f64>c.percentile.interval / 1000);
        this.field("field");
        out.span(c.valueName);
      }
    } else {
      this.number("count", a.count);
      const temporal = type == CorrelationType.Temporal || type == CorrelationType.TemporalOrdered;
      this.number("threshold", temporal ? <f64>c.rules.length : <f64>c.threshold);
      if (type == CorrelationType.ValueCount) {
        this.field("field");
        out.span(c.valueName);
      }
    }
    if (type != CorrelationType.Spike && type != CorrelationType.Percentile) this.number("window", <f64>c.span / 1000);
    this.field("first");
    writeTime(out, a.first);
    this.field("last");
    writeTime(out, a.last);
    if (a.sampleCount > 0) this.list("samples", alerts, a.samplesAt, a.sampleCount);
    if (a.addressCount > 0) this.list("addresses", alerts, a.addressesAt, a.addressCount);
    out.byte(CharCode.CloseBrace);
  }

  /** "group":{"c-ip":"..",..},"key":"a|b": the values copied when the alert was raised. */
  private group(alerts: Alerts, a: Alert, c: Correlation): void {
    const out = this.out;
    out.ascii(',"group":{');
    let at = a.groupAt;
    for (let g = 0; g < a.groupCount; g++) {
      if (g > 0) out.byte(CharCode.Comma);
      out.span(unchecked(c.groupNames[g]));
      out.byte(CharCode.Colon);
      const n = alerts.valueLength(at);
      if (n == ABSENT) out.ascii("null");
      else writeString(out, alerts.valuePtr(at), <i32>n);
      at = alerts.following(at);
    }
    out.ascii('},"key":"');
    // The group values joined with '|', for SIEMs that want one field.
    at = a.groupAt;
    for (let g = 0; g < a.groupCount; g++) {
      if (g > 0) out.byte(CharCode.Pipe);
      const n = alerts.valueLength(at);
      if (n != ABSENT) writeEscaped(out, alerts.valuePtr(at), <i32>n);
      at = alerts.following(at);
    }
    out.byte(CharCode.Quote);
  }

  private list(name: string, alerts: Alerts, at: i32, count: i32): void {
    const out = this.out;
    this.field(name);
    out.byte(CharCode.OpenBracket);
    for (let k = 0; k < count; k++) {
      if (k > 0) out.byte(CharCode.Comma);
      const n = alerts.valueLength(at);
      writeString(out, alerts.valuePtr(at), n == ABSENT ? 0 : <i32>n);
      at = alerts.following(at);
    }
    out.byte(CharCode.CloseBracket);
  }

  @inline private field(name: string): void {
    this.out.ascii(',"');
    this.out.ascii(name);
    this.out.ascii('":');
  }

  private number(name: string, v: f64): void {
    this.field(name);
    writeNumber(this.out, v);
  }

  /** Tags are listed once per record (or alert), in first-seen order. */
  private resetTags(): void {
    this.tagSeen.reset();
    this.tagSeen.reserve(this.tags.length);
    memory.fill(this.tagSeen.ptr, 0, <usize>this.tags.length);
  }

  private writeTags(tags: StaticArray<i32>, first: bool): bool {
    for (let t = 0; t < tags.length; t++) {
      const tag = unchecked(tags[t]);
      if (load<u8>(this.tagSeen.ptr + <usize>tag) != 0) continue;
      store<u8>(this.tagSeen.ptr + <usize>tag, 1);
      if (!first) this.out.byte(CharCode.Comma);
      first = false;
      this.out.span(unchecked(this.tags[tag]));
    }
    return first;
  }

  /**
   * Ends the namespace object and the record, adds one route field per
   * alert (at most MAX_ROUTES; the stats route for a statistics record),
   * the shard list an edge noted, and NUL-terminates for the host.
   */
  close(alerts: Alerts, stats: Span | null, shards: Shards): usize {
    const out = this.out;
    out.byte(CharCode.CloseBrace);
    let routes = 0;
    for (let k = 0; k < alerts.count && routes < MAX_ROUTES; k++) {
      this.route(routes++, unchecked(this.correlations[alerts.at(k).correlation]).route);
    }
    if (stats != null && routes < MAX_ROUTES) this.route(routes, stats);
    if (shards.count > 0) shards.write(out, this.shardField, true);
    out.byte(CharCode.CloseBrace);
    out.byte(0);
    return out.ptr;
  }

  private route(k: i32, route: Span): void {
    const out = this.out;
    out.ascii(',"');
    out.span(unchecked(this.routeFields[k]));
    out.ascii('":');
    out.span(route);
  }
}
