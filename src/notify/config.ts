// Configuration of `tripline notify`: command-line options, optionally a YAML
// file with the same names (the command line wins), and secrets from the
// environment or files only. Every mistake is one ConfigError line; YAML
// mistakes carry file:line:column.
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

export class ConfigError extends Error {}

export interface SmtpConfig {
  url: string;
  host: string;
  port: number;
  /** smtps://: TLS from the first byte. */
  secure: boolean;
  /** smtp://: insist on STARTTLS (always so when credentials are set). */
  requireTls: boolean;
  auth?: { user: string; pass: string };
  /** PEM of a CA to trust in addition to the system's. */
  ca?: string;
  from: string;
  to: string[];
  subjectPrefix: string;
}

export interface NotifyConfig {
  listen: { host: string; port: number };
  smtp?: SmtpConfig;
  webhooks: string[];
  slack: string[];
  digestMs: number;
  rateLimit: { count: number; periodMs: number };
  maxKeysPerRule: number;
  namespace: string;
  includeStats: boolean;
  spoolDir: string;
  maxSpool: number;
  maxBodyBytes: number;
  token?: string;
  tls?: { cert: string; key: string; ca?: string };
  retry: { baseMs: number; maxMs: number };
  logLevel: LogLevel;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Option name -> kind. The YAML file takes the same names. */
export const OPTIONS = {
  config: "string",
  listen: "string",
  smtp: "string",
  from: "string",
  to: "list",
  "smtp-auth-file": "path",
  "smtp-require-tls": "flag",
  "smtp-ca": "path",
  "subject-prefix": "string",
  webhook: "list",
  slack: "list",
  digest: "string",
  "rate-limit": "string",
  "max-keys-per-rule": "string",
  namespace: "string",
  "include-stats": "flag",
  spool: "path",
  "max-spool": "string",
  "max-body": "string",
  "token-file": "path",
  "tls-cert": "path",
  "tls-key": "path",
  "tls-ca": "path",
  "retry-base": "string",
  "retry-max": "string",
  "log-level": "string",
  check: "flag",
  help: "flag",
} as const;

export type OptionName = keyof typeof OPTIONS;
export type RawOptions = Partial<Record<OptionName, string | string[] | boolean>>;

export const DEFAULT_PORT = 9025;

/**
 * The spool when --spool is not given: systemd's $STATE_DIRECTORY (set by
 * StateDirectory=), else $XDG_STATE_HOME/tripline/notify-spool, else
 * ~/.local/state/tripline/notify-spool.
 */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env): string {
  const systemd = env.STATE_DIRECTORY?.split(":")[0];
  if (systemd) return path.join(systemd, "notify-spool");
  const state = env.XDG_STATE_HOME || path.join(homedir(), ".local", "state");
  return path.join(state, "tripline", "notify-spool");
}

/** "90" (seconds), "500ms", "30s", "5m", "2h", "1d" -> milliseconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new ConfigError(`${what} needs a duration like 30s, 5m or 1h, got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? "s"]!;
  return Math.round(Number(m[1]) * unit);
}

/** "1048576", "512k", "8m", "1g" (also KiB/MB spellings) -> bytes. */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+)\s*([kmg]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new ConfigError(`${what} needs a size like 512k or 8m, got '${text}'`);
  const n = Number(m[1]) * 1024 ** " kmg".indexOf((m[2] || " ").toLowerCase());
  if (n <= 0) throw new ConfigError(`${what} must be more than 0`);
  return n;
}

/** "6/1h": at most 6 per hour per rule. */
export function parseRate(text: string, what: string): { count: number; periodMs: number } {
  const m = /^(\d+)\s*\/\s*(.+)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) throw new ConfigError(`${what} needs COUNT/DURATION like 6/1h, got '${text}'`);
  const periodMs = parseDuration(m[2], what);
  if (periodMs <= 0) throw new ConfigError(`${what} needs a period above 0, got '${text}'`);
  return { count: Number(m[1]), periodMs };
}

function positiveInt(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${what} needs a whole number of at least 1, got '${text}'`);
  return n;
}

export function parseListen(text: string): { host: string; port: number } {
  let host = "127.0.0.1";
  let portText = text;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (v6) [host, portText] = [v6[1], v6[2]];
  else if (text.includes(":")) {
    const i = text.lastIndexOf(":");
    [host, portText] = [text.slice(0, i), text.slice(i + 1)];
  }
  const port = Number(portText);
  if (!host || !/^\d+$/.test(portText) || port < 0 || port > 65535) throw new ConfigError(`--listen needs HOST:PORT (or PORT), got '${text}'`);
  return { host, port };
}

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

function address(text: string, what: string): string {
  if (!ADDRESS.test(text)) throw new ConfigError(`${what} needs a mail address like alerts@example.com, got '${text}'`);
  return text;
}

function httpUrl(text: string, what: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${what} needs an http(s) URL, got '${text}'`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ConfigError(`${what} needs an http(s) URL, got '${url.protocol}' in '${redactUrl(text)}'`);
  return text;
}

