// A correlation counts an event under the values of its group-by fields; an
// event whose record carries none of a field's keys is left out (`tripline
// test` counts those). When every rule a correlation reads is limited to
// closed formats, the compiler knows which keys their records can carry
// (fields/format-keys.ts) and can tell a correlation that would leave out
// every event, or all but some kinds of record: a warning at the group-by
// entry. A rule without a logsource, or one admitting an open format (json),
// may see any key: its correlations are not judged.
import { RuleWarning, type CorrelationRule, type RuleSet } from "../ir.js";
import { FORMATS } from "../schema.js";
import { carriage, isClosedFormat, type ClosedFormat } from "../fields/format-keys.js";
import { listWords } from "../yaml/suggest.js";

export function groupByWarnings(set: RuleSet): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  for (const c of set.correlations) {
    const formats = closedFormatsRead(c, set);
    if (formats === undefined) continue;
    c.groupBy.forEach((keys, g) => {
      const { always, only } = carriage(keys, formats);
      if (always) return;
      const field = `correlation '${c.id}' groups by '${c.groupByNames[g]}' (read from ${keys.join(", ")}), which`;
      const logsources = `its rules' logsources (${formats.join(", ")})`;
      const what =
        only.length === 0
          ? `${field} no record of ${logsources} carries: every event would be left out`
          : `${field} records of ${logsources} carry only ${listWords(only)}: every other event would be left out`;
      warnings.push(new RuleWarning(c.groupByPos[g], `${what}; map a key with --fields or group by another field`));
    });
  }
  return warnings;
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
