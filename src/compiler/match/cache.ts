// A content-addressed cache of compiled field automata. Building the
// automata of a large pattern set (the default pack's grammar families) is
// most of `tripline build`'s time, and the same pattern set compiles to the
// same automata every time, so they are kept on disk, keyed by a hash of
// everything the result depends on: the patterns in order (their ids
// renumbered 0..n-1, so rule files that number predicates differently
// share an entry), the budgets, and this compiler's version.
//
// Where entries live, and the checks on what is read: ../cache.ts.
//
// Entries are binary (automaton tables as they are in memory), so a hit
// costs a file read and a hash instead of parsing megabytes of JSON:
//   u32 magic "TRPA", u32 FORMAT, 32 bytes key (SHA-256), 32 bytes SHA-256
//   of the rest, u32 automata, then per automaton: u32 classes, u32 states,
//   u32 start, i32 dead (-1: none), u32 target width (2 or 4 bytes),
//   256 bytes class map, states x classes targets (padded to 4), then the
//   any-position and the end-of-input reports, each: u32 ids, (states + 1)
//   u32 offsets, the ids (u32, pattern-local: 0..patterns-1).
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheEnabled, codeVersion, lookup, store } from "../cache.js";
import { LITTLE_ENDIAN } from "./bytes.js";
import type { Dfa, PatternSpec } from "./types.js";

const MAGIC = 0x41505254; // "TRPA" little-endian
const FORMAT = 2;
const HEAD = 4 + 4 + 32 + 32;

let builder: string | undefined;
/** The automaton builder's own code (this folder), hashed: a changed builder never reads old entries. */
const builderVersion = (): string => (builder ??= codeVersion(path.dirname(fileURLToPath(import.meta.url))));

export interface CacheOptions {
  maxStates: number;
  maxAutomata: number;
  softStates?: number;
}

function keyOf(patterns: PatternSpec[], options: CacheOptions): Buffer {
  const h = createHash("sha256");
  h.update(JSON.stringify([FORMAT, builderVersion(), options.maxStates, options.maxAutomata, options.softStates ?? null]));
  h.update(patterns.map((p) => JSON.stringify([p.op, p.value, p.cased]) + "\n").join(""));
  return h.digest();
}

/** The u32 words of an entry, little-endian whatever the host. */
class Words {
  private readonly view: DataView;
  private at = 0;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get done(): boolean {
    return this.at === this.bytes.length;
  }
  u32(): number {
    const v = this.view.getUint32(this.at, true); // past the end throws RangeError: a damaged entry
    this.at += 4;
    return v;
  }
  /** The next `count` values of `width` bytes each, then padding to 4; each must be below `limit`. */
  values(count: number, width: 1 | 2 | 4, limit: number): Uint32Array {
    if (this.at + count * width > this.bytes.length) throw new RangeError("truncated");
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const v = width === 1 ? this.bytes[this.at + i] : width === 2 ? this.view.getUint16(this.at + i * 2, true) : this.view.getUint32(this.at + i * 4, true);
      if (v >= limit) throw new RangeError("value out of range");
      out[i] = v;
    }
    this.at += (count * width + 3) & ~3;
    return out;
  }
  /**
   * An automaton's targets, each checked to be below `limit`: a view of the
   * entry itself where the host allows (little-endian, aligned), as they are
   * written into the program without a copy.
   */
  targets(count: number, width: 2 | 4, limit: number): Uint16Array | Uint32Array {
    const offset = this.bytes.byteOffset + this.at;
    if (!LITTLE_ENDIAN || offset % width !== 0) return width === 2 ? Uint16Array.from(this.values(count, 2, limit)) : this.values(count, 4, limit);
    if (this.at + count * width > this.bytes.length) throw new RangeError("truncated");
    const out = width === 2 ? new Uint16Array(this.bytes.buffer, offset, count) : new Uint32Array(this.bytes.buffer, offset, count);
    for (let i = 0; i < count; i++) if (out[i] >= limit) throw new RangeError("target out of range");
    this.at += (count * width + 3) & ~3;
    return out;
  }
}

class Damaged extends Error {}

/** Most states report nothing: they share one empty list (read-only by every consumer), not tens of thousands of their own. */
const NO_IDS: number[] = Object.freeze([]) as unknown as number[];

/** Reads the per-state id lists written by `writeLists`. */
function readLists(r: Words, states: number, ids: readonly number[]): number[][] {
  const total = r.u32();
  const offsets = r.values(states + 1, 4, total + 1);
  const flat = r.values(total, 4, ids.length);
  const lists: number[][] = [];
  for (let s = 0; s < states; s++) {
    const begin = offsets[s];
    const end = offsets[s + 1];
    if (begin > end) throw new Damaged();
    if (begin === end) {
      lists.push(NO_IDS);
      continue;
    }
    const list = new Array<number>(end - begin);
    for (let i = begin; i < end; i++) list[i - begin] = ids[flat[i]];
    lists.push(list);
  }
  if (offsets[0] !== 0 || offsets[states] !== total) throw new Damaged();
  return lists;
}