/** A URL fit for logs: scheme, host and port only (webhook paths carry secrets). */
export function redactUrl(text: string): string {
  try {
    const u = new URL(text);
    return `${u.protocol}//${u.host}${u.pathname !== "/" || u.search ? "/…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

function readSecretFile(file: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read ${what} '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return text.replace(/\r?\n$/, "");
}

/** True when group or others may read the file (a warning, not an error: containers often run as one user). */
export function looselyReadable(file: string): boolean {
  try {
    return (statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

function smtpAuth(raw: RawOptions, env: NodeJS.ProcessEnv): { user: string; pass: string } | undefined {
  const file = raw["smtp-auth-file"] as string | undefined;
  if (file) {
    const text = readSecretFile(file, "--smtp-auth-file");
    const line = text.split(/\r?\n/)[0];
    const colon = line.indexOf(":");
    if (colon <= 0 || colon === line.length - 1) throw new ConfigError(`--smtp-auth-file '${file}' must hold one line USER:PASSWORD`);
    return { user: line.slice(0, colon), pass: line.slice(colon + 1) };
  }
  const user = env.TRIPLINE_SMTP_USER;
  const pass = env.TRIPLINE_SMTP_PASS;
  if (user && pass) return { user, pass };
  if (user || pass) throw new ConfigError("set both TRIPLINE_SMTP_USER and TRIPLINE_SMTP_PASS, or neither");
  return undefined;
}

function smtpConfig(raw: RawOptions, env: NodeJS.ProcessEnv): SmtpConfig | undefined {
  const text = raw.smtp as string | undefined;
  const to = (raw.to as string[] | undefined) ?? [];
  if (!text) {
    if (to.length > 0 || raw.from) throw new ConfigError("--to and --from need --smtp smtp://HOST:PORT");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--smtp needs smtp://HOST:PORT or smtps://HOST:PORT, got '${text}'`);
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new ConfigError(`--smtp needs smtp://HOST:PORT or smtps://HOST:PORT, got '${text}'`);
  if (url.username || url.password) throw new ConfigError("--smtp must not carry credentials (they would show in the process list and the config): use TRIPLINE_SMTP_USER and TRIPLINE_SMTP_PASS, or --smtp-auth-file");
  if (!url.hostname) throw new ConfigError(`--smtp needs a host, got '${text}'`);
  if (!raw.from) throw new ConfigError("--smtp needs --from ADDRESS");
  if (to.length === 0) throw new ConfigError("--smtp needs at least one --to ADDRESS");
  const secure = url.protocol === "smtps:";
  const auth = smtpAuth(raw, env);
  const caFile = raw["smtp-ca"] as string | undefined;
  return {
    url: `${url.protocol}//${url.host}`,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTls: !secure && (raw["smtp-require-tls"] === true || auth !== undefined),
    auth,
    ca: caFile ? readSecretFile(caFile, "--smtp-ca") : undefined,
    from: address(raw.from as string, "--from"),
    to: to.map((t) => address(t, "--to")),
    subjectPrefix: (raw["subject-prefix"] as string | undefined) ?? "[tripline]",
  };
}

