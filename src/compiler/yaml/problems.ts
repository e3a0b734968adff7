// Collects every user mistake instead of stopping at the first, so one run
// of the compiler shows the whole list.

import { RuleError, RuleErrors, type SourcePos } from "../ir.js";

export class Problems {
  readonly errors: RuleError[] = [];

  add(pos: SourcePos, detail: string): void {
    this.errors.push(new RuleError(pos, detail));
  }

  get count(): number {
    return this.errors.length;
  }

  /** Throws RuleErrors (sorted by file, line, col; duplicates dropped) if anything was recorded. */
  throwIfAny(): void {
    if (this.errors.length > 0) throw new RuleErrors(sortErrors(this.errors));
  }
}

export function sortErrors(errors: RuleError[]): RuleError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    if (seen.has(e.message)) return false;
    seen.add(e.message);
    return true;
  });
  // Array.prototype.sort is stable, so equal positions keep the order found.
  return unique.sort((a, b) => {
    if (a.pos.file !== b.pos.file) return a.pos.file < b.pos.file ? -1 : 1;
    return a.pos.line - b.pos.line || a.pos.col - b.pos.col;
  });
}
