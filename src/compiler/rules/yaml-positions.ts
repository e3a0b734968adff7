// Parses YAML text into a small tree (maps, lists, scalars) in which every
// node keeps its source position. Rule checks work on this tree, so each
// mistake can be reported as file:line:col.
//
// Why not doc.toJS(): it loses positions, and its own alias guard
// (maxAliasCount) throws without saying where. We expand aliases here and
// count them ourselves, so an alias bomb stops at the offending alias.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, Parser, type Document } from "yaml";
import type { SourcePos } from "../ir.js";
import { MAX_ALIAS_COUNT, MAX_DEPTH } from "./limits.js";
import type { Problems } from "./problems.js";

export interface SourceText {
  path: string;
  text: string;
  lines: LineCounter;
}

interface YBase {
  src: SourceText;
  /** Source offsets [start, end) of the node's value. */
  start: number;
  end: number;
  pos: SourcePos;
}

export type ScalarValue = string | number | boolean | null;

export interface YScalar extends YBase {
  t: "scalar";
  value: ScalarValue;
  /** yaml's scalar style: PLAIN, QUOTE_SINGLE, QUOTE_DOUBLE, BLOCK_LITERAL, BLOCK_FOLDED. */
  style: string;
  /** True for `key:` with nothing after it (as opposed to an explicit `null` or `~`). */
  empty: boolean;
}

export interface YEntry {
  key: string;
  keyNode: YScalar;
  value: YNode;
}

export interface YMap extends YBase {
  t: "map";
  entries: YEntry[];
}

export interface YSeq extends YBase {
  t: "seq";
  items: YNode[];
}

export type YNode = YScalar | YMap | YSeq;

export interface YDoc {
  src: SourceText;
  root: YNode;
}

export function posAt(src: SourceText, offset: number): SourcePos {
  const { line, col } = src.lines.linePos(Math.max(0, Math.min(offset, src.text.length)));
  return { file: src.path, line: Math.max(line, 1), col: Math.max(col, 1) };
}

/** Stops converting one document; carries the error to report. */
class DocAbort {
  constructor(
    readonly pos: SourcePos,
    readonly detail: string,
  ) {}
}

/**
 * Parses every document of one file. Problems (syntax errors, alias bombs,
 * too deep nesting) are recorded and the broken document is skipped. Empty
 * documents (nothing but comments) are skipped silently.
 */
