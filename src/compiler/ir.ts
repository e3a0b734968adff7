// The rule compiler's intermediate representation: what the YAML front end
// (src/compiler/rules) hands to the back end (automata + program encoder).
// Everything here is plain data, already validated.

export interface SourcePos {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

/** A user mistake in a rule file. `toString()` gives `file:line:col: message`. */
export class RuleError extends Error {
  constructor(
    readonly pos: SourcePos,
    readonly detail: string,
  ) {
    super(`${pos.file}:${pos.line}:${pos.col}: ${detail}`);
    this.name = "RuleError";
  }
}

/** Thrown when a compile found one or more mistakes; `errors` holds all of them. */
export class RuleErrors extends Error {
  constructor(readonly errors: RuleError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "RuleErrors";
  }
}

/** Something that compiles but cannot do what its author meant. `message` is `file:line:col: warning: detail`. */
export class RuleWarning {
  readonly message: string;

  constructor(
    readonly pos: SourcePos,
    readonly detail: string,
  ) {
    this.message = `${pos.file}:${pos.line}:${pos.col}: warning: ${detail}`;
  }
}

export type StringOp = "contains" | "startswith" | "endswith" | "equals" | "re";
export type NumberOp = "gt" | "gte" | "lt" | "lte";

/**
 * One test on one field. `fields` lists the record keys the Sigma field maps
 * to, in order of preference: the predicate reads the first one present.
 */
export type Predicate =
  | { kind: "string"; fields: string[]; op: StringOp; value: string; cased: boolean; pos: SourcePos }
  | { kind: "number"; fields: string[]; op: NumberOp; value: number; pos: SourcePos }
  | { kind: "cidr"; fields: string[]; value: string; pos: SourcePos }
  | { kind: "exists"; fields: string[]; value: boolean; pos: SourcePos };

export type Condition =
  | { k: "and"; args: Condition[] }
  | { k: "or"; args: Condition[] }
  | { k: "not"; arg: Condition }
  | { k: "pred"; pred: Predicate }
  | { k: "const"; value: boolean };

import { LEVELS } from "./schema.js";
export { LEVELS };
export type Level = (typeof LEVELS)[number];

export interface LogSource {
  /** Fluent Bit tag globs (`*` wildcard); empty means every tag. */
  tags: string[];
  /** Record formats the rule applies to (e.g. "access", "auth", "json"); empty means all. */
  formats: string[];
}

export interface RedactSpec {
  fields: string[];
  kind: "card" | "password" | "bearer";
}

export interface DetectionRule {
  id: string;
  name?: string;
  title: string;
  level: Level;
  tags: string[];
  description?: string;
  logsource: LogSource;
  condition: Condition;
  /** "tag": mark matched records (default); "drop": drop them; "redact": rewrite fields. */
  action: "tag" | "drop" | "redact";
  redact: RedactSpec[];
  /** false for rules that only feed correlations (Sigma `generate: false` on the correlation). */
  pos: SourcePos;
}

export type CorrelationType = "event_count" | "value_count" | "temporal" | "temporal_ordered" | "spike" | "anomaly" | "percentile";

export interface CorrelationRule {
  id: string;
  name?: string;
  title: string;
  level: Level;
  tags: string[];
  description?: string;
  type: CorrelationType;
  /** Indices into RuleSet.rules, in the order the correlation names them. */
  rules: number[];
  /** Each group-by field as its list of record-key candidates. */
  groupBy: string[][];
  groupByNames: string[];
  /** Where each group-by field is named. */
  groupByPos: SourcePos[];
  timespanSec: number;
  /** event_count / value_count threshold. For value_count `field` is the distinct field. */
  condition: { op: NumberOp | "eq"; value: number; field?: string[]; fieldName?: string };
  /** Seconds during which a key that alerted stays quiet; default = timespanSec. */
  cooldownSec: number;
  /**
   * Rate spike: events per `intervalSec` bucket against a moving average over
   * `baselineIntervals` buckets; fires above factor x average + increase.
   */
  spike?: { intervalSec: number; baselineIntervals: number; factor: number; increase: number; minCount: number };
  /** Anomaly: z-score of a numeric field against the key's running mean/stddev. */
  anomaly?: { field: string[]; fieldName: string; zscore: number; minSamples: number };
  /**
   * Percentile: the `quantile` (0-1) of a numeric field per key and interval,
   * above `limit` or above `factor` x the key's baseline of earlier intervals.
   */
  percentile?: { field: string[]; fieldName: string; quantile: number; intervalSec: number; limit: number | null; factor: number | null; baselineIntervals: number; minCount: number };
  /** Where the value field (value_count's condition field, anomaly's or percentile's field) is named. */
  valueFieldPos?: SourcePos;
  /** The client address field, listed in event_count alerts (`addresses`). */
  addressField?: string[];
  /** Whether the referenced detection rules still tag records on their own. */
  generate: boolean;
  /**
   * `scope: local`: in a fleet (`--shards`) the correlation runs on each edge
   * over that edge's records only; the others run on the aggregator owning the key.
   */
  local?: boolean;
  pos: SourcePos;
}

export interface RuleSet {
  rules: DetectionRule[];
  correlations: CorrelationRule[];
}
