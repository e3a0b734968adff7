// Parser for Sigma detection conditions:
//
//   expr    := and ("or" and)*
//   and     := unary ("and" unary)*
//   unary   := "not"* primary
//   primary := "(" expr ")" | ("1" | "all") "of" (pattern | "them") | name
//
// So `not` binds tighter than `and`, which binds tighter than `or`. Keywords
// are lowercase, as in Sigma. Chains of and/or/not are parsed with loops;
// only parentheses recurse, and nesting (parentheses plus `not`) is capped at
// MAX_DEPTH, so a hostile condition cannot exhaust the stack.
//
// Positions are character indices into the condition string; the caller maps
// them to file:line:col.

import { MAX_DEPTH } from "../limits.js";

export type CondAst =
  | { k: "and" | "or"; args: CondAst[] }
  | { k: "not"; arg: CondAst }
  | { k: "ref"; name: string; at: number }
  /** `1 of x*` / `all of them`; pattern undefined means `them`. */
  | { k: "of"; all: boolean; pattern: string | undefined; at: number };

export class ConditionSyntaxError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
  }
}

interface Token {
  text: string;
  at: number;
}

const KEYWORDS = new Set(["and", "or", "not", "of", "them"]);
const NAME_CHARS = /^[A-Za-z0-9_.*-]+$/;

export function parseCondition(text: string): CondAst {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ConditionSyntaxError(0, "empty condition");
  const p = new Parser(tokens, text.length);
  const ast = p.expr(0);
  const rest = p.peek();
  if (rest !== undefined) {
    if (rest.text === ")") throw new ConditionSyntaxError(rest.at, "unmatched ')'");
    throw new ConditionSyntaxError(rest.at, `expected 'and' or 'or' before '${rest.text}'`);
  }
  return ast;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "(" || c === ")") {
      tokens.push({ text: c, at: i });
      i++;
    } else {
      const start = i;
      while (i < text.length && !/[\s()]/.test(text[i])) i++;
      const word = text.slice(start, i);
      if (!NAME_CHARS.test(word)) {
        const bad = [...word].findIndex((ch) => !NAME_CHARS.test(ch));
        const ch = word[bad];
        throw new ConditionSyntaxError(
          start + bad,
          ch === "|"
            ? "aggregations ('| count() ...') are not supported; write a correlation rule instead"
            : `unexpected character ${JSON.stringify(ch)} in condition`,
        );
      }
      tokens.push({ text: word, at: start });
    }
  }
  return tokens;
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly end: number,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private next(): Token {
    const t = this.tokens[this.i];
    if (t === undefined) throw new ConditionSyntaxError(this.end, "condition ends too early");
    this.i++;
    return t;
  }

  private accept(word: string): boolean {
    if (this.peek()?.text !== word) return false;
    this.i++;
    return true;
  }

  expr(depth: number): CondAst {
    const args = [this.and(depth)];
    while (this.accept("or")) args.push(this.and(depth));
    return args.length === 1 ? args[0] : { k: "or", args };
  }

  private and(depth: number): CondAst {
    const args = [this.unary(depth)];
    while (this.accept("and")) args.push(this.unary(depth));
    return args.length === 1 ? args[0] : { k: "and", args };
  }

  private unary(depth: number): CondAst {
    let nots = 0;
    while (this.peek()?.text === "not") {
      const t = this.next();
      nots++;
      if (depth + nots > MAX_DEPTH) throw new ConditionSyntaxError(t.at, `condition nested too deeply (limit ${MAX_DEPTH})`);
    }
    let ast = this.primary(depth + nots);
    for (let n = 0; n < nots; n++) ast = { k: "not", arg: ast };
    return ast;
  }

  private primary(depth: number): CondAst {
    const t = this.next();
    if (t.text === "(") {
      if (depth + 1 > MAX_DEPTH) throw new ConditionSyntaxError(t.at, `condition nested too deeply (limit ${MAX_DEPTH})`);
      const inner = this.expr(depth + 1);
      if (!this.accept(")")) {
        const at = this.peek();
        throw new ConditionSyntaxError(at?.at ?? t.at, at === undefined ? "unclosed '('" : `expected ')' before '${at.text}'`);
      }
      return inner;
    }
    if (t.text === ")") throw new ConditionSyntaxError(t.at, "unexpected ')'");
    if (this.peek()?.text === "of") {
      if (t.text === "any") throw new ConditionSyntaxError(t.at, "'any of' is not Sigma; write '1 of'");
      if (t.text !== "1" && t.text !== "all") {
        throw new ConditionSyntaxError(t.at, `'${t.text} of' is not supported; write '1 of' or 'all of'`);
      }
      this.next();
      const target = this.peek();
      if (target === undefined || target.text === "(" || target.text === ")" || (KEYWORDS.has(target.text) && target.text !== "them")) {
        throw new ConditionSyntaxError(target?.at ?? this.end, `'${t.text} of' needs a selection pattern or 'them'`);
      }
      this.next();
      return { k: "of", all: t.text === "all", pattern: target.text === "them" ? undefined : target.text, at: target.at };
    }
    if (KEYWORDS.has(t.text)) throw new ConditionSyntaxError(t.at, `expected a selection name, found '${t.text}'`);
    if (t.text.includes("*")) throw new ConditionSyntaxError(t.at, `a wildcard needs '1 of' or 'all of': write '1 of ${t.text}'`);
    return { k: "ref", name: t.text, at: t.at };
  }
}
