// A rule's `detection:` block -> one Condition. Selections are built first
// (all of them, so mistakes in unused selections are reported too), then the
// condition string(s) are parsed and expanded over them.

import { RuleError, type Condition, type Predicate } from "../ir.js";
import { resolveField, type FieldMap } from "../fields/map.js";
import { expandCondition } from "./condition-expand.js";
import { ConditionSyntaxError, parseCondition } from "./condition-parser.js";
import { MAX_CONDITION_LENGTH } from "../limits.js";
import { isKeyError, parseFieldKey } from "./modifiers.js";
import { keywordPredicate, valuePredicate } from "./predicates.js";
import type { Problems } from "../yaml/problems.js";
import { asMap } from "../yaml/shape.js";
import { simplify } from "./simplify.js";
import { scalarCharPos } from "../yaml/scalar-offsets.js";
import { describe, type YEntry, type YMap, type YNode, type YScalar } from "../yaml/yaml-positions.js";

export interface DetectionContext {
  fieldMap: FieldMap;
  /** The rule's logsource allows an open format (json): unknown field names are record keys. */
  anyKey: boolean;
  problems: Problems;
}

/** Undefined when anything in the block was wrong (all of it reported). */
export function buildDetection(node: YNode, ctx: DetectionContext): Condition | undefined {
  const { problems } = ctx;
  const before = problems.count;
  const map = asMap(node, "detection", problems);
  if (map === undefined) return undefined;

  const selections = new Map<string, Condition | undefined>();
  let conditionNode: YNode | undefined;
  for (const e of map.entries) {
    if (e.key === "condition") conditionNode = e.value;
    else if (e.key === "timeframe") problems.add(e.keyNode.pos, "'timeframe' is not supported; write a correlation rule instead");
    else selections.set(e.key, selection(e, ctx));
  }
  if (selections.size === 0) problems.add(map.pos, "detection has no selections");
  if (conditionNode === undefined) {
    problems.add(map.pos, "detection needs a 'condition'");
    return undefined;
  }
  const condition = conditions(conditionNode, selections, problems);
  if (condition === undefined || problems.count > before) return undefined;
  return simplify(condition);
}

/** `condition:` is a string, or a list of strings meaning any of them. */
function conditions(node: YNode, selections: Map<string, Condition | undefined>, problems: Problems): Condition | undefined {
  const items: YNode[] = node.t === "seq" ? node.items : [node];
  if (node.t === "seq" && items.length === 0) {
    problems.add(node.pos, "condition must not be an empty list");
    return undefined;
  }
  const args: Condition[] = [];
  let ok = true;
  for (const item of items) {
    if (item.t !== "scalar" || typeof item.value !== "string") {
      problems.add(item.pos, `condition must be a string${node.t === "seq" ? "" : " or a list of strings"}, not ${describe(item)}`);
      ok = false;
      continue;
    }
    const c = oneCondition(item, selections, problems);
    if (c === undefined) ok = false;
    else args.push(c);
  }
  if (!ok) return undefined;
  return args.length === 1 ? args[0] : { k: "or", args };
}

function oneCondition(node: YScalar, selections: Map<string, Condition | undefined>, problems: Problems): Condition | undefined {
  const text = node.value as string;
  if (text.length > MAX_CONDITION_LENGTH) {
    problems.add(node.pos, `condition is too long (${text.length} characters, limit ${MAX_CONDITION_LENGTH})`);
    return undefined;
  }
  try {
    const ast = parseCondition(text);
    return expandCondition(ast, selections, (index, message) => problems.add(scalarCharPos(node, index), message));
  } catch (e) {
    if (!(e instanceof ConditionSyntaxError)) throw e;
    problems.add(scalarCharPos(node, e.index), e.message);
    return undefined;
  }
}

/**
 * A selection: a map (every field matches), a list of maps (any map
 * matches), or plain values without a field (keywords: any value occurs in
 * the message).
 */
function selection(e: YEntry, ctx: DetectionContext): Condition | undefined {
  const { problems } = ctx;
  const node = e.value;
  if (node.t === "map") return fieldsOfMap(node, e.key, ctx);
  if (node.t === "scalar") {
    if (node.value === null) {
      problems.add(node.pos, `selection '${e.key}' has no value`);
      return undefined;
    }
    return keywords([node], ctx);
  }
  if (node.items.length === 0) {
    problems.add(node.pos, `selection '${e.key}' is an empty list`);
    return undefined;
  }
  const firstIsMap = node.items[0].t === "map";
  for (const item of node.items) {
    if (item.t === "seq" || (item.t === "map") !== firstIsMap) {
      problems.add(item.pos, `the list of selection '${e.key}' must hold only maps or only plain values, not ${describe(item)}`);
      return undefined;
    }
  }
  if (!firstIsMap) return keywords(node.items as YScalar[], ctx);
  const args: Condition[] = [];
  let ok = true;
  for (const item of node.items) {
    const c = fieldsOfMap(item as YMap, e.key, ctx);
    if (c === undefined) ok = false;
    else args.push(c);
  }
  return ok ? or(args) : undefined;
}

