// The HTTP endpoint as Fluent Bit's http output meets it: status codes by the
// out_http retry rules (2xx accepted, 5xx retried, 4xx dropped by Fluent Bit),
// the bearer token, the size cap (also after gzip), formats, /healthz, and
// mutual TLS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createNotifyServer, type ServerOptions } from "../src/notify/server.js";
import { Notifier } from "../src/notify/service.js";
import { Spool } from "../src/notify/spool.js";
import { silentLogger } from "../src/notify/log.js";
import { systemClock } from "../src/notify/clock.js";
import { resolveConfig } from "../src/notify/config.js";
import type { Channel } from "../src/notify/delivery/channel.js";
import { alertRecord, hasOpenssl, makeCerts, statsRecord, tempDir } from "./notify-helpers.js";

const TOKEN = "s3cret-token-for-tests-0123";
const ALERTS = JSON.stringify([alertRecord([{ rule: "ssh-brute", key: "203.0.113.50" }])]);

async function start(options: Partial<ServerOptions> = {}, maxSpool = 100) {
  const dir = tempDir();
  const spool = await Spool.open(dir);
  const channel: Channel = { id: "webhook-1", label: "test", send: async () => undefined };
  const notifier = new Notifier({ digestMs: 3_600_000, rateLimit: { count: 6, periodMs: 3_600_000 }, maxKeysPerRule: 50, includeStats: false, maxSpool, retry: { baseMs: 1000, maxMs: 2000 } }, spool, [channel], systemClock, silentLogger);
  await notifier.start();
  const server: Server = createNotifyServer({ maxBodyBytes: 64 * 1024, namespace: "tripline", ...options }, notifier, silentLogger);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const base = `${options.tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (body: string | Buffer, headers: Record<string, string> = {}) => fetch(`${base}/alerts`, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { "content-type": "application/json", ...headers } });
  const health = async () => (await (await fetch(`${base}/healthz`)).json()) as Record<string, number> & { accepted: { alerts: number } };
  const stop = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await notifier.stop();
    await spool.close();
  };
  return { dir, base, post, health, notifier, stop };
}

test("alert records are answered 2xx once on disk; /healthz counts them", async () => {
  const s = await start();
  const r = await s.post(ALERTS);
  assert.equal(r.status, 200);
  assert.ok(r.status >= 200 && r.status <= 205, "a status Fluent Bit counts as success");
  assert.ok(readFileSync(path.join(s.dir, "pending.json"), "utf8").includes("203.0.113.50"), "on disk before the answer");
  const h = await s.health();
  for (const key of ["queued", "delivered", "failed", "spooled", "rejected"]) assert.equal(typeof h[key], "number", key);
  assert.equal(h.queued, 1);
  assert.equal(h.accepted.alerts, 1);
  assert.equal(h.rejected, 0);
  await s.stop();
});

test("bodies that are not alert records get a 4xx with the reason, are counted as rejected, and change nothing", async () => {
  const s = await start();
  const cases: [string | Buffer, Record<string, string>, number, RegExp][] = [
    [JSON.stringify([{ date: 1, log: "a plain record" }]), {}, 422, /no alert records/],
    ["this is not json", {}, 400, /not JSON/],
    ["", {}, 400, /empty/],
    [Buffer.from([0x91, 0x92, 0xd7, 0x00]), { "content-type": "application/msgpack" }, 415, /Format json/],
    [ALERTS, { "content-encoding": "zstd" }, 415, /Content-Encoding 'zstd'/],
    [Buffer.from("not gzip"), { "content-encoding": "gzip" }, 400, /gzip/],
  ];
  for (const [body, headers, status, pattern] of cases) {
    const r = await s.post(body, headers);
    assert.equal(r.status, status, String(pattern));
    assert.match(((await r.json()) as { error: string }).error, pattern);
  }
  const get = await fetch(`${s.base}/alerts`);
  assert.equal(get.status, 405);
  const h = await s.health();
  assert.equal(h.rejected, cases.length + 1);
  assert.equal(h.queued, 0);
  await s.stop();
});

test("statistics alone are accepted (2xx) and counted; Fluent Bit must not drop a chunk for carrying them", async () => {
  const s = await start();
  const r = await s.post(JSON.stringify([statsRecord(), statsRecord()]));
  assert.equal(r.status, 200);
  const h = await s.health();
  assert.equal(h.stats, 2);
  assert.equal(h.queued, 0);
  await s.stop();
});

test("with a token, everything without exactly that bearer token gets 401", async () => {
  const s = await start({ token: TOKEN });
  const bad: Record<string, string>[] = [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString("base64")}` }, { authorization: TOKEN }];
  for (const headers of bad) {
    const r = await s.post(ALERTS, headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
  }
  assert.equal((await s.health()).queued, 0, "nothing from a request without the token was taken");
  const ok = await s.post(ALERTS, { authorization: `Bearer ${TOKEN}` });
  assert.equal(ok.status, 200);
  const h = await s.health();
  assert.equal(h.queued, 1);
  assert.equal(h.rejected, bad.length);
  await s.stop();
});

