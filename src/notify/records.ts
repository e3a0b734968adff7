// What Fluent Bit's `http` output sends, read into alerts. Bodies are a JSON
// array of records (Format json), one record per line (json_lines) or records
// back to back (json_stream). A record is an alert record when its namespace
// object (default `tripline`) holds `alerts: [...]`, a stats record when it
// holds `stats` and no alerts. Every value is checked and bounded here, so the
// digest and the renderers only ever see the shapes below.

/** One alert as the module writes it (README, "What a record looks like"); unknown scalar fields are kept in `extra`. */
export interface Alert {
  rule: string;
  title?: string;
  level?: string;
  type?: string;
  status?: string;
  tags?: string[];
  group?: Record<string, string>;
  key?: string;
  first?: string;
  last?: string;
  /** count, threshold, window, observed, baseline, factor, interval, mean, stddev, zscore. */
  numbers?: Record<string, number>;
  field?: string;
  samples?: string[];
  /** Distinct client addresses, when the alert lists them. */
  addresses?: string[];
  extra?: Record<string, string | number | boolean>;
}

export interface IncomingAlert {
  alert: Alert;
  /** The raw line of the record that carried the alert (`log`, else `message`), cut short. */
  line?: string;
}

export interface StatsSummary {
  from?: string;
  to?: string;
  numbers: Record<string, number>;
  /** Matches per rule, busiest first, at most 10. */
  topRules: [string, number][];
}

export interface Batch {
  records: number;
  alerts: IncomingAlert[];
  alertRecords: number;
  stats: StatsSummary[];
  /** Records that are neither alert nor stats records. */
  ignored: number;
  /** Keys of the first ignored record, for the log (names only, never values). */
  ignoredKeys?: string[];
}

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

export const LIMITS = { text: 500, line: 300, list: 20, tags: 20, groupMembers: 10, extra: 20, alertsPerRecord: 100 };

const KNOWN_NUMBERS = ["count", "threshold", "window", "observed", "baseline", "factor", "interval", "mean", "stddev", "zscore"];
const KNOWN_STRINGS = ["rule", "title", "level", "type", "status", "key", "first", "last", "field"];

/** Cuts a string to `max` UTF-16 units without splitting a surrogate pair, marking the cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}

function str(v: unknown, max = LIMITS.text): string | undefined {
  if (typeof v === "string") return cut(v, max);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function strings(v: unknown, max: number): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const item of v) {
    const s = str(item, 100);
    if (s !== undefined && out.length < max) out.push(s);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** One alert object, or undefined when it has no rule. */
export function readAlert(raw: unknown): Alert | undefined {
  if (!isObject(raw) || typeof raw.rule !== "string" || raw.rule === "") return undefined;
  const alert: Alert = { rule: cut(raw.rule, 200) };
  for (const name of KNOWN_STRINGS) {
    const s = str(raw[name], name === "key" ? 200 : LIMITS.text);
    if (s !== undefined && name !== "rule") (alert as unknown as Record<string, string>)[name] = s;
  }
  for (const name of KNOWN_NUMBERS) {
    const v = raw[name];
    if (typeof v === "number" && Number.isFinite(v)) (alert.numbers ??= {})[name] = v;
  }
  const tags = strings(raw.tags, LIMITS.tags);
  if (tags) alert.tags = tags;
  const samples = strings(raw.samples, LIMITS.list);
  if (samples) alert.samples = samples;
  const addresses = strings(raw.addresses, LIMITS.list * 5);
  if (addresses) alert.addresses = addresses;
  if (isObject(raw.group)) {
    const group: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw.group).slice(0, LIMITS.groupMembers)) {
      const s = str(v, 200) ?? (v === null ? "" : undefined);
      if (s !== undefined) group[cut(k, 100)] = s;
    }
    alert.group = group;
  }
  for (const [k, v] of Object.entries(raw)) {
    if (KNOWN_NUMBERS.includes(k) || KNOWN_STRINGS.includes(k) || ["tags", "samples", "addresses", "group"].includes(k)) continue;
    if (typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))) {
      const extra = (alert.extra ??= {});
      if (Object.keys(extra).length < LIMITS.extra) extra[cut(k, 100)] = typeof v === "string" ? cut(v, LIMITS.text) : v;
    }
  }
  return alert;
}

function readStats(raw: Record<string, unknown>): StatsSummary {
  const numbers: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === "number" && Number.isFinite(v) && Object.keys(numbers).length < 30) numbers[cut(k, 100)] = v;
  const rules = isObject(raw.rules) ? Object.entries(raw.rules).filter((e): e is [string, number] => typeof e[1] === "number") : [];
  rules.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return { from: str(raw.from, 40), to: str(raw.to, 40), numbers, topRules: rules.slice(0, 10).map(([k, v]) => [cut(k, 200), v]) };
}

/** Splits JSON values written back to back (json_lines, json_stream); arrays at the top are flattened. */
export function splitJson(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new BodyError(400, "empty body: expected Fluent Bit's http output with Format json");
  try {
    const whole = JSON.parse(trimmed);
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    // several values, or not JSON at all
  }
  const out: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    if (text[i] !== "{" && text[i] !== "[") throw new BodyError(400, `not JSON at byte ${start}: expected Fluent Bit's http output with Format json, json_lines or json_stream`);
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(text.slice(start, i));
    } catch (err) {
      throw new BodyError(400, `invalid JSON in the value at byte ${start}: ${(err as Error).message}`);
    }
    if (Array.isArray(value)) out.push(...value);
    else out.push(value);
  }
  return out;
}

/** Reads a request body into a batch; BodyError when it holds no alert or stats record. */
export function readBatch(text: string, namespace: string): Batch {
  const values = splitJson(text);
  const batch: Batch = { records: values.length, alerts: [], alertRecords: 0, stats: [], ignored: 0 };
  for (const record of values) {
    const ns = isObject(record) ? record[namespace] : undefined;
    const rawAlerts = isObject(ns) && Array.isArray(ns.alerts) ? ns.alerts : [];
    const alerts = rawAlerts.slice(0, LIMITS.alertsPerRecord).map(readAlert).filter((a): a is Alert => a !== undefined);
    if (alerts.length > 0) {
      batch.alertRecords++;
      const rec = record as Record<string, unknown>;
      const line = str(rec.log, LIMITS.line) ?? str(rec.message, LIMITS.line);
      for (const alert of alerts) batch.alerts.push(line === undefined ? { alert } : { alert, line });
    } else if (isObject(ns) && isObject(ns.stats)) {
      batch.stats.push(readStats(ns.stats));
    } else {
      batch.ignored++;
      if (!batch.ignoredKeys) batch.ignoredKeys = isObject(record) ? Object.keys(record).slice(0, 10).map((k) => cut(k, 40)) : [Array.isArray(record) ? "(an array)" : `(a ${record === null ? "null" : typeof record})`];
    }
  }
  if (batch.alertRecords === 0 && batch.stats.length === 0) {
    const keys = batch.ignoredKeys?.join(", ") ?? "";
    throw new BodyError(
      422,
      `no alert records among ${batch.records} record(s): an alert record holds an object '${namespace}' with 'alerts' (first record's keys: ${keys || "none"}); route only alert.* to this output`,
    );
  }
  return batch;
}
