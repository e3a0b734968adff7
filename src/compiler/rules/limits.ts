// Budgets that keep a hostile or broken rule file from hanging or crashing
// the compiler. Each one is reported as a normal RuleError when exceeded.

export const MAX_RULES = 5000; // rule documents (detection + correlation) over all files
export const MAX_CONDITION_LENGTH = 4096; // characters in one condition string
export const MAX_VALUE_LENGTH = 4096; // characters in one detection value
export const MAX_DEPTH = 64; // YAML nesting, and parentheses/`not` nesting in a condition
export const MAX_ALIAS_COUNT = 100; // YAML alias expansions per document (alias bombs)
export const MAX_TIMESPAN_SEC = 7 * 24 * 3600; // longest timespan / cooldown / interval
