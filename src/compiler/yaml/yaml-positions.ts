// Parses YAML text into a small tree (maps, lists, scalars) in which every
// node keeps its source position. Rule checks work on this tree, so each
// mistake can be reported as file:line:col.
//
// Why not doc.toJS(): it loses positions, and its own alias guard
// (maxAliasCount) throws without saying where. We expand aliases here and
// count them ourselves, so an alias bomb stops at the offending alias.

import { createRequire } from "node:module";
import type { Document, Scalar } from "yaml";
import type { SourcePos } from "../ir.js";
import { MAX_ALIAS_COUNT, MAX_DEPTH } from "../limits.js";
import type { Problems } from "./problems.js";

// yaml is loaded on first use: rule files read from the cache (tree-cache.ts)
// never need it, and loading it costs ~90 ms of every start.
let yamlLib: typeof import("yaml") | undefined;
const yaml = (): typeof import("yaml") => (yamlLib ??= createRequire(import.meta.url)("yaml") as typeof import("yaml"));

/** Where lines start, as yaml's parser reports them, and line:col of an offset as yaml's LineCounter computes it. */
export class LineIndex {
  constructor(readonly starts: number[] = []) {}
  readonly add = (offset: number): void => {
    this.starts.push(offset);
  };
  linePos(offset: number): { line: number; col: number } {
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid] < offset) low = mid + 1;
      else high = mid;
    }
    if (this.starts[low] === offset) return { line: low + 1, col: 1 };
    if (low === 0) return { line: 0, col: offset };
    return { line: low, col: offset - this.starts[low - 1] + 1 };
  }
}

export interface SourceText {
  path: string;
  text: string;
  lines: LineIndex;
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
  const src: SourceText = { path: file.path, text: file.text, lines: new LineIndex() };
  const { Composer, Parser, isScalar } = yaml();
  let docs: Document.Parsed[];
  try {
    // yaml's composer recurses once per nesting level; a stack overflow that
    // lands inside V8's regex compiler kills the process outright. So measure
    // the depth on the (iterative) CST parser first and refuse deep files.
    const tokens = [...new Parser(src.lines.add).parse(file.text)];
    const deep = tooDeepAt(tokens);
    if (deep !== undefined) {
      problems.add(posAt(src, deep), `nesting too deep (limit ${MAX_DEPTH} levels)`);
      return [];
    }
    // What parseAllDocuments does, minus prettyErrors (its context snippets
    // also misbehave on deep input; we format positions ourselves).
    const composer = new Composer({ version: "1.2", merge: false, uniqueKeys: true, logLevel: "silent" });
    docs = [...composer.compose(tokens)] as Document.Parsed[];
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
 */
function tooDeepAt(tokens: unknown[]): number | undefined {
  const limit = 2 * MAX_DEPTH;
  for (const token of tokens) {
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
    const y = yaml();
    if (y.isAlias(node)) {
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
      const at = y.isScalar(node) || y.isMap(node) || y.isSeq(node) ? this.base(node).pos : posAt(this.src, 0);
      throw new DocAbort(at, `nesting too deep (limit ${MAX_DEPTH} levels)`);
    }
    if (y.isScalar(node)) return this.scalar(node);
    if (y.isMap(node)) {
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
    if (y.isSeq(node)) {
      const seq: YSeq = { t: "seq", items: [], ...this.base(node) };
      for (const item of node.items) {
        seq.items.push(item === null || item === undefined ? emptyScalar(this.src, seq.start) : this.convert(item, depth + 1));
      }
      return seq;
    }
    throw new DocAbort(posAt(this.src, 0), "unsupported YAML node");
  }

  private scalar(node: Scalar): YScalar {
    const b = this.base(node);
    const v = node.value;
    let value: ScalarValue;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") value = v;
    else if (typeof v === "bigint") value = Number(v);
    else throw new DocAbort(b.pos, "unsupported YAML value");
    return { t: "scalar", value, style: String(node.type ?? "PLAIN"), empty: value === null && b.start === b.end, ...b };
  }

  private key(key: unknown, map: YMap): YScalar {
    const y = yaml();
    if (y.isScalar(key)) {
      const k = this.scalar(key);
      if (k.value === null) throw new DocAbort(k.pos, "empty map key");
      return k;
    }
    if (y.isAlias(key)) throw new DocAbort(this.base(key).pos, "aliases cannot be used as map keys here");
    if (y.isMap(key) || y.isSeq(key)) throw new DocAbort(this.base(key).pos, "map keys must be plain values, not lists or maps");
    throw new DocAbort(map.pos, "empty map key");
  }
}

function emptyScalar(src: SourceText, at: number): YScalar {
  return { t: "scalar", value: null, style: "PLAIN", empty: true, src, start: at, end: at, pos: posAt(src, at) };
}

export function keyText(k: YScalar): string {
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