function keywords(items: YScalar[], ctx: DetectionContext): Condition | undefined {
  const fields = resolve("@message", items[0], ctx);
  const preds: Condition[] = [];
  let ok = fields !== undefined;
  for (const item of items) {
    const p = keywordPredicate(fields ?? [], item, ctx.problems);
    if (p === undefined) ok = false;
    else preds.push(pred(p));
  }
  return ok ? or(preds) : undefined;
}

function fieldsOfMap(map: YMap, name: string, ctx: DetectionContext): Condition | undefined {
  if (map.entries.length === 0) {
    ctx.problems.add(map.pos, `selection '${name}' is an empty map`);
    return undefined;
  }
  const args: Condition[] = [];
  let ok = true;
  for (const e of map.entries) {
    const c = field(e, ctx);
    if (c === undefined) ok = false;
    else args.push(c);
  }
  return ok ? and(args) : undefined;
}

/** `field|mods: value` or `field|mods: [values]`. */
function field(e: YEntry, ctx: DetectionContext): Condition | undefined {
  const { problems } = ctx;
  // Sigma: a key with modifiers but no field name ('|all': [...]) is a
  // keyword list: the values are searched in the message, each one (all) or
  // with the test the modifiers name; without a test modifier, contains.
  const keywordList = e.key.startsWith("|") && e.key.length > 1;
  const parsed = parseFieldKey(keywordList ? KEYWORD_FIELD + e.key : e.key);
  if (keywordList && isKeyError(parsed)) parsed.index -= KEYWORD_FIELD.length;
  let spec = parsed;
  if (keywordList && !isKeyError(spec)) {
    if (spec.match.kind !== "string") {
      problems.add(e.keyNode.pos, `a keyword list ('${e.key}') takes only string modifiers (contains, startswith, endswith, re, all, cased)`);
      return undefined;
    }
    if (spec.match.op === "equals") spec = { ...spec, match: { ...spec.match, op: "contains" } };
  }
  if (isKeyError(spec)) {
    // Still check the field name, so a typo there is reported in the same run.
    const name = e.key.split("|")[0];
    if (name.trim() !== "") resolve(name, e.keyNode, ctx);
    problems.add(scalarCharPos(e.keyNode, spec.index), spec.message);
    return undefined;
  }
  const fields = resolve(spec.field, e.keyNode, ctx);
  let ok = fields !== undefined;
  const node = e.value;
  if (node.t === "map") {
    problems.add(node.pos, `field '${spec.field}' needs a value or a list of values, not a map`);
    return undefined;
  }
  if (node.t === "scalar") {
    const p = valuePredicate(spec, fields ?? [], node, problems);
    return ok && p !== undefined ? pred(p) : undefined;
  }
  if (node.items.length === 0) {
    problems.add(node.pos, `empty list of values for field '${spec.field}'`);
    return undefined;
  }
  if (spec.match.kind === "exists") {
    problems.add(node.pos, "modifier 'exists' needs true or false, not a list");
    return undefined;
  }
  const preds: Condition[] = [];
  for (const item of node.items) {
    if (item.t !== "scalar") {
      problems.add(item.pos, `values of field '${spec.field}' must be plain values, not ${describe(item)}`);
      ok = false;
      continue;
    }
    const p = valuePredicate(spec, fields ?? [], item, problems);
    if (p === undefined) ok = false;
    else preds.push(pred(p));
  }
  if (!ok) return undefined;
  // Sigma: a list is any of its values, or every one with `all`.
  return spec.all ? and(preds) : or(preds);
}

/** The pseudo field keywords search. */
const KEYWORD_FIELD = "@message";

function resolve(name: string, at: YScalar, ctx: DetectionContext): string[] | undefined {
  try {
    return resolveField(ctx.fieldMap, name, at.pos, ctx.anyKey);
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    ctx.problems.errors.push(e);
    return undefined;
  }
}

function pred(p: Predicate): Condition {
  return { k: "pred", pred: p };
}

function and(args: Condition[]): Condition {
  return args.length === 1 ? args[0] : { k: "and", args };
}

function or(args: Condition[]): Condition {
  return args.length === 1 ? args[0] : { k: "or", args };
}
