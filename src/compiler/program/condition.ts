// Turns a rule's condition tree into the postfix program the module's
// rules/rule.ts runs, and works out whether the rule can hold with no
// predicate true (then it must be evaluated on every record).
import type { Condition } from "../ir.js";
import type { Tables } from "./predicates.js";

export const Op = { Predicate: 1, And: 2, Or: 3, Not: 4, True: 5, False: 6 } as const;
export const MAX_STACK = 256;

export interface CompiledCondition {
  code: number[];
  predicates: Set<number>;
  alwaysEvaluate: boolean;
  maxDepth: number;
}

export function compileCondition(cond: Condition, tables: Tables): CompiledCondition {
  const code: number[] = [];
  const predicates = new Set<number>();
  let depth = 0;
  let maxDepth = 0;
  const push = () => {
    depth++;
    maxDepth = Math.max(maxDepth, depth);
  };
  // Explicit work stack: rule files may nest deeply and Node's stack is not ours to spend.
  type Work = { cond: Condition } | { emit: number[]; pops: number };
  const work: Work[] = [{ cond }];
  while (work.length > 0) {
    const item = work.pop()!;
    if ("emit" in item) {
      code.push(...item.emit);
      depth -= item.pops;
      push();
      continue;
    }
    const c = item.cond;
    switch (c.k) {
      case "pred": {
        if (c.pred.kind === "exists" && !c.pred.value) {
          // Only presence is tested in the module; absence is its negation.
          work.push({ emit: [Op.Not], pops: 1 });
          work.push({ cond: { k: "pred", pred: { ...c.pred, value: true } } });
          break;
        }
        const id = tables.predicate(c.pred);
        predicates.add(id);
        code.push(Op.Predicate, id & 0xff, id >> 8);
        push();
        break;
      }
      case "const":
        code.push(c.value ? Op.True : Op.False);
        push();
        break;
      case "not":
        work.push({ emit: [Op.Not], pops: 1 });
        work.push({ cond: c.arg });
        break;
      case "and":
      case "or": {
        const op = c.k === "and" ? Op.And : Op.Or;
        const args = c.args;
        if (args.length === 0) {
          code.push(c.k === "and" ? Op.True : Op.False);
          push();
          break;
        }
        // n-ary nodes are split into chunks of at most 255 operands.
        const chunks: Condition[][] = [];
        for (let i = 0; i < args.length; i += 255) chunks.push(args.slice(i, i + 255));
        if (chunks.length > 1) {
          work.push({ emit: [op, chunks.length], pops: chunks.length });
          for (let i = chunks.length - 1; i >= 0; i--) work.push({ cond: { k: c.k, args: chunks[i] } });
        } else {
          work.push({ emit: [op, args.length], pops: args.length });
          for (let i = args.length - 1; i >= 0; i--) work.push({ cond: args[i] });
        }
        break;
      }
    }
  }
  return { code, predicates, alwaysEvaluate: evaluate(code, () => false), maxDepth };
}

/** Runs postfix code the way the module does; used for alwaysEvaluate and in tests. */
export function evaluate(code: number[], holds: (predicate: number) => boolean): boolean {
  const stack: boolean[] = [];
  for (let pc = 0; pc < code.length; ) {
    const op = code[pc];
    if (op === Op.Predicate) {
      stack.push(holds(code[pc + 1] | (code[pc + 2] << 8)));
      pc += 3;
    } else if (op === Op.And || op === Op.Or) {
      const n = code[pc + 1];
      const args = stack.splice(stack.length - n, n);
      stack.push(op === Op.And ? args.every(Boolean) : args.some(Boolean));
      pc += 2;
    } else if (op === Op.Not) {
      stack.push(!stack.pop());
      pc += 1;
    } else {
      stack.push(op === Op.True);
      pc += 1;
    }
  }
  return stack.length > 0 && stack[stack.length - 1];
}
