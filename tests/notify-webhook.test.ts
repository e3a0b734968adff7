// Webhook delivery: JSON and Slack payloads POSTed to the configured URL only;
// any non-2xx answer, a redirect or no answer is a failed delivery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookChannel } from "../src/notify/delivery/webhook.js";
import { DeliveryError } from "../src/notify/delivery/channel.js";
import { addAlerts, emptyDigest, type Digest } from "../src/notify/digest.js";
import { readBatch } from "../src/notify/records.js";
import { alertRecord, startReceiver } from "./notify-helpers.js";

function digest(): Digest {
  const d = emptyDigest();
  addAlerts(d, readBatch(JSON.stringify([alertRecord([{ rule: "ssh-brute", key: "203.0.113.50" }])]), "tripline").alerts, 50, Date.UTC(2026, 10, 21, 9, 0));
  return { ...d, id: "hook-1", closed: Date.UTC(2026, 10, 21, 9, 5), deferred: [] };
}

test("the JSON webhook gets the digest as application/json at the configured path", async () => {
  const r = await startReceiver();
  await new WebhookChannel("webhook-1", `${r.url}/hooks/tripline?k=1`, "json").send(digest());
  await r.close();
  assert.equal(r.received.length, 1);
  assert.equal(r.received[0].path, "/hooks/tripline?k=1");
  assert.match(String(r.received[0].headers["content-type"]), /^application\/json/);
  const body = r.received[0].body as { type: string; id: string; alerts: number; rules: { rule: string }[] };
  assert.deepEqual([body.type, body.id, body.alerts, body.rules[0].rule], ["tripline.digest", "hook-1", 1, "ssh-brute"]);
});

test("the Slack webhook gets text and blocks", async () => {
  const r = await startReceiver();
  await new WebhookChannel("slack-1", `${r.url}/services/T/B/X`, "slack").send(digest());
  await r.close();
  const body = r.received[0].body as { text: string; blocks: { type: string }[] };
  assert.equal(body.text, "tripline: 1 alert from 1 rule");
  assert.deepEqual(body.blocks.map((b) => b.type), ["header", "context", "section"]);
});

test("a non-2xx answer is a failed delivery carrying the status", async () => {
  for (const status of [400, 404, 429, 500, 503]) {
    const r = await startReceiver(() => status);
    await assert.rejects(new WebhookChannel("webhook-1", `${r.url}/x`, "json").send(digest()), (err: Error) => err instanceof DeliveryError && err.message.startsWith(`HTTP ${status}`));
    await r.close();
  }
});

test("a redirect is not followed: the destination is the configured URL only", async () => {
  const elsewhere = await startReceiver();
  const server = createServer((_req, res) => {
    res.writeHead(307, { location: `${elsewhere.url}/stolen` });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  await assert.rejects(new WebhookChannel("webhook-1", url, "json").send(digest()), DeliveryError);
  server.close();
  await elsewhere.close();
  assert.equal(elsewhere.received.length, 0);
});

test("a closed port is a failed delivery, and the label never shows the URL's secret path", async () => {
  const r = await startReceiver();
  const url = `${r.url}/services/T0000/B0000/SECRET`;
  await r.close();
  const channel = new WebhookChannel("slack-1", url, "slack");
  assert.doesNotMatch(channel.label, /SECRET|services/);
  await assert.rejects(channel.send(digest()), (err: Error) => err instanceof DeliveryError && /ECONNREFUSED/.test(err.message) && !/SECRET/.test(err.message));
});
