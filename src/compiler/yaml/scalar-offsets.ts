// Positions inside a string scalar, for errors that point into a value (a
// condition's selection name, a modifier inside a key). YAML may fold lines,
// strip indentation and decode escapes, so we rebuild the value from the
// source while recording where each character came from. If the rebuilt text
// does not equal the parsed value (a style we do not model), every index maps
// to the scalar's start: less precise, but still the right value.

import type { SourcePos } from "../ir.js";
import { posAt, type YScalar } from "./yaml-positions.js";

const offsetCache = new WeakMap<YScalar, number[] | null>();

/** Position of character `index` of a string scalar's value. */
export function scalarCharPos(s: YScalar, index: number): SourcePos {
  let offs = offsetCache.get(s);
  if (offs === undefined) {
    offs = scalarOffsets(s);
    offsetCache.set(s, offs);
  }
  if (offs === null || offs.length === 0) return s.pos;
  if (index < offs.length) return posAt(s.src, offs[Math.max(0, index)]);
  return posAt(s.src, offs[offs.length - 1] + 1);
}

function scalarOffsets(s: YScalar): number[] | null {
  if (typeof s.value !== "string") return null;
  const built =
    s.style === "BLOCK_LITERAL" || s.style === "BLOCK_FOLDED"
      ? blockOffsets(s.src.text, s.start, s.end, s.style === "BLOCK_FOLDED")
      : flowOffsets(s.src.text, s.start, s.end, s.style);
  if (built === null) return null;
  const [text, offs] = built;
  if (text === s.value) return offs;
  // Block scalars: trailing newlines depend on the chomping indicator.
  if (s.value.startsWith(text) && /^\n*$/.test(s.value.slice(text.length))) {
    for (let i = text.length; i < s.value.length; i++) offs.push(s.end);
    return offs;
  }
  return null;
}

interface Piece {
  ch: string;
  off: number;
  /** Written as an escape: never trimmed as line-folding whitespace. */
  escaped: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

function isBlank(p: Piece): boolean {
  return !p.escaped && (p.ch === " " || p.ch === "\t");
}

function flowOffsets(text: string, start: number, end: number, style: string): [string, number[]] | null {
  const quoted = style === "QUOTE_SINGLE" || style === "QUOTE_DOUBLE";
  let i = quoted ? start + 1 : start;
  const stop = quoted ? end - 1 : end;
  const lines: Piece[][] = [];
  const lineEnds: number[] = []; // offset of each line's break
  const escapedBreak: boolean[] = [];
  let cur: Piece[] = [];
  while (i < stop) {
    const c = text[i];
    if (c === "\r" && text[i + 1] === "\n") {
      i++;
      continue;
    }
    if (c === "\n") {
      lines.push(cur);
      lineEnds.push(i);
      escapedBreak.push(false);
      cur = [];
      i++;
      continue;
    }
    if (style === "QUOTE_SINGLE" && c === "'" && text[i + 1] === "'") {
      cur.push({ ch: "'", off: i, escaped: true });
      i += 2;
      continue;
    }
    if (style === "QUOTE_DOUBLE" && c === "\\") {
      const n = text[i + 1];
      if (n === "\n" || (n === "\r" && text[i + 2] === "\n")) {
        lines.push(cur);
        lineEnds.push(i);
        escapedBreak.push(true);
        cur = [];
        i += n === "\n" ? 2 : 3;
        continue;
      }
      if (n !== undefined && n in SIMPLE_ESCAPES) {
        cur.push({ ch: SIMPLE_ESCAPES[n], off: i, escaped: true });
        i += 2;
        continue;
      }
      const len = n === undefined ? undefined : HEX_ESCAPES[n];
      if (len === undefined) return null;
      const hex = text.slice(i + 2, i + 2 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return null;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      for (const unit of String.fromCodePoint(code).split("")) cur.push({ ch: unit, off: i, escaped: true });
      i += 2 + len;
      continue;
    }
    cur.push({ ch: c, off: i, escaped: false });
    i++;
  }
  lines.push(cur);

  const chars: string[] = [];
  const offs: number[] = [];
  const emit = (ch: string, off: number) => {
    chars.push(ch);
    offs.push(off);
  };
  const last = lines.length - 1;
  const content = (k: number): Piece[] => {
    let line = lines[k];
    let a = 0;
    let b = line.length;
    if (k > 0) while (a < b && isBlank(line[a])) a++;
    if (k < last && !escapedBreak[k]) while (b > a && isBlank(line[b - 1])) b--;
    return line.slice(a, b);
  };
  for (const p of content(0)) emit(p.ch, p.off);
  let k = 1;
  while (k <= last) {
    if (escapedBreak[k - 1]) {
      for (const p of content(k)) emit(p.ch, p.off);
      k++;
      continue;
    }
    // Blank lines between two content lines become newlines; no blank line
    // means the break folds into one space.
    let j = k;
    while (j < last && content(j).length === 0) j++;
    if (j === k) emit(" ", lineEnds[k - 1]);
    else for (let b = k; b < j; b++) emit("\n", lineEnds[b - 1]);
    for (const p of content(j)) emit(p.ch, p.off);
    k = j + 1;
  }
  return [chars.join(""), offs];
}

function blockOffsets(text: string, start: number, end: number, folded: boolean): [string, number[]] | null {
  const headerEnd = text.indexOf("\n", start);
  if (headerEnd < 0 || headerEnd >= end) return null;
  if (/[1-9]/.test(text.slice(start, headerEnd).split("#")[0])) return null; // explicit indentation: not modelled
  const lines: { text: string; off: number }[] = [];
  let p = headerEnd + 1;
  while (p < end) {
    let q = text.indexOf("\n", p);
    if (q < 0 || q > end) q = end;
    lines.push({ text: text.slice(p, q).replace(/\r$/, ""), off: p });
    p = q + 1;
  }
  const first = lines.find((l) => l.text.trim() !== "");
  if (first === undefined) return ["", []];
  const indent = first.text.length - first.text.trimStart().length;
  const body = lines.map((l) => ({ text: l.text.slice(indent), off: l.off + indent, blank: l.text.trim() === "" }));
  while (body.length > 0 && body[body.length - 1].blank) body.pop();

  const chars: string[] = [];
  const offs: number[] = [];
  const emitLine = (l: { text: string; off: number }) => {
    for (let i = 0; i < l.text.length; i++) {
      chars.push(l.text[i]);
      offs.push(l.off + i);
    }
  };
  const emitBreaks = (n: number, at: number) => {
    for (let i = 0; i < n; i++) {
      chars.push("\n");
      offs.push(at);
    }
  };
  let prev: "none" | "normal" | "more" = "none";
  let blanks = 0;
  let prevEnd = headerEnd;
  for (const l of body) {
    if (l.blank) {
      blanks++;
      continue;
    }
    const kind = /^[ \t]/.test(l.text) ? "more" : "normal";
    if (prev === "none") emitBreaks(blanks, prevEnd);
    else if (!folded || prev === "more" || kind === "more") emitBreaks(blanks + 1, prevEnd);
    else if (blanks === 0) {
      chars.push(" ");
      offs.push(prevEnd);
    } else emitBreaks(blanks, prevEnd);
    emitLine(l);
    prev = kind;
    blanks = 0;
    prevEnd = l.off + l.text.length;
  }
  return [chars.join(""), offs];
}
