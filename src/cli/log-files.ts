// Which files `tripline test` replays: files named directly, files found
// below named folders (walked recursively, like rule folders), `.gz` files
// (decompressed), and `-` for standard input. A file found in a folder that
// is not a log is skipped: by its name (configs, code, modules), or by its
// content (NUL bytes, or not one of its first lines read as access, error,
// syslog or JSON by the module itself). A file named directly is skipped
// only by its name or for NUL bytes: rules may match lines of no known
// format, and the user asked for that file.
//
// A log is read in pieces of 1 MiB (smaller when many are merged), never
// as one string: V8 strings stop at 2^29 - 24 characters, so a 600 MB log
// read whole stopped `tripline test` with an internal error. `.gz` logs are
// decompressed piece by piece too (held whole, a .gz of 576 MB of log took
// 1.3 GB resident). Standard input and pipes (`<(...)`, a named FIFO) can be
// read only once: they are held as bytes, as they came.
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { Gunzip } from "fflate";
import { filesBelow } from "../walk.js";
import { UsageError } from "./args.js";
import { mustExist } from "./options.js";
import { records, recognisedAs, type LogFile, type ReplayOptions } from "../logs/replay.js";
import type { FluentBitHost } from "../host/host.js";

/** Extensions that are never logs: skipped when found in a folder. */
const NOT_LOGS = /\.(conf|ya?ml|toml|json5|ini|lua|wasm|aot|js|mjs|cjs|ts|py|sh|md|html|css|png|jpe?g|gif|svg|pdf|zip|tar|tgz|7z|so|o|a)$/i;
/** How many records are looked at to decide whether a file holds logs. */
const SNIFF_RECORDS = 20;

export interface Skipped {
  file: string;
  why: string;
}

const PIECE = 1 << 20;
/** Bytes looked at for NUL (binary files) and the gzip magic. */
const HEAD = 8192;
/** A longer line stops the replay with a clear message (Fluent Bit's tail skips or cuts lines far shorter). */
const LONGEST_LINE = 64 << 20;

function cannotRead(file: string, why: string): UsageError {
  return new UsageError(`cannot read '${file === "-" ? "standard input" : file}': ${why}`);
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * A file's bytes in pieces, read as they are needed. The file is opened for
 * each piece, not held open between: a merge of many logs reads them all at
 * once and would otherwise hold as many descriptors.
 */
function* filePieces(file: string, size: number, read?: (bytes: number) => void): Generator<Uint8Array> {
  const buffer = Buffer.allocUnsafe(size);
  for (let position = 0, n = readAt(file, buffer, position); n > 0; position += n, n = readAt(file, buffer, position)) {
    read?.(n);
    yield buffer.subarray(0, n);
  }
}

function readAt(file: string, buffer: Buffer, position: number): number {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    return readSync(fd, buffer, 0, buffer.length, position);
  } catch (err) {
    throw cannotRead(file, errorCode(err));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function* memoryPieces(bytes: Uint8Array, size: number, read?: (bytes: number) => void): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    read?.(piece.length);
    yield piece;
  }
}

/** Piece size when `together` logs are read at once: 1 MiB alone, less for many, so that all pending pieces stay near 64 MiB. */
function pieceSize(together: number): number {
  return Math.max(64 << 10, Math.min(PIECE, Math.floor((64 << 20) / together)));
}

/** The lines of UTF-8 text arriving in pieces, exactly as text.split("\n") gives them (a leading byte order mark dropped, as TextDecoder does). */
function* linesOf(file: string, pieces: Iterable<Uint8Array>): Generator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  let line = 1;
  for (const piece of pieces) {
    const lines = (rest + decoder.decode(piece, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const text of lines) yield checked(text, line++);
    checked(rest, line);
  }
  yield rest + decoder.decode();

  function checked(text: string, line: number): string {
    if (text.length > LONGEST_LINE) throw new UsageError(`${file}:${line}: a line longer than ${LONGEST_LINE >> 20} MiB; tripline test reads lines of up to that`);
    return text;
  }
}

