// Turns a rule's condition tree into the postfix program the module's
// rules/rule.ts runs, and works out which predicates wake the rule up.
import type { Condition } from "../ir.js";
import type { Tables } from "./predicates.js";
import { CONDITION_OPS, MAX_STACK } from "../schema.js";

const op = (name: (typeof CONDITION_OPS)[number]) => CONDITION_OPS.indexOf(name);
export const Op = { Predicate: op("predicate"), And: op("and"), Or: op("or"), Not: op("not"), True: op("true"), False: op("false"), Any: op("any"), All: op("all") } as const;
export { MAX_STACK };
/** Operands per and/or/any/all instruction: wide lists become a tree, keeping the stack shallow and the count one byte. */
const CHUNK = 32;

export interface CompiledCondition {
  code: number[];
  /** Predicates of which at least one holds whenever the condition holds (the rule's triggers). */
  predicates: Set<number>;
  alwaysEvaluate: boolean;
  /** The condition holds exactly when one of its triggers does: no evaluation needed. */
  anyTrigger: boolean;
  /** Every predicate the condition reads. */
  reads: Set<number>;
  maxDepth: number;
}

/**
 * A set of predicates at least one of which must hold for `cond` to hold, or
 * null when the condition can hold with none true (then it is evaluated on
 * every record). For `and`, one argument's set suffices: the one least likely
 * to fire (fewest presence tests, then fewest members), so rules gated on
 * "the record has a path" are not woken by every access record.
 */
export function triggers(cond: Condition, tables: Tables): Set<number> | null {
  switch (cond.k) {
    case "pred":
      if (cond.pred.kind === "exists" && !cond.pred.value) return null;
      return new Set([tables.predicate(cond.pred)]);
    case "const":
      return cond.value ? null : new Set();
    case "not":
      return null;
    case "or": {
      const all = new Set<number>();
      for (const arg of cond.args) {
        const t = triggers(arg, tables);
        if (t === null) return null;
        t.forEach((p) => all.add(p));
      }
      return all;
    }
    case "and": {
      let best: Set<number> | null = null;
      let bestCost = Infinity;
      for (const arg of cond.args) {
        const t = triggers(arg, tables);
        if (t === null) continue;
        const presence = [...t].filter((p) => tables.predicates.items[p].pred.kind === "exists").length;
        const cost = presence * 1e6 + t.size;
        if (cost < bestCost) {
          best = t;
          bestCost = cost;
        }
      }
      return best;
    }
  }
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
        code.push(Op.Predicate, ...idBytes(id));
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
        // n-ary nodes are split into chunks of at most CHUNK operands.
        const chunks: Condition[][] = [];
        for (let i = 0; i < args.length; i += CHUNK) chunks.push(args.slice(i, i + CHUNK));
        if (chunks.length > 1) {
          // A tree of chunks, itself chunked again when there are many.
          work.push({ cond: { k: c.k, args: chunks.map((chunk) => ({ k: c.k, args: chunk }) as Condition) } });
        } else if (args.every(isPositive)) {
          // A Sigma value list (or a selection's fields): one instruction
          // tests every id in a tight loop, stopping at the first that
          // decides, instead of a push per value and a pop per operand.
          code.push(c.k === "and" ? Op.All : Op.Any, args.length);
          for (const arg of args) {
            const id = tables.predicate((arg as Extract<Condition, { k: "pred" }>).pred);
            predicates.add(id);
            code.push(...idBytes(id));
          }
          push();
        } else {
          work.push({ emit: [op, args.length], pops: args.length });
          for (let i = args.length - 1; i >= 0; i--) work.push({ cond: args[i] });
        }
        break;
      }
    }
  }
  const trigger = triggers(cond, tables);
  return { code, predicates: trigger ?? predicates, alwaysEvaluate: trigger === null, anyTrigger: trigger !== null && isAnyOf(cond), reads: predicates, maxDepth };
}

/** A predicate id as the module reads it: u32, little-endian. */
function idBytes(id: number): number[] {
  return [id & 0xff, (id >>> 8) & 0xff, (id >>> 16) & 0xff, id >>> 24];
}

/** A test that holds when its predicate fires (absence is the negation of a presence test). */
function isPositive(c: Condition): boolean {
  return c.k === "pred" && !(c.pred.kind === "exists" && !c.pred.value);
}

/** A single positive test, or an `or` of them: true exactly when a trigger fired. */
function isAnyOf(cond: Condition): boolean {
  return isPositive(cond) || (cond.k === "or" && cond.args.length > 0 && cond.args.every(isPositive));
}
