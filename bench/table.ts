// Plain-text tables for the benchmark report.
export type Cell = string | number | null | undefined;

export interface Column {
  title: string;
  /** Right-align (numbers) unless false. */
  right?: boolean;
}

export function fmt(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return String(x);
  return x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

export function table(title: string, columns: Column[], rows: Cell[][], notes: string[] = []): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? "-" : String(c))));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (columns[i].right === false ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const out = [title, "=".repeat(Math.min(title.length, 100)), line(columns.map((c) => c.title)), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of text) out.push(line(r));
  for (const n of notes) out.push(`  ${n}`);
  return out.join("\n") + "\n";
}
