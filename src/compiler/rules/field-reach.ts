// A correlation reads fields of the events its rules match: the group-by
// fields (an event without them is left out; `tripline test` counts those)
// and the value field of value_count, anomaly and percentile (an event
// without it is not counted either). When every rule a correlation reads is
// limited to closed formats, the compiler knows which keys their records
// can carry (fields/format-keys.ts) and can tell a correlation that would
// leave out every event, or all but some kinds of record: a warning where
// the field is named. A rule without a logsource, or one admitting an open
// format (json), may see any key: its correlations are not judged.
import { RuleWarning, type CorrelationRule, type RuleSet, type SourcePos } from "../ir.js";
import { FORMATS } from "../schema.js";
import { carriage, isClosedFormat, type ClosedFormat } from "../fields/format-keys.js";
import { listWords } from "../yaml/suggest.js";

export function fieldReachWarnings(set: RuleSet): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  for (const c of set.correlations) {
    const formats = closedFormatsRead(c, set);
    if (formats === undefined) continue;
    const judge = (role: string, name: string, keys: readonly string[], pos: SourcePos) => {
      const { always, only } = carriage(keys, formats);
      if (always) return;
      const field = `correlation '${c.id}' ${role} '${name}' (read from ${keys.join(", ")}), which`;
      const logsources = `its rules' logsources (${formats.join(", ")})`;
      const what =
        only.length === 0
          ? `${field} no record of ${logsources} carries: every event would be left out`
          : `${field} records of ${logsources} carry only ${listWords(only)}: every other event would be left out`;
      warnings.push(new RuleWarning(pos, `${what}; map a key with --fields or ${role === "groups by" ? "group by" : "count"} another field`));
    };
    c.groupBy.forEach((keys, g) => judge("groups by", c.groupByNames[g], keys, c.groupByPos[g]));
    const value = valueField(c);
    if (value !== undefined) judge("counts", value.name, value.keys, c.valueFieldPos ?? c.pos);
  }
  return warnings;
}

/** value_count's distinct field, anomaly's and percentile's numeric field. */
function valueField(c: CorrelationRule): { name: string; keys: string[] } | undefined {
  if (c.condition.field !== undefined && c.condition.fieldName !== undefined) return { name: c.condition.fieldName, keys: c.condition.field };
  const block = c.anomaly ?? c.percentile;
  return block === undefined ? undefined : { name: block.fieldName, keys: block.field };
}

/** The formats a correlation's rules read, in FORMATS order; undefined when one of them may see a record with any key. */
function closedFormatsRead(c: CorrelationRule, set: RuleSet): ClosedFormat[] | undefined {
  const read = new Set<string>();
  for (const index of c.rules) {
    const formats = set.rules[index].logsource.formats;
    // No formats: every record, JSON ones too. A format outside the table (json) may carry any key.
    if (formats.length === 0 || !formats.every(isClosedFormat)) return undefined;
    for (const f of formats) read.add(f);
  }
  return FORMATS.filter((f): f is ClosedFormat => read.has(f));
}
