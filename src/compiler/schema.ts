// The program format's one source of truth: every constant both sides of the
// language boundary use. The encoder (this folder) imports it directly;
// scripts/generate-schema.ts writes it out as assembly/runtime/schema.ts for
// the module at build time, so the two can never disagree.

export const MAGIC = 0x4c505254; // "TRPL"
/**
 * Bumped whenever the layout or the instruction set changes: a module
 * refuses programs of another version (4: conditions gained any/all).
 */
export const VERSION = 4;

/** Enumerations: the position in the list is the value in the program. */
export const LEVELS = ["informational", "low", "medium", "high", "critical"] as const;
export const ACTIONS = ["tag", "drop", "redact"] as const;
export const REDACT_KINDS = ["card", "password", "bearer"] as const;
export const NUMBER_OPS = ["gt", "gte", "lt", "lte"] as const;
export const CORRELATION_TYPES = ["event_count", "value_count", "temporal", "temporal_ordered", "spike", "anomaly", "percentile"] as const;
/** Postfix condition instructions (assembly/rules/rule.ts; any/all: a count byte, then that many predicate ids). */
export const CONDITION_OPS = ["none", "predicate", "and", "or", "not", "true", "false", "any", "all"] as const;

/**
 * Record formats. A record may be several (a syslog line from sshd is auth
 * and syslog): the module keeps a bit per format. `json` records are every
 * JSON object that carries none of the other signatures.
 */
export const FORMATS = ["access", "error", "auth", "syslog", "json"] as const;
/** What the module recognised a record as, for statistics and explain. */
export const SHAPES = ["unknown", "access-line", "error-line", "syslog-line", "json-line", "parsed", "not-json"] as const;

/**
 * Record keys the module fills itself: from a raw line (tail without a
 * parser), from the keys of Fluent Bit's stock parsers, or derived from the
 * request target. Each is filled only when the record lacks it and a rule
 * reads it. The README's "Fields" section documents each.
 */
export const CANONICAL_FIELDS = [
  "client_ip", "user", "method", "path", "query", "protocol", "status", "size", "referer", "user_agent",
  "response_time", "host", "program", "pid", "message", "auth_result", "auth_user", "auth_method", "event_type",
  "format", "uri_stem", "uri_host", "uri_extension", "uri_section", "vhost", "level", "module", "error_code",
] as const;

/**
 * Keys the module looks at to tell a record's shape: the raw line of tail
 * without a parser (`log`), the keys of Fluent Bit's stock parsers that
 * identify them, and the time keys of JSON lines.
 */
export const SHAPE_KEYS = [
  "log", "ident", "pri", "SYSLOG_IDENTIFIER", "request", "url", "uri", "cs-uri-stem", "code", "remote", "client",
  "agent", "time", "timestamp", "@timestamp", "ts", "date",
] as const;

/**
 * Every program's key table starts with these, in this order, so the module
 * addresses them by constant index (canonical fields first, then the shape
 * keys that are not canonical fields).
 */
export const FIXED_KEYS: readonly string[] = [...CANONICAL_FIELDS, ...SHAPE_KEYS.filter((k) => !(CANONICAL_FIELDS as readonly string[]).includes(k))];

/**
 * Route fields a record carries, one per alert it raised: `<alert field>`,
 * then `<alert field>_2` ... Each needs its own rewrite_tag filter (a
 * rewrite_tag filter copies a record once, by its first matching rule).
 */
export const MAX_ROUTES = 4;

/** Aggregators a fleet may shard correlation keys over (`--shards N`): one tag, forward output and rewrite_tag each. */
export const MAX_SHARDS = 256;
/** Tag prefix of the copies an edge sends to aggregator i (`tripline.shard.<i>`); the aggregator reads i from it. */
export const SHARD_TAG_PREFIX = "tripline.shard.";

/** Deepest postfix stack a rule condition may need (assembly/rules/condition.ts). */
export const MAX_STACK = 1024;
/** Events or distinct values one key may need before it alerts. */
export const MAX_THRESHOLD = 1000;
/** value_count and threshold alerts keep this many samples per key, each cut at SAMPLE_BYTES - 1 bytes. */
export const SAMPLES = 3;
export const SAMPLE_BYTES = 40;
/** Distinct client addresses a threshold alert lists. */
export const ADDRESSES = 5;
/** Site sections the statistics track (space-saving), and the bytes kept of each name. */
export const SITE_SECTIONS = 64;
export const SECTION_NAME_BYTES = 48;
/**
 * Response-time histogram: log buckets of ratio HISTOGRAM_BASE from
 * HISTOGRAM_MIN up to about 1e10, in the field's own unit (seconds from
 * nginx's $request_time, microseconds from Apache's %D both fit); a reported
 * percentile is within HISTOGRAM_BASE - 1 (relative) of the true value.
 */
export const HISTOGRAM_BUCKETS = 264;
export const HISTOGRAM_MIN = 0.000001;
export const HISTOGRAM_BASE = 1.15;

/** Correlation state: a fixed header per key, then the type's payload. */
export const STORE_HEADER_BYTES = 32;
export const STORE_CHUNK_BITS = 10;

/**
 * Payload bytes per key of each correlation type: `fixed` plus `unit` for
 * each threshold event, referenced rule or baseline interval (`per`). The
 * module's layouts (assembly/correlation/*.ts) are checked against these by
 * a spec.
 */
export const PAYLOADS: Record<(typeof CORRELATION_TYPES)[number], { fixed: number; unit: number; per: "threshold" | "rules" | "baseline" | "none" }> = {
  event_count: { fixed: 16 + ADDRESSES * SAMPLE_BYTES, unit: 8, per: "threshold" },
  value_count: { fixed: 16 + SAMPLES * SAMPLE_BYTES, unit: 16, per: "threshold" },
  temporal: { fixed: 0, unit: 8, per: "rules" },
  temporal_ordered: { fixed: 0, unit: 8, per: "rules" },
  spike: { fixed: 48, unit: 8, per: "baseline" },
  anomaly: { fixed: 24, unit: 0, per: "none" },
  percentile: { fixed: 32 + 4 * HISTOGRAM_BUCKETS, unit: 0, per: "none" },
};

export function payloadBytes(type: (typeof CORRELATION_TYPES)[number], counts: { threshold: number; rules: number; baseline: number }): number {
  const p = PAYLOADS[type];
  return p.fixed + (p.per === "none" ? 0 : counts[p.per] * p.unit);
}

/** Bytes one correlation's keys can take at `keys` (entry plus index slot). */
export function storeBytes(payload: number, keys: number): number {
  const entry = Math.ceil((STORE_HEADER_BYTES + payload) / 8) * 8;
  let index = 16;
  while (index < keys * 2) index *= 2;
  return keys * entry + index * 4;
}

/**
 * Sections of the program, in order. Each is `u32 id, u32 byte length,
 * payload`, so the module checks every section's bounds before reading it.
 */
export const PROGRAM_SECTIONS = ["options", "keys", "slots", "matchers", "tests", "tags", "rules", "triggers", "correlations"] as const;
