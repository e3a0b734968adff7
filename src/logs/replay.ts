// Turns log lines into the records Fluent Bit would hand the filter, with
// each line's own event time, and runs them through the Fluent Bit-exact host.
import { fluentBitJson } from "../host/json.js";
import type { FluentBitHost, Outcome } from "../host/host.js";
import { parseWith, timeOfJson, timeOfRawLine, type ParserName } from "./parsers.js";

export interface ReplayOptions {
  /** Parse lines as this stock parser would; without one, JSON lines are records and others become {"log": line}. */
  parser?: ParserName;
  /** Year for syslog times that carry none. */
  year: number;
  tag: string;
  /** The module's namespace key (`tripline build --namespace`). */
  namespace?: string;
}

export interface LogRecord {
  line: number;
  time: number;
  json: string;
  /** The line as logged (without a trailing carriage return). */
  text: string;
}

/** The record for one line. `previous` is the last known time, used when a line carries none. */
export function recordOf(text: string, options: ReplayOptions, previous: number): { json: string; time: number } {
  if (options.parser) {
    const parsed = parseWith(options.parser, text, options.year);
    if (parsed) return { json: fluentBitJson(parsed.body), time: parsed.time ?? previous };
    // Fluent Bit keeps a line its parser rejects as {"log": line}.
    return { json: fluentBitJson({ log: text }), time: timeOfRawLine(text, options.year) ?? previous };
  }
  if (text.startsWith("{")) {
    try {
      const body = JSON.parse(text);
      if (body && typeof body === "object" && !Array.isArray(body)) return { json: fluentBitJson(body), time: timeOfJson(body) ?? previous };
    } catch {
      // not JSON: a raw line
    }
  }
  return { json: fluentBitJson({ log: text }), time: timeOfRawLine(text, options.year) ?? previous };
}

/** The records of a log: its whole text, or its lines (split at "\n", as text.split would) for a log read in pieces. */
export function* records(log: string | Iterable<string>, options: ReplayOptions): Generator<LogRecord> {
  let previous = 0;
  let line = 0;
  for (const raw of typeof log === "string" ? log.split("\n") : log) {
    line++;
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (content.trim() === "") continue;
    const r = recordOf(content, options, previous);
    previous = r.time;
    yield { line, time: r.time, json: r.json, text: content };
  }
}

export interface AlertSummary {
  rule: string;
  title: string;
  level: string;
  type: string;
  status: string;
  key: string;
  count?: number;
  threshold?: number;
  observed?: number;
  baseline?: number;
  first: string;
  last: string;
  file: string;
  line: number;
  raw: Record<string, unknown>;
}

/** What the module read a record as, for the per-file summary. */
export const RECOGNISED = ["access", "error", "syslog", "json", "unknown", "unreadable"] as const;
export type Recognised = (typeof RECOGNISED)[number];

/** One category per record, from the module's own reading (FluentBitHost.recognised); "unreadable": not one JSON object. */
export function recognisedAs(r: { shape: string; formats: readonly string[] } | null): Recognised {
  if (!r) return "unknown";
  if (r.shape === "not-json") return "unreadable";
  for (const f of ["access", "error", "syslog", "json"] as const) if (r.formats.includes(f)) return f;
  if (r.formats.includes("auth")) return "syslog";
  // A structured record (a JSON line, or what a parser made) of no other format.
  return r.shape === "parsed" || r.shape === "json-line" ? "json" : "unknown";
}

export interface FileSummary {
  records: number;
  recognised: Record<Recognised, number>;
  matched: number;
  alerts: number;
  /** Events of this file's records that correlations left out as late. */
  late: number;
}

export function emptyFileSummary(): FileSummary {
  return { records: 0, recognised: { access: 0, error: 0, syslog: 0, json: 0, unknown: 0, unreadable: 0 }, matched: 0, alerts: 0, late: 0 };
}

export interface ReplayResult {
  records: number;
  matchedRecords: number;
  dropped: number;
  lost: number;
  matches: Record<string, number>;
  alerts: AlertSummary[];
  /** Per input file, in the order given. */
  files: Record<string, FileSummary>;
  /** The statistics the module wrote (one object per interval of event time), in order. */
  stats: Record<string, unknown>[];
}

export function emptyResult(): ReplayResult {
  return { records: 0, matchedRecords: 0, dropped: 0, lost: 0, matches: {}, alerts: [], files: {}, stats: [] };
}

/** Feeds one outcome into the summary. */
export function tally(result: ReplayResult, outcome: Outcome, file: string, line: number, namespace = "tripline", recognised: Recognised = "unknown"): void {
  result.records++;
  const perFile = (result.files[file] ??= emptyFileSummary());
  perFile.records++;
  perFile.recognised[recognised]++;
  if (outcome.kind === "dropped") {
    result.dropped++;
    return;
  }
  if (outcome.kind === "lost") {
    result.lost++;
    return;
  }
  // Without a backslash every key is spelt literally, so a result without
  // "<namespace>" in it has no such key: most bodies need no parsing.
  if (!outcome.text.includes("\\") && !outcome.text.includes(`"${namespace}"`)) return;
  const ns = outcome.body[namespace] as { rules?: string[]; alerts?: Record<string, unknown>[]; stats?: Record<string, unknown> } | undefined;
  if (!ns || typeof ns !== "object") return;
  if (ns.stats && typeof ns.stats === "object") result.stats.push(ns.stats);
  // A record carrying only statistics matched nothing.
  if ((ns.rules ?? []).length > 0) {
    result.matchedRecords++;
    perFile.matched++;
  }
  perFile.alerts += (ns.alerts ?? []).length;
  for (const id of ns.rules ?? []) result.matches[id] = (result.matches[id] ?? 0) + 1;
  for (const a of ns.alerts ?? []) {
    result.alerts.push({
      rule: String(a.rule),
      title: String(a.title),
      level: String(a.level),
      type: String(a.type),
      status: String(a.status),
      key: String(a.key),
      count: a.count as number | undefined,
      threshold: a.threshold as number | undefined,
      observed: a.observed as number | undefined,
      baseline: (a.baseline ?? a.mean) as number | undefined,
      first: String(a.first),
      last: String(a.last),
      file,
      line,
      raw: a,
    });
  }
}

