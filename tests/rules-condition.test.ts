// Condition semantics: the IR tree produced for a condition is evaluated
// against every assignment of its selections and compared with the meaning
// written by hand (as a JS boolean expression or an explicit truth table).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Condition } from "../src/compiler/ir.js";
import { lines, load, predicates } from "./fixtures/rules/harness.js";
import { compileCondition, Op } from "../src/compiler/program/condition.js";
import { Tables } from "../src/compiler/program/predicates.js";

/** Each selection tests `user` equals its own name, so a predicate's value names its selection. */
function compile(selections: string[], condition: string | string[]): Condition {
  const cond = typeof condition === "string" ? [`  condition: "${condition}"`] : ["  condition:", ...condition.map((c) => `    - "${c}"`)];
  const text = lines("title: Cond", "id: r1", "detection:", ...selections.map((s) => `  ${s}: {user: ${s}}`), ...cond);
  return load(text).rules[0].condition;
}

/** Tiny IR evaluator: a predicate is true when its selection is true in `env`. */
function evaluate(c: Condition, env: Record<string, boolean>): boolean {
  switch (c.k) {
    case "const":
      return c.value;
    case "pred": {
      const v = env[(c.pred as { value: string }).value];
      assert.notEqual(v, undefined, `predicate for unknown selection ${JSON.stringify(c.pred)}`);
      return v;
    }
    case "not":
      return !evaluate(c.arg, env);
    case "and":
      return c.args.every((a) => evaluate(a, env));
    case "or":
      return c.args.some((a) => evaluate(a, env));
  }
}

/** Compares the compiled condition with `expected` on all 2^n assignments. */
function assertMeaning(selections: string[], condition: string | string[], expected: (env: Record<string, boolean>) => boolean) {
  const c = compile(selections, condition);
  for (let bits = 0; bits < 1 << selections.length; bits++) {
    const env: Record<string, boolean> = {};
    selections.forEach((s, i) => (env[s] = (bits & (1 << i)) !== 0));
    assert.equal(evaluate(c, env), expected(env), `${JSON.stringify(condition)} with ${JSON.stringify(env)}`);
  }
}

test("precedence: not > and > or", () => {
  assertMeaning(["a", "b", "c"], "a or b and c", (e) => e.a || (e.b && e.c));
  assertMeaning(["a", "b", "c"], "a and b or c", (e) => (e.a && e.b) || e.c);
  assertMeaning(["a", "b"], "not a and b", (e) => !e.a && e.b);
  assertMeaning(["a", "b"], "not a or b", (e) => !e.a || e.b);
  assertMeaning(["a", "b", "c"], "a or not b and c", (e) => e.a || (!e.b && e.c));
});

test("parentheses override precedence", () => {
  assertMeaning(["a", "b", "c"], "(a or b) and c", (e) => (e.a || e.b) && e.c);
  assertMeaning(["a", "b"], "not (a and b)", (e) => !(e.a && e.b));
  assertMeaning(["a", "b", "c", "d"], "((a or b) and not (c or d))", (e) => (e.a || e.b) && !(e.c || e.d));
  assertMeaning(["a"], "not not a", (e) => e.a);
});

test("explicit truth table: a and not (b or c)", () => {
  const c = compile(["a", "b", "c"], "a and not (b or c)");
  const table: [boolean, boolean, boolean, boolean][] = [
    // a,     b,     c,     result
    [false, false, false, false],
    [false, false, true, false],
    [false, true, false, false],
    [false, true, true, false],
    [true, false, false, true],
    [true, false, true, false],
    [true, true, false, false],
    [true, true, true, false],
  ];
  for (const [a, b, cc, want] of table) assert.equal(evaluate(c, { a, b, c: cc }), want, `a=${a} b=${b} c=${cc}`);
});

test("1 of / all of with wildcard patterns", () => {
  const sels = ["sel_a", "sel_b", "filter"];
  assertMeaning(sels, "1 of sel_*", (e) => e.sel_a || e.sel_b);
  assertMeaning(sels, "all of sel_*", (e) => e.sel_a && e.sel_b);
  assertMeaning(sels, "1 of sel_* and not filter", (e) => (e.sel_a || e.sel_b) && !e.filter);
  assertMeaning(sels, "all of sel_* or filter", (e) => (e.sel_a && e.sel_b) || e.filter);
  assertMeaning(sels, "1 of *", (e) => e.sel_a || e.sel_b || e.filter);
  assertMeaning(sels, "all of sel_a", (e) => e.sel_a);
  assertMeaning(sels, "not 1 of sel_*", (e) => !(e.sel_a || e.sel_b));
});