function head(file: string): Uint8Array {
  const buffer = Buffer.allocUnsafe(HEAD);
  return buffer.subarray(0, readAt(file, buffer, 0));
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Compressed bytes decompressed at a time: at most a few MiB of text even at 1000:1. */
const INFLATE_SLICE = 4096;

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (gzip's) of `bytes`, continuing from `crc`. */
function crc32(bytes: Uint8Array, crc: number): number {
  let c = ~crc;
  for (let k = 0; k < bytes.length; k++) c = CRC_TABLE[(c ^ bytes[k]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Gzip data arriving in pieces, decompressed as it arrives: one member or
 * several (`cat a.gz b.gz`), each checked against its trailer (CRC-32 and
 * length), as gunzip does, so a damaged archive stops the replay instead of
 * feeding it garbage. Lines decompressed before the damage have been replayed.
 */
function* gunzipped(file: string, pieces: Iterable<Uint8Array>): Generator<Uint8Array> {
  const damaged = () => cannotRead(file, "not a gzip file (or a damaged one)");
  let out: Uint8Array[] = [];
  let crc = 0;
  let size = 0; // of the member being decompressed, mod 2^32 as the trailer holds it
  let seen = 0; // compressed bytes before `piece`
  let piece: Uint8Array = new Uint8Array(0);
  let before = new Uint8Array(0); // the last 8 compressed bytes before `piece`
  /** The member ending at stream offset `end` has the CRC and length its trailer (the 8 bytes before `end`) says. */
  const check = (end: number) => {
    const trailer = new Uint8Array(8);
    for (let k = 0; k < 8; k++) {
      const at = end - 8 + k - seen;
      trailer[k] = at >= 0 ? piece[at] : before[before.length + at];
    }
    const view = new DataView(trailer.buffer);
    if (view.getUint32(0, true) !== crc || view.getUint32(4, true) !== size) throw damaged();
    crc = 0;
    size = 0;
  };
  const stream = new Gunzip((data) => {
    crc = crc32(data, crc);
    size = (size + data.length) >>> 0;
    if (data.length > 0) out.push(data);
  });
  stream.onmember = check; // called with the next member's offset, after the last one's data
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      stream.push(chunk, final);
    } catch {
      throw damaged();
    }
  };
  for (const whole of pieces) {
    // Pushed in slices, each one's output passed on before the next: logs
    // compress 20 to 1000 times, and a whole piece would decompress at once.
    for (let at = 0; at < whole.length; at += INFLATE_SLICE) {
      const p = whole.subarray(at, at + INFLATE_SLICE);
      piece = p;
      push(p, false);
      yield* out;
      out = [];
      const joined = new Uint8Array(before.length + p.length);
      joined.set(before);
      joined.set(p, before.length);
      before = joined.subarray(Math.max(0, joined.length - 8));
      seen += p.length;
    }
  }
  piece = new Uint8Array(0);
  push(piece, true);
  yield* out;
  // Smaller than a header and a trailer: not gzip (an empty .gz among them).
  if (seen < 18) throw damaged();
  check(seen);
}

function readWhole(file: string): Uint8Array {
  try {
    return file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw cannotRead(file, errorCode(err));
  }
}

/**
 * Whether the log can only be read once, start to end: standard input, and
 * pipes or devices named as files (bash's `<(...)` names /dev/fd/63), which
 * cannot be read by position.
 */
function readOnce(file: string): boolean {
  if (file === "-") return true;
  try {
    return !statSync(file).isFile();
  } catch (err) {
    throw cannotRead(file, errorCode(err));
  }
}

/** The first `n` bytes the pieces give (fewer when they end first). */
function leading(pieces: Iterable<Uint8Array>, n: number): Uint8Array {
  const taken: Uint8Array[] = [];
  let length = 0;
  for (const piece of pieces) {
    taken.push(piece.slice(0, n - length));
    length += taken[taken.length - 1].length;
    if (length >= n) break;
  }
  return Buffer.concat(taken);
}

/** A log to replay (`.gz` files, and gzip on standard input or a pipe, decompressed as read), and whether its first bytes hold a NUL. */
export function openLog(file: string): { log: LogFile; binary: boolean } {
  // What can be read only once is held as it came (compressed or not).
  const input = readOnce(file) ? readWhole(file) : null;
  const first = input ?? head(file);
  const gzip = file.endsWith(".gz") || isGzip(first);
  const name = file === "-" ? "(stdin)" : file;
  const pieces = (size: number, read?: (bytes: number) => void): Iterable<Uint8Array> => {
    const raw = input ? memoryPieces(input, size, read) : filePieces(file, size, read);
    return gzip ? gunzipped(file, raw) : raw;
  };
  // Progress counts bytes as read (compressed ones for .gz): the size is known from the start.
  const lines = (together = 1, read?: (bytes: number) => void): Iterable<string> => linesOf(name, pieces(pieceSize(together), read));
  const text = gzip ? leading(pieces(HEAD), HEAD) : first;
  return { log: { file: name, bytes: input ? input.length : statSync(file).size, lines }, binary: text.subarray(0, HEAD).includes(0) };
}

/** Whether the module reads any of the first records as a known format (inspect changes no state). */
function anyRecognised(host: FluentBitHost, log: LogFile, options: ReplayOptions): boolean {
  let n = 0;
  for (const r of records(log.lines(), options)) {
    const seen = host.inspect(options.tag, r.time, r.json) as { readable: boolean; shape?: string; formats?: string[] };
    const kind = recognisedAs(seen.readable ? { shape: seen.shape ?? "unknown", formats: seen.formats ?? [] } : null);
    if (kind !== "unknown" && kind !== "unreadable") return true;
    if (++n >= SNIFF_RECORDS) break;
  }
  return false;
}

/** Whether a log has no line but blank ones (it gives no record). */
function isEmpty(log: LogFile, options: ReplayOptions): boolean {
  for (const _ of records(log.lines(), options)) return false;
  return true;
}

/** Paths named on the command line that do not exist: checked before any slow work. */
export function checkLogPaths(paths: string[]): void {
  for (const p of paths) if (p !== "-") mustExist(p, "log file");
}

/** The logs to replay and the files skipped, with why. */
export function findLogs(paths: string[], host: FluentBitHost, options: ReplayOptions): { logs: LogFile[]; skipped: Skipped[] } {
  const skipped: Skipped[] = [];
  const named = new Set(paths);
  const found = filesBelow(
    paths.filter((p) => p !== "-"),
    () => true,
  );
  const logs: LogFile[] = [];
  if (paths.includes("-")) logs.push(openLog("-").log);
  for (const file of found) {
    if (NOT_LOGS.test(file)) {
      skipped.push({ file, why: "not a log by its name" });
      continue;
    }
    // A pipe or socket in a folder would wait for a writer forever; named on the command line, it is read.
    if (!named.has(file) && readOnce(file)) {
      skipped.push({ file, why: "not a regular file" });
      continue;
    }
    const { log, binary } = openLog(file);
    if (binary) {
      skipped.push({ file, why: "binary" });
      continue;
    }
    if (!named.has(file)) {
      if (isEmpty(log, options)) {
        skipped.push({ file, why: "empty" });
        continue;
      }
      if (!anyRecognised(host, log, options)) {
        skipped.push({ file, why: "no line read as access, syslog or JSON" });
        continue;
      }
    }
    logs.push(log);
  }
  return { logs, skipped };
}

/** One line for every file skipped, grouped by why (a few names each). */
export function skippedLine(skipped: Skipped[]): string {
  const byWhy = new Map<string, string[]>();
  for (const s of skipped) byWhy.set(s.why, [...(byWhy.get(s.why) ?? []), s.file]);
  const parts = [...byWhy].map(([why, files]) => `${files.length} ${why} (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", ..." : ""})`);
  return `skipped ${skipped.length} file(s) that are not logs: ${parts.join("; ")}`;
}
