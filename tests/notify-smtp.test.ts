// Mail delivery against a real SMTP server (smtp-server): a multipart message
// with text and HTML, STARTTLS and implicit TLS, credentials only over TLS,
// and server refusals reported as failures (so the digest stays spooled).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SmtpChannel } from "../src/notify/delivery/smtp.js";
import { DeliveryError } from "../src/notify/delivery/channel.js";
import { resolveConfig, type SmtpConfig } from "../src/notify/config.js";
import { addAlerts, emptyDigest, type Digest } from "../src/notify/digest.js";
import { readBatch } from "../src/notify/records.js";
import { alertRecord, hasOpenssl, makeCerts, startSmtp, tempDir } from "./notify-helpers.js";

function digest(): Digest {
  const d = emptyDigest();
  addAlerts(d, readBatch(JSON.stringify([alertRecord([{ rule: "tripline-ssh-brute-force-fast", key: "203.0.113.50", title: "SSH brute force (fast)" }])]), "tripline").alerts, 50, Date.UTC(2026, 10, 21, 9, 0));
  return { ...d, id: "smtp-test-1", closed: Date.UTC(2026, 10, 21, 9, 5), deferred: [] };
}

function smtpConfig(url: string, env: NodeJS.ProcessEnv = {}, extra: Record<string, string | string[] | boolean> = {}): SmtpConfig {
  return resolveConfig({ smtp: url, from: "tripline@example.com", to: ["admin@example.com", "soc@example.com"], spool: tempDir(), ...extra }, env).smtp!;
}

const skipTls = hasOpenssl() ? false : "no openssl to make test certificates";

test("a digest arrives as one multipart mail with text and HTML, to every recipient", async () => {
  const smtp = await startSmtp();
  const channel = new SmtpChannel(smtpConfig(`smtp://127.0.0.1:${smtp.port}`));
  await channel.send(digest());
  channel.close();
  await smtp.close();
  assert.equal(smtp.mails.length, 1);
  const m = smtp.mails[0];
  assert.equal(m.envelope.from, "tripline@example.com");
  assert.deepEqual(m.envelope.to, ["admin@example.com", "soc@example.com"]);
  assert.equal(m.parsed.subject, "[tripline] 1 alert (high): SSH brute force (fast) [203.0.113.50]");
  assert.equal(m.parsed.headers.get("x-tripline-digest"), "smtp-test-1");
  assert.match(m.parsed.text ?? "", /tripline-ssh-brute-force-fast/);
  assert.match(String(m.parsed.html), /<table/);
  assert.match(String(m.parsed.html), /203\.0\.113\.50/);
});

test("STARTTLS with credentials from the environment: the login happens only inside TLS", { skip: skipTls }, async () => {
  const certs = makeCerts(tempDir("tripline-certs-"));
  const logins: { user: string; secure: boolean }[] = [];
  const smtp = await startSmtp({
    disabledCommands: [],
    key: readFileSync(certs.serverKey),
    cert: readFileSync(certs.serverCert),
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    onAuth(auth, session, cb) {
      logins.push({ user: auth.username!, secure: session.secure });
      if (auth.username === "alerts" && auth.password === "p4ss:word") cb(null, { user: auth.username });
      else cb(new Error("bad credentials"));
    },
  });
  const config = smtpConfig(`smtp://127.0.0.1:${smtp.port}`, { TRIPLINE_SMTP_USER: "alerts", TRIPLINE_SMTP_PASS: "p4ss:word" }, { "smtp-ca": certs.ca });
  assert.equal(config.requireTls, true, "credentials make STARTTLS mandatory");
  const channel = new SmtpChannel(config);
  await channel.send(digest());
  channel.close();
  await smtp.close();
  assert.deepEqual(logins, [{ user: "alerts", secure: true }]);
  assert.equal(smtp.mails.length, 1);
  assert.equal(smtp.mails[0].secure, true);
  assert.equal(smtp.mails[0].user, "alerts");
});

test("credentials are never sent to a server that offers no STARTTLS: the delivery fails instead", async () => {
  let authAttempts = 0;
  const smtp = await startSmtp({
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(_auth, _session, cb) {
      authAttempts++;
      cb(null, { user: "x" });
    },
  });
  const channel = new SmtpChannel(smtpConfig(`smtp://127.0.0.1:${smtp.port}`, { TRIPLINE_SMTP_USER: "alerts", TRIPLINE_SMTP_PASS: "secret" }));
  await assert.rejects(channel.send(digest()), (err: Error) => err instanceof DeliveryError && /STARTTLS|TLS/i.test(err.message));
  channel.close();
  await smtp.close();
  assert.equal(authAttempts, 0);
  assert.equal(smtp.mails.length, 0);
});

test("smtps:// speaks TLS from the first byte", { skip: skipTls }, async () => {
  const certs = makeCerts(tempDir("tripline-certs-"));
  const smtp = await startSmtp({ secure: true, key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert) });
  const channel = new SmtpChannel(smtpConfig(`smtps://127.0.0.1:${smtp.port}`, {}, { "smtp-ca": certs.ca }));
  await channel.send(digest());
  channel.close();
  await smtp.close();
  assert.equal(smtp.mails.length, 1);
  assert.equal(smtp.mails[0].secure, true);
});

test("a server certificate from an untrusted CA is refused", { skip: skipTls }, async () => {
  const certs = makeCerts(tempDir("tripline-certs-"));
  const smtp = await startSmtp({ secure: true, key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverCert) });
  const channel = new SmtpChannel(smtpConfig(`smtps://127.0.0.1:${smtp.port}`)); // no --smtp-ca
  await assert.rejects(channel.send(digest()), DeliveryError);
  channel.close();
  await smtp.close();
  assert.equal(smtp.mails.length, 0);
});

test("a refusal by the server is a failed delivery with the server's answer", async () => {
  const smtp = await startSmtp({
    onRcptTo(_address, _session, cb) {
      const err = new Error("mailbox unavailable") as Error & { responseCode: number };
      err.responseCode = 550;
      cb(err);
    },
  });
  const channel = new SmtpChannel(smtpConfig(`smtp://127.0.0.1:${smtp.port}`));
  await assert.rejects(channel.send(digest()), (err: Error) => err instanceof DeliveryError && /550|EENVELOPE/.test(err.message));
  channel.close();
  await smtp.close();
  assert.equal(smtp.mails.length, 0);
});

test("a refusal of some recipients delivers to the others and reports the refused ones", async () => {
  const smtp = await startSmtp({
    onRcptTo(address, _session, cb) {
      if (address.address === "soc@example.com") {
        const err = new Error("mailbox unavailable") as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
      } else cb();
    },
  });
  const channel = new SmtpChannel(smtpConfig(`smtp://127.0.0.1:${smtp.port}`));
  const outcome = await channel.send(digest());
  channel.close();
  await smtp.close();
  assert.deepEqual(smtp.mails.map((m) => m.envelope.to), [["admin@example.com"]]);
  assert.ok(outcome && /soc@example\.com/.test(outcome.warning) && /550/.test(outcome.warning), JSON.stringify(outcome));
});

test("a server that is not there is a failed delivery, not a crash", async () => {
  const smtp = await startSmtp();
  const port = smtp.port;
  await smtp.close();
  const channel = new SmtpChannel(smtpConfig(`smtp://127.0.0.1:${port}`));
  await assert.rejects(channel.send(digest()), (err: Error) => err instanceof DeliveryError && /ECONNREFUSED|ECONNECTION/.test(err.message));
  channel.close();
});