test("1 of them / all of them leave out selections starting with _", () => {
  const sels = ["a", "b", "_c"];
  assertMeaning(sels, "1 of them", (e) => e.a || e.b);
  assertMeaning(sels, "all of them", (e) => e.a && e.b);
  assertMeaning(sels, "all of them and not _c", (e) => e.a && e.b && !e._c);
  // An explicit pattern does include them.
  assertMeaning(sels, "1 of _*", (e) => e._c);
  const them = compile(sels, "all of them");
  assert.deepEqual(
    predicates(them).map((p) => (p as { value: string }).value),
    ["a", "b"],
  );
});

test("a list of conditions means any of them", () => {
  assertMeaning(["a", "b", "c"], ["a and b", "c"], (e) => (e.a && e.b) || e.c);
  assertMeaning(["a", "b"], ["not a", "b"], (e) => !e.a || e.b);
});

test("selection names may contain digits, dashes and dots", () => {
  assertMeaning(["sel-1", "sel.2"], "sel-1 and not sel.2", (e) => e["sel-1"] && !e["sel.2"]);
});

test("trees are flattened: nested and/or become one node", () => {
  const c = compile(["a", "b", "c", "d"], "a and (b and (c and d))");
  assert.equal(c.k, "and");
  assert.equal((c as { args: Condition[] }).args.length, 4);
  assert.ok((c as { args: Condition[] }).args.every((x) => x.k === "pred"));

  const o = compile(["a", "b", "c"], "(a or b) or c");
  assert.deepEqual(
    o.k === "or" ? o.args.map((x) => (x.k === "pred" ? (x.pred as { value: string }).value : x.k)) : o.k,
    ["a", "b", "c"],
  );
  // A selection is itself an and of its fields; inside an and it merges.
  const text = lines("title: T", "id: r1", "detection:", "  s1: {user: x, method: GET}", "  s2: {path: /}", "  condition: s1 and s2");
  const merged = load(text).rules[0].condition;
  assert.equal(merged.k, "and");
  assert.deepEqual(predicates(merged).map((p) => p.fields[0]), ["user", "method", "path"]);
  assert.equal((merged as { args: Condition[] }).args.length, 3);
});

test("double negation disappears", () => {
  const c = compile(["a"], "not not not a");
  assert.equal(c.k, "not");
  assert.equal(c.k === "not" && c.arg.k, "pred");
});

test("a value list is one instruction listing its predicates (any; all for |all); lists with an absence test are not", () => {
  // The module reads `any n id...` / `all n id...` in one loop (assembly/rules/rule.ts);
  // one push per value and a pop per operand cost several times more under WAMR's interpreter.
  const compiled = (detection: string[]) => {
    const tables = new Tables();
    const code = compileCondition(load(lines("title: L", "id: r1", "detection:", ...detection, "  condition: s")).rules[0].condition, tables).code;
    return { code, ids: tables.predicates.items.length };
  };
  const list = (op: number, n: number) => [op, n, ...Array.from({ length: n }, (_, id) => [id, 0, 0, 0]).flat()];

  const any = compiled(["  s:", "    cs-uri-stem|endswith: ['.js', '.css', '.png', '.ico']"]);
  assert.deepEqual(any.code, list(Op.Any, 4));
  const all = compiled(["  s:", "    cs-uri-query|contains|all: [union, select, from]"]);
  assert.deepEqual(all.code, list(Op.All, 3));
  // A selection of two fields is an and of two tests.
  assert.deepEqual(compiled(["  s: {user: root, method: GET}"]).code, list(Op.All, 2));
  // null is an absence test (not exists): the list keeps the general form.
  const absent = compiled(["  s:", "    user: [root, null]"]).code;
  assert.equal(absent[0], Op.Predicate);
  assert.ok(absent.includes(Op.Not) && absent.includes(Op.Or), `general form: ${absent.join(",")}`);
});