test("bodies over --max-body get 413, whether declared, streamed or inflated from gzip", async () => {
  const s = await start(); // 64 KiB
  const big = JSON.stringify([alertRecord([{ rule: "r", key: "k" }], "x".repeat(70 * 1024))]);
  assert.equal((await s.post(big)).status, 413);
  // Streamed without a length (chunked): the cap applies to what arrives.
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode("x".repeat(10 * 1024)));
      c.close();
    },
  });
  const chunked = await fetch(`${s.base}/alerts`, { method: "POST", body: stream, headers: { "content-type": "application/json" }, duplex: "half" } as RequestInit);
  assert.equal(chunked.status, 413);
  // A small gzip body that inflates past the cap (a zip bomb) is refused too.
  const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 0x20));
  assert.ok(bomb.length < 64 * 1024);
  assert.equal((await s.post(bomb, { "content-encoding": "gzip" })).status, 413);
  // Within the cap, gzip (Fluent Bit's Compress gzip) is accepted.
  assert.equal((await s.post(gzipSync(ALERTS), { "content-encoding": "gzip" })).status, 200);
  assert.equal((await s.health()).queued, 1);
  await s.stop();
});

test("when the spool cannot take a batch the answer is 503, which Fluent Bit retries", async () => {
  const s = await start();
  mkdirSync(path.join(s.dir, "pending.json.tmp"));
  const r = await s.post(ALERTS);
  assert.equal(r.status, 503);
  assert.ok(r.headers.get("retry-after"));
  assert.equal((await s.health()).queued, 0);
  await s.stop();
});

test("notify listens on loopback unless told otherwise", () => {
  const config = resolveConfig({ webhook: ["http://127.0.0.1:1/x"], spool: tempDir() }, {});
  assert.equal(config.listen.host, "127.0.0.1");
  assert.equal(resolveConfig({ webhook: ["http://127.0.0.1:1/x"], listen: "9999", spool: tempDir() }, {}).listen.host, "127.0.0.1");
});

function tlsPost(port: number, options: { ca: string; cert?: string; key?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path: "/alerts", method: "POST", headers: { "content-type": "application/json" }, ca: options.ca, cert: options.cert, key: options.key }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(ALERTS);
  });
}

test("mutual TLS: only clients with a certificate from --tls-ca get through", { skip: hasOpenssl() ? false : "no openssl to make test certificates" }, async () => {
  const certs = makeCerts(tempDir("tripline-certs-"));
  const read = (f: string) => readFileSync(f, "utf8");
  const s = await start({ tls: { cert: read(certs.serverCert), key: read(certs.serverKey), ca: read(certs.ca) } });
  const port = Number(new URL(s.base).port);
  assert.equal(await tlsPost(port, { ca: read(certs.ca), cert: read(certs.clientCert), key: read(certs.clientKey) }), 200);
  await assert.rejects(tlsPost(port, { ca: read(certs.ca) }), "no client certificate");
  await assert.rejects(tlsPost(port, { ca: read(certs.ca), cert: read(certs.otherCert), key: read(certs.otherKey) }), "a certificate from another CA");
  assert.equal(s.notifier.health().queued, 1, "only the authenticated client's batch was taken");
  await s.stop();
});
