// The same filter with its rule program handed in at run time instead of
// embedded: `tripline test` and the test suites load any rule set into one
// build in milliseconds. Fluent Bit gets the embedded build (index.ts).
import { load } from "./pipeline";
export { filter } from "./index";

/** Loads a program the host has copied in and pinned for the module's lifetime. */
export function loadProgram(ptr: usize, len: usize): bool {
  return load(ptr, len);
}
