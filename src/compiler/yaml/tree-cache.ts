// Parsed rule files, cached (../cache.ts): parsing YAML is most of what a
// build of unchanged rules does (~300 ms for the default pack, nearly all
// of it yaml's code running cold), and a file's tree depends only on its
// text and this code. An entry is the tree with source offsets and the line
// starts; positions are computed from them as on a fresh parse. Files with
// YAML problems are not cached, so every problem is reported every time.
//
// Entry: JSON {key, lines, docs}; a node is [0, start, end, value, style,
// empty] (scalar), [1, start, end, [key, value, ...]] (map) or
// [2, start, end, [item, ...]] (list). Everything is checked on reading.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { codeVersion, lookup, store } from "../cache.js";
import { MAX_DEPTH } from "../limits.js";
import type { Problems } from "./problems.js";
import { keyText, LineIndex, parseYamlFile, posAt, type SourceText, type YDoc, type YNode, type YScalar } from "./yaml-positions.js";

const FORMAT = 1;
const STYLES = new Set(["PLAIN", "QUOTE_SINGLE", "QUOTE_DOUBLE", "BLOCK_LITERAL", "BLOCK_FOLDED"]);

type Stored = [0, number, number, string | number | boolean | null, string, 0 | 1] | [1, number, number, Stored[]] | [2, number, number, Stored[]];

let version: string | undefined;
/** This folder's code and yaml's version: either changing makes every entry miss. */
function treeVersion(): string {
  version ??= JSON.stringify([FORMAT, codeVersion(path.dirname(fileURLToPath(import.meta.url))), (createRequire(import.meta.url)("yaml/package.json") as { version: string }).version]);
  return version;
}

const keyOf = (text: string): Buffer => createHash("sha256").update(treeVersion()).update("\0").update(text).digest();

/** The documents of a rule file, from the cache or parsed (and then stored when it had no problems). */
export function readYamlFile(file: { path: string; text: string }, problems: Problems, cacheDir?: string): YDoc[] {
  const key = keyOf(file.text);
  const cached = lookup(key, ".yaml.json", (bytes) => decode(bytes, key, file), cacheDir);
  if (cached) return cached;
  const before = problems.count;
  const docs = parseYamlFile(file, problems);
  if (problems.count === before && docs.length > 0) {
    const entry = encode(docs, key);
    if (entry) store(key, ".yaml.json", entry, cacheDir);
  }
  return docs;
}

/** The entry, or undefined when a value would not survive JSON (non-finite numbers, -0). */
function encode(docs: YDoc[], key: Buffer): Buffer | undefined {
  let ok = true;
  const node = (n: YNode): Stored => {
    if (n.t === "map") return [1, n.start, n.end, n.entries.flatMap((e) => [node(e.keyNode), node(e.value)])];
    if (n.t === "seq") return [2, n.start, n.end, n.items.map(node)];
    if (typeof n.value === "number" && (!Number.isFinite(n.value) || Object.is(n.value, -0))) ok = false;
    return [0, n.start, n.end, n.value, n.style, n.empty ? 1 : 0];
  };
  const stored = docs.map((d) => node(d.root));
  return ok ? Buffer.from(JSON.stringify({ key: key.toString("hex"), lines: docs[0].src.lines.starts, docs: stored })) : undefined;
}

class Damaged extends Error {}

function check(ok: boolean): void {
  if (!ok) throw new Damaged();
}

/** The documents of an entry if it is for `key` and every node in it is well formed; else undefined. */
function decode(bytes: Buffer, key: Buffer, file: { path: string; text: string }): YDoc[] | undefined {
  try {
    const entry = JSON.parse(bytes.toString("utf8")) as { key: unknown; lines: unknown; docs: unknown };
    check(entry.key === key.toString("hex") && Array.isArray(entry.lines) && Array.isArray(entry.docs) && entry.docs.length > 0);
    const lines = entry.lines as unknown[];
    lines.forEach((v, i) => check(Number.isInteger(v) && (v as number) >= (i === 0 ? 0 : (lines[i - 1] as number)) && (v as number) <= file.text.length));
    const src: SourceText = { path: file.path, text: file.text, lines: new LineIndex(lines as number[]) };
    return (entry.docs as unknown[]).map((d) => ({ src, root: node(d, src, 1) }));
  } catch (err) {
    if (err instanceof Damaged || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

// Runs once per node of every rule file, as cold code: no allocations beyond the node itself.
function node(raw: unknown, src: SourceText, depth: number): YNode {
  if (!Array.isArray(raw) || depth > MAX_DEPTH) throw new Damaged();
  const t: unknown = raw[0];
  const start: unknown = raw[1];
  const end: unknown = raw[2];
  if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0 || (start as number) > (end as number) || (end as number) > src.text.length) throw new Damaged();
  const base = { src, start: start as number, end: end as number, pos: posAt(src, start as number) };
  if (t === 0) {
    const value: unknown = raw[3];
    const kind = typeof value;
    if (raw.length !== 6 || !(value === null || kind === "string" || kind === "number" || kind === "boolean") || !STYLES.has(raw[4]) || (raw[5] !== 0 && raw[5] !== 1)) throw new Damaged();
    return { t: "scalar", value: value as YScalar["value"], style: raw[4] as string, empty: raw[5] === 1, ...base };
  }
  const body: unknown = raw[3];
  if (raw.length !== 4 || !Array.isArray(body)) throw new Damaged();
  const children = body.map((c) => node(c, src, depth + 1));
  if (t === 2) return { t: "seq", items: children, ...base };
  check(t === 1 && children.length % 2 === 0);
  const entries = [];
  for (let i = 0; i < children.length; i += 2) {
    const keyNode = children[i];
    check(keyNode.t === "scalar" && keyNode.value !== null);
    entries.push({ key: keyText(keyNode as YScalar), keyNode: keyNode as YScalar, value: children[i + 1] });
  }
  return { t: "map", entries, ...base };
}
