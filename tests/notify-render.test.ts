// What reaches people: every piece of record content is escaped in HTML mail
// and in Slack's mrkdwn, and cleaned of control and bidi characters in the
// plain text and the subject.
import { test } from "node:test";
import assert from "node:assert/strict";
import { addAlerts, emptyDigest, type Digest } from "../src/notify/digest.js";
import { htmlBody, subject, textBody } from "../src/notify/render.js";
import { jsonPayload, slackPayload } from "../src/notify/delivery/webhook.js";
import { readBatch } from "../src/notify/records.js";
import { alertRecord } from "./notify-helpers.js";

const EVIL_KEY = '<script>alert("k")</script>';
const EVIL_LINE = "GET /<img src=x onerror=alert(1)> \u001b[31mred\u001b[0m \u202eevil\r\nInjected: header";

function digestOf(records: Record<string, unknown>[]): Digest {
  const d = emptyDigest();
  addAlerts(d, readBatch(JSON.stringify(records), "tripline").alerts, 50, Date.UTC(2026, 10, 21, 9, 0));
  return { ...d, id: "test-1", closed: Date.UTC(2026, 10, 21, 9, 5), deferred: [] };
}

const evil = digestOf([
  alertRecord([{ rule: "web-xss", key: EVIL_KEY, title: "XSS <b>&amp;</b> 'quoted'", samples: ["<svg onload=x>"], addresses: ["<!channel>"], group: { "c-ip": "<i>ip</i>" } }], EVIL_LINE),
]);

test("HTML mail escapes every piece of record content", () => {
  const html = htmlBody(evil);
  assert.doesNotMatch(html, /<script|<img|<svg|<i>|<b>|onerror=alert\(1\)>/);
  assert.ok(html.includes("&lt;script&gt;alert(&quot;k&quot;)&lt;/script&gt;"));
  assert.ok(html.includes("&lt;img src=x onerror=alert(1)&gt;"));
  assert.ok(html.includes("XSS &lt;b&gt;&amp;amp;&lt;/b&gt; &#39;quoted&#39;"));
  assert.ok(html.includes("&lt;svg onload=x&gt;"));
  assert.doesNotMatch(html, /[\u001b\u202e\r]/);
});

test("the plain-text alternative shows the content as text, without control or bidi characters", () => {
  const text = textBody(evil);
  assert.ok(text.includes(EVIL_KEY), "text shows the key as it is");
  assert.ok(text.includes("GET /<img src=x onerror=alert(1)>"));
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
  assert.doesNotMatch(text, /\nInjected: header/, "a line break inside a record value does not start a new line");
});

test("the subject is one line and bounded", () => {
  const d = digestOf([alertRecord([{ rule: "r", key: "a\r\nBcc: victim@example.com" + "x".repeat(500), title: "T\nX" }])]);
  const s = subject(d, "[tripline]");
  assert.doesNotMatch(s, /[\r\n]/);
  assert.ok(s.length <= 200);
  assert.ok(s.startsWith("[tripline] 1 alert (high): "));
});

test("Slack payload: <, > and & escaped so no mention or link can be injected; backticks cannot end a code span", () => {
  const d = digestOf([alertRecord([{ rule: "r`x", key: "k` *bold* <!here>", addresses: ["<!channel>"] }], "<https://evil.example|click>")]);
  const payload = slackPayload(d) as { text: string; blocks: { type: string; text?: { text: string } }[] };
  const all = JSON.stringify(payload);
  assert.doesNotMatch(all, /<!here>|<!channel>|<https:/);
  const section = payload.blocks.find((b) => b.type === "section")!.text!.text;
  assert.ok(section.includes("`r'x`"));
  assert.ok(section.includes("`k' *bold* &lt;!here&gt;`"));
  assert.ok(section.includes("&lt;!channel&gt;"));
  assert.ok(payload.blocks.length <= 50);
});

test("Slack payload stays within Slack's limits for a digest with many rules and keys", () => {
  const records = [];
  for (let r = 0; r < 80; r++) records.push(alertRecord(Array.from({ length: 30 }, (_, k) => ({ rule: `rule-${r}`, key: `10.0.${r}.${k}` }))));
  const payload = slackPayload(digestOf(records)) as { blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
  assert.ok(payload.blocks.length <= 50);
  for (const b of payload.blocks) assert.ok((b.text?.text ?? b.elements?.[0].text ?? "").length <= 3000);
  assert.ok(JSON.stringify(payload).includes("… and 35 more rules"));
});

test("the generic JSON payload carries rules and keys with ISO times", () => {
  const p = jsonPayload(digestOf([alertRecord([{ rule: "ssh-brute", key: "203.0.113.50", count: 7 }])])) as { type: string; closed: string; alerts: number; rules: { rule: string; keys: { key: string; alerts: number; latest: { count: number } }[] }[] };
  assert.equal(p.type, "tripline.digest");
  assert.equal(p.closed, "2026-11-21T09:05:00.000Z");
  assert.equal(p.alerts, 1);
  assert.equal(p.rules[0].rule, "ssh-brute");
  assert.deepEqual([p.rules[0].keys[0].key, p.rules[0].keys[0].alerts, p.rules[0].keys[0].latest.count], ["203.0.113.50", 1, 7]);
});

test("the mail lists addresses, samples and sample lines the alert carries", () => {
  const d = digestOf([alertRecord([{ rule: "ssh-spray", key: "web1", addresses: ["203.0.113.1", "203.0.113.2"], samples: ["root", "oracle"] }], "Failed password for oracle from 203.0.113.2")]);
  const text = textBody(d);
  assert.match(text, /addresses: 203\.0\.113\.1, 203\.0\.113\.2/);
  assert.match(text, /samples: root, oracle/);
  assert.match(text, /> Failed password for oracle from 203\.0\.113\.2/);
  const html = htmlBody(d);
  assert.ok(html.includes("203.0.113.1, 203.0.113.2") && html.includes("root, oracle"));
});
