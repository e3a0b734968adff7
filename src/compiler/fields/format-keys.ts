// The record keys each closed record format can carry, so the compiler can
// tell a correlation whose group-by or value field no record of its rules will ever
// have (rules/field-reach.ts). The module tells a record's formats by
// the keys it carries (assembly/record/record.ts, formatsOf), so a format's
// keys are those of every kind of record recognised as it: what the
// module's raw-line readers fill (assembly/record/raw/), what Fluent Bit's
// stock parsers name, and the request target's parts the module cuts
// (assembly/fields/reader.ts). JSON is open (OPEN_FORMATS): not listed.
// A JSON record that carries a request target or a program is recognised
// as access or syslog as well, with keys of its own: this table does not
// speak for those. tests/format-keys.test.ts holds it to what the module
// reads of the bundled logs.
import type { FORMATS } from "../schema.js";
import { ACCESS_PARSER_KEYS, SYSLOG_PARSER_KEYS } from "./default-map.js";

/** Keys that some kind of record of a format carries; `only` names that kind when it is not the format's usual one. */
export interface Carrier {
  keys: readonly string[];
  only?: string;
}

export type ClosedFormat = Exclude<(typeof FORMATS)[number], "json">;

/** A raw line (tail without a parser) keeps its text in `log`; the module names the format it read it as. */
const RAW_LINE = ["log", "format"];
/** Cut from the request target (`path`) of any record that has one. */
const TARGET_PARTS = ["query", "uri_stem", "uri_section", "uri_extension"];
const FORWARD_PROXY: Carrier = { keys: ["uri_host"], only: "for absolute-URL (forward-proxy) request targets" };

const ACCESS_LINE = [...RAW_LINE, "client_ip", "user", "method", "path", "protocol", "status", "size", "referer", "user_agent", "response_time"];
/** apache2's `host` is the client: the module reads it as client_ip too. */
const ACCESS_PARSERS = [...ACCESS_PARSER_KEYS, "client_ip"];
const ENVOY: Carrier = {
  keys: [
    "start_time", "method", "path", "protocol", "code", "response_flags", "bytes_received", "bytes_sent", "duration",
    "x_envoy_upstream_service_time", "x_forwarded_for", "user_agent", "request_id", "authority", "upstream_host", ...TARGET_PARTS,
  ],
  only: "in records of Fluent Bit's envoy parser",
};

const APACHE_ERROR_BODY = ["format", "level", "module", "error_code", "client_ip", "message", "user"];
/** Fluent Bit's apache_error parser (time, level, pid, client, message); the module reads client and message as from a line. */
const APACHE_ERROR_PARSER = ["time", "level", "pid", "client", "message", "client_ip", "format", "error_code", "user"];
const NGINX_ERROR_LINE = [...RAW_LINE, "level", "message", "user", "client_ip"];
/** nginx's trailer: `, client: A, server: B, request: "GET /x HTTP/1.1", host: "H", referrer: "R"`. */
const NGINX_REQUEST = ["method", "path", "protocol", "vhost", "referer", ...TARGET_PARTS];
const THROUGH_SYSLOG = "in Apache errors sent through syslog";

const SYSLOG_LINE = [...RAW_LINE, "host", "program", "pid", "message"];
/** What sshd, PAM and sudo messages say, read from raw lines and from the syslog parsers' `message` alike. */
const AUTH_READING = ["client_ip", "auth_user", "auth_result", "auth_method", "event_type"];

// A record with a program is both auth and syslog: the two formats carry the same keys.
const SYSLOG_RECORDS: readonly Carrier[] = [
  { keys: [...SYSLOG_LINE, ...AUTH_READING] },
  { keys: [...SYSLOG_PARSER_KEYS, ...AUTH_READING] },
  { keys: APACHE_ERROR_BODY, only: THROUGH_SYSLOG },
];

export const FORMAT_KEYS: Readonly<Record<ClosedFormat, readonly Carrier[]>> = {
  access: [
    { keys: [...ACCESS_LINE, ...TARGET_PARTS] },
    { keys: [...ACCESS_PARSERS, ...TARGET_PARTS] },
    FORWARD_PROXY,
    // An nginx error line naming the request carries its target: it is an access record too.
    { keys: [...NGINX_ERROR_LINE, ...NGINX_REQUEST], only: "in nginx error lines naming a request" },
    ENVOY,
  ],
  error: [
    { keys: [...RAW_LINE, ...APACHE_ERROR_BODY] },
    { keys: [...NGINX_ERROR_LINE, ...NGINX_REQUEST] },
    { keys: APACHE_ERROR_PARSER },
    FORWARD_PROXY,
    { keys: SYSLOG_LINE, only: THROUGH_SYSLOG },
  ],
  auth: SYSLOG_RECORDS,
  syslog: SYSLOG_RECORDS,
};

export function isClosedFormat(format: string): format is ClosedFormat {
  return Object.hasOwn(FORMAT_KEYS, format);
}

/**
 * Whether records of `formats` can carry one of `keys`: `always` when a
 * usual record of one of them can, else `only` lists the kinds of record
 * that can (empty: none can).
 */
export function carriage(keys: readonly string[], formats: readonly ClosedFormat[]): { always: boolean; only: string[] } {
  const only = new Set<string>();
  for (const format of formats) {
    for (const carrier of FORMAT_KEYS[format]) {
      if (!carrier.keys.some((k) => keys.includes(k))) continue;
      if (carrier.only === undefined) return { always: true, only: [] };
      only.add(carrier.only);
    }
  }
  return { always: false, only: [...only] };
}