/** Builds the configuration from merged raw options (YAML under command line). */
export function resolveConfig(raw: RawOptions, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const str = (name: OptionName) => raw[name] as string | undefined;
  const smtp = smtpConfig(raw, env);
  const webhooks = ((raw.webhook as string[] | undefined) ?? []).map((u) => httpUrl(u, "--webhook"));
  const slack = ((raw.slack as string[] | undefined) ?? []).map((u) => httpUrl(u, "--slack"));
  if (!smtp && webhooks.length === 0 && slack.length === 0) throw new ConfigError("nowhere to deliver: give --smtp (with --from and --to), --webhook URL or --slack URL");
  const tokenFile = str("token-file");
  let token: string | undefined;
  if (tokenFile) token = readSecretFile(tokenFile, "--token-file").trim();
  else if (env.TRIPLINE_NOTIFY_TOKEN) token = env.TRIPLINE_NOTIFY_TOKEN.trim();
  if (token !== undefined && token.length < 16) throw new ConfigError("the bearer token must be at least 16 characters (from --token-file or TRIPLINE_NOTIFY_TOKEN)");
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) throw new ConfigError("the bearer token must be printable ASCII without spaces");
  const [cert, key, ca] = [str("tls-cert"), str("tls-key"), str("tls-ca")];
  if ((cert === undefined) !== (key === undefined)) throw new ConfigError("--tls-cert and --tls-key go together");
  if (ca && !cert) throw new ConfigError("--tls-ca (client certificates) needs --tls-cert and --tls-key");
  const tls = cert && key ? { cert: readSecretFile(cert, "--tls-cert"), key: readSecretFile(key, "--tls-key"), ca: ca ? readSecretFile(ca, "--tls-ca") : undefined } : undefined;
  const namespace = str("namespace") ?? "tripline";
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(namespace)) throw new ConfigError(`--namespace must be a record key like 'tripline', got '${namespace}'`);
  const logLevel = str("log-level") ?? "info";
  if (!["debug", "info", "warn", "error"].includes(logLevel)) throw new ConfigError(`--log-level is debug, info, warn or error, not '${logLevel}'`);
  const retry = { baseMs: parseDuration(str("retry-base") ?? "2s", "--retry-base"), maxMs: parseDuration(str("retry-max") ?? "5m", "--retry-max") };
  if (retry.baseMs <= 0 || retry.maxMs < retry.baseMs) throw new ConfigError("--retry-base must be above 0 and at most --retry-max");
  return {
    listen: parseListen(str("listen") ?? `127.0.0.1:${DEFAULT_PORT}`),
    smtp,
    webhooks,
    slack,
    digestMs: parseDuration(str("digest") ?? "5m", "--digest"),
    rateLimit: parseRate(str("rate-limit") ?? "6/1h", "--rate-limit"),
    maxKeysPerRule: positiveInt(str("max-keys-per-rule") ?? "50", "--max-keys-per-rule"),
    namespace,
    includeStats: raw["include-stats"] === true,
    spoolDir: path.resolve(str("spool") ?? defaultSpoolDir(env)),
    maxSpool: positiveInt(str("max-spool") ?? "10000", "--max-spool"),
    maxBodyBytes: parseSize(str("max-body") ?? "8m", "--max-body"),
    token,
    tls,
    retry,
    logLevel: logLevel as LogLevel,
  };
}

/** Reads the YAML configuration file: a map of option names to values. Paths are relative to the file. */
export function readConfigFile(file: string): RawOptions {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`cannot read config '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return `${file}:${p.line}:${p.col}`;
  };
  if (doc.errors.length > 0) throw new ConfigError(`${at(doc.errors[0].pos[0])}: ${doc.errors[0].message.split("\n")[0]}`);
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) throw new ConfigError(`${at((doc.contents as Node).range?.[0])}: the config must be a map of option names (listen:, smtp:, to:, ...)`);
  const out: RawOptions = {};
  const dir = path.dirname(path.resolve(file));
  for (const pair of doc.contents.items) {
    const keyNode = pair.key as Node;
    const name = isScalar(keyNode) ? String(keyNode.value) : "";
    const kind = OPTIONS[name as OptionName];
    if (!kind || name === "config" || name === "help" || name === "check") throw new ConfigError(`${at(keyNode.range?.[0])}: unknown option '${name}' (the names are those of the command line, e.g. smtp, to, digest)`);
    const valueNode = pair.value as Node | null;
    const where = at(valueNode?.range?.[0] ?? keyNode.range?.[0]);
    const scalar = (n: Node | null): string => {
      if (!isScalar(n) || n.value === null || typeof n.value === "object") throw new ConfigError(`${where}: '${name}' needs a value`);
      return String(n.value);
    };
    if (kind === "flag") {
      if (!isScalar(valueNode) || typeof valueNode.value !== "boolean") throw new ConfigError(`${where}: '${name}' is true or false`);
      out[name as OptionName] = valueNode.value;
    } else if (kind === "list") {
      out[name as OptionName] = isSeq(valueNode) ? valueNode.items.map((n) => scalar(n as Node)) : [scalar(valueNode)];
    } else {
      const v = scalar(valueNode);
      out[name as OptionName] = kind === "path" ? path.resolve(dir, v) : v;
    }
  }
  return out;
}

/** Command line over file: single values replace, lists replace too (a list on the command line is the whole list). */
export function mergeOptions(file: RawOptions, cli: RawOptions): RawOptions {
  return { ...file, ...cli };
}
