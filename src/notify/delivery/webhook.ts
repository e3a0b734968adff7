// Digests to webhooks: a generic JSON document, or Slack's message format
// (text + blocks) for Slack incoming webhooks and the chat tools that accept
// the same payload. Redirects are refused: a webhook URL is the destination,
// never something the other side can change.
import { ordered, type Digest } from "../digest.js";
import { clean, details, headline } from "../render.js";
import { redactUrl } from "../config.js";
import { DeliveryError, type Channel } from "./channel.js";

const TIMEOUT_MS = 15_000;

/** The generic JSON payload: the digest with ISO times and rules in reading order. */
export function jsonPayload(d: Digest): Record<string, unknown> {
  return {
    type: "tripline.digest",
    version: 1,
    id: d.id,
    opened: d.opened === null ? null : new Date(d.opened).toISOString(),
    closed: new Date(d.closed).toISOString(),
    alerts: d.alerts,
    rules: ordered(d),
    moreRules: d.moreRules,
    deferred: d.deferred,
    stats: d.stats,
    moreStats: d.moreStats,
  };
}

/** Slack mrkdwn: &, < and > escaped (so no link, mention or command can be injected), control characters out. */
export function slackEscape(text: string): string {
  return clean(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const code = (text: string) => "`" + slackEscape(text).replace(/`/g, "'") + "`";

function cap(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

const MAX_RULE_BLOCKS = 45;

export function slackPayload(d: Digest): Record<string, unknown> {
  const head = headline(d);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: cap(clean(head), 150) } },
    { type: "context", elements: [{ type: "mrkdwn", text: slackEscape(`window ${d.opened === null ? "?" : new Date(d.opened).toISOString()} to ${new Date(d.closed).toISOString()}, digest ${d.id}`) }] },
  ];
  const rules = ordered(d);
  for (const r of rules.slice(0, MAX_RULE_BLOCKS)) {
    const lines = [`*[${slackEscape((r.level ?? "alert").toUpperCase())}] ${slackEscape(r.title ?? r.rule)}* ${code(r.rule)}: ${r.alerts} alert${r.alerts === 1 ? "" : "s"}`];
    for (const g of r.keys) {
      const more = [g.alerts + " alert" + (g.alerts === 1 ? "" : "s"), details(g), `${g.first ?? "?"} to ${g.last ?? "?"}`].filter(Boolean).join(", ");
      lines.push(`• ${code(g.key === "" ? "(no key)" : g.key)} ${slackEscape(more)}`);
      if (g.addresses.length) lines.push(`   addresses: ${code(g.addresses.join(", "))}${g.moreAddresses ? ` +${g.moreAddresses}` : ""}`);
      if (g.samples.length) lines.push(`   samples: ${code(g.samples.join(", "))}`);
      if (g.lines[0] !== undefined) lines.push(`   ${code(g.lines[0])}`);
    }
    if (r.more.alerts > 0) lines.push(`… and ${r.more.alerts} more alerts for keys not listed`);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: cap(lines.join("\n"), 2900) } });
  }
  const notes: string[] = [];
  if (rules.length > MAX_RULE_BLOCKS) notes.push(`… and ${rules.length - MAX_RULE_BLOCKS} more rules`);
  if (d.moreRules.alerts > 0) notes.push(`… and ${d.moreRules.alerts} more alerts of rules not listed`);
  if (d.deferred.length > 0) notes.push(`held back by the rate limit, to follow: ${d.deferred.map(code).join(", ")}`);
  if (d.stats.length > 0) notes.push(`${d.stats.length + d.moreStats} statistics record(s)`);
  if (notes.length > 0) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: cap(notes.map((n) => n.startsWith("held") ? n : slackEscape(n)).join("\n"), 2900) }] });
  return { text: slackEscape(head), blocks };
}

export class WebhookChannel implements Channel {
  readonly label: string;

  constructor(
    readonly id: string,
    private readonly url: string,
    private readonly format: "json" | "slack",
  ) {
    this.label = `${format === "slack" ? "Slack webhook" : "webhook"} ${redactUrl(url)}`;
  }

  async send(digest: Digest): Promise<void> {
    const body = JSON.stringify(this.format === "slack" ? slackPayload(digest) : jsonPayload(digest));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "tripline-notify" },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new DeliveryError(`${(err as Error).name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    // Read (a little of) the answer so the connection can be reused; never more than that.
    const answer = (await response.text().catch(() => "")).slice(0, 200);
    if (!response.ok) throw new DeliveryError(`HTTP ${response.status}${answer ? `: ${clean(answer)}` : ""}`);
  }
}
