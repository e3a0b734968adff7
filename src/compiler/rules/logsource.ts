// Sigma logsource -> which record formats and Fluent Bit tags a rule sees.
// Each of product / service / category that is given narrows the formats
// (the sets are intersected); a rule without logsource sees every record.
// `tag` is a tripline extension: Fluent Bit tag globs.

import type { LogSource } from "../ir.js";
import { LOGSOURCE_KEYS, type FieldMap } from "../fields/map.js";
import { badChoice } from "../yaml/choice.js";
import type { Problems } from "../yaml/problems.js";
import { asMap, asString, asStringList, checkKeys } from "../yaml/shape.js";
import type { YNode } from "../yaml/yaml-positions.js";

export function buildLogsource(node: YNode | undefined, fieldMap: FieldMap, problems: Problems): LogSource | undefined {
  if (node === undefined) return { tags: [], formats: [] };
  const map = asMap(node, "logsource", problems);
  if (map === undefined) return undefined;
  checkKeys(map, [...LOGSOURCE_KEYS, "definition", "tag"], "logsource", problems);
  let ok = true;
  let formats: string[] | undefined;
  const named: string[] = [];
  let tags: string[] = [];
  for (const e of map.entries) {
    if (e.key === "tag") {
      const list = asStringList(e.value, "logsource tag", problems, true);
      if (list === undefined) ok = false;
      else tags = list.map((t) => t.value);
      for (const t of list ?? []) {
        if (/\s/.test(t.value)) {
          problems.add(t.node.pos, `logsource tag '${t.value}' must not contain spaces`);
          ok = false;
        }
      }
    } else if (e.key === "definition") {
      if (asString(e.value, "logsource definition", problems) === undefined) ok = false;
    } else if ((LOGSOURCE_KEYS as string[]).includes(e.key)) {
      const key = e.key as (typeof LOGSOURCE_KEYS)[number];
      const value = asString(e.value, `logsource ${key}`, problems);
      if (value === undefined) {
        ok = false;
        continue;
      }
      const table = fieldMap.logsources[key];
      const these = table.get(value);
      if (these === undefined) {
        problems.add(e.value.pos, badChoice(`logsource ${key}`, value, [...table.keys()]));
        ok = false;
        continue;
      }
      named.push(`${key} '${value}'`);
      formats = formats === undefined ? [...these] : formats.filter((f) => these.includes(f));
    }
  }
  if (!ok) return undefined;
  if (formats !== undefined && formats.length === 0) {
    problems.add(map.pos, `logsource ${named.join(" and ")} match no common record format`);
    return undefined;
  }
  return { tags, formats: formats ?? [] };
}
