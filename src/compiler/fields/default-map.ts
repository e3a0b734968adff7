// The built-in field and logsource tables. Record keys come from Fluent Bit's
// stock parsers (apache2, nginx, syslog-rfc3164/5424, tail without parser),
// typical JSON application logs, and tripline's own raw-line parser.

/** Keys produced by tripline's raw-line parser. */
export const CANONICAL_KEYS = [
  "client_ip", "user", "method", "path", "query", "status", "size", "referer", "user_agent", "response_time",
  "host", "program", "pid", "message", "auth_user", "auth_result", "auth_method", "level", "event_type", "user_id",
  "protocol", "format", "uri_stem",
];

/**
 * Keys of Fluent Bit's stock parsers and common JSON logs. Beware: apache2's
 * `host` is the client IP, nginx's `host` is the ident column, syslog's
 * `host` is the hostname; so `host` maps only to itself.
 */
export const STOCK_KEYS = [
  // apache2 / nginx
  "host", "remote", "user", "method", "path", "code", "size", "referer", "agent",
  // syslog-rfc3164 / rfc5424
  "pri", "time", "ident", "pid", "msgid", "extradata", "message",
  // tail without a parser
  "log",
  // JSON application logs
  "level", "ip", "user_id", "event_type",
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
  // tripline's own); the module cuts uri_stem from it when a rule needs it.
  ["cs-uri-stem", ["uri_stem", "path"]],
  ["cs-uri-query", ["query", "path"]],
  ["cs-uri", ["path"]],
  ["cs-method", ["method"]],
  ["sc-status", ["status", "code"]],
  ["sc-bytes", ["size"]],
  ["cs-user-agent", USER_AGENT],
  ["c-useragent", USER_AGENT],
  ["cs-referer", ["referer"]],
  ["cs-referrer", ["referer"]],
  // The HTTP Host header: no stock parser extracts it; JSON logs may carry `vhost`.
  ["cs-host", ["vhost"]],
  ["cs-username", USER],
  ["time-taken", ["response_time"]],
  ["user", USER],
  ["User", USER],
  ["username", USER],
  ["TargetUserName", USER],
  // Keyword searches (selections without a field) test the whole line.
  ["@message", ["message", "log", "msg"]],
];

/** logsource value -> record formats, per logsource key. */
export const LOGSOURCE_FORMATS: Record<"product" | "service" | "category", [string, string[]][]> = {
  category: [
    ["webserver", ["access"]],
    ["application", ["json"]],
  ],
  product: [
    ["apache", ["access"]],
    ["nginx", ["access"]],
    ["linux", ["auth", "syslog"]],
    ["json", ["json"]],
  ],
  service: [
    ["access", ["access"]],
    ["sshd", ["auth"]],
    ["auth", ["auth"]],
    ["syslog", ["syslog"]],
  ],
};

/** Formats whose records may carry any key (a rule limited to them may name any field). */
export const OPEN_FORMATS = ["json"];
