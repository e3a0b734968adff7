// The semantics of automaton.ts, implemented independently with V8's
// RegExp: each pattern becomes one JS regex (no flags) that is run over the
// Latin-1 view of the input bytes. Used by the differential tests; slow.
//
// - Sigma values: literal bytes become \xHH (or [xX] when uncased), `*`
//   becomes [^]*, `?` becomes [^], plus ^/$ for the operator.
// - re: the source is rewritten textually at positions found by the regexpp
//   parser: literal non-ASCII characters outside classes become
//   (?:\xHH\xHH..), and when uncased, ASCII letters outside classes become
//   [xX] and each class gains its letters' other case (negated classes
//   through a negative lookahead, so that folding happens before negation).
//   A leading (?i) is cut off and makes the pattern uncased. \b and \B are
//   left to V8, whose word characters without flags are exactly A-Z a-z 0-9 _.
//   V8 then does all the matching.

import { JS } from "refa";
import { PatternError, type PatternSpec } from "./types.js";

type RegexppAst = ReturnType<typeof JS.Parser.fromLiteral>["ast"];
type Alternative = RegexppAst["pattern"]["alternatives"][number];
type Element = Alternative["elements"][number];
type Character = Extract<Element, { type: "Character" }>;
type CharacterClass = Extract<Element, { type: "CharacterClass" }>;

const hex = (b: number): string => "\\x" + b.toString(16).padStart(2, "0");
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const encoder = new TextEncoder();

function byteSource(b: number, cased: boolean): string {
  if (!cased && isLetter(b)) return `[${String.fromCharCode(b)}${String.fromCharCode(b ^ 0x20)}]`;
  return hex(b);
}

function textSource(text: string, cased: boolean): string {
  let out = "";
  for (const b of encoder.encode(text)) out += byteSource(b, cased);
  return out;
}

function sigmaSource(p: PatternSpec): string {
  const v = p.value;
  let body = "";
  let text = "";
  for (let i = 0; i < v.length; i++) {
    const ch = v[i];
    if (ch === "\\" && i + 1 < v.length && "*?\\".includes(v[i + 1])) {
      text += v[i + 1];
      i++;
    } else if (ch === "*" || ch === "?") {
      body += textSource(text, p.cased) + (ch === "*" ? "[^]*" : "[^]");
      text = "";
    } else {
      text += ch;
    }
  }
  body += textSource(text, p.cased);
  const head = p.op === "startswith" || p.op === "equals" ? "^" : "";
  const tail = p.op === "endswith" || p.op === "equals" ? "$" : "";
  return head + body + tail;
}

function literalNonAscii(c: Character): boolean {
  if (c.value < 0x80) return false;
  return c.raw === String.fromCharCode(c.value) || c.raw === "\\" + String.fromCharCode(c.value);
}

function regexSource(written: PatternSpec): string {
  // A leading (?i) means uncased (regex.ts); V8 would reject it.
  const p = written.value.startsWith("(?i)") ? { ...written, value: written.value.slice(4), cased: false } : written;
  const src = p.value;
  const ast = JS.Parser.fromLiteral({ source: src, flags: "" }).ast;
  const edits: { start: number; end: number; text: string }[] = [];

  const classEdit = (cls: CharacterClass): void => {
    const letters = new Set<number>();
    for (const el of cls.elements) {
      if (el.type === "Character") {
        if (literalNonAscii(el)) throw new PatternError(p.id, "non-ASCII characters in a character class are not supported");
        if (isLetter(el.value)) letters.add(el.value);
      } else if (el.type === "CharacterClassRange") {
        if (literalNonAscii(el.min) || literalNonAscii(el.max)) {
          throw new PatternError(p.id, "non-ASCII characters in a character class are not supported");
        }
        for (let c = el.min.value; c <= Math.min(el.max.value, 122); c++) if (isLetter(c)) letters.add(c);
      }
    }
    if (p.cased || letters.size === 0) return;
    let extra = "";
    for (const c of letters) extra += hex(c ^ 0x20);
    const text = cls.negate ? `(?:(?![${extra}])${cls.raw})` : `(?:${cls.raw}|[${extra}])`;
    edits.push({ start: cls.start, end: cls.end, text });
  };

  const visitAlternatives = (alts: readonly Alternative[]): void => {
    for (const alt of alts) {
      const els = alt.elements;
      for (let i = 0; i < els.length; i++) visit(els[i], els[i + 1]);
    }
  };

  let pendingHigh: Character | null = null;
  const visit = (e: Element, following: Element | undefined): void => {
    switch (e.type) {
      case "Character": {
        if (literalNonAscii(e)) {
          if (e.value >= 0xd800 && e.value <= 0xdbff) {
            // The low half is the next element or the next quantifier's element.
            const low = following?.type === "Quantifier" ? following.element : following;
            if (low && low.type === "Character" && low.value >= 0xdc00 && low.value <= 0xdfff) {
              pendingHigh = e;
              edits.push({ start: e.start, end: e.end, text: "" });
              return;
            }
            throw new PatternError(p.id, "unpaired surrogate");
          }
          let text = String.fromCharCode(e.value);
          if (e.value >= 0xdc00 && e.value <= 0xdfff) {
            if (!pendingHigh) throw new PatternError(p.id, "unpaired surrogate");
            text = String.fromCharCode(pendingHigh.value) + text;
            pendingHigh = null;
          }
          let bytes = "";
          for (const b of encoder.encode(text)) bytes += hex(b);
          edits.push({ start: e.start, end: e.end, text: `(?:${bytes})` });
        } else if (!p.cased && isLetter(e.value)) {
          edits.push({ start: e.start, end: e.end, text: byteSource(e.value, false) });
        }
        return;
      }
      case "CharacterClass":
        classEdit(e as CharacterClass);
        return;
      case "Quantifier":
        visit(e.element as Element, undefined);
        return;
      case "Group":
      case "CapturingGroup":
        visitAlternatives(e.alternatives);
        return;
      case "Assertion":
        if (e.kind === "lookahead" || e.kind === "lookbehind") visitAlternatives(e.alternatives);
        return;
      default:
        return;
    }
  };
  visitAlternatives(ast.pattern.alternatives);

  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const ed of edits) {
    out += src.slice(at, ed.start) + ed.text;
    at = ed.end;
  }
  return out + src.slice(at);
}

const cache = new Map<string, RegExp>();

/** The JS regex that implements pattern `p` over the Latin-1 view of the input. */
export function referenceRegExp(p: PatternSpec): RegExp {
  const key = `${p.op}\u0000${p.cased}\u0000${p.value}`;
  let re = cache.get(key);
  if (!re) {
    re = new RegExp(p.op === "re" ? regexSource(p) : sigmaSource(p));
    if (cache.size > 10000) cache.clear();
    cache.set(key, re);
  }
  return re;
}

export function latin1(input: Uint8Array): string {
  let s = "";
  for (let i = 0; i < input.length; i += 8192) {
    s += String.fromCharCode(...input.subarray(i, i + 8192));
  }
  return s;
}

/** Whether pattern `p` matches `input`, by V8's RegExp. */
export function matchReference(p: PatternSpec, input: Uint8Array): boolean {
  return referenceRegExp(p).test(latin1(input));
}
