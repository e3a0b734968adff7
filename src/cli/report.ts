// What `tripline test` prints: a summary a person reads at a glance, or JSON.
import type { ReplayResult } from "../logs/replay.js";
import type { ModuleReport } from "../host/host.js";

const isTty = process.stdout.isTTY === true;
const color = (code: number, s: string) => (isTty ? `\x1b[${code}m${s}\x1b[0m` : s);
const LEVEL_COLORS: Record<string, number> = { critical: 31, high: 31, medium: 33, low: 36, informational: 2 };

/** What the module could not read or count, as lines (nothing when all was read and counted). */
export function notCounted(report: ModuleReport): string[] {
  const lines: string[] = [];
  const unread = (report.shapes["not-json"] ?? 0) + (report.shapes.unknown ?? 0);
  if (unread > 0) lines.push(`${unread} record(s) not read: ${report.shapes["not-json"] ?? 0} not one JSON object, ${report.shapes.unknown ?? 0} raw line(s) of no known format`);
  for (const [id, c] of Object.entries(report.correlations)) {
    const parts: string[] = [];
    if (c.late > 0) parts.push(`${c.late} late (left out)`);
    if (c.out_of_order > 0) parts.push(`${c.out_of_order} out of order (counted)`);
    if (c.missing_key > 0) parts.push(`${c.missing_key} without a group-by value (left out)`);
    if (c.missing_value > 0) parts.push(`${c.missing_value} without the field it measures (left out)`);
    if (c.evictions > 0) parts.push(`${c.evictions} key(s) evicted at the cap`);
    if (parts.length > 0) lines.push(`${id}: ${parts.join(", ")}`);
  }
  return lines;
}

export function printSummary(r: ReplayResult, options: { json: boolean; alertsOnly: boolean; report?: ModuleReport }): void {
  if (options.json) {
    const alerts = r.alerts.map(({ raw, ...rest }) => ({ ...rest, alert: raw }));
    const out = options.alertsOnly ? { alerts } : { records: r.records, matched: r.matchedRecords, dropped: r.dropped, lost: r.lost, matches: r.matches, alerts, module: options.report };
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  const skipped = options.report ? notCounted(options.report) : [];
  if (skipped.length > 0) {
    // Always shown, also with --alerts-only: missing events change what alerts can fire.
    console.error(color(33, "Not read or not counted:"));
    for (const line of skipped) console.error(`  ${line}`);
  }
  if (!options.alertsOnly) {
    console.log(`${r.records} records, ${r.matchedRecords} matched, ${r.alerts.length} alerts${r.dropped ? `, ${r.dropped} dropped` : ""}${r.lost ? `, ${color(31, `${r.lost} LOST`)}` : ""}`);
    const ids = Object.keys(r.matches).sort((a, b) => r.matches[b] - r.matches[a] || a.localeCompare(b));
    if (ids.length > 0) {
      console.log("\nMatches per rule:");
      const width = Math.max(...ids.map((id) => id.length));
      for (const id of ids) console.log(`  ${id.padEnd(width)}  ${String(r.matches[id]).padStart(6)}`);
    }
  }
  if (r.alerts.length === 0) {
    if (!options.alertsOnly) console.log("\nNo alerts.");
    return;
  }
  console.log(options.alertsOnly ? "" : "\nAlerts:");
  for (const a of r.alerts) {
    const what =
      a.type === "spike" || a.type === "anomaly"
        ? `observed ${a.observed} vs ${a.type === "spike" ? "baseline" : "mean"} ${round(a.baseline)}`
        : `count ${a.count}/${a.threshold}`;
    const status = a.status === "recovered" ? " (recovered)" : "";
    console.log(`  ${a.last}  ${color(LEVEL_COLORS[a.level] ?? 0, a.level.padEnd(8))} ${a.rule}${status}  key=${a.key}  ${what}  (${a.file}:${a.line})`);
    console.log(`      ${a.title}`);
  }
}

function round(v: number | undefined): string {
  return v === undefined ? "?" : String(Math.round(v * 100) / 100);
}

/** A progress bar on stderr for large files, only when stderr is a terminal. */
export class Progress {
  private readonly lines: number;
  private readonly active: boolean;
  constructor(private readonly file: string, text: string) {
    this.active = process.stderr.isTTY === true && text.length > 5_000_000;
    this.lines = this.active ? text.split("\n").length : 0;
  }
  update(done: number): void {
    if (!this.active) return;
    const share = Math.min(1, done / this.lines);
    const bar = "#".repeat(Math.round(share * 30)).padEnd(30, ".");
    process.stderr.write(`\r${this.file} [${bar}] ${Math.round(share * 100)}%`);
  }
  done(): void {
    if (this.active) process.stderr.write("\r\x1b[K");
  }
}
