// The `tripline:` block of a detection rule: what to do with a matched
// record. `tag` (default) marks it, `drop` removes it, `redact` rewrites the
// listed fields (which needs at least one `redact` entry).

import type { RedactSpec } from "../ir.js";
import { RuleError } from "../ir.js";
import { resolveField, type FieldMap } from "../fields/map.js";
import { badChoice } from "./choice.js";
import type { Problems } from "./problems.js";
import { asMap, asString, checkKeys, entry } from "./shape.js";
import { describe, type YNode } from "./yaml-positions.js";

export const ACTIONS = ["tag", "drop", "redact"] as const;

/** Keys the module cuts from the request target (`path`) when a record has no such key of its own. */
const DERIVED_FROM_PATH = new Set(["query", "uri_stem"]);
export const REDACT_KINDS = ["card", "password", "bearer"] as const;

export interface TriplineExt {
  action: (typeof ACTIONS)[number];
  redact: RedactSpec[];
}

export function readTripline(
  node: YNode | undefined,
  fieldMap: FieldMap,
  anyKey: boolean,
  problems: Problems,
): TriplineExt | undefined {
  if (node === undefined) return { action: "tag", redact: [] };
  const map = asMap(node, "tripline", problems);
  if (map === undefined) return undefined;
  const before = problems.count;
  checkKeys(map, ["action", "redact"], "tripline", problems);
  const out: TriplineExt = { action: "tag", redact: [] };
  const action = entry(map, "action");
  if (action !== undefined) {
    const s = asString(action.value, "tripline action", problems);
    if (s !== undefined && !(ACTIONS as readonly string[]).includes(s)) problems.add(action.value.pos, badChoice("action", s, ACTIONS));
    else if (s !== undefined) out.action = s as TriplineExt["action"];
  }
  const redact = entry(map, "redact");
  if (redact !== undefined) {
    if (redact.value.t !== "seq") problems.add(redact.value.pos, `tripline redact must be a list of {field, kind} maps, not ${describe(redact.value)}`);
    else {
      for (const item of redact.value.items) {
        const spec = redactItem(item, fieldMap, anyKey, problems);
        if (spec !== undefined) out.redact.push(spec);
      }
    }
  }
  if (out.action === "redact" && out.redact.length === 0 && problems.count === before) {
    problems.add((action ?? redact)!.value.pos, "action 'redact' needs a non-empty 'redact' list");
  }
  if (out.action !== "redact" && redact !== undefined && problems.count === before) {
    problems.add(redact.keyNode.pos, "'redact' is only used with 'action: redact'");
  }
  return problems.count === before ? out : undefined;
}

function redactItem(node: YNode, fieldMap: FieldMap, anyKey: boolean, problems: Problems): RedactSpec | undefined {
  const map = asMap(node, "each redact entry", problems);
  if (map === undefined) return undefined;
  checkKeys(map, ["field", "kind"], "a redact entry", problems);
  const field = entry(map, "field");
  const kind = entry(map, "kind");
  if (field === undefined) problems.add(map.pos, "redact entry needs a 'field'");
  if (kind === undefined) problems.add(map.pos, "redact entry needs a 'kind'");
  if (field === undefined || kind === undefined) return undefined;
  const name = asString(field.value, "redact field", problems);
  const k = asString(kind.value, "redact kind", problems);
  let fields: string[] | undefined;
  if (name !== undefined) {
    try {
      fields = resolveField(fieldMap, name, field.value.pos, anyKey);
      // The module derives query and stem from `path` without copying them:
      // a secret in them is masked where it lives, in the path.
      if (fields.some((f) => DERIVED_FROM_PATH.has(f)) && !fields.includes("path")) fields = [...fields, "path"];
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      problems.errors.push(e);
    }
  }
  if (k !== undefined && !(REDACT_KINDS as readonly string[]).includes(k)) {
    problems.add(kind.value.pos, badChoice("redact kind", k, REDACT_KINDS));
    return undefined;
  }
  if (fields === undefined || k === undefined) return undefined;
  return { fields, kind: k as RedactSpec["kind"] };
}
