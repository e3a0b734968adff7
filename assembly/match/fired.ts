// The predicates that held for the current record: a byte per predicate plus
// the list of those set, so clearing costs only what was set.
export class Fired {
  flags: StaticArray<bool>;
  list: StaticArray<i32>;
  count: i32 = 0;

  constructor(predicates: i32) {
    this.flags = new StaticArray<bool>(predicates);
    this.list = new StaticArray<i32>(predicates);
  }

  @inline has(id: i32): bool {
    return unchecked(this.flags[id]);
  }

  set(id: i32): void {
    if (unchecked(this.flags[id])) return;
    unchecked((this.flags[id] = true));
    unchecked((this.list[this.count] = id));
    this.count++;
  }

  clear(): void {
    for (let k = 0; k < this.count; k++) unchecked((this.flags[unchecked(this.list[k])] = false));
    this.count = 0;
  }
}
