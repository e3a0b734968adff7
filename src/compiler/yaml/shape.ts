// Small typed readers over the positioned YAML tree. Each reports a precise
// error and returns undefined when the node has the wrong shape.

import { didYouMean } from "./suggest.js";
import type { Problems } from "./problems.js";
import { describe, scalarText, type YEntry, type YMap, type YNode, type YScalar } from "./yaml-positions.js";

export function entry(map: YMap, key: string): YEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/**
 * Reports keys that are not in `allowed` ("unknown key 'x' in <where> (did you
 * mean 'y'?)"). Keys starting with `x-` are user extensions and always allowed.
 */
export function checkKeys(map: YMap, allowed: readonly string[], where: string, problems: Problems): void {
  for (const e of map.entries) {
    if (allowed.includes(e.key) || e.key.startsWith("x-")) continue;
    problems.add(e.keyNode.pos, `unknown key '${e.key}'${where ? ` in ${where}` : ""}${didYouMean(e.key, allowed)}`);
  }
}

export function asMap(node: YNode, what: string, problems: Problems): YMap | undefined {
  if (node.t === "map") return node;
  problems.add(node.pos, `${what} must be a map, not ${describe(node)}`);
  return undefined;
}

/** A non-empty string. Numbers are accepted as written when `numbersOk`. */
export function asString(node: YNode, what: string, problems: Problems, numbersOk = false): string | undefined {
  if (node.t === "scalar" && (typeof node.value === "string" || (numbersOk && typeof node.value === "number"))) {
    const s = scalarText(node) ?? "";
    if (s.trim() !== "") return s;
    problems.add(node.pos, `${what} must not be empty`);
    return undefined;
  }
  problems.add(node.pos, `${what} must be a string, not ${describe(node)}`);
  return undefined;
}

/** A list of non-empty strings; a single string counts as a list of one when `single`. */
export function asStringList(
  node: YNode,
  what: string,
  problems: Problems,
  single = false,
): { value: string; node: YScalar }[] | undefined {
  if (node.t === "scalar" && single && typeof node.value === "string") {
    const s = asString(node, what, problems);
    return s === undefined ? undefined : [{ value: s, node }];
  }
  if (node.t !== "seq") {
    problems.add(node.pos, `${what} must be a list of strings${single ? " or a string" : ""}, not ${describe(node)}`);
    return undefined;
  }
  const out: { value: string; node: YScalar }[] = [];
  let ok = true;
  for (const item of node.items) {
    const s = asString(item, `each item of ${what}`, problems);
    if (s === undefined || item.t !== "scalar") ok = false;
    else out.push({ value: s, node: item });
  }
  return ok ? out : undefined;
}

export function asBool(node: YNode, what: string, problems: Problems): boolean | undefined {
  if (node.t === "scalar" && typeof node.value === "boolean") return node.value;
  problems.add(node.pos, `${what} must be true or false, not ${describe(node)}`);
  return undefined;
}

/** A finite number, optionally an integer and within [min, max]. */
export function asNumber(
  node: YNode,
  what: string,
  problems: Problems,
  opts: { integer?: boolean; min?: number; minExclusive?: boolean; max?: number } = {},
): number | undefined {
  if (node.t !== "scalar" || typeof node.value !== "number" || !Number.isFinite(node.value)) {
    problems.add(node.pos, `${what} must be a number, not ${describe(node)}`);
    return undefined;
  }
  const v = node.value;
  const kind = opts.integer ? "an integer" : "a number";
  if (opts.integer && !Number.isInteger(v)) {
    problems.add(node.pos, `${what} must be an integer, not ${describe(node)}`);
    return undefined;
  }
  if (opts.min !== undefined && (opts.minExclusive ? v <= opts.min : v < opts.min)) {
    problems.add(node.pos, `${what} must be ${kind} ${opts.minExclusive ? "greater than" : "of at least"} ${opts.min}`);
    return undefined;
  }
  if (opts.max !== undefined && v > opts.max) {
    problems.add(node.pos, `${what} must be ${kind} of at most ${opts.max}`);
    return undefined;
  }
  return v;
}

