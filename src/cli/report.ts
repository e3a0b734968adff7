// What `tripline test` prints: a summary a person reads at a glance, or JSON.
import cliProgress from "cli-progress";
import { RECOGNISED, type AlertSummary, type ReplayResult, type FileSummary, type Recognised } from "../logs/replay.js";
import type { ModuleReport, Outcome } from "../host/host.js";
import type { RuleSet } from "../compiler/ir.js";

/** Per correlation: "c-ip: none of client_ip, remote, ip, src_ip" for each group-by field (what notCounted names). */
export function groupByKeys(rules: RuleSet): Map<string, string> {
  return new Map(rules.correlations.map((c) => [c.id, c.groupByNames.map((name, k) => `${name}: none of ${c.groupBy[k].join(", ")}`).join("; ")]));
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const useColor = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;
const color = (code: number, s: string) => (useColor(process.stdout) ? `\x1b[${code}m${s}\x1b[0m` : s);
const LEVEL_COLORS: Record<string, number> = { critical: 31, high: 31, medium: 33, low: 36, informational: 2 };

/**
 * What the module could not read or count, as lines (nothing when all was
 * read and counted). `groupBy`: per correlation id, its group-by fields and
 * the record keys they are read from, so a correlation starved of its key
 * says which keys its events lacked.
 */
export function notCounted(report: ModuleReport, groupBy?: Map<string, string>): string[] {
  const lines: string[] = [];
  const unread = (report.shapes["not-json"] ?? 0) + (report.shapes.unknown ?? 0);
  if (unread > 0) lines.push(`${unread} record(s) not read: ${report.shapes["not-json"] ?? 0} not one JSON object, ${report.shapes.unknown ?? 0} raw line(s) of no known format`);
  for (const [id, c] of Object.entries(report.correlations)) {
    const parts: string[] = [];
    if (c.late > 0) parts.push(`${c.late} late (left out)`);
    if (c.out_of_order > 0) parts.push(`${c.out_of_order} out of order (counted)`);
    if (c.missing_key > 0) {
      const fields = groupBy?.get(id);
      parts.push(`${c.missing_key} without a group-by value${fields ? ` (${fields})` : ""} (left out)`);
    }
    if (c.missing_value > 0) parts.push(`${c.missing_value} without the field it measures (left out)`);
    if (c.evictions > 0) parts.push(`${c.evictions} key(s) evicted at the cap`);
    if (parts.length > 0) lines.push(`${id}: ${parts.join(", ")}`);
  }
  const sessions = report.ssh_sessions;
  // Older modules have no sshd address memory.
  if (sessions && (sessions.evictions > 0 || sessions.too_long > 0)) {
    lines.push(
      `sshd address memory: ${sessions.evictions} process(es) evicted at the cap of ${sessions.capacity}, ${sessions.too_long} address(es) too long to keep (a later line of such a process without an address stays without one)`,
    );
  }
  return lines;
}

/** Events the correlations left out as late, summed (from the module's report). */
export function lateEvents(report: ModuleReport | undefined): number {
  return report ? Object.values(report.correlations).reduce((n, c) => n + c.late, 0) : 0;
}

/** Rows of a plain text table: first column left-aligned, the others right-aligned. */
export function table(rows: (string | number)[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => String(row[c]).length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join("  ").trimEnd());
}

/** Per file and in total: lines read, what the module read them as, matched, alerts. */
function fileTable(r: ReplayResult, late: number): string[] {
  const files = Object.entries(r.files);
  const total: FileSummary = { records: r.records, recognised: Object.fromEntries(RECOGNISED.map((k) => [k, files.reduce((n, [, f]) => n + f.recognised[k], 0)])) as Record<Recognised, number>, matched: r.matchedRecords, alerts: r.alerts.length, late: files.reduce((n, [, f]) => n + f.late, 0) };
  // Formats no file has are left out, except unknown: seeing 0 there is the point.
  const kinds = RECOGNISED.filter((k) => k === "unknown" || total.recognised[k] > 0);
  // The late column shows once any file had late events.
  const showLate = late > 0;
  const row = (name: string, f: FileSummary) => [name, f.records, ...kinds.map((k) => f.recognised[k]), f.matched, f.alerts, ...(showLate ? [f.late] : [])];
  const rows = [["file", "lines", ...kinds, "matched", "alerts", ...(showLate ? ["late"] : [])], ...files.map(([name, f]) => row(name, f))];
  if (files.length > 1) rows.push(row("total", total));
  const lines = table(rows);
  if (late > 0) lines.push(`${late} late event(s) left out of correlation windows (see above)`);
  return lines;
}

/** Alerts per correlation rule: how often each fired, and its level. */
function alertTable(r: ReplayResult): string[] {
  const per = new Map<string, { level: string; fired: number; recovered: number }>();
  for (const a of r.alerts) {
    const e = per.get(a.rule) ?? { level: a.level, fired: 0, recovered: 0 };
    if (a.status === "recovered") e.recovered++;
    else e.fired++;
    per.set(a.rule, e);
  }
  const ids = [...per.keys()].sort((a, b) => per.get(b)!.fired - per.get(a)!.fired || a.localeCompare(b));
  const rows: (string | number)[][] = [["rule", "level", "alerts", "recovered"], ...ids.map((id) => [id, per.get(id)!.level, per.get(id)!.fired, per.get(id)!.recovered])];
  return table(rows);
}

/** One output record as `tripline test --records` shows it: where it came from, the tag it leaves with, the body. */
export function recordLine(outcome: Outcome, file: string, line: number, tag: string, alertField: string): string {
  const where = `${file}:${line}`;
  if (outcome.kind === "dropped") return `${where}  (dropped by a rule)`;
  if (outcome.kind === "lost") return `${where}  ${color(31, "LOST")}: ${outcome.reason}`;
  const route = outcome.body[alertField];
  const tags = typeof route === "string" ? `${tag} + alert.${route}` : tag;
  return `${where}  [${tags}] ${outcome.text}`;
}

export function printSummary(r: ReplayResult, options: { json: boolean; alertsOnly: boolean; report?: ModuleReport; outputs?: unknown[]; groupBy?: Map<string, string> }): void {
  const late = lateEvents(options.report);
  if (options.json) {
    const alerts = r.alerts.map(({ raw, ...rest }) => ({ ...rest, alert: raw }));
    const out = options.alertsOnly ? { alerts } : { records: r.records, matched: r.matchedRecords, dropped: r.dropped, lost: r.lost, late, files: r.files, matches: r.matches, alerts, statistics: r.stats, module: options.report, ...(options.outputs ? { output: options.outputs } : {}) };
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  const skipped = options.report ? notCounted(options.report, options.groupBy) : [];
  if (skipped.length > 0) {
    // Always shown, also with --alerts-only: missing events change what alerts can fire.
    console.error(color(33, "Not read or not counted:"));
    for (const line of skipped) console.error(`  ${line}`);
  }
  if (!options.alertsOnly) {
    console.log(`${r.records} records, ${r.matchedRecords} matched, ${r.alerts.length} alerts${r.dropped ? `, ${r.dropped} dropped` : ""}${r.lost ? `, ${color(31, `${r.lost} LOST`)}` : ""}`);
    console.log("");
    for (const line of fileTable(r, late)) console.log(`  ${line}`);
    const ids = Object.keys(r.matches).sort((a, b) => r.matches[b] - r.matches[a] || a.localeCompare(b));
    if (ids.length > 0) {
      console.log("\nMatches per rule:");
      for (const line of table(ids.map((id) => [id, r.matches[id]]))) console.log(`  ${line}`);
    }
    const sections = sectionTable(r.stats);
    if (sections.length > 0) {
      const to = r.stats[r.stats.length - 1].to;
      console.log(`\nSections, from the module's statistics up to ${to} (records after it are in no closed interval; response times from each section's busiest interval):`);
      for (const line of sections) console.log(`  ${line}`);
    }
  }
  if (r.alerts.length === 0) {
    if (!options.alertsOnly) console.log("\nNo alerts.");
    return;
  }
  if (!options.alertsOnly) {
    console.log("\nAlerts per rule:");
    for (const line of alertTable(r)) console.log(`  ${line}`);
  }
  console.log(options.alertsOnly ? "" : "\nAlerts:");
  for (const a of r.alerts) {
    const what = measure(a);
    const status = a.status === "recovered" ? " (recovered)" : "";
    console.log(`  ${a.last}  ${color(LEVEL_COLORS[a.level] ?? 0, a.level.padEnd(8))} ${a.rule}${status}  key=${a.key}  ${what}  (${a.file}:${a.line})`);
    console.log(`      ${a.title}`);
  }
}

/** What an alert measured, against what it was compared with. */
function measure(a: AlertSummary): string {
  if (a.type === "spike") return `observed ${a.observed} vs baseline ${round(a.baseline)}`;
  if (a.type === "anomaly") return `observed ${a.observed} vs mean ${round(a.baseline)}`;
  if (a.type !== "percentile") return `count ${a.count}/${a.threshold}`;
  const against = [typeof a.raw.limit === "number" ? `limit ${round(a.raw.limit)}` : "", typeof a.raw.baseline === "number" ? `baseline ${round(a.raw.baseline)}` : ""].filter((s) => s !== "");
  return `p${a.raw.quantile ?? 95} ${round(a.observed)}${against.map((s) => ` vs ${s}`).join("")}`;
}

/**
 * Hits per site section over the whole replay, and each section's response
 * times (p50/p95/p99) from the interval in which it had the most timed
 * requests: percentiles of different intervals cannot be merged.
 */
export function sectionTable(stats: Record<string, unknown>[]): string[] {
  const hits = new Map<string, number>();
  const latency = new Map<string, { count: number; p50: number; p95: number; p99: number }>();
  for (const s of stats) {
    for (const [name, n] of Object.entries((s.sections ?? {}) as Record<string, number>)) if (typeof n === "number") hits.set(name, (hits.get(name) ?? 0) + n);
    for (const [name, l] of Object.entries((s.latency ?? {}) as Record<string, { count: number; p50: number; p95: number; p99: number }>)) {
      if ((latency.get(name)?.count ?? -1) < l.count) latency.set(name, l);
    }
  }
  const names = [...new Set([...hits.keys(), ...latency.keys()])].sort((a, b) => (hits.get(b) ?? 0) - (hits.get(a) ?? 0) || a.localeCompare(b));
  if (names.length === 0) return [];
  // The histogram reports a value of 0 as its lowest bucket (about 1e-6).
  const num = (v: number | undefined) => (v === undefined ? "-" : v < 1e-5 ? "0" : String(Number(v.toPrecision(3))));
  return table([["section", "requests", "timed", "p50", "p95", "p99"], ...names.map((n) => { const l = latency.get(n); return [n, hits.get(n) ?? 0, l?.count ?? "-", num(l?.p50), num(l?.p95), num(l?.p99)]; })]);
}

function round(v: number | undefined): string {
  return v === undefined ? "?" : String(Math.round(v * 100) / 100);
}

/**
 * A progress bar on stderr for long replays (4 MB of logs and more), only
 * when stderr is a terminal. It counts bytes read, known from the start
 * (counting lines first would read every log twice).
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | null;
  constructor(label: string, totalBytes: number) {
    this.bar =
      process.stderr.isTTY === true && totalBytes >= 4_000_000
        ? new cliProgress.SingleBar({ format: `${label} [{bar}] {percentage}% of ${(totalBytes / 1e6).toFixed(0)} MB, {eta_formatted} left`, stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic)
        : null;
    this.bar?.start(totalBytes, 0);
  }
  update(bytesRead: number): void {
    this.bar?.update(bytesRead);
  }
  done(): void {
    this.bar?.stop();
  }
}
