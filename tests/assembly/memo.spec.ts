// The match memo (assembly/match/memo.ts): a remembered value gives exactly
// the predicates the automata fired for it, and only for the same bytes and
// the same record formats; values it cannot keep are never answered from it.
import { MatchMemo } from "../../assembly/match/memo";
import { Fired } from "../../assembly/match/fired";
import { bytes } from "./helpers";

const PREDICATES = 64;

/** The ids set in `fired`, sorted, as text. */
function ids(fired: Fired): string {
  const list = new Array<i32>();
  for (let k = 0; k < fired.count; k++) list.push(fired.list[k]);
  list.sort((a, b) => a - b);
  return list.join(",");
}

/** A miss on `value`, then the automata "fire" `fires`, which the memo keeps. */
function learn(memo: MatchMemo, value: string, formats: u32, fires: i32[]): void {
  const v = bytes(value);
  const fired = new Fired(PREDICATES);
  expect(memo.recall(v.ptr, v.len, formats, fired)).toBe(false, "first sight is a miss");
  const from = fired.count;
  for (let k = 0; k < fires.length; k++) fired.set(fires[k]);
  memo.remember(v.ptr, v.len, formats, fired, from);
}

function recalled(memo: MatchMemo, value: string, formats: u32): string | null {
  const v = bytes(value);
  const fired = new Fired(PREDICATES);
  return memo.recall(v.ptr, v.len, formats, fired) ? ids(fired) : null;
}

describe("match memo", () => {
  it("gives back what was fired for the same value", () => {
    const memo = new MatchMemo();
    learn(memo, "Mozilla/5.0 (compatible; sqlmap/1.7)", 1, [3, 9, 12]);
    expect(recalled(memo, "Mozilla/5.0 (compatible; sqlmap/1.7)", 1)).toBe("3,9,12");
    learn(memo, "/index.html", 1, []);
    expect(recalled(memo, "/index.html", 1)).toBe("");
  });

  it("answers nothing for other bytes of the same length, a prefix, or other formats", () => {
    const memo = new MatchMemo();
    learn(memo, "/admin/login.php?id=1", 1, [5]);
    expect(recalled(memo, "/admin/login.php?id=2", 1)).toBe(null); // last byte differs
    expect(recalled(memo, "/bdmin/login.php?id=1", 1)).toBe(null); // first byte differs
    expect(recalled(memo, "/admin/login.php?id=", 1)).toBe(null); // a prefix
    expect(recalled(memo, "/admin/login.php?id=1", 2)).toBe(null); // formats decide which automata apply
  });

  it("short values (under 8 bytes) are told apart whatever lies after them", () => {
    const memo = new MatchMemo();
    learn(memo, "GET", 1, [1]);
    expect(recalled(memo, "GEX", 1)).toBe(null);
    expect(recalled(memo, "GET", 1)).toBe("1");
    learn(memo, "", 1, [2]);
    expect(recalled(memo, "", 1)).toBe("2");
  });

  it("never keeps a value over 256 bytes or one that fired more than 16 predicates", () => {
    const memo = new MatchMemo();
    const long = "/".repeat(257);
    learn(memo, long, 1, [4]);
    expect(recalled(memo, long, 1)).toBe(null);
    const many = new Array<i32>();
    for (let k = 0; k < 17; k++) many.push(k);
    learn(memo, "/many/matches", 1, many);
    expect(recalled(memo, "/many/matches", 1)).toBe(null);
  });

  it("a value that takes an occupied entry replaces it: the old one is a miss again, never a wrong answer", () => {
    const memo = new MatchMemo();
    // 2,000 distinct values through 128 entries: every recall is either a miss or exactly the value's own ids.
    for (let n = 0; n < 2000; n++) learn(memo, "/item/" + n.toString(), 1, [n % 60]);
    let hits = 0;
    for (let n = 0; n < 2000; n++) {
      const got = recalled(memo, "/item/" + n.toString(), 1);
      if (got == null) continue;
      hits++;
      expect(got).toBe((n % 60).toString());
    }
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThanOrEqual(128);
  });
});
