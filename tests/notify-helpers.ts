// Shared by the tripline notify suites: a fake clock, alert records as the
// module writes them (README, "What a record looks like"), a real SMTP server
// (smtp-server) whose messages are read back with mailparser, a webhook
// receiver, certificates made with openssl, and notify as a child process.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import type { Clock } from "../src/notify/clock.js";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const CLI = path.join(ROOT, "bin", "tripline.js");

export function tempDir(prefix = "tripline-notify-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Time that moves only when the test says so; timers fire in time order. */
export class FakeClock implements Clock {
  private t: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  constructor(start = Date.UTC(2026, 10, 21, 9, 0, 0)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** The time of the earliest timer, or null. */
  due(): number | null {
    return this.timers.length ? Math.min(...this.timers.map((t) => t.at)) : null;
  }
  /** Moves time forward by `ms`, firing each due timer at its own time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

export interface AlertSpec {
  rule: string;
  key: string;
  count?: number;
  threshold?: number;
  first?: string;
  last?: string;
  level?: string;
  title?: string;
  status?: string;
  samples?: string[];
  addresses?: string[];
  group?: Record<string, string>;
}

/** A record carrying alerts, as the module writes it and Fluent Bit's http output (Format json) sends it. */
export function alertRecord(alerts: AlertSpec[], line = "Nov 21 09:00:23 web1 sshd[4431]: Failed password for root from 203.0.113.50 port 40022 ssh2", namespace = "tripline"): Record<string, unknown> {
  return {
    date: 1795251623.0,
    log: line,
    [namespace]: {
      rules: alerts.map((a) => a.rule),
      level: "high",
      tags: ["attack.credential_access"],
      alerts: alerts.map((a) => ({
        rule: a.rule,
        title: a.title ?? `Title of ${a.rule}`,
        level: a.level ?? "high",
        type: "event_count",
        status: a.status ?? "fired",
        tags: ["attack.credential_access", "attack.t1110.001"],
        group: a.group ?? { client_ip: a.key },
        key: a.key,
        count: a.count ?? 5,
        threshold: a.threshold ?? 5,
        window: 60,
        first: a.first ?? "2026-11-21T09:00:02.000Z",
        last: a.last ?? "2026-11-21T09:00:23.000Z",
        ...(a.samples ? { samples: a.samples } : {}),
        ...(a.addresses ? { addresses: a.addresses } : {}),
      })),
    },
    tripline_alert: alerts[0]?.rule ?? "x",
  };
}

export function statsRecord(namespace = "tripline"): Record<string, unknown> {
  return {
    date: 1795251623.0,
    log: "x",
    [namespace]: { stats: { from: "2026-11-21T09:00:00.000Z", to: "2026-11-21T09:05:00.000Z", records: 120, matched: 9, alerted: 2, dropped: 0, rules: { "tripline-ssh-failed-login": 7, "tripline-auth-failure": 2 }, correlations: {} } },
    tripline_alert: "stats",
  };
}

export interface Mail {
  envelope: { from: string; to: string[] };
  secure: boolean;
  user?: string;
  parsed: ParsedMail;
}

/** A real SMTP server on loopback that keeps every message it accepts. */
export async function startSmtp(options: Partial<SMTPServerOptions> = {}): Promise<{ port: number; mails: Mail[]; server: SMTPServer; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    ...options,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            mails.push({
              envelope: { from: String((session.envelope.mailFrom as { address: string }).address), to: session.envelope.rcptTo.map((r) => r.address) },
              secure: session.secure,
              user: session.user as string | undefined,
              parsed,
            });
            callback();
          },
          (err) => callback(err),
        );
      });
    },
  });
  server.on("error", () => undefined);
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port)));
  return { port, mails, server, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** An HTTP receiver for webhooks; `status` decides the answer for each request (default 200). */
export async function startReceiver(status: (n: number) => number = () => 200): Promise<{ url: string; received: Received[]; server: Server; close(): Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const code = status(n++);
      if (code >= 200 && code < 300) received.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(code < 300 ? "ok" : "nope");
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
  return { url: `http://127.0.0.1:${port}`, received, server, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

export function hasOpenssl(): boolean {
  return spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
export function makeCerts(dir: string): Record<"ca" | "caKey" | "serverCert" | "serverKey" | "clientCert" | "clientKey" | "otherCert" | "otherKey", string> {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  };
  writeFileSync(f("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=tripline test CA"]);
  for (const [name, cn] of [["server", "127.0.0.1"], ["client", "fluent-bit"]]) {
    run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", `/CN=${cn}`]);
    run(["x509", "-req", "-in", f(`${name}.csr`), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${name}.pem`), "-days", "2", ...(name === "server" ? ["-extfile", f("san.ext")] : [])]);
  }
  // A client certificate from a CA notify does not trust.
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("other.key"), "-out", f("other.pem"), "-days", "2", "-subj", "/CN=stranger"]);
  return { ca: f("ca.pem"), caKey: f("ca.key"), serverCert: f("server.pem"), serverKey: f("server.key"), clientCert: f("client.pem"), clientKey: f("client.key"), otherCert: f("other.pem"), otherKey: f("other.key") };
}

export interface NotifyProcess {
  child: ChildProcess;
  log(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `tripline notify` as a process; resolves once it logs that it listens. */
export async function spawnNotify(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NotifyProcess> {
  const child = spawn(process.execPath, [CLI, "notify", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`notify did not start within 15 s:\n${log}`)), 15000);
    const check = () => {
      if (/listening on/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on("data", check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`notify exited with ${code} before listening:\n${log}`));
    });
  });
  return {
    child,
    log: () => log,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Polls `cond` every 50 ms until it holds or `ms` pass. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
