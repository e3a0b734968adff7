// Budgets that keep a hostile or broken rule file from hanging or crashing
// the compiler. Each one is reported as a normal RuleError when exceeded.

export const MAX_RULES = 5000; // rule documents (detection + correlation) over all files
export const MAX_CONDITION_LENGTH = 4096; // characters in one condition string
// Characters in one detection value. Compile cost is bounded by the automaton
// budgets (100,000 NFA nodes per pattern, the state budget per automaton), not
// by this; the limit only keeps absurd values out early. 32,768 holds the
// longest regex of OWASP CRS v4 (8,447 characters, REQUEST-933) four times
// over, and an alternation of literals this long still fits the node budget
// (it compiles in seconds; one of 65,536 characters exceeds the node budget).
export const MAX_VALUE_LENGTH = 32768;
export const MAX_DEPTH = 64; // YAML nesting, and parentheses/`not` nesting in a condition
export const MAX_ALIAS_COUNT = 100; // YAML alias expansions per document (alias bombs)
export const MAX_TIMESPAN_SEC = 7 * 24 * 3600; // longest timespan / cooldown / interval
