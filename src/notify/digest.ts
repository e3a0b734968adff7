// The digest: alerts of one window grouped by rule, then by key, with counts,
// first/last time, samples, addresses and sample lines. Plain JSON data, so
// the spool stores it as it is. Bounded: at most `maxKeys` keys per rule
// (later keys are counted under `more`), MAX_RULES rules, bounded lists.
import type { Alert, IncomingAlert, StatsSummary } from "./records.js";

export interface KeyGroup {
  key: string;
  group?: Record<string, string>;
  /** Alerts for this rule and key in the window. */
  alerts: number;
  statuses: Record<string, number>;
  first?: string;
  last?: string;
  /** The numbers of the latest alert (count, threshold, window, observed, ...). */
  latest?: Record<string, number>;
  field?: string;
  samples: string[];
  addresses: string[];
  /** Distinct addresses seen beyond the listed ones. */
  moreAddresses: number;
  lines: string[];
  extra?: Record<string, string | number | boolean>;
}

export interface RuleDigest {
  rule: string;
  title?: string;
  level?: string;
  type?: string;
  tags: string[];
  alerts: number;
  keys: KeyGroup[];
  /** Alerts for keys beyond the cap, not listed one by one. */
  more: { alerts: number };
}

export interface DigestState {
  /** When the first alert of this digest arrived (ms since epoch). */
  opened: number | null;
  alerts: number;
  rules: RuleDigest[];
  /** Alerts of rules beyond MAX_RULES. */
  moreRules: { alerts: number };
  stats: StatsSummary[];
  moreStats: number;
}

/** A closed digest, as delivered. */
export interface Digest extends DigestState {
  id: string;
  closed: number;
  /** Rules held back by the per-rule rate limit at this close: their alerts follow in a later digest. */
  deferred: string[];
}

export const MAX_RULES = 200;
export const MAX_SAMPLES = 10;
export const MAX_ADDRESSES = 50;
export const MAX_LINES = 3;
export const MAX_STATS = 12;

export const LEVELS = ["informational", "low", "medium", "high", "critical"];

export function levelRank(level: string | undefined): number {
  return LEVELS.indexOf((level ?? "").toLowerCase());
}

export function emptyDigest(): DigestState {
  return { opened: null, alerts: 0, rules: [], moreRules: { alerts: 0 }, stats: [], moreStats: 0 };
}

export function isEmpty(d: DigestState): boolean {
  return d.alerts === 0 && d.stats.length === 0 && d.moreStats === 0;
}

function time(iso: string | undefined): number {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) ? NaN : t;
}

function earlier(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return time(b) < time(a) ? b : a;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return time(b) > time(a) ? b : a;
}

function addDistinct(list: string[], values: string[] | undefined, max: number): number {
  let overflow = 0;
  for (const v of values ?? []) {
    if (list.includes(v)) continue;
    if (list.length < max) list.push(v);
    else overflow++;
  }
  return overflow;
}

/** The key an alert groups under: its `key`, else its group values joined as the module joins them. */
function keyOf(alert: Alert): string {
  if (alert.key !== undefined) return alert.key;
  return alert.group ? Object.values(alert.group).join("|") : "";
}

/** Adds alerts to the digest in place; `now` opens it when empty. */
export function addAlerts(d: DigestState, incoming: IncomingAlert[], maxKeys: number, now: number): void {
  for (const { alert, line } of incoming) {
    if (d.opened === null) d.opened = now;
    d.alerts++;
    let rule = d.rules.find((r) => r.rule === alert.rule);
    if (!rule) {
      if (d.rules.length >= MAX_RULES) {
        d.moreRules.alerts++;
        continue;
      }
      rule = { rule: alert.rule, tags: [], alerts: 0, keys: [], more: { alerts: 0 } };
      d.rules.push(rule);
    }
    rule.alerts++;
    rule.title = alert.title ?? rule.title;
    rule.type = alert.type ?? rule.type;
    if (levelRank(alert.level) >= levelRank(rule.level)) rule.level = alert.level ?? rule.level;
    addDistinct(rule.tags, alert.tags, 20);
    const key = keyOf(alert);
    let group = rule.keys.find((g) => g.key === key);
    if (!group) {
      if (rule.keys.length >= maxKeys) {
        rule.more.alerts++;
        continue;
      }
      group = { key, alerts: 0, statuses: {}, samples: [], addresses: [], moreAddresses: 0, lines: [] };
      rule.keys.push(group);
    }
    group.alerts++;
    const status = alert.status ?? "fired";
    group.statuses[status] = (group.statuses[status] ?? 0) + 1;
    group.first = earlier(group.first, alert.first);
    group.last = later(group.last, alert.last);
    if (alert.group) group.group = alert.group;
    if (alert.numbers) group.latest = alert.numbers;
    if (alert.field) group.field = alert.field;
    if (alert.extra) group.extra = alert.extra;
    addDistinct(group.samples, alert.samples, MAX_SAMPLES);
    group.moreAddresses += addDistinct(group.addresses, alert.addresses, MAX_ADDRESSES);
    if (line !== undefined) addDistinct(group.lines, [line], MAX_LINES);
  }
}

export function addStats(d: DigestState, stats: StatsSummary[], now: number): void {
  for (const s of stats) {
    if (d.opened === null) d.opened = now;
    if (d.stats.length < MAX_STATS) d.stats.push(s);
    else d.moreStats++;
  }
}

/**
 * Splits a digest: the rules `send` allows go out (with all statistics), the
 * others stay. Both halves are new objects; `d` is not changed.
 */
export function splitDigest(d: DigestState, send: (rule: string) => boolean, now: number): { out: DigestState; kept: DigestState } {
  const out = emptyDigest();
  const kept = emptyDigest();
  for (const rule of d.rules) {
    const into = send(rule.rule) ? out : kept;
    into.rules.push(structuredClone(rule));
    into.alerts += rule.alerts;
  }
  // Alerts of rules past the cap have no rule to rate-limit: they go with this digest.
  out.moreRules = { ...d.moreRules };
  out.alerts += d.moreRules.alerts;
  out.stats = structuredClone(d.stats);
  out.moreStats = d.moreStats;
  out.opened = d.opened;
  kept.opened = kept.alerts > 0 ? now : null;
  return { out, kept };
}

/** Rules in the order a reader wants them: most severe, then most alerts, then name; keys by alerts, then first time. */
export function ordered(d: DigestState): RuleDigest[] {
  const rules = d.rules.map((r) => ({ ...r, keys: [...r.keys].sort((a, b) => b.alerts - a.alerts || (time(a.first) || 0) - (time(b.first) || 0) || a.key.localeCompare(b.key)) }));
  return rules.sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.alerts - a.alerts || a.rule.localeCompare(b.rule));
}
