// JavaScript regular expressions (`re` predicates) to NFA.
//
// The source is parsed by regexpp through refa's JS.Parser; character
// classes are evaluated by refa's JS.parseCharSet; the NFA is our own
// Thompson construction, so that `^`/`$` become start/end edges wherever
// they appear, and case folding stays ASCII-only (refa's /i would also fold
// Latin-1 letters, which would corrupt UTF-8 bytes).

import { createRequire } from "node:module";
import type { JS, CharSet } from "refa";
import {
  addRange,
  complement,
  emptySet,
  foldAscii,
  unionInto,
  utf8,
  byteSet,
  type ByteSet,
} from "./bytes.js";
import type { Frag, Nfa } from "./nfa.js";
import { PatternError } from "./types.js";

type RegexppAst = ReturnType<typeof JS.Parser.fromLiteral>["ast"];
type Alternative = RegexppAst["pattern"]["alternatives"][number];
type Element = Alternative["elements"][number];
type Character = Extract<Element, { type: "Character" }>;
type CharacterClass = Extract<Element, { type: "CharacterClass" }>;
type CharacterSet = Extract<Element, { type: "CharacterSet" }>;
type Quantifier = Extract<Element, { type: "Quantifier" }>;
type ClassElement = Extract<CharacterClass, { unicodeSets: false }>["elements"][number];

const FLAGS: JS.Flags = {};

// refa is loaded on first use: a build whose automata all come from the
// cache (cache.ts) never parses a regex, and loading refa costs ~60 ms.
let refaJs: typeof JS | undefined;
function js(): typeof JS {
  return (refaJs ??= (createRequire(import.meta.url)("refa") as typeof import("refa")).JS);
}

/**
 * A leading `(?i)` (PCRE's inline flag, common in Sigma rules) makes the whole
 * regex case-insensitive; it is cut off before parsing. Inline flags anywhere
 * else stay an error.
 */
export function leadingFlags(source: string, cased: boolean): { source: string; cased: boolean } {
  if (source.startsWith("(?i)")) return { source: source.slice(4), cased: false };
  return { source, cased };
}

/** Parses a regex source (no flags) into regexpp's AST, or throws PatternError. */
export function parseRegex(id: number, source: string): RegexppAst {
  const inline = /\(\?[a-zA-Z-]+[:)]/.exec(source);
  if (inline && /^\(\?[imsx-]+[:)]$/.test(inline[0])) {
    throw new PatternError(
      id,
      `inline flags are not supported: "${inline[0]}" in /${source}/; only a leading (?i) is, or use the case-insensitive option of the predicate (re|i)`,
    );
  }
  try {
    // V8 is the authority on what a valid JS regex is.
    new RegExp(source);
  } catch (err) {
    throw new PatternError(id, `invalid regular expression /${source}/: ${(err as Error).message}`);
  }
  try {
    return js().Parser.fromLiteral({ source, flags: "" }).ast;
  } catch (err) {
    throw new PatternError(id, `invalid regular expression /${source}/: ${(err as Error).message}`);
  }
}

/** True for a non-ASCII char written as itself (or identity-escaped), i.e. not as \x / \u / octal. */
export function isLiteralNonAscii(c: Character): boolean {
  if (c.value < 0x80) return false;
  const raw = c.raw;
  if (raw.length === 1) return raw.charCodeAt(0) === c.value;
  return raw.length === 2 && raw[0] === "\\" && raw.charCodeAt(1) === c.value;
}

function isHigh(v: number): boolean {
  return v >= 0xd800 && v <= 0xdbff;
}
function isLow(v: number): boolean {
  return v >= 0xdc00 && v <= 0xdfff;
}

function toBytes(cs: CharSet): ByteSet {
  const s = emptySet();
  for (const r of cs.ranges) if (r.min <= 255) addRange(s, r.min, r.max);
  return s;
}

class RegexCompiler {
  constructor(
    readonly nfa: Nfa,
    readonly id: number,
    readonly source: string,
    readonly cased: boolean,
  ) {}

  fail(message: string): never {
    throw new PatternError(this.id, `${message} in /${this.source}/`);
  }

  unsupported(what: string, raw: string, verb = "is"): never {
    this.fail(`${what} ${verb} not supported: "${raw}"`);
  }

  alternatives(alts: readonly Alternative[]): Frag {
    return this.nfa.alternate(alts.map((a) => this.sequence(a)));
  }

