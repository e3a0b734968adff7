// Condition semantics end to end: random conditions over four selections are
// compiled, run in the module for every combination of the selections, and
// compared with a direct evaluation of the condition text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostFor } from "./helpers/modules.js";

const NAMES = ["sel_a", "sel_b", "filter_c", "filter_d"];
const FIELDS: Record<string, string> = { sel_a: "alpha", sel_b: "beta", filter_c: "gamma", filter_d: "delta" };

type Node = { op: "and" | "or"; l: Node; r: Node } | { op: "not"; x: Node } | { op: "sel"; name: string } | { op: "of"; all: boolean; pattern: string };

function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function make(rand: () => number, depth: number): Node {
  const k = rand();
  if (depth === 0 || k < 0.3) {
    if (rand() < 0.2) {
      const pattern = ["sel_*", "filter_*", "them", "*_a", "sel_b"][Math.floor(rand() * 5)];
      return { op: "of", all: rand() < 0.5, pattern };
    }
    return { op: "sel", name: NAMES[Math.floor(rand() * 4)] };
  }
  if (k < 0.45) return { op: "not", x: make(rand, depth - 1) };
  return { op: rand() < 0.5 ? "and" : "or", l: make(rand, depth - 1), r: make(rand, depth - 1) };
}

function text(n: Node): string {
  switch (n.op) {
    case "sel":
      return n.name;
    case "of":
      return `${n.all ? "all" : "1"} of ${n.pattern}`;
    case "not":
      return `not (${text(n.x)})`;
    default:
      return `(${text(n.l)} ${n.op} ${text(n.r)})`;
  }
}

function holds(n: Node, present: Set<string>): boolean {
  switch (n.op) {
    case "sel":
      return present.has(n.name);
    case "of": {
      const re = new RegExp("^" + (n.pattern === "them" ? "*" : n.pattern).replace(/\*/g, ".*") + "$");
      const names = NAMES.filter((x) => re.test(x));
      return n.all ? names.every((x) => present.has(x)) : names.some((x) => present.has(x));
    }
    case "not":
      return !holds(n.x, present);
    case "and":
      return holds(n.l, present) && holds(n.r, present);
    default:
      return holds(n.l, present) || holds(n.r, present);
  }
}

test("200 random conditions agree with their direct evaluation on all 16 inputs", () => {
  const rand = random(20261121);
  const conditions = Array.from({ length: 200 }, () => make(rand, 4));
  const rules = conditions
    .map(
      (c, i) => `title: c${i}
id: cond-${i}
logsource: {product: json}
detection:
${NAMES.map((n) => `  ${n}: {${FIELDS[n]}|exists: true}`).join("\n")}
  condition: ${text(c)}
`,
    )
    .join("---\n");
  const host = hostFor(rules, { statsIntervalSec: 0 });
  for (let mask = 0; mask < 16; mask++) {
    const present = new Set(NAMES.filter((_, i) => mask & (1 << i)));
    const record: Record<string, unknown> = { other: 1 };
    for (const n of present) record[FIELDS[n]] = "x";
    const out = host.call("t", 1, JSON.stringify(record));
    assert.equal(out.kind, "record");
    const got = new Set(out.kind === "record" ? ((out.body.tripline as { rules?: string[] })?.rules ?? []) : []);
    conditions.forEach((c, i) => {
      assert.equal(got.has(`cond-${i}`), holds(c, present), `cond-${i}: ${text(c)} with {${[...present].join(", ")}}`);
    });
  }
});
