// Replaced at build time by the rule compiler (src/compiler/module.ts), which
// hands asc the encoded program as this file. This checked-in version holds no
// program: a module built from it passes every record through unchanged.
export const PROGRAM: usize = memory.data<u8>([0]);
export const PROGRAM_LENGTH: usize = 0;
