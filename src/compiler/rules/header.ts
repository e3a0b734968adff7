// Keys shared by detection and correlation rules: title, id, name, level,
// tags, and Sigma's descriptive keys (checked for shape, then ignored).

import { LEVELS, type Level } from "../ir.js";
import { badChoice } from "../yaml/choice.js";
import type { Problems } from "../yaml/problems.js";
import { asString, asStringList, entry } from "../yaml/shape.js";
import { describe, type YMap, type YScalar } from "../yaml/yaml-positions.js";

export const COMMON_KEYS = [
  "title", "id", "name", "status", "level", "description", "tags", "falsepositives", "references",
  "author", "date", "modified", "license", "related", "taxonomy", "scope",
];
export const STATUSES = ["stable", "test", "experimental", "deprecated", "unsupported"];

export interface Header {
  title?: string;
  id?: string;
  idNode?: YScalar;
  name?: string;
  nameNode?: YScalar;
  level: Level;
  tags: string[];
  description?: string;
  /** Sigma's scope list; `local` marks a correlation that runs where the record is read (fleet edges). */
  scope: string[];
}

export function readHeader(map: YMap, problems: Problems): Header {
  const h: Header = { level: "medium", tags: [], scope: [] };
  const title = entry(map, "title");
  if (title === undefined) problems.add(map.pos, "missing required key 'title'");
  else h.title = asString(title.value, "title", problems);

  // Sigma allows any string as id; a UUID is recommended. Numbers count as written.
  const id = entry(map, "id");
  if (id === undefined) problems.add(map.pos, "missing required key 'id'");
  else if ((h.id = asString(id.value, "id", problems, true)) !== undefined) h.idNode = id.value as YScalar;

  const name = entry(map, "name");
  if (name !== undefined && (h.name = asString(name.value, "name", problems, true)) !== undefined) h.nameNode = name.value as YScalar;

  for (const e of map.entries) {
    const v = e.value;
    switch (e.key) {
      case "level": {
        const s = asString(v, "level", problems);
        if (s === undefined) break;
        if ((LEVELS as readonly string[]).includes(s)) h.level = s as Level;
        else problems.add(v.pos, badChoice("level", s, [...LEVELS]));
        break;
      }
      case "status": {
        const s = asString(v, "status", problems);
        if (s !== undefined && !STATUSES.includes(s)) problems.add(v.pos, badChoice("status", s, STATUSES));
        break;
      }
      case "description":
        h.description = asString(v, "description", problems);
        break;
      case "tags":
        h.tags = asStringList(v, "tags", problems)?.map((t) => t.value) ?? [];
        break;
      case "scope":
        h.scope = asStringList(v, e.key, problems, true)?.map((s) => s.value) ?? [];
        break;
      case "falsepositives":
      case "references":
        asStringList(v, e.key, problems, true);
        break;
      case "author":
      case "license":
      case "taxonomy":
        asString(v, e.key, problems);
        break;
      case "date":
      case "modified":
        asString(v, e.key, problems, true);
        break;
      case "related":
        if (v.t !== "seq") problems.add(v.pos, `related must be a list, not ${describe(v)}`);
        break;
    }
  }
  return h;
}
