// `tripline notify`: receives alert records from Fluent Bit's http output and
// delivers them as digests by e-mail and webhooks. Runs until SIGINT/SIGTERM.
// Mistakes in options or the config file: one line, exit 2. A spool in use or
// an address that cannot be bound: one line, exit 1.
import { isIP } from "node:net";
import { parseArgs, UsageError, type OptionSpec } from "../cli/args.js";
import { systemClock } from "./clock.js";
import { ConfigError, looselyReadable, mergeOptions, OPTIONS, readConfigFile, redactUrl, resolveConfig, DEFAULT_PORT, type NotifyConfig, type RawOptions } from "./config.js";
import type { Channel } from "./delivery/channel.js";
import { SmtpChannel } from "./delivery/smtp.js";
import { WebhookChannel } from "./delivery/webhook.js";
import { createLogger, type Logger } from "./log.js";
import { createNotifyServer } from "./server.js";
import { formatMs, Notifier } from "./service.js";
import { Spool, SpoolError } from "./spool.js";

export const NOTIFY_HELP = `Usage: tripline notify [options]

Receives alert records from Fluent Bit's http output (Format json or
json_lines) and delivers them as digests: one message per window listing the
alerts grouped by rule and key. Runs until stopped (SIGINT, SIGTERM).

Where to listen:
      --listen HOST:PORT  address to listen on (default: 127.0.0.1:${DEFAULT_PORT}; PORT alone
                          keeps 127.0.0.1)
      --token-file FILE   require Authorization: Bearer <token> (token from FILE,
                          or from the environment variable TRIPLINE_NOTIFY_TOKEN)
      --tls-cert FILE, --tls-key FILE
                          serve HTTPS
      --tls-ca FILE       require client certificates signed by this CA (mutual TLS)
      --max-body SIZE     largest request body, also after gzip (default: 8m)

Where to deliver (at least one):
      --smtp URL          smtp://HOST[:PORT] (STARTTLS when offered; required when
                          authenticating) or smtps://HOST[:PORT] (TLS)
      --from ADDRESS      sender of the mails
      --to ADDRESS        recipient (repeatable)
      --smtp-auth-file FILE
                          one line USER:PASSWORD; else TRIPLINE_SMTP_USER and
                          TRIPLINE_SMTP_PASS from the environment
      --smtp-require-tls  refuse to send without STARTTLS
      --smtp-ca FILE      trust this CA for the SMTP server's certificate
      --subject-prefix TEXT
                          start of every subject (default: [tripline])
      --webhook URL       POST each digest as JSON (repeatable)
      --slack URL         POST each digest in Slack's format (text and blocks) to an
                          incoming webhook (repeatable)

Digests:
      --digest DURATION   window from the first alert to the message (default: 5m;
                          0 sends each batch at once)
      --rate-limit N/DURATION
                          at most N digests per rule per DURATION (default: 6/1h);
                          alerts held back stay queued and follow, merged
      --max-keys-per-rule N
                          keys listed per rule in one digest (default: 50)
      --namespace NAME    record key of tripline's object (default: tripline)
      --include-stats     deliver statistics records too (default: counted, not sent)

Reliability:
      --spool DIR         where accepted alerts and undelivered digests are kept
                          (default: $STATE_DIRECTORY/notify-spool under systemd, else
                          $XDG_STATE_HOME or ~/.local/state, then tripline/notify-spool)
      --max-spool N       undelivered digests kept before answering 503 (default: 10000)
      --retry-base DURATION, --retry-max DURATION
                          backoff after failed deliveries: doubles from base up to
                          max (default: 2s, 5m); retries never stop

Other:
      --config FILE       read options from a YAML map with the same names
                          (smtp: ..., to: [...]); the command line wins
      --log-level LEVEL   debug, info, warn or error (default: info)
      --check             check the options, print what would run, and exit
  -h, --help              show this help

GET /healthz answers JSON counts: queued, spooled, delivered, failed, rejected.
Secrets never go on the command line: credentials in --smtp URLs are refused.`;

const SPEC: Record<string, OptionSpec> = Object.fromEntries(
  Object.entries(OPTIONS).map(([name, kind]) => [name, { value: kind !== "flag", repeat: kind === "list", ...(name === "help" ? { short: "h" } : {}) }]),
);

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

function channelsOf(config: NotifyConfig): Channel[] {
  const channels: Channel[] = [];
  if (config.smtp) channels.push(new SmtpChannel(config.smtp));
  config.webhooks.forEach((url, i) => channels.push(new WebhookChannel(`webhook-${i + 1}`, url, "json")));
  config.slack.forEach((url, i) => channels.push(new WebhookChannel(`slack-${i + 1}`, url, "slack")));
  return channels;
}

