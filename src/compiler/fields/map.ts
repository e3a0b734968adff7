// Sigma field names -> record keys, and Sigma logsources -> record formats.
// The default tables live in default-map.ts; users may override entries with
// a small YAML file:
//
//   fields:
//     c-ip: [client_ip, x_forwarded_for]   # a list, or a single string
//   logsources:
//     product:
//       myapp: [json]
//
// An entry in the file replaces the default entry of the same name.

import { RuleError, type SourcePos } from "../ir.js";
import { Problems } from "../yaml/problems.js";
import { asMap, asStringList, checkKeys } from "../yaml/shape.js";
import { didYouMean } from "../yaml/suggest.js";
import { parseYamlFile } from "../yaml/yaml-positions.js";
import { CANONICAL_KEYS, LOGSOURCE_FORMATS, OPEN_FORMATS, SIGMA_FIELDS, STOCK_KEYS } from "./default-map.js";

export type LogsourceKey = "product" | "service" | "category";
export const LOGSOURCE_KEYS: LogsourceKey[] = ["product", "service", "category"];

export interface FieldMap {
  /** Sigma field name -> record keys to try, in order of preference. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** logsource value -> record formats, per logsource key. */
  readonly logsources: Readonly<Record<LogsourceKey, ReadonlyMap<string, readonly string[]>>>;
  /** Formats whose records may carry any key; rules limited to them may name any field. */
  readonly openFormats: readonly string[];
}

function buildDefault(): FieldMap {
  // Sigma names first: they win over identity entries (e.g. `user`), and
  // "did you mean" prefers them on ties.
  const fields = new Map<string, string[]>();
  for (const [name, keys] of SIGMA_FIELDS) fields.set(name, [...keys]);
  for (const k of [...CANONICAL_KEYS, ...STOCK_KEYS]) if (!fields.has(k)) fields.set(k, [k]);
  const logsources = {} as Record<LogsourceKey, Map<string, string[]>>;
  for (const k of LOGSOURCE_KEYS) logsources[k] = new Map(LOGSOURCE_FORMATS[k].map(([v, f]) => [v, [...f]]));
  return { fields, logsources, openFormats: [...OPEN_FORMATS] };
}

export const DEFAULT_FIELD_MAP: FieldMap = buildDefault();

/**
 * The record keys for Sigma field `name`. With `anyKey` (the rule's logsource
 * allows an open format such as json) an unknown name is taken as the record
 * key itself, dotted paths included. Otherwise an unknown name throws
 * "unknown field 'x' (did you mean 'y'?)" at `pos`.
 */
export function resolveField(map: FieldMap, name: string, pos: SourcePos, anyKey = false): string[] {
  if (name === "") throw new RuleError(pos, "empty field name");
  const keys = map.fields.get(name);
  if (keys !== undefined) return [...keys];
  if (anyKey) return [name];
  throw new RuleError(pos, `unknown field '${name}'${didYouMean(name, map.fields.keys())}`);
}

/** Reads a user field-map file and merges it over DEFAULT_FIELD_MAP. Throws RuleErrors. */
export function loadFieldMap(file: { path: string; text: string }): FieldMap {
  const problems = new Problems();
  const docs = parseYamlFile(file, problems);
  const fields = new Map(DEFAULT_FIELD_MAP.fields);
  const logsources = {} as Record<LogsourceKey, Map<string, readonly string[]>>;
  for (const k of LOGSOURCE_KEYS) logsources[k] = new Map(DEFAULT_FIELD_MAP.logsources[k]);

  if (docs.length > 1) problems.add(docs[1].root.pos, "a field map file holds one YAML document");
  const root = docs.length > 0 ? asMap(docs[0].root, "a field map file", problems) : undefined;
  if (root !== undefined) {
    checkKeys(root, ["fields", "logsources"], "a field map file", problems);
    for (const top of root.entries) {
      if (top.key === "fields") {
        const m = asMap(top.value, "fields", problems);
        for (const e of m?.entries ?? []) {
          if (e.key.includes("|")) {
            problems.add(e.keyNode.pos, `field name '${e.key}' must not contain '|'`);
            continue;
          }
          const keys = asStringList(e.value, `record keys for '${e.key}'`, problems, true);
          if (keys === undefined) continue;
          if (keys.length === 0) problems.add(e.value.pos, `record keys for '${e.key}' must not be an empty list`);
          else fields.set(e.key, keys.map((k) => k.value));
        }
      } else if (top.key === "logsources") {
        const m = asMap(top.value, "logsources", problems);
        if (m === undefined) continue;
        checkKeys(m, LOGSOURCE_KEYS, "logsources", problems);
        for (const e of m.entries) {
          const table = logsources[e.key as LogsourceKey];
          if (table === undefined) continue;
          const values = asMap(e.value, `logsources.${e.key}`, problems);
          for (const v of values?.entries ?? []) {
            const formats = asStringList(v.value, `formats for ${e.key} '${v.key}'`, problems, true);
            if (formats === undefined) continue;
            if (formats.length === 0) problems.add(v.value.pos, `formats for ${e.key} '${v.key}' must not be an empty list`);
            else table.set(v.key, formats.map((f) => f.value));
          }
        }
      }
    }
  }
  problems.throwIfAny();
  return { fields, logsources, openFormats: DEFAULT_FIELD_MAP.openFormats };
}
