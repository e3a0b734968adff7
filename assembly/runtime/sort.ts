// Insertion sort of a short id list (the rules or correlations one record
// touched): output follows rule-file order, whatever fired first.
export function sortIds(ids: StaticArray<i32>, n: i32): void {
  for (let i = 1; i < n; i++) {
    const v = unchecked(ids[i]);
    let j = i - 1;
    while (j >= 0 && unchecked(ids[j]) > v) {
      unchecked((ids[j + 1] = ids[j]));
      j--;
    }
    unchecked((ids[j + 1] = v));
  }
}