export function replayText(host: FluentBitHost, text: string, file: string, options: ReplayOptions, result = emptyResult(), onProgress?: (bytesRead: number) => void): ReplayResult {
  return replayFiles(host, [textLog(file, text)], options, result, onProgress);
}

/** Called with each record's outcome, in replay order (`tripline test --records`). */
export type OnOutcome = (outcome: Outcome, file: string, line: number) => void;

export interface LogFile {
  file: string;
  /** Its size in bytes as read (a .gz file's compressed size), for progress. */
  bytes: number;
  /**
   * The log's lines, read anew at each call (a large file is read in
   * pieces, never held whole). `together`: how many logs are being read at
   * once, so that each reads smaller pieces; `read` hears of every piece's
   * bytes as its lines come.
   */
  lines: (together?: number, read?: (bytes: number) => void) => Iterable<string>;
}

/** A log already in memory as one text. */
export function textLog(file: string, text: string): LogFile {
  const bytes = Buffer.byteLength(text, "utf8");
  return {
    file,
    bytes,
    lines: (_together, read) => {
      read?.(bytes);
      return text.split("\n");
    },
  };
}

/** Events the module's correlations have left out as late so far. */
function lateTotal(host: FluentBitHost): number {
  return Object.values(host.report().correlations).reduce((n, c) => n + c.late, 0);
}

/** A log's next record, waiting for its turn in the merge. */
interface Pending {
  file: string;
  /** Position of the file on the command line: the earlier file goes first at equal times. */
  order: number;
  next: LogRecord;
  rest: Iterator<LogRecord>;
}

function before(a: Pending, b: Pending): boolean {
  return a.next.time < b.next.time || (a.next.time === b.next.time && a.order < b.order);
}

/**
 * Several logs as one stream in event-time order, as Fluent Bit tailing
 * them would see them arrive live: each log in its own order, and of the
 * logs' next records the earliest goes first (equal times: the log named
 * first). Only each log's next record is held (a binary heap of them), so
 * memory does not grow with the logs. A log out of order in itself keeps
 * its order, and its lines behind the others are late, as they would be live.
 * (Logs replayed one after another would put later logs' early events
 * behind the correlation watermark, where they count as late.)
 */
function* merged(files: LogFile[], options: ReplayOptions, read?: (bytes: number) => void): Generator<{ file: string; record: LogRecord }> {
  const heap: Pending[] = [];
  const push = (p: Pending): void => {
    let i = heap.push(p) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const siftDown = (): void => {
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let least = i;
      if (l < heap.length && before(heap[l], heap[least])) least = l;
      if (r < heap.length && before(heap[r], heap[least])) least = r;
      if (least === i) return;
      [heap[i], heap[least]] = [heap[least], heap[i]];
      i = least;
    }
  };
  files.forEach((f, order) => {
    const rest = records(f.lines(files.length, read), options)[Symbol.iterator]();
    const first = rest.next();
    if (!first.done) push({ file: f.file, order, next: first.value, rest });
  });
  while (heap.length > 0) {
    const top = heap[0];
    yield { file: top.file, record: top.next };
    const following = top.rest.next();
    if (following.done) {
      const last = heap.pop()!;
      if (heap.length === 0) return;
      heap[0] = last;
    } else top.next = following.value;
    siftDown();
  }
}

/**
 * Replays logs through the host (several as one stream: `merged`), and sums
 * up what came out; `onProgress` hears every 5,000 records how many bytes of
 * the logs have been read.
 */
export function replayFiles(host: FluentBitHost, files: LogFile[], options: ReplayOptions, result = emptyResult(), onProgress?: (bytesRead: number) => void, onOutcome?: OnOutcome): ReplayResult {
  for (const f of files) result.files[f.file] ??= emptyFileSummary();
  let n = 0;
  let newest = -Infinity;
  let lateSoFar = lateTotal(host); // a host may come from an earlier replay
  // Only a record older than one already seen can be late, so what the
  // module's late counter gained since it was last read belongs to the file
  // of those records. It is read (a report, costly) only before such a
  // record from another file, and at the end: a file replayed out of order
  // read it after every record.
  let lateFile: string | null = null;
  const settleLate = (): void => {
    if (lateFile === null) return;
    const late = lateTotal(host);
    result.files[lateFile].late += late - lateSoFar;
    lateSoFar = late;
    lateFile = null;
  };
  // No record outlives its call (holding them all made garbage collection a sixth of a replay's time).
  let bytesRead = 0;
  for (const { file, record } of merged(files, options, (bytes) => (bytesRead += bytes))) {
    const older = record.time < newest;
    // Before the call: what this record adds to the counter is its own file's.
    if (older && lateFile !== file) settleLate();
    const outcome = host.call(options.tag, record.time, record.json);
    if (older) lateFile = file;
    else newest = record.time;
    tally(result, outcome, file, record.line, options.namespace, recognisedAs(host.recognised()));
    onOutcome?.(outcome, file, record.line);
    if (onProgress && ++n % 5000 === 0) onProgress(bytesRead);
  }
  settleLate();
  return result;
}
