// Replaces selection names and `1 of` / `all of` in a parsed condition with
// the selections' own Condition trees.

import type { Condition } from "../ir.js";
import type { CondAst } from "./condition-parser.js";
import { didYouMean } from "../yaml/suggest.js";

/**
 * `selections` is in definition order. A selection that failed to build is
 * present with an undefined condition, so it still counts as defined (no
 * second, misleading "unknown selection" error). Returns undefined if any
 * error was reported through `fail(index, message)`.
 */
export function expandCondition(
  ast: CondAst,
  selections: ReadonlyMap<string, Condition | undefined>,
  fail: (index: number, message: string) => void,
): Condition | undefined {
  let ok = true;
  const names = [...selections.keys()];
  const placeholder: Condition = { k: "const", value: false };

  const walk = (a: CondAst): Condition => {
    switch (a.k) {
      case "and":
      case "or":
        return { k: a.k, args: a.args.map(walk) };
      case "not":
        return { k: "not", arg: walk(a.arg) };
      case "ref": {
        if (!selections.has(a.name)) {
          ok = false;
          const hint = ["and", "or", "not", "of", "them"].includes(a.name.toLowerCase())
            ? ` (keywords are lowercase: '${a.name.toLowerCase()}')`
            : didYouMean(a.name, names);
          fail(a.at, `unknown selection '${a.name}'${hint}`);
          return placeholder;
        }
        return selections.get(a.name) ?? placeholder;
      }
      case "of": {
        // Sigma: `them` skips selections whose names start with `_`.
        const matched =
          a.pattern === undefined ? names.filter((n) => !n.startsWith("_")) : names.filter(globMatcher(a.pattern));
        const quant = a.all ? "all of" : "1 of";
        if (matched.length === 0) {
          ok = false;
          fail(
            a.at,
            a.pattern === undefined
              ? `'${quant} them' matches no selection (names starting with '_' are left out)`
              : `'${quant} ${a.pattern}' matches no selection`,
          );
          return placeholder;
        }
        const args = matched.map((n) => selections.get(n) ?? placeholder);
        return args.length === 1 ? args[0] : { k: a.all ? "and" : "or", args };
      }
    }
  };
  const out = walk(ast);
  return ok ? out : undefined;
}

/** `sel*` style pattern: `*` is any run of characters, everything else literal. */
function globMatcher(pattern: string): (name: string) => boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")).join(".*")}$`, "s");
  return (name) => re.test(name);
}
