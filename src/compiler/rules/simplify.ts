// Trivial clean-ups of a Condition tree: nested and/or are flattened,
// single-argument and/or collapse, double negation and constants fold.
// Nothing that changes which predicates exist or their positions.

import type { Condition } from "../ir.js";

export function simplify(c: Condition): Condition {
  switch (c.k) {
    case "pred":
    case "const":
      return c;
    case "not": {
      const arg = simplify(c.arg);
      if (arg.k === "not") return arg.arg;
      if (arg.k === "const") return { k: "const", value: !arg.value };
      return { k: "not", arg };
    }
    case "and":
    case "or": {
      // `and` is absorbed by false and ignores true; `or` the other way round.
      const absorbing = c.k === "or";
      const args: Condition[] = [];
      for (const a of c.args) {
        const s = simplify(a);
        if (s.k === "const") {
          if (s.value === absorbing) return s;
          continue;
        }
        if (s.k === c.k) args.push(...s.args);
        else args.push(s);
      }
      if (args.length === 0) return { k: "const", value: !absorbing };
      if (args.length === 1) return args[0];
      return { k: c.k, args };
    }
  }
}
