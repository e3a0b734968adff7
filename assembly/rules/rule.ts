// A detection rule as the module runs it: a boolean program over predicate
// results, plus what to write when it matches. Strings (id, title) are stored
// JSON-escaped with their quotes, so output is a plain copy.
import { Span } from "../program/reader";
import { Fired } from "../match/fired";

export const enum Op {
  Predicate = 1, // u16 id
  And = 2, // u8 n
  Or = 3, // u8 n
  Not = 4,
  True = 5,
  False = 6,
}

export const enum Action {
  Tag = 0,
  Drop = 1,
  Redact = 2,
}

export class Redaction {
  slot: i32 = 0;
  kind: u8 = 0;
}

export class Rule {
  id: Span = new Span(0, 0);
  title: Span = new Span(0, 0);
  level: u8 = 0;
  action: u8 = 0;
  /** Feeds correlations only (Sigma `generate: false`): not listed unless an alert fires. */
  silent: bool = false;
  /** Correlations fed by this rule, with the rule's position in each one's list. */
  correlations: i32[] = [];
  steps: i32[] = [];
  /** Indices into the program's tag table. */
  tags: StaticArray<u16> = new StaticArray<u16>(0);
  /** Fluent Bit tag globs the rule is limited to; empty = every tag. */
  tagGlobs: Span[] = [];
  /** True when the rule can hold with no predicate true (e.g. `not x`). */
  alwaysEvaluate: bool = false;
  code: usize = 0;
  codeLength: i32 = 0;
  redactions: Redaction[] = [];
}

const stack = new StaticArray<bool>(1024);

/** Runs the rule's postfix program. The compiler bounds its stack depth to 1024. */
export function evaluate(rule: Rule, fired: Fired): bool {
  let sp = 0;
  let pc = rule.code;
  const end = pc + <usize>rule.codeLength;
  while (pc < end) {
    const op = load<u8>(pc);
    if (op == Op.Predicate) {
      unchecked((stack[sp++] = fired.has(<i32>load<u16>(pc + 1))));
      pc += 3;
    } else if (op == Op.And || op == Op.Or) {
      const n = <i32>load<u8>(pc + 1);
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
  return sp > 0 && unchecked(stack[sp - 1]);
}
