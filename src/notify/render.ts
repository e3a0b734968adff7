// A digest as mail: subject, plain text and HTML. Everything that came from a
// record is cleaned of control and bidi characters, and escaped in HTML.
import { ordered, levelRank, type Digest, type KeyGroup, type RuleDigest } from "./digest.js";
import type { StatsSummary } from "./records.js";

/** Control characters and bidi overrides out of record content (tabs become spaces). */
export function clean(text: string): string {
  return text.replace(/\t/g, " ").replace(/[\x00-\x1f\x7f\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, "\uFFFD");
}

export function escapeHtml(text: string): string {
  return clean(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}

/** The latest alert's numbers in words: "count 5/5, window 60 s, ..." */
export function details(g: KeyGroup): string {
  const n = { ...(g.latest ?? {}) };
  const parts: string[] = [];
  if (g.field) parts.push(`field ${g.field}`);
  if (n.count !== undefined) parts.push(n.threshold !== undefined ? `count ${round(n.count)}/${round(n.threshold)}` : `count ${round(n.count)}`);
  else if (n.threshold !== undefined) parts.push(`threshold ${round(n.threshold)}`);
  delete n.count;
  delete n.threshold;
  for (const unit of ["window", "interval"]) {
    if (n[unit] !== undefined) parts.push(`${unit} ${round(n[unit])} s`);
    delete n[unit];
  }
  for (const [k, v] of Object.entries(n)) parts.push(`${k} ${round(v)}`);
  for (const [k, v] of Object.entries(g.extra ?? {})) parts.push(`${k} ${v}`);
  return parts.join(", ");
}

function statuses(g: KeyGroup): string {
  return Object.entries(g.statuses)
    .map(([s, c]) => (c === g.alerts ? s : `${c} ${s}`))
    .join(", ");
}

function groupText(g: KeyGroup): string {
  const members = Object.entries(g.group ?? {}).map(([k, v]) => `${k}=${v}`);
  return members.length > 0 ? members.join(" ") : "";
}

function maxLevel(d: Digest): string | undefined {
  let best: string | undefined;
  for (const r of d.rules) if (levelRank(r.level) > levelRank(best)) best = r.level;
  return best;
}

function iso(ms: number | null): string {
  return ms === null ? "?" : new Date(ms).toISOString();
}

export function headline(d: Digest): string {
  const rules = d.rules.length;
  if (d.alerts === 0) return `tripline: statistics (${plural(d.stats.length + d.moreStats, "record")}), no alerts`;
  return `tripline: ${plural(d.alerts, "alert")} from ${plural(rules, "rule")}${d.moreRules.alerts > 0 ? ` and more` : ""}`;
}

export function subject(d: Digest, prefix: string): string {
  const rules = ordered(d);
  let text: string;
  if (rules.length === 0) text = d.alerts > 0 ? plural(d.alerts, "alert") : "statistics, no alerts";
  else {
    const top = rules[0];
    const level = maxLevel(d);
    const key = top.keys[0]?.key;
    text = `${plural(d.alerts, "alert")}${level ? ` (${level})` : ""}: ${top.title ?? top.rule}${key ? ` [${key}${top.keys.length > 1 ? ` +${top.keys.length - 1}` : ""}]` : ""}${rules.length > 1 ? ` and ${plural(rules.length - 1, "more rule")}` : ""}`;
  }
  const full = clean(`${prefix ? prefix + " " : ""}${text}`);
  return full.length > 200 ? full.slice(0, 199) + "…" : full;
}

function statsLines(s: StatsSummary): string[] {
  const n = s.numbers;
  const head = `${s.from ?? "?"} to ${s.to ?? "?"}: ${["records", "matched", "alerted", "dropped"].filter((k) => n[k] !== undefined).map((k) => `${k} ${n[k]}`).join(", ")}`;
  const rules = s.topRules.map(([r, c]) => `${r} ${c}`).join(", ");
  return [head, ...(rules ? [`  matches: ${rules}`] : [])];
}

function ruleHead(r: RuleDigest): string {
  return `[${(r.level ?? "alert").toUpperCase()}] ${r.title ?? r.rule}${r.title ? ` (${r.rule})` : ""}`;
}

export function textBody(d: Digest): string {
  const out: string[] = [headline(d), `Window ${iso(d.opened)} to ${iso(d.closed)}, digest ${d.id}`, ""];
  for (const r of ordered(d)) {
    out.push(ruleHead(r));
    out.push(`  ${plural(r.alerts, "alert")}, ${plural(r.keys.length, "key")}${r.type ? `, ${r.type}` : ""}${r.tags.length ? `; ${r.tags.join(", ")}` : ""}`);
    for (const g of r.keys) {
      const grp = groupText(g);
      out.push(`  - ${g.key === "" ? "(no key)" : g.key}${grp && grp !== g.key ? ` (${grp})` : ""}: ${plural(g.alerts, "alert")}, ${statuses(g)}${details(g) ? `, ${details(g)}` : ""}`);
      out.push(`      first ${g.first ?? "?"}, last ${g.last ?? "?"}`);
      if (g.addresses.length) out.push(`      addresses: ${g.addresses.join(", ")}${g.moreAddresses ? ` and ${g.moreAddresses} more` : ""}`);
      if (g.samples.length) out.push(`      samples: ${g.samples.join(", ")}`);
      for (const line of g.lines) out.push(`      > ${line}`);
    }
    if (r.more.alerts > 0) out.push(`  ... and ${plural(r.more.alerts, "more alert")} for keys not listed (--max-keys-per-rule)`);
    out.push("");
  }
  if (d.moreRules.alerts > 0) out.push(`... and ${plural(d.moreRules.alerts, "more alert")} of rules not listed`, "");
  if (d.deferred.length > 0) out.push(`Held back by the per-rule rate limit, to follow in a later digest: ${d.deferred.join(", ")}`, "");
  if (d.stats.length > 0) {
    out.push("Statistics:");
    for (const s of d.stats) out.push(...statsLines(s).map((l) => `  ${l}`));
    if (d.moreStats > 0) out.push(`  ... and ${plural(d.moreStats, "more statistics record")}`);
    out.push("");
  }
  out.push("-- tripline notify");
  return out.map(clean).join("\n") + "\n";
}

const CELL = 'style="padding:2px 8px;border-bottom:1px solid #ddd;vertical-align:top;text-align:left"';

export function htmlBody(d: Digest): string {
  const e = escapeHtml;
  const out: string[] = [
    "<!DOCTYPE html>",
    '<html><head><meta charset="utf-8"></head><body style="font-family:sans-serif;font-size:14px">',
    `<h2>${e(headline(d))}</h2>`,
    `<p>Window ${e(iso(d.opened))} to ${e(iso(d.closed))}, digest ${e(d.id)}</p>`,
  ];
  for (const r of ordered(d)) {
    out.push(`<h3>${e(ruleHead(r))}</h3>`);
    out.push(`<p>${e(plural(r.alerts, "alert"))}, ${e(plural(r.keys.length, "key"))}${r.type ? `, ${e(r.type)}` : ""}${r.tags.length ? `; ${e(r.tags.join(", "))}` : ""}</p>`);
    out.push(`<table style="border-collapse:collapse"><tr><th ${CELL}>key</th><th ${CELL}>alerts</th><th ${CELL}>first</th><th ${CELL}>last</th><th ${CELL}>details</th></tr>`);
    for (const g of r.keys) {
      const extra: string[] = [];
      const grp = groupText(g);
      if (grp && grp !== g.key) extra.push(e(grp));
      if (details(g)) extra.push(e(details(g)));
      if (g.addresses.length) extra.push(`addresses: ${e(g.addresses.join(", "))}${g.moreAddresses ? ` and ${g.moreAddresses} more` : ""}`);
      if (g.samples.length) extra.push(`samples: ${e(g.samples.join(", "))}`);
      for (const line of g.lines) extra.push(`<code>${e(line)}</code>`);
      out.push(
        `<tr><td ${CELL}><strong>${e(g.key === "" ? "(no key)" : g.key)}</strong></td><td ${CELL}>${g.alerts} (${e(statuses(g))})</td><td ${CELL}>${e(g.first ?? "?")}</td><td ${CELL}>${e(g.last ?? "?")}</td><td ${CELL}>${extra.join("<br>")}</td></tr>`,
      );
    }
    out.push("</table>");
    if (r.more.alerts > 0) out.push(`<p>… and ${e(plural(r.more.alerts, "more alert"))} for keys not listed (--max-keys-per-rule)</p>`);
  }
  if (d.moreRules.alerts > 0) out.push(`<p>… and ${e(plural(d.moreRules.alerts, "more alert"))} of rules not listed</p>`);
  if (d.deferred.length > 0) out.push(`<p>Held back by the per-rule rate limit, to follow in a later digest: ${e(d.deferred.join(", "))}</p>`);
  if (d.stats.length > 0) {
    out.push("<h3>Statistics</h3><ul>");
    for (const s of d.stats) out.push(`<li>${statsLines(s).map(e).join("<br>")}</li>`);
    out.push("</ul>");
  }
  out.push("<p style=\"color:#888\">tripline notify</p></body></html>");
  return out.join("\n") + "\n";
}
