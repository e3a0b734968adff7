// Shared types of the pattern automaton builder (see automaton.ts for the
// semantics). Kept apart so that reference.ts and the builder stages can use
// them without importing each other.

export type PatternOp = "contains" | "startswith" | "endswith" | "equals" | "re";

export interface PatternSpec {
  id: number;
  op: PatternOp;
  value: string;
  cased: boolean;
}

export interface Dfa {
  /** 256 entries: input byte -> byte class. */
  classMap: Uint8Array;
  classCount: number;
  stateCount: number;
  /** Start state index. */
  start: number;
  /** stateCount*classCount entries: next[state*classCount + cls] (u16 when every state number fits). */
  next: Uint32Array | Uint16Array;
  /** Per state: pattern ids reported whenever the state is entered (or is the start state). */
  emitAnywhere: number[][];
  /** Per state: pattern ids reported if the input ends in this state. */
  emitAtEnd: number[][];
  /** A state from which nothing new can be reported (scanning may stop); -1 if none. */
  dead: number;
}

/** A pattern the builder cannot compile. `patternId` is -1 when the whole set is at fault. */
export class PatternError extends Error {
  constructor(
    readonly patternId: number,
    message: string,
  ) {
    super(message);
    this.name = "PatternError";
  }
}
