// Field keys of a selection: `field|mod1|mod2`. Decides which test the
// values get (equals, contains, regex, cidr, number comparison, exists) and
// how a list of values combines (OR, or AND with `all`).

import type { NumberOp, StringOp } from "../ir.js";
import { didYouMean } from "../yaml/suggest.js";

export type MatchKind =
  | { kind: "string"; op: StringOp; cased: boolean }
  | { kind: "number"; op: NumberOp }
  | { kind: "cidr" }
  | { kind: "exists" };

export interface FieldSpec {
  field: string;
  match: MatchKind;
  /** A list of values must all match (`all`) instead of any. */
  all: boolean;
  /** Any modifier was written (a null value then makes no sense). */
  modified: boolean;
}

/** A mistake in the key; `index` is the character of the key it points at. */
export interface KeyError {
  index: number;
  message: string;
}

// Modifiers that pick the test; at most one per key.
const TEST_MODIFIERS = ["contains", "startswith", "endswith", "re", "cidr", "gt", "gte", "lt", "lte", "exists"];
const SUPPORTED = [...TEST_MODIFIERS, "all", "cased", "i", "m", "s"];
// Sigma modifiers that transform values or need features tripline lacks.
const UNSUPPORTED = [
  "windash", "base64", "base64offset", "utf16", "utf16le", "utf16be", "wide", "expand", "fieldref",
  "minute", "hour", "day", "week", "month", "year",
];
const STRING_TESTS = ["contains", "startswith", "endswith"];

export function parseFieldKey(key: string): FieldSpec | KeyError {
  const parts = key.split("|");
  const field = parts[0];
  if (field.trim() === "") return { index: 0, message: parts.length > 1 ? "missing field name before '|'" : "empty field name" };
  let at = field.length + 1;
  let test: string | undefined;
  let all = -1;
  let cased = -1;
  let reI = false;
  const seen = new Set<string>();
  for (const m of parts.slice(1)) {
    const index = at;
    at += m.length + 1;
    if (m === "") return { index, message: "empty modifier between '|'" };
    if (seen.has(m)) return { index, message: `duplicate modifier '${m}'` };
    seen.add(m);
    if (UNSUPPORTED.includes(m)) return { index, message: `modifier '${m}' is not supported by tripline` };
    if (!SUPPORTED.includes(m)) return { index, message: `unknown modifier '${m}'${didYouMean(m, [...SUPPORTED, ...UNSUPPORTED])}` };
    if (m === "i" || m === "m" || m === "s") {
      if (test !== "re") return { index, message: `modifier '${m}' only applies after 're'` };
      if (m !== "i") return { index, message: `modifier '${m}' is not supported by tripline (of the regex flags only 'i' is)` };
      reI = true;
    } else if (m === "all") all = index;
    else if (m === "cased") cased = index;
    else if (test !== undefined) return { index, message: `modifier '${m}' cannot be combined with '${test}'` };
    else test = m;
  }
  if (cased >= 0 && test !== undefined && !STRING_TESTS.includes(test)) {
    return {
      index: cased,
      message:
        test === "re"
          ? "modifier 'cased' does not apply to 're' (regexes are case-sensitive; write 're|i' for case-insensitive)"
          : `modifier 'cased' cannot be combined with '${test}'`,
    };
  }
  if (all >= 0 && test === "exists") return { index: all, message: "modifier 'all' cannot be combined with 'exists'" };

  let match: MatchKind;
  if (test === undefined) match = { kind: "string", op: "equals", cased: cased >= 0 };
  else if (STRING_TESTS.includes(test)) match = { kind: "string", op: test as StringOp, cased: cased >= 0 };
  // Sigma: regexes are case-sensitive unless `i`.
  else if (test === "re") match = { kind: "string", op: "re", cased: !reI };
  else if (test === "cidr") match = { kind: "cidr" };
  else if (test === "exists") match = { kind: "exists" };
  else match = { kind: "number", op: test as NumberOp };
  return { field, match, all: all >= 0, modified: parts.length > 1 };
}

export function isKeyError(x: FieldSpec | KeyError): x is KeyError {
  return "message" in x;
}
