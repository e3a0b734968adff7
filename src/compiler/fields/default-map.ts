// The built-in field and logsource tables. Record keys come from Fluent Bit's
// stock parsers (apache2, nginx, syslog-rfc3164/5424, tail without parser),
// typical JSON application logs, and tripline's own raw-line parser.

/** Keys produced by tripline's raw-line parser. */
export const CANONICAL_KEYS = [
  "client_ip", "user", "method", "path", "query", "status", "size", "referer", "user_agent", "response_time",
  "host", "program", "pid", "message", "auth_user", "auth_result", "auth_method", "level", "event_type", "user_id",
  "protocol", "format", "uri_stem",
  // Access lines: host and extension of the target (absolute-URL targets of
  // forward proxies), the virtual host where a log carries it.
  "uri_host", "uri_extension", "vhost",
  // Apache and nginx error logs: "[auth_basic:error] ... AH01617: message".
  "module", "error_code",
];

/** Keys of Fluent Bit's apache, apache2 and nginx parsers (their `time` becomes the record's timestamp). */
export const ACCESS_PARSER_KEYS = ["host", "remote", "user", "method", "path", "code", "size", "referer", "agent"];

/** Keys of Fluent Bit's syslog-rfc3164 and rfc5424 parsers (they keep `time`). */
export const SYSLOG_PARSER_KEYS = ["pri", "time", "host", "ident", "pid", "msgid", "extradata", "message"];

/**
 * Keys of Fluent Bit's stock parsers and common JSON logs. Beware: apache2's
 * `host` is the client IP, nginx's `host` is the ident column, syslog's
 * `host` is the hostname; so `host` maps only to itself.
 */
export const STOCK_KEYS = [
  ...new Set([
    ...ACCESS_PARSER_KEYS,
    ...SYSLOG_PARSER_KEYS,
    // tail without a parser
    "log",
    // JSON application logs
    "level", "ip", "user_id", "event_type",
  ]),
];

// Candidate lists are in order of preference: canonical key first, then the
// stock parsers' names. The first key present in a record is the one read.
const CLIENT_IP = ["client_ip", "remote", "ip", "src_ip"];
const USER = ["user", "auth_user", "user_id"];
const USER_AGENT = ["user_agent", "agent"];

/** Sigma field names (mostly the W3C names of Sigma's webserver rules). */
export const SIGMA_FIELDS: [string, string[]][] = [
  ["c-ip", CLIENT_IP],
  ["src_ip", CLIENT_IP],
  // `path` is the request target with its query (Fluent Bit's parsers and
  // tripline's own); the module cuts uri_stem and query from it when a rule
  // needs them. A target without `?` has no query: cs-uri-query is then
  // absent, for parsed records and raw lines alike (never the whole path).
  ["cs-uri-stem", ["uri_stem", "path"]],
  ["cs-uri-query", ["query"]],
  ["cs-uri", ["path"]],
  // Sigma's proxy names (category proxy). c-uri is the whole request target
  // (the absolute URL on a forward proxy), c-uri-query its query.
  ["c-uri", ["path"]],
  ["c-uri-stem", ["uri_stem", "path"]],
  ["c-uri-query", ["query"]],
  ["c-uri-extension", ["uri_extension"]],
  ["cs-uri-extension", ["uri_extension"]],
  // The destination host name (from the absolute URL, else the Host header).
  ["r-dns", ["uri_host", "vhost", "authority"]],
  // Keys no stock parser produces; JSON proxy logs and the module's readers may.
  ["cs-cookie", ["cookie"]],
  ["cs-content-type", ["content_type"]],
  ["dst_ip", ["dst_ip"]],
  ["cs-version", ["protocol"]],
  ["cs-method", ["method"]],
  ["sc-status", ["status", "code"]],
  ["sc-bytes", ["size"]],
  ["cs-user-agent", USER_AGENT],
  ["c-useragent", USER_AGENT],
  ["cs-referer", ["referer"]],
  ["cs-referrer", ["referer"]],
  // The HTTP Host header: no stock parser extracts it; JSON logs may carry
  // `vhost`, forward-proxy lines name it in the absolute URL (`uri_host`),
  // Envoy's stock parser calls it `authority`.
  ["cs-host", ["vhost", "uri_host", "authority"]],
  ["cs-username", USER],
  ["time-taken", ["response_time"]],
  ["user", USER],
  ["User", USER],
  ["username", USER],
  ["TargetUserName", USER],
  // Keyword searches (selections without a field) test the whole line.
  ["@message", ["message", "log", "msg"]],
];

/**
 * logsource value -> record formats, per logsource key. Formats: access
 * (web server and proxy access lines), error (Apache and nginx error logs),
 * auth, syslog, json.
 */
export const LOGSOURCE_FORMATS: Record<"product" | "service" | "category", [string, string[]][]> = {
  category: [
    ["webserver", ["access"]],
    // Sigma's proxy rules: access lines of forward or reverse proxies.
    ["proxy", ["access"]],
    ["application", ["json"]],
  ],
  product: [
    // A product names the server: its access and its error log.
    ["apache", ["access", "error"]],
    ["nginx", ["access", "error"]],
    ["linux", ["auth", "syslog"]],
    ["json", ["json"]],
  ],
  service: [
    ["access", ["access"]],
    ["error", ["error"]],
    // SigmaHQ's `service: apache` / `service: nginx` rules read the error log;
    // both logs are admitted, the fields decide.
    ["apache", ["access", "error"]],
    ["nginx", ["access", "error"]],
    ["sshd", ["auth"]],
    ["auth", ["auth"]],
    ["syslog", ["syslog"]],
  ],
};

/** Formats whose records may carry any key (a rule limited to them may name any field). */
export const OPEN_FORMATS = ["json"];