  sequence(alt: Alternative): Frag {
    const els = alt.elements;
    const parts: Frag[] = [];
    for (let i = 0; i < els.length; i++) {
      const e = els[i];
      // A literal astral character is two surrogate Character nodes; a
      // quantifier on the second one applies to the whole character.
      if (e.type === "Character" && isHigh(e.value) && isLiteralNonAscii(e)) {
        const nx = els[i + 1];
        if (nx && nx.type === "Character" && isLow(nx.value) && isLiteralNonAscii(nx)) {
          parts.push(this.utf8Char(e.raw.slice(-1) + nx.raw.slice(-1)));
          i++;
          continue;
        }
        if (
          nx &&
          nx.type === "Quantifier" &&
          nx.element.type === "Character" &&
          isLow(nx.element.value) &&
          isLiteralNonAscii(nx.element)
        ) {
          const text = e.raw.slice(-1) + nx.element.raw.slice(-1);
          parts.push(this.nfa.repeat(() => this.utf8Char(text), nx.min, nx.max));
          i++;
          continue;
        }
      }
      parts.push(this.element(e));
    }
    return this.nfa.concat(parts);
  }

  utf8Char(text: string): Frag {
    return this.nfa.sequence([...utf8(text)].map((b) => byteSet(b)));
  }

  element(e: Element): Frag {
    switch (e.type) {
      case "Character":
        return this.character(e);
      case "CharacterSet":
        return this.nfa.one(this.characterSet(e));
      case "CharacterClass":
        return this.nfa.one(this.characterClass(e));
      case "Group":
      case "CapturingGroup":
        if (e.type === "Group" && e.modifiers) this.unsupported("inline modifiers", e.raw, "are");
        return this.alternatives(e.alternatives);
      case "Quantifier":
        return this.quantifier(e);
      case "Assertion":
        switch (e.kind) {
          case "start":
            return this.nfa.anchoredStart();
          case "end":
            return this.nfa.anchoredEnd();
          case "word":
            return this.nfa.wordBoundary(e.negate);
          case "lookahead":
            return this.unsupported(e.negate ? "negative lookahead" : "lookahead", e.raw);
          case "lookbehind":
            return this.unsupported(e.negate ? "negative lookbehind" : "lookbehind", e.raw);
        }
        return this.unsupported("this assertion", (e as Element).raw);
      case "Backreference":
        return this.unsupported("backreferences", e.raw, "are");
      default:
        return this.unsupported(`the construct ${(e as Element).type}`, (e as Element).raw);
    }
  }

  quantifier(q: Quantifier): Frag {
    return this.nfa.repeat(() => this.element(q.element as Element), q.min, q.max);
  }

  character(c: Character): Frag {
    const v = c.value;
    if (v < 0x80) {
      const s = byteSet(v);
      return this.nfa.one(this.cased ? s : foldAscii(s));
    }
    if (isLiteralNonAscii(c)) {
      if (isHigh(v) || isLow(v)) this.fail(`unpaired surrogate "${c.raw}"`);
      return this.utf8Char(String.fromCharCode(v));
    }
    if (v > 0xff) {
      this.fail(
        `the escape "${c.raw}" denotes U+${v.toString(16).toUpperCase().padStart(4, "0")}, which is above \\xFF and can never match a byte; ` +
          `write the character itself to match its UTF-8 bytes`,
      );
    }
    // An escape such as \xE9 denotes that raw byte (never case-folded).
    return this.nfa.one(byteSet(v));
  }

  characterSet(e: CharacterSet): ByteSet {
    if (e.kind === "property") this.unsupported("Unicode property escapes", e.raw, "are");
    // ., \d, \D, \s, \S, \w, \W are all closed under ASCII case folding.
    return toBytes(js().parseCharSet(e as Parameters<typeof JS.parseCharSet>[0], FLAGS));
  }

  characterClass(cls: CharacterClass): ByteSet {
    if (cls.unicodeSets) this.unsupported("set notation", cls.raw);
    const elements = cls.elements as readonly ClassElement[];
    for (const el of elements) {
      const chars = el.type === "Character" ? [el] : el.type === "CharacterClassRange" ? [el.min, el.max] : [];
      for (const ch of chars) {
        if (isLiteralNonAscii(ch)) {
          this.fail(
            `non-ASCII characters in a character class are not supported; ` +
              `match them outside the class instead, e.g. (?:é|è) rather than [éè] (found "${ch.raw}" in ${cls.raw})`,
          );
        }
      }
    }
    if (this.cased) return toBytes(js().parseCharSet(cls as Parameters<typeof JS.parseCharSet>[0], FLAGS));
    // Case-insensitive: fold the listed members first, then negate, as
    // JavaScript's /i does ([^a] matches neither a nor A).
    const members = emptySet();
    for (const el of elements) {
      unionInto(members, toBytes(js().parseCharSet(el as Parameters<typeof JS.parseCharSet>[0], FLAGS)));
    }
    const folded = foldAscii(members);
    return cls.negate ? complement(folded) : folded;
  }
}

/** The fragment for one `re` predicate (search semantics come from the caller). */
export function regexFragment(nfa: Nfa, id: number, written: string, casedWritten: boolean): Frag {
  const { source, cased } = leadingFlags(written, casedWritten);
  const ast = parseRegex(id, source);
  return new RegexCompiler(nfa, id, source, cased).alternatives(ast.pattern.alternatives);
}
