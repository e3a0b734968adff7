// Error text for a value outside a fixed set of choices.

import { didYouMean, listWords } from "./suggest.js";

/** "unknown level 'hgh' (did you mean 'high'?)" or "unknown level 'x' (expected a, b or c)". */
export function badChoice(what: string, value: string, choices: readonly string[]): string {
  const hint = didYouMean(value, choices);
  return `unknown ${what} '${value}'${hint || ` (expected ${listWords(choices)})`}`;
}
