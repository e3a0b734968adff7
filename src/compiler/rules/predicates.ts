// One YAML value + the field's modifiers -> one IR Predicate. Every
// predicate keeps the position of its value scalar, so later stages (the
// automaton builder) can report problems with that exact value.

import type { Predicate } from "../ir.js";
import { normalizeCidr } from "./cidr.js";
import { MAX_VALUE_LENGTH } from "../limits.js";
import type { FieldSpec } from "./modifiers.js";
import type { Problems } from "../yaml/problems.js";
import { describe, scalarText, type YScalar } from "../yaml/yaml-positions.js";

/** Reports and returns undefined when the value does not suit the modifiers. */
export function valuePredicate(spec: FieldSpec, fields: string[], node: YScalar, problems: Problems): Predicate | undefined {
  const pos = node.pos;
  const m = spec.match;
  if (node.empty) {
    problems.add(pos, `missing value for field '${spec.field}' (write null to match records without the field)`);
    return undefined;
  }
  if (node.value === null) {
    if (spec.modified) {
      problems.add(pos, `null cannot be combined with modifiers (write '${spec.field}|exists: false' instead)`);
      return undefined;
    }
    // Sigma: `field: null` matches records where the field is absent.
    return { kind: "exists", fields, value: false, pos };
  }
  switch (m.kind) {
    case "exists":
      if (typeof node.value !== "boolean") {
        problems.add(pos, `modifier 'exists' needs true or false, not ${describe(node)}`);
        return undefined;
      }
      return { kind: "exists", fields, value: node.value, pos };
    case "number":
      if (typeof node.value !== "number" || !Number.isFinite(node.value)) {
        problems.add(pos, `modifier '${m.op}' needs a number, not ${describe(node)}`);
        return undefined;
      }
      return { kind: "number", fields, op: m.op, value: node.value, pos };
    case "cidr": {
      const text = scalarText(node) ?? "";
      const cidr = typeof node.value === "string" ? normalizeCidr(text.trim()) : undefined;
      if (cidr === undefined) {
        problems.add(pos, `invalid CIDR '${text}'`);
        return undefined;
      }
      return { kind: "cidr", fields, value: cidr, pos };
    }
    case "string": {
      // Numbers and booleans compare as written: parsed log fields such as
      // status codes are often strings ("404").
      let value = scalarText(node) ?? "";
      let cased = m.cased;
      if (!checkLength(value, node, problems)) return undefined;
      if (m.op === "re") {
        // A leading (?i) (PCRE's inline flag, common in SigmaHQ rules) is
        // the same as re|i; inline flags anywhere else stay an error.
        if (value.startsWith("(?i)")) {
          value = value.slice(4);
          cased = false;
        }
        const reason = regexProblem(value, cased ? "" : "i");
        if (reason !== undefined) {
          problems.add(pos, `invalid regular expression '${scalarText(node)}': ${reason}`);
          return undefined;
        }
      }
      return { kind: "string", fields, op: m.op, value, cased, pos };
    }
  }
}

/** A keyword (a selection value without a field): case-insensitive substring of the whole message. */
export function keywordPredicate(fields: string[], node: YScalar, problems: Problems): Predicate | undefined {
  const value = scalarText(node);
  if (value === undefined) {
    problems.add(node.pos, node.empty ? "missing keyword value" : "a keyword value cannot be null");
    return undefined;
  }
  if (!checkLength(value, node, problems)) return undefined;
  return { kind: "string", fields, op: "contains", value, cased: false, pos: node.pos };
}

function checkLength(value: string, node: YScalar, problems: Problems): boolean {
  if (value.length <= MAX_VALUE_LENGTH) return true;
  problems.add(node.pos, `value is too long (${value.length} characters, limit ${MAX_VALUE_LENGTH})`);
  return false;
}

/** The JS engine's complaint about a regex, without its "Invalid regular expression: /…/: " prefix. */
function regexProblem(source: string, flags: string): string | undefined {
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const prefix = `Invalid regular expression: /${source}/${flags}: `;
    return msg.startsWith(prefix) ? msg.slice(prefix.length) : msg;
  }
}
