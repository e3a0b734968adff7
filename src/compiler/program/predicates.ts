// Gives every distinct predicate, slot (ordered candidate keys) and record key
// a number, so the module can keep them in flat arrays.
import type { Predicate } from "../ir.js";

export class Numbering<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  id(key: string, item: T): number {
    let n = this.index.get(key);
    if (n === undefined) {
      n = this.items.length;
      this.items.push(item);
      this.index.set(key, n);
    }
    return n;
  }
}

export interface NumberedPredicate {
  pred: Predicate;
  slot: number;
}

export class Tables {
  readonly keys = new Numbering<string>();
  readonly slots = new Numbering<number[]>();
  readonly predicates = new Numbering<NumberedPredicate>();

  slot(fields: string[]): number {
    const keys = fields.map((f) => this.keys.id(f, f));
    return this.slots.id(JSON.stringify(keys), keys);
  }

  predicate(pred: Predicate): number {
    const slot = this.slot(pred.fields);
    const { pos: _pos, ...identity } = pred;
    return this.predicates.id(JSON.stringify(identity), { pred, slot });
  }
}
