// A rule's condition program (assembly/rules/rule.ts) against the meaning of
// its instructions: `any n ids` holds when at least one listed predicate
// fired, `all n ids` when every one did, whatever their order; `validCode`
// refuses a program whose list is empty, cut short or names a predicate
// that does not exist. The expected values come from those definitions
// (a plain loop over every subset of fired predicates), not from the code.
import { Op } from "../../assembly/runtime/schema";
import { Rule, evaluate, validCode } from "../../assembly/rules/rule";
import { Fired } from "../../assembly/match/fired";

const PREDICATES = 8;

/** A program from its bytes; predicate ids are written as 4 little-endian bytes. */
class Program {
  bytes: Array<u8> = new Array<u8>();

  op(code: i32): Program {
    this.bytes.push(<u8>code);
    return this;
  }

  list(code: i32, ids: i32[]): Program {
    this.bytes.push(<u8>code);
    this.bytes.push(<u8>ids.length);
    for (let k = 0; k < ids.length; k++) this.id(ids[k]);
    return this;
  }

  predicate(id: i32): Program {
    this.bytes.push(<u8>Op.Predicate);
    return this.id(id);
  }

  id(id: i32): Program {
    for (let b = 0; b < 4; b++) this.bytes.push(<u8>(id >>> (b * 8)));
    return this;
  }

  rule(): Rule {
    const r = new Rule();
    const n = this.bytes.length;
    // 8 bytes of slack, as the program section has.
    r.code = heap.alloc(<usize>n + 8);
    for (let k = 0; k < n; k++) store<u8>(r.code + <usize>k, this.bytes[k]);
    r.codeLength = n;
    return r;
  }

  valid(): bool {
    const r = this.rule();
    return validCode(r.code, r.codeLength, PREDICATES);
  }
}

function firedOf(mask: i32): Fired {
  const fired = new Fired(PREDICATES);
  for (let id = 0; id < PREDICATES; id++) if ((mask >> id) & 1) fired.set(id);
  return fired;
}

function someFired(mask: i32, ids: i32[]): bool {
  for (let k = 0; k < ids.length; k++) if ((mask >> ids[k]) & 1) return true;
  return false;
}

function allFired(mask: i32, ids: i32[]): bool {
  for (let k = 0; k < ids.length; k++) if (((mask >> ids[k]) & 1) == 0) return false;
  return true;
}

describe("condition programs", () => {
  it("`any` holds exactly when one of its predicates fired, `all` when every one did", () => {
    const lists: i32[][] = [[3], [0, 5], [7, 2, 4], [1, 6, 0, 3, 5], [4, 4, 2]];
    for (let l = 0; l < lists.length; l++) {
      const ids = lists[l];
      const any = new Program().list(Op.Any, ids).rule();
      const all = new Program().list(Op.All, ids).rule();
      for (let mask = 0; mask < 1 << PREDICATES; mask++) {
        const fired = firedOf(mask);
        expect(evaluate(any, fired)).toBe(someFired(mask, ids), "any " + ids.join(",") + " fired " + mask.toString());
        expect(evaluate(all, fired)).toBe(allFired(mask, ids), "all " + ids.join(",") + " fired " + mask.toString());
      }
    }
  });

  it("lists combine with the other instructions as one operand each", () => {
    // (any 0,1) and not (all 2,3) or p4: "dynamic and not asset", with an `or` on top.
    const program = new Program().list(Op.Any, [0, 1]).list(Op.All, [2, 3]).op(Op.Not);
    program.bytes.push(<u8>Op.And);
    program.bytes.push(2);
    program.predicate(4);
    program.bytes.push(<u8>Op.Or);
    program.bytes.push(2);
    expect(program.valid()).toBe(true);
    const rule = program.rule();
    for (let mask = 0; mask < 1 << PREDICATES; mask++) {
      const expected = (someFired(mask, [0, 1]) && !allFired(mask, [2, 3])) || someFired(mask, [4]);
      expect(evaluate(rule, firedOf(mask))).toBe(expected, "fired " + mask.toString());
    }
  });

  it("validCode accepts well-formed lists and refuses empty, cut-short and out-of-range ones", () => {
    expect(new Program().list(Op.Any, [0, 7]).valid()).toBe(true);
    expect(new Program().list(Op.All, [5]).valid()).toBe(true);
    expect(new Program().list(Op.Any, []).valid()).toBe(false, "an empty list");
    expect(new Program().list(Op.All, [1, PREDICATES]).valid()).toBe(false, "a predicate that does not exist");
    const short = new Program().list(Op.Any, [1, 2]);
    short.bytes.pop();
    expect(short.valid()).toBe(false, "the last id cut short");
    const noCount = new Program().op(Op.All);
    expect(noCount.valid()).toBe(false, "no count byte");
    const counted = new Program().list(Op.Any, [1, 2]);
    counted.bytes[1] = 3;
    expect(counted.valid()).toBe(false, "a count beyond the program");
    expect(new Program().list(Op.Any, [1]).list(Op.All, [2]).valid()).toBe(false, "two results left on the stack");
  });
});
