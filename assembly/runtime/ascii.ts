// Byte classes and the character codes the scanners and writers compare
// against, named once for every stage.
export const enum CharCode {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Hash = 0x23,
  Percent = 0x25,
  Ampersand = 0x26,
  Apostrophe = 0x27,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Slash = 0x2f,
  Zero = 0x30,
  Colon = 0x3a,
  Semicolon = 0x3b,
  LessThan = 0x3c,
  Equals = 0x3d,
  GreaterThan = 0x3e,
  Question = 0x3f,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  Underscore = 0x5f,
  LowerE = 0x65,
  LowerF = 0x66,
  LowerN = 0x6e,
  LowerT = 0x74,
  LowerU = 0x75,
  OpenBrace = 0x7b,
  Pipe = 0x7c,
  CloseBrace = 0x7d,
  Star = 0x2a,
}

/** JSON whitespace. */
@inline export function isJsonSpace(c: u32): bool {
  return c == CharCode.Space || c == CharCode.Newline || c == CharCode.Return || c == CharCode.Tab;
}

/** A blank between tokens of a log line (space or tab). */
@inline export function isBlank(c: u32): bool {
  return c == CharCode.Space || c == CharCode.Tab;
}

@inline export function isDigit(c: u32): bool {
  return c - CharCode.Zero < 10;
}

/** The value of a hexadecimal digit, or -1. */
export function hexValue(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

/** ASCII lower case; other bytes unchanged (folding above 0x7f would corrupt UTF-8). */
@inline export function lowerAscii(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** [A-Za-z0-9_], the word characters of `\b`. */
export function isWordByte(c: u32): bool {
  return c - 0x30 < 10 || (c | 0x20) - 0x61 < 26 || c == CharCode.Underscore;
}
