// Gives every distinct predicate, slot (ordered candidate keys) and record key
// a number, so the module can keep them in flat arrays. The key table starts
// with the schema's FIXED_KEYS, which the module addresses by constant index.
import type { Predicate } from "../ir.js";
import { FIXED_KEYS } from "../schema.js";

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
  has(key: string): boolean {
    return this.index.has(key);
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

  constructor() {
    for (const key of FIXED_KEYS) this.keys.id(key, key);
  }

  key(name: string): number {
    return this.keys.id(name, name);
  }

  slot(fields: string[]): number {
    const keys = fields.map((f) => this.key(f));
    return this.slots.id(JSON.stringify(keys), keys);
  }

  predicate(pred: Predicate): number {
    const slot = this.slot(pred.fields);
    const { pos: _pos, ...identity } = pred;
    return this.predicates.id(JSON.stringify(identity), { pred, slot });
  }
}
