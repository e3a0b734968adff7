// Access lines -> the JSON bodies Fluent Bit's apache2 parser hands the filter,
// encoded once up front so the timed loops only call the module.
import { parseWith } from "../../src/logs/parsers.js";
import { fluentBitJson } from "../../src/host/json.js";
import type { AccessLine } from "../gen/access-log.js";

export interface BenchRecord {
  sec: number;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();

export function toRecords(lines: AccessLine[]): BenchRecord[] {
  const out: BenchRecord[] = [];
  for (const l of lines) {
    const parsed = parseWith("apache2", l.line, 2026);
    if (!parsed) throw new Error(`apache2 parser does not match generated line: ${l.line}`);
    out.push({ sec: parsed.time ?? l.time, bytes: encoder.encode(fluentBitJson(parsed.body)) });
  }
  return out;
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