/**
 * The automata of entry `bytes` if it is whole, for `key`, and every state,
 * class and pattern in it is in range; pattern k of the entry reported as `ids[k]`.
 */
function decode(bytes: Uint8Array, key: Buffer, ids: readonly number[]): Dfa[] | undefined {
  try {
    const r = new Words(bytes);
    if (r.u32() !== MAGIC || r.u32() !== FORMAT) return undefined;
    if (bytes.length < HEAD || !key.equals(bytes.subarray(8, 40))) return undefined;
    if (!createHash("sha256").update(bytes.subarray(HEAD)).digest().equals(bytes.subarray(40, HEAD))) return undefined;
    const body = new Words(bytes.subarray(HEAD));
    const automata: Dfa[] = [];
    for (let n = body.u32(); n > 0; n--) {
      const classCount = body.u32();
      const stateCount = body.u32();
      const start = body.u32();
      const dead = body.u32() | 0;
      const width = body.u32() as 2 | 4;
      if (classCount < 1 || classCount > 256 || stateCount < 1 || start >= stateCount || dead < -1 || dead >= stateCount || (width !== 2 && width !== 4)) return undefined;
      const classMap = Uint8Array.from(body.values(256, 1, classCount));
      const next = body.targets(stateCount * classCount, width, stateCount);
      const emitAnywhere = readLists(body, stateCount, ids);
      const emitAtEnd = readLists(body, stateCount, ids);
      automata.push({ classMap, classCount, stateCount, start, next, emitAnywhere, emitAtEnd, dead });
    }
    return body.done ? automata : undefined;
  } catch (err) {
    if (err instanceof RangeError || err instanceof Damaged) return undefined;
    throw err;
  }
}

/** Little-endian u32 words and byte runs, collected for one entry. */
class EntryWriter {
  private readonly parts: Uint8Array[] = [];
  u32(...values: number[]): void {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4));
    this.parts.push(b);
  }
  /** `values` at `width` bytes each, padded to 4. */
  values(values: ArrayLike<number>, width: 1 | 2 | 4): void {
    const b = Buffer.alloc((values.length * width + 3) & ~3);
    for (let i = 0; i < values.length; i++) {
      if (width === 1) b[i] = values[i];
      else if (width === 2) b.writeUInt16LE(values[i], i * 2);
      else b.writeUInt32LE(values[i], i * 4);
    }
    this.parts.push(b);
  }
  concat(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function writeLists(w: EntryWriter, lists: number[][]): void {
  const offsets = [0];
  for (const l of lists) offsets.push(offsets[offsets.length - 1] + l.length);
  w.u32(offsets[offsets.length - 1]);
  w.values(offsets, 4);
  w.values(lists.flat(), 4);
}

function encode(automata: Dfa[], key: Buffer): Buffer {
  const w = new EntryWriter();
  w.u32(automata.length);
  for (const d of automata) {
    const width = d.next.BYTES_PER_ELEMENT as 2 | 4;
    w.u32(d.classCount, d.stateCount, d.start, d.dead, width);
    w.values(d.classMap, 1);
    w.values(d.next, width);
    writeLists(w, d.emitAnywhere);
    writeLists(w, d.emitAtEnd);
  }
  const body = w.concat();
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(FORMAT, 4);
  return Buffer.concat([head, key, createHash("sha256").update(body).digest(), body]);
}

/**
 * The automata of `patterns`, from the cache or from `compile` (whose result
 * is then stored). Pattern ids in the automata are renumbered to the
 * caller's. `writeTo` overrides where a new result goes (the package build
 * fills PACKAGE_CACHE).
 */
export function cachedAutomata(patterns: PatternSpec[], options: CacheOptions, compile: (local: PatternSpec[]) => Dfa[], writeTo?: string): Dfa[] {
  const local = patterns.map((p, i) => ({ ...p, id: i }));
  if (!cacheEnabled()) return renumber(compile(local), patterns);
  const key = keyOf(patterns, options);
  const hit = lookup(key, ".bin", (bytes) => decode(bytes, key, patterns.map((p) => p.id)), writeTo);
  if (hit) return hit;
  const built = compile(local);
  store(key, ".bin", encode(built, key), writeTo);
  return renumber(built, patterns);
}

/** Local ids 0..n-1 back to the patterns' own ids. */
function renumber(automata: Dfa[], patterns: PatternSpec[]): Dfa[] {
  const id = (k: number) => patterns[k].id;
  const lists = (ls: number[][]) => ls.map((l) => (l.length === 0 ? l : l.map(id)));
  return automata.map((d) => ({ ...d, emitAnywhere: lists(d.emitAnywhere), emitAtEnd: lists(d.emitAtEnd) }));
}