export function parseYamlFile(file: { path: string; text: string }, problems: Problems): YDoc[] {
  const src: SourceText = { path: file.path, text: file.text, lines: new LineCounter() };
  let docs: Document.Parsed[];
  try {
    // yaml's composer recurses once per nesting level; a stack overflow that
    // lands inside V8's regex compiler kills the process outright. So measure
    // the depth on the (iterative) CST parser first and refuse deep files.
    const deep = tooDeepAt(file.text, src.lines);
    if (deep !== undefined) {
      problems.add(posAt(src, deep), `nesting too deep (limit ${MAX_DEPTH} levels)`);
      return [];
    }
    const parsed = parseAllDocuments(file.text, {
      // prettyErrors builds context snippets with regexes that run out of
      // memory on very deep input; we format positions ourselves anyway.
      prettyErrors: false,
      version: "1.2",
      merge: false,
      uniqueKeys: true,
      logLevel: "silent",
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    problems.add(posAt(src, 0), `YAML syntax error: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }

  const out: YDoc[] = [];
  for (const doc of docs) {
    if (reportYamlProblems(doc, src, problems)) continue;
    const contents = doc.contents;
    if (contents === null) continue;
    if (isScalar(contents) && contents.value === null && contents.range && contents.range[0] === contents.range[1]) continue;
    try {
      const root = new Converter(doc, src).convert(contents, 1);
      out.push({ src, root });
    } catch (e) {
      if (!(e instanceof DocAbort)) throw e;
      problems.add(e.pos, e.detail);
    }
  }
  return out;
}

/**
 * Offset of the first CST node nested deeper than twice MAX_DEPTH, or
 * undefined. (Depths between the two are reported precisely by Converter.)
 * Also fills `lines`, which the composer then does not need to.
 */
function tooDeepAt(text: string, lines: LineCounter): number | undefined {
  const limit = 2 * MAX_DEPTH;
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    const stack: [unknown, number][] = [[token, 0]];
    while (stack.length > 0) {
      const [t, depth] = stack.pop()!;
      if (t === null || typeof t !== "object") continue;
      const tok = t as { offset?: number; value?: unknown; items?: { key?: unknown; value?: unknown }[] };
      if (depth > limit && typeof tok.offset === "number") return tok.offset;
      if ("type" in tok && tok.type === "document") stack.push([tok.value, depth + 1]);
      for (const item of tok.items ?? []) {
        stack.push([item.key, depth + 1]);
        stack.push([item.value, depth + 1]);
      }
    }
  }
  return undefined;
}

/** Records the document's YAML errors and warnings; true when there were any. */
function reportYamlProblems(doc: Document.Parsed, src: SourceText, problems: Problems): boolean {
  const all = [...doc.errors, ...doc.warnings];
  let exhausted = false;
  for (const e of all) {
    const pos = posAt(src, e.pos[0]);
    const msg = e.message.replace(/\s+/g, " ").trim();
    if (e.code === "RESOURCE_EXHAUSTION") {
      // yaml reports one of these per level it could not descend; one is enough.
      if (!exhausted) problems.add(pos, "YAML nesting too deep (the YAML parser ran out of stack)");
      exhausted = true;
    } else if (e.code === "DUPLICATE_KEY") {
      problems.add(pos, "duplicate key (keys must be unique within a map)");
    } else {
      problems.add(pos, `YAML syntax error: ${msg}`);
    }
  }
  return all.length > 0;
}

class Converter {
  private aliases = 0;
  private outerAlias: SourcePos | undefined;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly src: SourceText,
  ) {}

  private base(node: { range?: [number, number, number] | null }): YBase {
    const [start, end] = node.range ?? [0, 0];
    return { src: this.src, start, end, pos: posAt(this.src, start) };
  }

  convert(node: unknown, depth: number): YNode {
    if (isAlias(node)) {
      const at = this.base(node).pos;
      this.aliases++;
      if (this.aliases > MAX_ALIAS_COUNT) {
        // Report at the alias written where the expansion started, not at
        // some alias deep inside the anchored content.
        throw new DocAbort(this.outerAlias ?? at, `too many YAML alias expansions (limit ${MAX_ALIAS_COUNT}); this looks like an alias bomb`);
      }
      const target = node.resolve(this.doc);
      if (target === undefined) throw new DocAbort(at, `unknown YAML alias '*${node.source}'`);
      const outer = this.outerAlias;
      this.outerAlias ??= at;
      try {
        return this.convert(target, depth);
      } finally {
        this.outerAlias = outer;
      }
    }
    if (depth > MAX_DEPTH) {
      const at = isScalar(node) || isMap(node) || isSeq(node) ? this.base(node).pos : posAt(this.src, 0);
      throw new DocAbort(at, `nesting too deep (limit ${MAX_DEPTH} levels)`);
    }
    if (isScalar(node)) return this.scalar(node);
    if (isMap(node)) {
      const map: YMap = { t: "map", entries: [], ...this.base(node) };
      for (const pair of node.items) {
        const keyNode = this.key(pair.key, map);
        const value =
          pair.value === null || pair.value === undefined
            ? emptyScalar(this.src, keyNode.end)
            : this.convert(pair.value, depth + 1);
        map.entries.push({ key: String(keyText(keyNode)), keyNode, value });
      }
      return map;
    }
    if (isSeq(node)) {
      const seq: YSeq = { t: "seq", items: [], ...this.base(node) };
      for (const item of node.items) {
        seq.items.push(item === null || item === undefined ? emptyScalar(this.src, seq.start) : this.convert(item, depth + 1));
      }
      return seq;
    }
    throw new DocAbort(posAt(this.src, 0), "unsupported YAML node");
  }

  private scalar(node: import("yaml").Scalar): YScalar {
    const b = this.base(node);
    const v = node.value;
    let value: ScalarValue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") value = v;
    else if (typeof v === "bigint") value = Number(v);
    else throw new DocAbort(b.pos, "unsupported YAML value");
    return { t: "scalar", value, style: String(node.type ?? "PLAIN"), empty: value === null && b.start === b.end, ...b };
  }

  private key(key: unknown, map: YMap): YScalar {
    if (isScalar(key)) {
      const k = this.scalar(key);
      if (k.value === null) throw new DocAbort(k.pos, "empty map key");
      return k;
    }
    if (isAlias(key)) throw new DocAbort(this.base(key).pos, "aliases cannot be used as map keys here");
    if (isMap(key) || isSeq(key)) throw new DocAbort(this.base(key).pos, "map keys must be plain values, not lists or maps");
    throw new DocAbort(map.pos, "empty map key");
  }
}

function emptyScalar(src: SourceText, at: number): YScalar {
  return { t: "scalar", value: null, style: "PLAIN", empty: true, src, start: at, end: at, pos: posAt(src, at) };
}

function keyText(k: YScalar): string {
  return scalarText(k) ?? "";
}

/** The source text of a scalar as written (numbers keep their spelling: `1.10`, `0x1F`). */
export function rawText(s: YScalar): string {
  return s.src.text.slice(s.start, s.end).trim();
}

/**
 * A scalar as a string: strings as parsed, numbers and booleans as written in
 * the source (so `404` is "404" and `1.10` stays "1.10"), null as undefined.
 */
export function scalarText(s: YScalar): string | undefined {
  if (s.value === null) return undefined;
  if (typeof s.value === "string") return s.value;
  return rawText(s);
}

export function describe(n: YNode): string {
  if (n.t === "map") return "a map";
  if (n.t === "seq") return "a list";
  if (n.value === null) return n.empty ? "nothing" : "null";
  if (typeof n.value === "string") return `'${n.value}'`;
  return rawText(n);
}

// ---------------------------------------------------------------------------
// Positions inside a string scalar, for errors that point into a value (a
// condition's selection name, a modifier inside a key). YAML may fold lines,
// strip indentation and decode escapes, so we rebuild the value from the
// source while recording where each character came from. If the rebuilt text
// does not equal the parsed value (a style we do not model), every index maps
// to the scalar's start: less precise, never wrong about the line.

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