function describe(config: NotifyConfig, channels: Channel[]): string {
  const l = config.listen;
  return [
    `listen ${config.tls ? "https" : "http"}://${l.host.includes(":") ? `[${l.host}]` : l.host}:${l.port}${config.token ? ", bearer token required" : ""}${config.tls?.ca ? ", client certificates required" : ""}`,
    `deliver to ${channels.map((c) => c.label).join(", ")}`,
    `digest ${config.digestMs === 0 ? "at once" : `every ${formatMs(config.digestMs)}`}, at most ${config.rateLimit.count} per rule per ${formatMs(config.rateLimit.periodMs)}, ${config.maxKeysPerRule} keys per rule`,
    `namespace '${config.namespace}', statistics ${config.includeStats ? "delivered" : "counted, not delivered"}`,
    `spool ${config.spoolDir} (at most ${config.maxSpool} undelivered digests), retries every ${formatMs(config.retry.baseMs)} doubling up to ${formatMs(config.retry.maxMs)}`,
  ].join("\n");
}

function warnings(config: NotifyConfig, raw: RawOptions, cli: RawOptions, log: Logger): void {
  if (!isLoopback(config.listen.host) && !config.token && !config.tls?.ca) log.warn(`listening on ${config.listen.host} without a bearer token or client certificates: anyone who can reach the port can post alerts`);
  for (const name of ["token-file", "smtp-auth-file"] as const) {
    const file = raw[name] as string | undefined;
    if (file && looselyReadable(file)) log.warn(`--${name} '${file}' can be read by other users (chmod 600 it)`);
  }
  const onCommandLine = [...((cli.webhook as string[]) ?? []), ...((cli.slack as string[]) ?? [])].filter((u) => redactUrl(u).endsWith("/…"));
  if (onCommandLine.length > 0) log.warn("webhook URLs on the command line are visible in the process list; put them in the --config file");
}

/** Serves until SIGINT/SIGTERM. */
async function serve(config: NotifyConfig, raw: RawOptions, cli: RawOptions): Promise<number> {
  const log = createLogger(config.logLevel);
  // Signal handlers first: a SIGTERM that comes while starting still ends in an orderly stop.
  let detach = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    detach = () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
    const stop = (signal: string) => {
      log.info(`${signal}: stopping`);
      detach();
      resolve();
    };
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
  warnings(config, raw, cli, log);
  let spool: Spool;
  try {
    spool = await Spool.open(config.spoolDir);
  } catch (err) {
    detach();
    if (err instanceof SpoolError) {
      console.error(`tripline notify: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const channels = channelsOf(config);
  const notifier = new Notifier(config, spool, channels, systemClock, log);
  await notifier.start();
  const server = createNotifyServer(config, notifier, log);
  const listening = await new Promise<string | null>((resolve) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      console.error(`tripline notify: cannot listen on ${config.listen.host}:${config.listen.port}: ${err.code ?? err.message}`);
      resolve(null);
    });
    server.listen(config.listen.port, config.listen.host, () => {
      const a = server.address();
      resolve(a && typeof a === "object" ? `${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}` : String(a));
    });
  });
  if (listening === null) {
    detach();
    await notifier.stop(0);
    await spool.close();
    return 1;
  }
  log.info(`tripline notify listening on ${config.tls ? "https" : "http"}://${listening}; ${describe(config, channels).split("\n").slice(1).join("; ")}`);
  await stopRequested;
  server.close();
  server.closeAllConnections?.();
  await notifier.stop();
  await spool.close();
  const h = notifier.health();
  log.info(`stopped: ${h.delivered} delivered, ${h.failed} failed attempts, ${h.rejected} rejected, ${h.queued} alert(s) queued and ${h.spooled} digest(s) spooled for the next start`);
  return 0;
}

export async function notifyCommand(argv: string[]): Promise<number> {
  let config: NotifyConfig;
  let raw: RawOptions;
  let cli: RawOptions;
  try {
    const parsed = parseArgs(argv, SPEC, "notify");
    if (parsed.options.help) {
      console.log(NOTIFY_HELP);
      return 0;
    }
    if (parsed.positional.length > 0) throw new ConfigError(`'notify' takes no arguments (got '${parsed.positional[0]}'); see tripline notify --help`);
    cli = parsed.options as RawOptions;
    const file = typeof cli.config === "string" ? readConfigFile(cli.config) : {};
    raw = mergeOptions(file, cli);
    config = resolveConfig(raw);
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`tripline notify: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (cli.check === true) {
    console.log(`ok\n${describe(config, channelsOf(config))}`);
    return 0;
  }
  return serve(config, raw, cli);
}
