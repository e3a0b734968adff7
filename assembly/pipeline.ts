// One record through every stage:
//   record -> fields -> predicates -> rules -> redaction -> correlation -> statistics -> output
// Returns the pointer Fluent Bit copies the result from.
import { Level } from "./runtime/schema";
import { Record, RecordReader } from "./record/record";
import { FieldReader } from "./fields/reader";
import { Fired } from "./match/fired";
import { PredicateTester } from "./match/tests";
import { Matches, RuleSelector } from "./rules/select";
import { Redactor } from "./redact/rewrite";
import { CorrelationStage } from "./correlation/correlation";
import { Shards } from "./correlation/shard";
import { Alerts } from "./correlation/alerts";
import { Stats } from "./stats/stats";
import { Output } from "./output/writer";
import { writeStats, writeReport } from "./output/stats";
import { Inspector } from "./output/inspect";
import { Program } from "./program/load";
import { word } from "./record/sink";

const EMPTY = memory.data<u8>([0]);
const STATS_ROUTE = word('"stats"');

export class Pipeline {
  record: Record;
  reader: RecordReader;
  fields: FieldReader;
  fired: Fired;
  predicates: PredicateTester;
  selector: RuleSelector;
  matches: Matches;
  redactor: Redactor;
  shards: Shards;
  correlation: CorrelationStage;
  alerts: Alerts;
  stats: Stats;
  output: Output;
  inspector: Inspector;

  constructor(public program: Program) {
    const o = program.options;
    const record = new Record(program.keys.count);
    const fields = new FieldReader();
    this.record = record;
    this.fields = fields;
    this.reader = new RecordReader(program.keys, program.owned, o.readLines, record);
    this.fired = new Fired(program.predicateCount);
    this.predicates = new PredicateTester(program.tested, fields);
    this.selector = new RuleSelector(program.rules, program.wakes, program.always);
    this.matches = new Matches(program.rules.length);
    this.redactor = new Redactor(program.rules, program.slots, fields);
    const shards = new Shards(o.shards);
    this.shards = shards;
    this.correlation = new CorrelationStage(program.correlations, program.rules, fields, o.lateness, o.seed, shards);
    this.alerts = new Alerts();
    this.stats = new Stats(o.statsInterval, program.rules.length, program.correlations.length, fields);
    this.output = new Output(o.namespace, o.routeFields, program.tags, program.rules, program.correlations, o.shardField);
    this.inspector = new Inspector(program.keys.keys, program.tested, program.rules, program.correlations, fields, o.seed);
  }

  /** Explains one record without changing any state (`tripline explain`). */
  inspect(tag: usize, tagLen: i32, sec: i32, nsec: i32, p: usize, len: i32): usize {
    const time = <i64><u32>sec * 1000 + <i64>(<u32>nsec / 1000000);
    if (!this.evaluate(tag, tagLen, p, len, time)) return this.inspector.unreadable();
    return this.inspector.write(this.record, this.fired, this.matches);
  }

  /** Totals since the module started (`tripline test` prints late and keyless events from them). */
  report(): usize {
    const out = this.output.out;
    out.reset();
    writeReport(out, this.stats, this.program.correlations, this.reader.sessions, this.misrouted());
    out.byte(0);
    return out.ptr;
  }

  /**
   * Runs the stages up to the rules' verdict (no state changes): what
   * `filter` and `explain` share.
   */
  @inline evaluate(tag: usize, tagLen: i32, p: usize, len: i32, time: i64): bool {
    if (!this.reader.read(p, len, time, this.record)) return false;
    this.predicates.test(this.record, this.fired);
    this.selector.select(tag, tagLen, this.record, this.fired, this.matches);
    return true;
  }

  process(tag: usize, tagLen: i32, sec: i32, nsec: i32, p: usize, len: i32): usize {
    // Unmatched and unreadable records go back as the host's own copy,
    // which is NUL-terminated and outlives the host's copy of the result.
    if (this.program.rules.length == 0 && this.stats.interval <= 0) return p;
    const time = <i64><u32>sec * 1000 + <i64>(<u32>nsec / 1000000);
    if (!this.evaluate(tag, tagLen, p, len, time)) {
      this.stats.countUnread();
      return p;
    }
    const record = this.record;
    const matches = this.matches;
    let rewritten = false;
    if (matches.redact && this.redactor.apply(record, matches)) {
      // Every later stage sees the record as it will leave: redacted.
      const r = this.redactor.out;
      rewritten = this.reader.read(r.ptr, r.length, time, record);
    }
    // After the last read of the record, so that both reads saw the same memory.
    this.reader.sessions.learn();
    const alerts = this.alerts;
    alerts.reset();
    const shards = this.shards;
    if (shards.total > 0) shards.begin(tag, tagLen);
    this.correlation.observe(matches, record, alerts);
    if (shards.total > 0) shards.end();
    const statsDue = this.stats.count(record, matches, alerts, matches.drop);
    if (matches.drop) return EMPTY;
    // A fleet aggregator lists no rules: the edge tagged the record already.
    const visible = shards.atEdge ? matches.visible : 0;
    if (visible == 0 && alerts.count == 0 && !statsDue) {
      // An edge adds the shards the record must reach; an aggregator drops
      // the edge's members (its alert routes would raise the edge's alerts again).
      if (shards.count > 0 || (!shards.atEdge && record.object.owned.length > 0)) return this.output.plain(record, shards);
      if (!rewritten) return p;
      // A silent redaction rule masked something: the masked record goes out, untagged.
      const r = this.redactor.out;
      r.byte(0);
      return r.ptr;
    }
    const output = this.output;
    output.begin(record);
    // Silent rules are listed only beside the alert they fed.
    let listed = shards.atEdge ? matches.count : 0;
    if (alerts.count == 0 && listed > 0) listed = keepVisible(matches, this.program);
    let first = true;
    if (listed > 0) {
      output.matches(matches, this.highestLevel(matches, alerts));
      first = false;
    }
    if (alerts.count > 0) {
      output.alerts(alerts, first);
      first = false;
    }
    if (statsDue) {
      writeStats(output.out, this.stats, this.program.rules, this.program.correlations, this.reader.sessions, record.time, first, this.misrouted());
      this.stats.reset(record.time - (record.time % this.stats.interval));
    }
    return output.close(alerts, statsDue ? STATS_ROUTE : null, shards);
  }

  /** Fleet aggregators: records that reached them with no key of theirs (-1: not a fleet). */
  private misrouted(): i64 {
    return this.shards.total > 0 ? this.shards.misrouted : -1;
  }

  private highestLevel(matches: Matches, alerts: Alerts): i32 {
    let level = <i32>Level.Informational;
    for (let k = 0; k < matches.count; k++) level = max(level, <i32>unchecked(this.program.rules[unchecked(matches.ids[k])]).level);
    for (let k = 0; k < alerts.count; k++) level = max(level, <i32>unchecked(this.program.correlations[alerts.at(k).correlation]).level);
    return level;
  }
}

/** Drops the silent rules from the list; returns how many are left. */
function keepVisible(matches: Matches, program: Program): i32 {
  let kept = 0;
  for (let k = 0; k < matches.count; k++) {
    const r = unchecked(matches.ids[k]);
    if (!unchecked(program.rules[r]).silent) unchecked((matches.ids[kept++] = r));
  }
  matches.count = kept;
  return kept;
}

