// The HTTP(S) endpoint Fluent Bit's `http` output posts to, and /healthz.
//
// How Fluent Bit reads the answer (plugins/out_http/http.c, 4.1.2 and 5.1.1):
// 200-205 is success; any other 4xx except 408 and 429 makes the chunk an
// error that is NOT retried (the records are dropped, "chunk will not be
// retried"); 408, 429, 5xx, other codes and connection failures are retried
// per Retry_Limit (default 1 retry; set it to no_limits for alerts). So:
//   2xx  the batch is on disk in the spool (or held only statistics, counted)
//   503  notify cannot take it now (spool unwritable or full, shutting down): retried
//   401  no or wrong bearer token        413  body over --max-body
//   400  not JSON                         415  msgpack, or an encoding other than gzip
//   422  JSON without any alert record    405/404  wrong method or path
// Every 4xx is logged with its reason, since Fluent Bit will not send it again.
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import { createHash, timingSafeEqual } from "node:crypto";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import type { Logger } from "./log.js";
import { BodyError, readBatch } from "./records.js";
import { Busy, type Notifier } from "./service.js";

const gunzipAsync = promisify(gunzip);

export interface ServerOptions {
  maxBodyBytes: number;
  token?: string;
  namespace: string;
  tls?: { cert: string; key: string; ca?: string };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function digestOf(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Constant-time check of `Authorization: Bearer <token>`. */
export function authorized(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m !== null && timingSafeEqual(digestOf(m[1]), digestOf(token));
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store", ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) throw new HttpError(413, `body of ${declared} bytes is over --max-body (${max} bytes)`, { connection: "close" });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, `body is over --max-body (${max} bytes)`, { connection: "close" });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function decode(req: IncomingMessage, body: Buffer, max: number): Promise<string> {
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding === "gzip" || encoding === "x-gzip") {
    try {
      return (await gunzipAsync(body, { maxOutputLength: max })).toString("utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) throw new HttpError(413, `gzip body inflates to more than --max-body (${max} bytes)`);
      throw new HttpError(400, `gzip body cannot be inflated: ${(err as Error).message}`);
    }
  }
  if (encoding !== "identity" && encoding !== "") throw new HttpError(415, `Content-Encoding '${encoding}' is not supported: use Compress gzip or none`);
  return body.toString("utf8");
}

export function createNotifyServer(options: ServerOptions, notifier: Notifier, log: Logger): Server {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const from = req.socket?.remoteAddress ?? "?";
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "use GET for /healthz", { allow: "GET, HEAD" });
      reply(res, 200, notifier.health());
      return;
    }
    if (req.method !== "POST" && req.method !== "PUT") throw new HttpError(405, `method ${req.method} not allowed: Fluent Bit's http output POSTs (or PUTs) records`, { allow: "POST, PUT", connection: "close" });
    if (options.token !== undefined && !authorized(req.headers.authorization, options.token))
      throw new HttpError(401, req.headers.authorization ? "wrong bearer token" : "missing bearer token: set Header Authorization Bearer <token> in the http output", {
        "www-authenticate": 'Bearer realm="tripline-notify"',
        connection: "close",
      });
    const type = String(req.headers["content-type"] ?? "");
    if (/msgpack/i.test(type)) throw new HttpError(415, "msgpack bodies are not supported: set Format json (or json_lines) in the http output", { connection: "close" });
    const body = await readBody(req, options.maxBodyBytes);
    const text = await decode(req, body, options.maxBodyBytes);
    let batch;
    try {
      batch = readBatch(text, options.namespace);
    } catch (err) {
      if (err instanceof BodyError) throw new HttpError(err.status, err.message);
      throw err;
    }
    try {
      await notifier.accept(batch);
    } catch (err) {
      if (err instanceof Busy) {
        log.warn(`answered 503 to ${from}: ${err.message}`);
        reply(res, 503, { error: err.message }, { "retry-after": "30" });
        return;
      }
      log.error(`cannot spool a batch from ${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; answered 503 so Fluent Bit retries`);
      reply(res, 503, { error: "cannot write the spool; retry later" }, { "retry-after": "30" });
      return;
    }
    const rules = new Map<string, number>();
    for (const a of batch.alerts) rules.set(a.alert.rule, (rules.get(a.alert.rule) ?? 0) + 1);
    const listed = [...rules].map(([r, n]) => `${r} ×${n}`).join(", ");
    if (batch.alerts.length > 0) log.info(`accepted ${batch.alertRecords} alert record(s) from ${from}: ${listed}`);
    log.debug(`batch from ${from}: ${batch.records} record(s), keys ${[...new Set(batch.alerts.map((a) => a.alert.key ?? ""))].join(", ")}`);
    if (batch.stats.length > 0) log.debug(`${batch.stats.length} statistics record(s) from ${from}`);
    if (batch.ignored > 0) log.warn(`${batch.ignored} record(s) from ${from} are neither alert nor statistics records and were ignored (first one's keys: ${batch.ignoredKeys?.join(", ")}); route only alert.* to this output`);
    reply(res, 200, { accepted: batch.alerts.length, alertRecords: batch.alertRecords, stats: batch.stats.length, ignored: batch.ignored });
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const from = req.socket?.remoteAddress ?? "?";
    handle(req, res).catch((err) => {
      try {
        if (err instanceof HttpError) {
          if (err.status >= 400 && err.status < 500 && (req.url ?? "").split("?")[0] !== "/healthz") {
            notifier.counts.rejected++;
            log.warn(`rejected a request from ${from} with ${err.status}: ${err.message}${err.status !== 408 && err.status !== 429 ? " (Fluent Bit does not retry this)" : ""}`);
          }
          if (!res.headersSent) reply(res, err.status, { error: err.message }, err.headers);
          return;
        }
        log.error(`request from ${from} failed: ${(err as Error).message}`);
        if (!res.headersSent) reply(res, 500, { error: "internal error" });
        else res.destroy();
      } catch (inner) {
        log.error(`answering a request from ${from} failed: ${(inner as Error).message}`);
        res.destroy();
      }
    });
  };

  const server = options.tls
    ? createHttps({ cert: options.tls.cert, key: options.tls.key, ca: options.tls.ca, requestCert: options.tls.ca !== undefined, rejectUnauthorized: options.tls.ca !== undefined, minVersion: "TLSv1.2" }, listener)
    : createHttp(listener);
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  return server;
}
