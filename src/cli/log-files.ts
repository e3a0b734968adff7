// Which files `tripline test` replays: files named directly, files found
// below named folders (walked recursively, like rule folders), `.gz` files
// (decompressed), and `-` for standard input. A file found in a folder that
// is not a log is skipped: by its name (configs, code, modules), or by its
// content (NUL bytes, or not one of its first lines read as access, error,
// syslog or JSON by the module itself). A file named directly is skipped
// only by its name or for NUL bytes: rules may match lines of no known
// format, and the user asked for that file.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
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

function readBytes(file: string): Uint8Array {
  try {
    return file === "-" ? readFileSync(0) : readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read '${file === "-" ? "standard input" : file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The text of a log; `.gz` files (or gzip on standard input) are decompressed. */
export function readLog(file: string): { text: string; binary: boolean } {
  let bytes = readBytes(file);
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (file.endsWith(".gz") || gzip) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      throw new UsageError(`cannot read '${file}': not a gzip file (or a damaged one)`);
    }
  }
  const head = bytes.subarray(0, 8192);
  return { text: new TextDecoder().decode(bytes), binary: head.includes(0) };
}

/** Whether the module reads any of the first records as a known format (inspect changes no state). */
function anyRecognised(host: FluentBitHost, text: string, options: ReplayOptions): boolean {
  let n = 0;
  for (const r of records(text, options)) {
    const seen = host.inspect(options.tag, r.time, r.json) as { readable: boolean; shape?: string; formats?: string[] };
    const kind = recognisedAs(seen.readable ? { shape: seen.shape ?? "unknown", formats: seen.formats ?? [] } : null);
    if (kind !== "unknown" && kind !== "unreadable") return true;
    if (++n >= SNIFF_RECORDS) break;
  }
  return false;
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
  if (paths.includes("-")) logs.push({ file: "(stdin)", text: readLog("-").text });
  for (const file of found) {
    if (NOT_LOGS.test(file)) {
      skipped.push({ file, why: "not a log by its name" });
      continue;
    }
    const { text, binary } = readLog(file);
    if (binary) {
      skipped.push({ file, why: "binary" });
      continue;
    }
    if (!named.has(file)) {
      if (text.trim() === "") {
        skipped.push({ file, why: "empty" });
        continue;
      }
      if (!anyRecognised(host, text, options)) {
        skipped.push({ file, why: "no line read as access, syslog or JSON" });
        continue;
      }
    }
    logs.push({ file, text });
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
