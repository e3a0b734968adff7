// A detection rule as the module runs it: a postfix program over the
// predicates, and what to write when it matches. Ids, titles and tags are
// stored JSON-escaped with their quotes, so output is a plain copy.
import { Op, MAX_STACK } from "../runtime/schema";
import { Span } from "../runtime/span";
import { Fired } from "../match/fired";

export class Redaction {
  constructor(public slot: i32, public kind: u32) {}
}

export class Rule {
  id: Span = new Span();
  title: Span = new Span();
  level: u32 = 0;
  action: u32 = 0;
  /** Feeds correlations only (Sigma `generate: false`): listed only beside an alert it fed. */
  silent: bool = false;
  /** Format bits the rule is limited to; 0xffffffff: every record. */
  formats: u32 = 0xffffffff;
  /** Indices into the program's tag table. */
  tags: StaticArray<i32> = new StaticArray<i32>(0);
  /** Fluent Bit tag globs the rule is limited to; empty: every tag. */
  globs: StaticArray<Span> = new StaticArray<Span>(0);
  /** The rule can hold with none of its trigger predicates true (`not x`): evaluated on every record. */
  always: bool = false;
  /** The condition is exactly "any trigger": a rule woken by a trigger holds without evaluation. */
  anyTrigger: bool = false;
  code: usize = 0;
  codeLength: i32 = 0;
  redactions: StaticArray<Redaction> = new StaticArray<Redaction>(0);
  /** Correlations this rule feeds, and the rule's position in each one's list. */
  correlations: StaticArray<i32> = new StaticArray<i32>(0);
  steps: StaticArray<i32> = new StaticArray<i32>(0);
}

const stack = new StaticArray<bool>(MAX_STACK);

/** Runs the rule's postfix program (validated at load: operands and depth are in bounds). */
export function evaluate(rule: Rule, fired: Fired): bool {
  let sp = 0;
  let pc = rule.code;
  const end = pc + <usize>rule.codeLength;
  while (pc < end) {
    const op = load<u8>(pc);
    if (op == Op.Predicate) {
      unchecked((stack[sp++] = fired.has(<i32>load<u32>(pc, 1))));
      pc += 5;
    } else if (op == Op.Any || op == Op.All) {
      // n predicate ids follow; the first that decides ends the loop.
      const decides = op == Op.Any;
      let ids = pc + 2;
      pc = ids + (<usize>load<u8>(pc, 1) << 2);
      let result = !decides;
      for (; ids < pc; ids += 4) {
        if (fired.has(<i32>load<u32>(ids)) == decides) {
          result = decides;
          break;
        }
      }
      unchecked((stack[sp++] = result));
    } else if (op == Op.And || op == Op.Or) {
      const n = <i32>load<u8>(pc, 1);
      const isAnd = op == Op.And;
      let result = isAnd;
      for (let k = 0; k < n; k++) {
        const v = unchecked(stack[--sp]);
        result = isAnd ? result && v : result || v;
      }
      unchecked((stack[sp++] = result));
      pc += 2;
    } else if (op == Op.Not) {
      unchecked((stack[sp - 1] = !unchecked(stack[sp - 1])));
      pc += 1;
    } else {
      unchecked((stack[sp++] = op == Op.True));
      pc += 1;
    }
  }
  return unchecked(stack[sp - 1]);
}

/**
 * Checks a postfix program before it is ever run: known instructions,
 * predicate ids in range, every operand on the stack, the stack within
 * MAX_STACK, exactly one result.
 */
export function validCode(code: usize, length: i32, predicates: i32): bool {
  let sp = 0;
  let pc: i32 = 0;
  while (pc < length) {
    const op = <u32>load<u8>(code + <usize>pc);
    if (op == Op.Predicate) {
      if (pc + 5 > length || load<u32>(code + <usize>pc, 1) >= <u32>predicates) return false;
      sp++;
      pc += 5;
    } else if (op == Op.Any || op == Op.All) {
      if (pc + 2 > length) return false;
      const n = <i32>load<u8>(code + <usize>pc, 1);
      if (n < 1 || pc + 2 + n * 4 > length) return false;
      for (let k = 0; k < n; k++) if (load<u32>(code + <usize>(pc + 2 + k * 4)) >= <u32>predicates) return false;
      sp++;
      pc += 2 + n * 4;
    } else if (op == Op.And || op == Op.Or) {
      if (pc + 2 > length) return false;
      const n = <i32>load<u8>(code + <usize>pc, 1);
      if (n < 1 || n > sp) return false;
      sp = sp - n + 1;
      pc += 2;
    } else if (op == Op.Not) {
      if (sp < 1) return false;
      pc += 1;
    } else if (op == Op.True || op == Op.False) {
      sp++;
      pc += 1;
    } else {
      return false;
    }
    if (sp > MAX_STACK) return false;
  }
  return sp == 1;
}
