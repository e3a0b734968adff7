// Digests by e-mail over SMTP with nodemailer: smtps:// is TLS from the first
// byte; smtp:// upgrades with STARTTLS when the server offers it, and insists
// on it when credentials are set (they never cross the network in clear).
import { isIP } from "node:net";
import nodemailer from "nodemailer";
import type { Transporter } from "nodemailer";
import type { SmtpConfig } from "../config.js";
import type { Digest } from "../digest.js";
import { htmlBody, subject, textBody } from "../render.js";
import { DeliveryError, type Channel } from "./channel.js";

export class SmtpChannel implements Channel {
  readonly id = "smtp";
  readonly label: string;
  private readonly transport: Transporter;

  constructor(private readonly config: SmtpConfig) {
    this.label = `${config.url} (${config.to.length} recipient${config.to.length === 1 ? "" : "s"})`;
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTls,
      auth: config.auth,
      tls: { ca: config.ca, minVersion: "TLSv1.2", ...(isIP(config.host) ? {} : { servername: config.host }) },
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(digest: Digest): Promise<void | { warning: string }> {
    let info: { rejected?: unknown[]; rejectedErrors?: { response?: string }[] };
    try {
      info = await this.transport.sendMail({
        from: this.config.from,
        to: this.config.to,
        subject: subject(digest, this.config.subjectPrefix),
        text: textBody(digest),
        html: htmlBody(digest),
        headers: { "X-Tripline-Digest": digest.id },
      });
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number; response?: string };
      const reply = e.responseCode ? ` (server said ${e.responseCode}${e.response ? `: ${e.response.split("\n")[0].slice(0, 200)}` : ""})` : "";
      throw new DeliveryError(`${e.code ? `${e.code}: ` : ""}${e.message.split("\n")[0].slice(0, 300)}${reply && !e.message.includes(String(e.responseCode)) ? reply : ""}`);
    }
    // The server took the mail for some recipients only. Sending again would
    // duplicate it for the others, so this is reported, not retried.
    const rejected = (info.rejected ?? []).map((r) => (typeof r === "string" ? r : (r as { address?: string }).address ?? String(r)));
    if (rejected.length > 0) {
      const why = info.rejectedErrors?.[0]?.response?.split("\n")[0].slice(0, 200);
      return { warning: `the server refused recipient(s) ${rejected.join(", ")}${why ? ` (${why})` : ""}; the others got the mail` };
    }
  }

  close(): void {
    this.transport.close();
  }
}
