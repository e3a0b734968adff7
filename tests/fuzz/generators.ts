// Record generators for the fuzz harness. Every generator is driven by a
// seeded Rng, so a run is replayed from its seed. Records come from:
//   - realistic access-log / raw-line objects whose values carry attack
//     strings (so rules match and the write path runs), serialized the way
//     Fluent Bit does (non-ASCII escaped), as raw UTF-8, or escape-heavy;
//   - raw lines as tail without a parser sends them: Apache/Nginx access
//     lines with their own time (near Fluent Bit's, in several zones) and a
//     response time, syslog lines (RFC 3164 with/without <pri> and host,
//     RFC 5424, ISO) carrying sshd/PAM/sudo messages from a few addresses,
//     Apache and nginx error lines; and records shaped like Fluent Bit's
//     syslog and apache_error parsers' output;
//   - malformed JSON: byte flips, truncation at every class of position,
//     inserted/deleted brackets, quotes, commas, colons;
//   - huge strings (up to 1 MiB), deep nesting (up to 10,000 levels);
//   - invalid UTF-8, NUL bytes (escaped and raw), every JSON escape form
//     including surrogate pairs and lone surrogates;
//   - numbers at their limits, non-object JSON, empty input, duplicate keys,
//     and the keys tripline writes itself (tripline, tripline_alert).
import { Rng } from "./rng.js";
import { TAGS } from "./rules.js";

const enc = new TextEncoder();

export interface FuzzRecord {
  tag: string;
  time: [number, number];
  bytes: Uint8Array;
  /** Which generator (and mutation) made it: printed on failure. */
  label: string;
}

// ---------------------------------------------------------------- vocabulary

const ATTACK_PATHS = [
  "/../../etc/passwd",
  "/static/../../../../etc/shadow",
  "/download?file=..%2f..%2f..%2fetc%2fpasswd",
  "/%2e%2e/%2e%2e/etc/passwd",
  "/..\\..\\windows\\win.ini",
  "/img/..%5c..%5cboot.ini",
  "/etc/passwd%00.png",
  "/item?id=1 UNION SELECT password FROM users",
  "/item?id=1%20union%20all%20select%201,2,3",
  "/item?id=1+UNION+ALL+SELECT+null",
  "/login?user=admin' OR '1'='1",
  "/login?user=x'%20or%201=1--",
  "/search?q=sleep(5)",
  "/search?q=SLEEP( 10 )",
  "/search?q=benchmark(1000000,md5(1))",
  "/wp-login.php",
  "/blog/WP-LOGIN.PHP",
  "/blog/wp-login.phq",
  "/wp-login.php/extra",
  "/admin",
  "/admin/config.php",
  "/Admin",
  "/healthz",
  "/HEALTHZ",
  "/healthz?full=1",
  "/comment?text=<script>alert(1)</script>",
  "/redirect?to=javascript:alert(document.cookie)",
  "/..%c0%af..%c0%afetc/passwd",
  "/search?q=union",
  "/search?q=select",
  "/a+b+c%2",
  "/%",
  "/login?user=bob&password=hunter2&next=/",
  "/api?PWD=s3cr3t",
  "/pay?card=4111 1111 1111 1111",
  "/pay?card=4111-1111-1111-1111&cvv=123",
  "/order/5500005555555559",
  "/order/1234567890123456",
];

const NORMAL_PATHS = ["/", "/index.html", "/static/app.js?v=3", "/api/v1/users/42", "/favicon.ico", "/search?q=blue+shoes", "/caf\u00e9/men\u00fc", "/\u{1F600}/emoji", "/a b"];

const AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
  "curl/8.4.0",
  "sqlmap/1.7.2#stable (https://sqlmap.org)",
  "SQLMAP/1.0",
  "xsqlmap/1.0",
  "Nikto/2.1.6",
  "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
  "Mozilla/5.0 zgrab/0.x",
  "Mozilla/5.0 ZGRAB/0.X",
  "zgrab/0.x extra",
  "",
  "-",
];

const METHODS = ["GET", "GET", "GET", "POST", "POST", "HEAD", "TRACE", "trace", "Trace", "PUT", "DELETE", "OPTIONS"];
const CODES = ["200", "200", "301", "404", "404", "404", "500", "403"];

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const SSH_IPS = ["203.0.113.50", "198.51.100.23", "192.0.2.99"];

export const BURST_IPS = ["203.0.113.7", "198.51.100.23", "10.0.0.5", "2001:db8::bad", "::ffff:203.0.113.9"];

const IPS = [
  "203.0.113.1",
  "198.51.100.77",
  "192.0.2.10",
  "10.1.2.3",
  "10.255.255.255",
  "11.0.0.1",
  "9.255.255.255",
  "2001:db8::1",
  "2001:DB8:0:0:0:0:0:2",
  "2001:0db8:85a3::8a2e:0370:7334",
  "2001:db9::1",
  "::1",
  "fe80::1",
  "::ffff:10.9.8.7",
  "::ffff:192.0.2.1",
  "2001:db8::10.1.2.3",
  "10.0.0.256",
  "10.0.0",
  "1.2.3.4.5",
  "10.0.0.1 ",
  "",
  "-",
  "localhost",
  "2001:db8:::1",
  ":::",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:9",
];

const LINES = [
  '203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] "GET /comment?text=<script>alert(1)</script> HTTP/1.1" 200 12 "-" "curl/8"',
  '10.0.0.5 - - [20/Nov/2026:10:00:01 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0"',
  "sshd[1234]: Failed password for root from 198.51.100.23 port 22 ssh2",
  "<SCRIPT SRC=//evil>",
  "link: JAVASCRIPT:void(0)",
  "plain line without anything",
  "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
  "charge ok card=4012888888881881 amount=10",
  'login failed {"user":"bob","password":"hunter2"}',
];

const OWNED_VALUES = ['{"rules":["edge-rule"],"level":"low","tags":[]}', '"edge value"', "[1,2,3]", "null", "0", "true", '{"tripline":{"tripline":"nested"}}', '""', "{}"];

const NUMBER_LIMITS = [
  "1e308",
  "-1e308",
  "1.7976931348623157e308",
  "1e309",
  "-0",
  "0",
  "-0.0",
  "0e0",
  "1e-400",
  "5e-324",
  "-1.5e-300",
  "123456789012345678901234567890",
  "-123456789012345678901234567890",
  "0.0000001",
  "1E+2",
  "1e6",
  "1000000",
  "1000001",
  "1000000.5",
  "999999.9999999",
  "5000",
  "4999.999",
  "5000.0000000000000001",
  "2000000",
  "404",
  "1." + "0".repeat(310),
  "2000000." + "0".repeat(400),
  "9".repeat(400),
  "0." + "0".repeat(400) + "1",
  "1" + "0".repeat(30) + "e-24",
];

const BAD_NUMBERS = ["01", "+1", ".5", "1.", "1e", "-", "NaN", "Infinity", "-Infinity", "0x10", "1.5.3", "--1", "1e+", "١٢٣"];

// ---------------------------------------------------------------- serialization

/** How string values are written. */
type Style = "fluentbit" | "raw" | "escapes";

/** One member: key, and the value as JSON text (or a JS string to serialize). */
type Value = { json: string } | { str: string } | { bytes: Uint8Array };
type Member = [key: string, value: Value];

const HEX = "0123456789abcdef";

function escapeCodeUnit(c: number, upper: boolean): string {
  const h = "\\u" + [12, 8, 4, 0].map((s) => HEX[(c >> s) & 15]).join("");
  return upper ? h.toUpperCase().replace("\\U", "\\u") : h;
}

/** A JSON string literal for `s` in the given style. */
export function jsonString(s: string, style: Style, rng: Rng): string {
  if (style === "raw") return JSON.stringify(s);
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (style === "fluentbit") {
      if (c === 0x22) out += '\\"';
      else if (c === 0x5c) out += "\\\\";
      else if (c < 0x20) out += { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" }[c] ?? escapeCodeUnit(c, false);
      else if (c >= 0x7f) out += escapeCodeUnit(c, false);
      else out += ch;
      continue;
    }
    // Escape-heavy: every escape form, chosen at random.
    if (c === 0x22) out += rng.pick(['\\"', "\\u0022"]);
    else if (c === 0x5c) out += rng.pick(["\\\\", "\\u005c", "\\u005C"]);
    else if (c === 0x2f) out += rng.pick(["/", "\\/", "\\u002f"]);
    else if (c < 0x20) out += rng.pick([{ 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" }[c] ?? escapeCodeUnit(c, false), escapeCodeUnit(c, true)]);
    else if (c >= 0x7f) out += rng.chance(0.5) ? escapeCodeUnit(c, rng.chance(0.5)) : ch;
    else out += rng.chance(0.15) ? escapeCodeUnit(c, rng.chance(0.5)) : ch;
  }
  return out + '"';
}

/** JSON whitespace, usually none. */
function ws(rng: Rng, p: number): string {
  if (!rng.chance(p)) return "";
  let s = "";
  const n = rng.range(1, 3);
  for (let i = 0; i < n; i++) s += rng.pick([" ", " ", "\t", "\n", "\r"]);
  return s;
}

interface Serialized {
  bytes: Uint8Array;
  /** [start, end) of each string body (inside the quotes) that holds a value. */
  valueSpans: [number, number][];
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function serialize(members: Member[], style: Style, rng: Rng, spacing: number): Serialized {
  const parts: Uint8Array[] = [];
  const spans: [number, number][] = [];
  let at = 0;
  const put = (s: string | Uint8Array) => {
    const b = typeof s === "string" ? enc.encode(s) : s;
    parts.push(b);
    at += b.length;
  };
  put(ws(rng, spacing / 2) + "{" + ws(rng, spacing));
  members.forEach(([key, value], i) => {
    if (i > 0) put(ws(rng, spacing) + "," + ws(rng, spacing));
    put(jsonString(key, style === "escapes" && rng.chance(0.2) ? "escapes" : style === "raw" ? "raw" : "fluentbit", rng));
    put(ws(rng, spacing) + ":" + ws(rng, spacing));
    if ("json" in value) put(value.json);
    else if ("bytes" in value) {
      put('"');
      spans.push([at, at + value.bytes.length]);
      put(value.bytes);
      put('"');
    } else {
      const text = jsonString(value.str, style, rng);
      spans.push([at + 1, at + enc.encode(text).length - 1]);
      put(text);
    }
  });
  put(ws(rng, spacing) + "}" + ws(rng, spacing / 2));
  return { bytes: concat(parts), valueSpans: spans };
}

// ---------------------------------------------------------------- records

export class RecordGenerator {
  private time: number;
  private nsec = 0;
  private burstIp: string | null = null;
  private burstLeft = 0;
  private depth = 0;

  constructor(readonly rng: Rng) {
    this.time = 1_700_000_000 + rng.int(50_000_000);
  }

  /** The next event time: mostly forward, sometimes a little or far back. */
  nextTime(): [number, number] {
    const r = this.rng;
    const move = r.weighted<number>([
      [60, r.int(4)],
      [10, 0],
      [4, -r.int(30)], // out of order, within lateness
      [2, -r.range(61, 600)], // late
      [2, r.range(60, 4000)], // a gap
    ]);
    this.time = Math.max(1, this.time + move);
    this.nsec = r.chance(0.7) ? r.int(1_000_000_000) : r.pick([0, 999_999_999, 1_000_000, 999_999]);
    return [this.time, this.nsec];
  }

  private ip(): string {
    const r = this.rng;
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return this.burstIp!;
    }
    if (r.chance(0.06)) {
      this.burstIp = r.pick(BURST_IPS);
      this.burstLeft = r.range(3, 12);
      return this.burstIp;
    }
    if (r.chance(0.3)) return r.pick(BURST_IPS);
    if (r.chance(0.5)) return r.pick(IPS);
    return r.chance(0.5) ? `10.${r.int(256)}.${r.int(256)}.${r.int(256)}` : `203.0.113.${r.int(256)}`;
  }

  private path(): string {
    const r = this.rng;
    if (r.chance(0.45)) return r.pick(ATTACK_PATHS);
    if (r.chance(0.2)) return r.pick(NORMAL_PATHS) + r.pick(ATTACK_PATHS);
    return r.pick(NORMAL_PATHS);
  }

  private code(): Value {
    const r = this.rng;
    const code = this.burstLeft > 0 ? "404" : r.pick(CODES);
    return r.chance(0.8) ? { str: code } : { json: r.chance(0.5) ? code : r.pick(NUMBER_LIMITS) };
  }

  private number(): Value {
    const r = this.rng;
    const n = r.chance(0.5) ? r.pick(NUMBER_LIMITS) : String(r.logInt(0, 10_000_000));
    return r.chance(0.5) ? { json: n } : { str: n };
  }

  /** A response time in ms: mostly ordinary, sometimes slow, now and then any number at all. */
  private responseTime(): Value {
    const r = this.rng;
    const n = r.weighted<string>([
      [12, String(r.range(20, 400))],
      [3, String(r.range(600, 3000))],
      [2, (r.range(1, 3999) / 8).toString()],
      [0.3, r.pick(NUMBER_LIMITS)],
    ]);
    return r.chance(0.5) ? { json: n } : { str: n };
  }

  // -------------------------------------------------------------- raw lines

  /** `20/Nov/2026:10:00:00 +0000` for (about) the current time, in one of a few zones. */
  private clf(): string {
    const r = this.rng;
    const zone = r.pick([0, 0, 0, 60, -330, 540]);
    const d = new Date((this.time + r.range(-2, 1)) * 1000 + zone * 60_000);
    const p2 = (n: number) => String(n).padStart(2, "0");
    const sign = zone < 0 ? "-" : "+";
    const z = Math.abs(zone);
    return `${p2(d.getUTCDate())}/${MONTH_NAMES[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${sign}${p2(Math.floor(z / 60))}${p2(z % 60)}`;
  }

  /** An Apache/Nginx access line (combined or common, optional response time). */
  accessLine(): string {
    const r = this.rng;
    const agent = r.pick(AGENTS.filter((a) => !a.includes('"')));
    const user = r.pick(["-", "-", "alice"]);
    const code = this.burstLeft > 0 ? "404" : r.pick(CODES);
    const request = `${r.pick(METHODS)} ${this.path().replace(/ /g, "%20")} HTTP/1.1`;
    let line = `${this.ip()} - ${user} [${this.clf()}] "${request}" ${code} ${r.range(0, 90000)}`;
    if (r.chance(0.8)) line += ` "${r.pick(["-", "https://example.com/", "https://shop.example/pay?card=4111111111111111"])}" "${agent}"`;
    const rt = r.range(1, 3000) / 1000;
    line += r.pick(["", "", ` ${rt}`, ` rt=${rt}`, ` request_time=${rt}`, ` ${r.range(100, 900000)}`]);
    return line;
  }

  /** `Nov 20 10:00:00` (day padded with a space) for about the current time. */
  private syslogStamp(): string {
    const d = new Date((this.time + this.rng.range(-2, 1)) * 1000);
    const p2 = (n: number) => String(n).padStart(2, "0");
    return `${MONTH_NAMES[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  }

  private isoStamp(): string {
    const r = this.rng;
    const d = new Date((this.time + r.range(-2, 1)) * 1000 + r.int(1000));
    return r.pick([d.toISOString(), d.toISOString().replace(".000", "").replace(/\.\d+Z$/, "Z"), d.toISOString().replace("Z", "+00:00")]);
  }

  /** What sshd, PAM, sudo (or something else) writes: program and message. */
  private authEvent(): [string, string] {
    const r = this.rng;
    const ip = this.burstLeft > 0 || r.chance(0.6) ? this.ip() : r.pick(SSH_IPS);
    const port = r.range(1024, 65535);
    const user = r.pick(["root", "admin", "alice", "oracle", "test"]);
    return r.weighted<[string, string]>([
      [6, ["sshd", `Failed password for ${user} from ${ip} port ${port} ssh2`]],
      [3, ["sshd", `Failed password for invalid user ${user} from ${ip} port ${port} ssh2`]],
      [2, ["sshd", `Invalid user ${user} from ${ip} port ${port}`]],
      [2, ["sshd", `Accepted password for ${user} from ${ip} port ${port} ssh2`]],
      [1, ["sshd", `Accepted publickey for ${user} from ${ip} port ${port} ssh2: RSA SHA256:x9TkP`]],
      [2, ["sshd", `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`]],
      [1, ["sshd", `Connection closed by authenticating user ${user} ${ip} port ${port} [preauth]`]],
      [1, ["sshd", `Received disconnect from ${ip} port ${port}:11: Bye Bye [preauth]`]],
      [1, ["sudo", `   ${r.pick(["alice", "bob"])} : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash`]],
      [1, ["sudo", `alice : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/id`]],
      [2, ["CRON", `(root) CMD (run-parts /etc/cron.hourly)`]],
      [1, ["systemd", `Started Session 42 of user ${user}.`]],
      [1, ["sshd", `Server listening on 0.0.0.0 port 22.`]],
    ]);
  }

  /** A syslog line: RFC 3164 (with/without <pri> and host), RFC 5424 or ISO time. */
  syslogLine(): string {
    const r = this.rng;
    const [program, message] = this.authEvent();
    const pid = r.range(100, 99999);
    const tagged = `${program}${program === "sudo" ? "" : `[${pid}]`}:`;
    switch (r.weighted<string>([[5, "3164"], [2, "pri"], [1, "hostless"], [2, "5424"], [1, "iso"]])) {
      case "3164":
        return `${this.syslogStamp()} web1 ${tagged} ${message}`;
      case "pri":
        return `<${r.range(0, 191)}>${this.syslogStamp()} web1 ${tagged} ${message}`;
      case "hostless":
        return `${this.syslogStamp()} ${tagged} ${message}`;
      case "5424":
        return `<38>1 ${this.isoStamp()} web1 ${program} ${pid} ${r.pick(["-", "ID47"])} ${r.pick(["-", '[origin ip="10.0.0.1"]'])} ${message}`;
      default:
        return `${this.isoStamp()} web1 ${tagged} ${message}`;
    }
  }

  /** Apache 2.4 / 2.2 and nginx error lines. */
  errorLine(): string {
    const r = this.rng;
    const d = new Date(this.time * 1000);
    const p2 = (n: number) => String(n).padStart(2, "0");
    const clock = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
    const ip = this.ip();
    const user = r.pick(["alice", "bob"]);
    const apacheTime = `${DAY_NAMES[d.getUTCDay()]} ${MONTH_NAMES[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${clock}`;
    return r.weighted<string>([
      [3, `[${apacheTime}.${r.range(100000, 999999)} ${d.getUTCFullYear()}] [auth_basic:error] [pid ${r.range(100, 9999)}:tid ${r.range(1, 99)}] [client ${ip}:${r.range(1024, 65535)}] AH01617: user ${user}: authentication failure for "/private": Password Mismatch`],
      [1, `[${apacheTime} ${d.getUTCFullYear()}] [error] [client ${ip}] client denied by server configuration: /srv/www/x`],
      [1, `[${apacheTime}.${r.range(100000, 999999)} ${d.getUTCFullYear()}] [core:error] [pid ${r.range(100, 9999)}] [client ${ip}:${r.range(1024, 65535)}] AH00126: Invalid URI in request GET /..%2f..%2fetc/passwd HTTP/1.1`],
      [2, `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${clock} [error] ${r.range(100, 999)}#${r.range(100, 999)}: *${r.range(1, 99)} user "${user}" was not found in "/etc/nginx/.htpasswd", client: ${ip}, server: example.com, request: "GET ${this.path().replace(/[ "]/g, "")} HTTP/1.1", host: "example.com"`],
      [1, `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())} ${clock} [warn] ${r.range(100, 999)}#0: *1 an upstream response is buffered to a temporary file, client: ${ip}, server: example.com, request: "POST /upload HTTP/1.1", host: "example.com", referrer: "https://example.com/"`],
    ]);
  }

  private agent(): Value {
    return { str: this.rng.pick(AGENTS) };
  }

  /** Members of a realistic record in one of the shapes Fluent Bit's parsers (or JSON apps) produce. */
  members(): Member[] {
    const r = this.rng;
    const shape = r.weighted<string>([
      [4, "apache2"],
      [2, "nginx"],
      [3, "canonical"],
      [1, "json-app"],
      [2, "raw-line"],
      [3, "access-line"],
      [3, "syslog-line"],
      [1, "error-line"],
      [1, "syslog-record"],
      [1, "error-record"],
      [3, "timed"],
    ]);
    let m: Member[];
    switch (shape) {
      case "apache2":
        m = [
          ["host", { str: this.ip() }],
          ["user", { str: r.pick(["-", "alice", "root"]) }],
          ["method", { str: r.pick(METHODS) }],
          ["path", { str: this.path() }],
          ["code", this.code()],
          ["size", this.number()],
          ["referer", { str: r.pick(["-", "https://example.com/", this.path(), "https://shop.example/pay?card=4111111111111111"]) }],
          ["agent", this.agent()],
        ];
        break;
      case "nginx":
        m = [
          ["remote", { str: this.ip() }],
          ["host", { str: "-" }],
          ["user", { str: "-" }],
          ["method", { str: r.pick(METHODS) }],
          ["path", { str: this.path() }],
          ["code", this.code()],
          ["size", this.number()],
          ["referer", { str: "-" }],
          ["agent", this.agent()],
        ];
        break;
      case "canonical": {
        const full = this.path();
        const q = full.indexOf("?");
        m = [
          ["client_ip", { str: this.ip() }],
          ["method", { str: r.pick(METHODS) }],
          ["path", { str: q >= 0 ? full.slice(0, q) : full }],
          ["query", { str: q >= 0 ? full.slice(q + 1) : "" }],
          ["status", this.code()],
          ["size", this.number()],
          ["user_agent", this.agent()],
          ["response_time", r.chance(0.95) ? this.responseTime() : this.number()],
        ];
        break;
      }
      case "timed":
        // A steady stream of timed requests of a few methods: anomalies and slow intervals per method.
        m = [
          ["client_ip", { str: this.ip() }],
          ["method", { str: r.weighted<string>([[6, "GET"], [3, "POST"], [1, "PUT"]]) }],
          ["path", { str: r.pick(NORMAL_PATHS) }],
          ["status", { str: r.pick(CODES) }],
          ["size", { json: String(r.range(0, 90000)) }],
          ["user_agent", this.agent()],
          ["response_time", this.responseTime()],
        ];
        break;
      case "access-line":
        m = [["log", { str: this.accessLine() + r.pick(["", "", "\n"]) }]];
        break;
      case "syslog-line":
        m = [["log", { str: this.syslogLine() + r.pick(["", "", "\n"]) }]];
        break;
      case "error-line":
        m = [["log", { str: this.errorLine() }]];
        break;
      case "syslog-record": {
        const [program, message] = this.authEvent();
        m = [
          ["pri", { str: String(r.range(0, 191)) }],
          ["time", { str: this.syslogStamp() }],
          ["host", { str: "web1" }],
          ["ident", { str: program }],
          ["pid", { str: String(r.range(100, 9999)) }],
          ["message", { str: message.trimStart() }],
        ];
        break;
      }
      case "error-record":
        m = [
          ["time", { str: "Wed Oct 11 14:32:52.123456 2026" }],
          ["level", { str: r.pick(["auth_basic:error", "error", "core:error"]) }],
          ["pid", { str: "35708" }],
          ["client", { str: `${this.ip()}:${r.range(1024, 65535)}` }],
          ["message", { str: r.pick([`AH01617: user ${r.pick(["alice", "bob"])}: authentication failure for "/private": Password Mismatch`, "client denied by server configuration: /srv/www/x", "AH01618: user carol not found: /private"]) }],
        ];
        break;
      case "json-app":
        m = [
          ["ip", { str: this.ip() }],
          ["level", { str: "info" }],
          ["msg", { str: r.pick(LINES) }],
          ["path", { str: this.path() }],
          ["status", this.code()],
        ];
        break;
      default:
        if (r.chance(0.35) && this.depth === 0) {
          // A JSON application line inside a raw line (tail without a parser, or a forwarder): the
          // module adopts its members for keys the record lacks.
          this.depth++;
          const inner = new TextDecoder().decode(serialize(this.members(), r.chance(0.7) ? "fluentbit" : "raw", r, r.chance(0.2) ? 0.4 : 0).bytes);
          this.depth--;
          m = [["log", { str: inner + r.pick(["", "", "\n", "\r\n"]) }]];
        } else {
          m = [[r.pick(["log", "log", "message", "msg"]), { str: r.pick(LINES) + (r.chance(0.3) ? " " + r.pick(ATTACK_PATHS) : "") }]];
        }
    }
    // Fields absent, null, or of another type.
    for (let i = 0; i < m.length; i++) {
      if (r.chance(0.04)) m.splice(i--, 1);
      else if (r.chance(0.03)) m[i] = [m[i][0], { json: r.pick(["null", "true", "false", "[]", "{}", '{"a":"../"}', '["/../x"]', "12"]) }];
    }
    // Extra members, nested values, owned keys, duplicates.
    if (r.chance(0.3)) m.push(["extra", { json: r.pick(['{"nested":{"tripline":"keep me"}}', "[1,2,[3,{}]]", '{"path":"/../nested"}', "[]", "{}", '"x"']) }]);
    if (r.chance(0.12)) this.ownedKeys(m);
    if (r.chance(0.08) && m.length > 0) {
      const dup = r.pick(m);
      m.splice(r.int(m.length + 1), 0, [dup[0], r.chance(0.5) ? { str: this.path() } : dup[1]]);
    }
    if (r.chance(0.2)) r.shuffle(m);
    return m;
  }

  private ownedKeys(m: Member[]): void {
    const r = this.rng;
    const n = r.range(1, 3);
    for (let i = 0; i < n; i++) {
      const key = r.weighted<string>([
        [5, "tripline"],
        [4, "tripline_alert"],
        [1, "Tripline"],
        [1, "tripline2"],
      ]);
      m.splice(r.int(m.length + 1), 0, [key, { json: r.pick(OWNED_VALUES) }]);
    }
  }

  private record(bytes: Uint8Array, label: string): FuzzRecord {
    return { tag: this.rng.pick(TAGS), time: this.nextTime(), bytes, label };
  }

  /** A valid record (possibly with exotic values spliced into its strings). */
  valid(): { rec: FuzzRecord; ser: Serialized } {
    const r = this.rng;
    const style = r.weighted<Style>([
      [6, "fluentbit"],
      [2, "raw"],
      [2, "escapes"],
    ]);
    const ser = serialize(this.members(), style, r, r.chance(0.15) ? 0.5 : 0);
    return { rec: this.record(ser.bytes, `valid/${style}`), ser };
  }

  next(): FuzzRecord {
    const r = this.rng;
    const kind = r.weighted<string>([
      [40, "valid"],
      [14, "malformed"],
      [10, "truncated"],
      [5, "escapes"],
      [5, "invalid-utf8"],
      [4, "nul"],
      [5, "numbers"],
      [4, "non-object"],
      [3, "deep"],
      [1.5, "huge"],
      [1, "empty"],
      [4, "owned-keys"],
      [3, "duplicates"],
    ]);
    switch (kind) {
      case "valid":
        return this.valid().rec;
      case "malformed":
        return this.malformed();
      case "truncated":
        return this.truncated();
      case "escapes":
        return this.escapes();
      case "invalid-utf8":
        return this.invalidUtf8();
      case "nul":
        return this.nul();
      case "numbers":
        return this.numbers();
      case "non-object":
        return this.nonObject();
      case "deep":
        return this.deep();
      case "huge":
        return this.huge();
      case "empty":
        return this.record(enc.encode(r.pick(["", " ", "\n", "\t \r\n", "{", "}", "{}", " {} ", "{ }", "{}\n"])), "empty");
      case "owned-keys": {
        const m = this.members();
        this.ownedKeys(m);
        if (r.chance(0.3)) m.push(["path", { str: r.pick(ATTACK_PATHS) }]);
        return this.record(serialize(m, "fluentbit", r, r.chance(0.3) ? 0.6 : 0).bytes, "owned-keys");
      }
      default: {
        const m = this.members();
        if (m.length === 0) m.push(["path", { str: r.pick(ATTACK_PATHS) }]);
        const n = r.range(1, 4);
        for (let i = 0; i < n; i++) {
          const [k, v] = r.pick(m);
          m.splice(r.int(m.length + 1), 0, [k, r.chance(0.5) ? { str: r.pick(ATTACK_PATHS) } : r.chance(0.5) ? v : { json: "null" }]);
        }
        return this.record(serialize(m, "fluentbit", r, 0).bytes, "duplicates");
      }
    }
  }

  // -------------------------------------------------------------- malformed

  malformed(): FuzzRecord {
    const r = this.rng;
    const b = Array.from(this.valid().rec.bytes);
    const ops: string[] = [];
    const n = r.range(1, 3);
    for (let k = 0; k < n; k++) {
      const op = r.pick(["flip", "byte", "insert", "delete", "swap", "dup", "control"]);
      ops.push(op);
      const at = r.int(b.length + 1);
      switch (op) {
        case "flip":
          if (b.length) b[Math.min(at, b.length - 1)] ^= 1 << r.int(8);
          break;
        case "byte":
          if (b.length) b[Math.min(at, b.length - 1)] = r.int(256);
          break;
        case "insert":
          b.splice(at, 0, r.pick([0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x2c, 0x3a, 0x5c]));
          break;
        case "delete": {
          // Delete a structural byte if there is one.
          const targets = b.map((c, i) => ([0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x2c, 0x3a].includes(c) ? i : -1)).filter((i) => i >= 0);
          if (targets.length) b.splice(r.pick(targets), 1);
          break;
        }
        case "swap": {
          const j = r.int(b.length);
          if (b.length) [b[Math.min(at, b.length - 1)], b[j]] = [b[j], b[Math.min(at, b.length - 1)]];
          break;
        }
        case "dup": {
          const len = r.range(1, 20);
          b.splice(at, 0, ...b.slice(at, at + len));
          break;
        }
        default:
          b.splice(at, 0, r.pick([0x00, 0x01, 0x0a, 0x1f, 0x7f, 0x09]));
      }
    }
    return this.record(Uint8Array.from(b), `malformed/${ops.join("+")}`);
  }

  /** Byte classes of a valid serialization: where a truncation lands. */
  static positionClasses(b: Uint8Array): Map<string, number[]> {
    const classes = new Map<string, number[]>();
    const add = (name: string, i: number) => {
      let list = classes.get(name);
      if (!list) classes.set(name, (list = []));
      list.push(i);
    };
    const stack: number[] = [];
    let expectKey = false;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (c === 0x22) {
        const isKey = expectKey;
        add(isKey ? "key-open" : "string-open", i);
        let j = i + 1;
        while (j < b.length && b[j] !== 0x22) {
          if (b[j] === 0x5c) {
            add("escape-backslash", j);
            const len = b[j + 1] === 0x75 ? 6 : 2;
            for (let k = j + 1; k < j + len && k < b.length; k++) add(b[j + 1] === 0x75 ? "escape-unicode" : "escape-char", k);
            j += len;
          } else {
            add(isKey ? "key" : b[j] >= 0x80 ? "string-utf8" : "string", j);
            j++;
          }
        }
        add(isKey ? "key-close" : "string-close", j);
        i = j;
        expectKey = false;
      } else if (c === 0x7b || c === 0x5b) {
        add(stack.length === 0 ? "top-open" : "open", i);
        stack.push(c);
        expectKey = c === 0x7b;
      } else if (c === 0x7d || c === 0x5d) {
        stack.pop();
        add(stack.length === 0 ? "top-close" : "close", i);
      } else if (c === 0x3a) add("colon", i);
      else if (c === 0x2c) {
        add("comma", i);
        expectKey = stack[stack.length - 1] === 0x7b;
      } else if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) add("whitespace", i);
      else if (c === 0x74 || c === 0x66 || c === 0x6e) add("literal", i);
      else add("number", i);
    }
    add("end", b.length);
    return classes;
  }

  truncated(): FuzzRecord {
    const r = this.rng;
    const bytes = this.valid().rec.bytes;
    const classes = RecordGenerator.positionClasses(bytes);
    const name = r.pick([...classes.keys()]);
    const at = r.pick(classes.get(name)!);
    // Cut before the byte of that class, or just after it.
    const cut = Math.min(bytes.length, at + (r.chance(0.5) ? 0 : 1));
    return this.record(bytes.slice(0, cut), `truncated/${name}`);
  }

  /** Every prefix of one small valid record (truncation at every position). */
  everyPrefix(): FuzzRecord[] {
    const { rec } = this.valid();
    const out: FuzzRecord[] = [];
    for (let n = 0; n <= rec.bytes.length; n++) out.push({ ...rec, bytes: rec.bytes.slice(0, n), label: `prefix/${n}of${rec.bytes.length}` });
    return out;
  }

  // -------------------------------------------------------------- strings

  private escapes(): FuzzRecord {
    const r = this.rng;
    const pieces = [
      '\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
      "\\u0000", "\\u001f", "\\u007f", "\\u00e9", "\\u00E9", "\\u20ac", "\\uFFFF", "\\ufeff",
      "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\udbff\\udfff", "\\ud800\\udc00",
      "\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\ud83d\\ud83d", "\\ude00\\ud83d", "\\ud83d\\", "\\ud83dx",
      "\\u002e\\u002e\\u002f", "\\u002E\\u002E\\u005C", "\\u0027 or 1=1", "\\u003cscript", "sel\\u0065ct",
      "..\\/", "\\/etc\\/passwd", "%2e%2e%2f", "\\u0025\\u0032\\u0065",
    ];
    const body = () => {
      let s = "";
      const n = r.range(1, 8);
      for (let i = 0; i < n; i++) s += r.chance(0.6) ? r.pick(pieces) : r.pick(["a", "/", "../", " union ", "select", "x", "1"]);
      return s;
    };
    const m = this.members();
    // Replace one or more string values (and sometimes a key) with escape soup.
    const out: Member[] = m.map(([k, v]) => [k, "str" in v && r.chance(0.5) ? { json: `"${body()}"` } : v]);
    if (r.chance(0.2)) out.push([r.pick(["path", "tripline", "log"]), { json: `"${body()}"` }]);
    let text = new TextDecoder().decode(serialize(out, "fluentbit", r, 0).bytes);
    if (r.chance(0.15)) {
      // An escaped key: "p\u0061th", "trip\u006cine".
      text = text.replace(/"(path|tripline|tripline_alert|log|agent)":/, (_, k: string) => `"${k.slice(0, 1)}\\u00${k.charCodeAt(1).toString(16)}${k.slice(2)}":`);
    }
    return this.record(enc.encode(text), "escapes");
  }

  private invalidUtf8(): FuzzRecord {
    const r = this.rng;
    const sequences = [
      [0x80], [0xbf], [0xff], [0xfe], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98],
      [0xc0, 0xaf], [0xc0, 0x80], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc2, 0xa0], [0xa0], [0xef, 0xbb, 0xbf],
    ];
    const { rec, ser } = this.valid();
    const b = Array.from(rec.bytes);
    const n = r.range(1, 4);
    const inserts: [number, number[]][] = [];
    for (let i = 0; i < n; i++) {
      const seq = r.pick(sequences);
      if (ser.valueSpans.length === 0 || r.chance(0.1)) inserts.push([r.int(b.length + 1), seq]); // anywhere: usually invalid JSON
      else {
        const [s, e] = r.pick(ser.valueSpans);
        inserts.push([r.range(s, e), seq]);
      }
    }
    // Insert from the back so earlier offsets stay valid (sequences never split an escape: spans hold whole characters
    // only in the fluentbit/raw styles, so a split escape is just more malformed input).
    inserts.sort((x, y) => y[0] - x[0]);
    for (const [at, seq] of inserts) b.splice(at, 0, ...seq);
    return this.record(Uint8Array.from(b), "invalid-utf8");
  }

  private nul(): FuzzRecord {
    const r = this.rng;
    const { rec, ser } = this.valid();
    const b = Array.from(rec.bytes);
    if (r.chance(0.6) && ser.valueSpans.length > 0) {
      // Escaped NUL inside a value, often inside an attack string.
      const [s, e] = r.pick(ser.valueSpans);
      b.splice(r.range(s, e), 0, ...enc.encode(r.pick(["\\u0000", "\\u0000\\u0000", "../\\u0000", "\\u0000../"])));
      return this.record(Uint8Array.from(b), "nul/escaped");
    }
    // A raw NUL (never sent by Fluent Bit): the host sees the record end there.
    b.splice(r.int(b.length + 1), 0, 0);
    return this.record(Uint8Array.from(b), "nul/raw");
  }

  private numbers(): FuzzRecord {
    const r = this.rng;
    const m = this.members();
    const bad = r.chance(0.2);
    const number = () => (bad ? r.pick(BAD_NUMBERS) : r.pick(NUMBER_LIMITS));
    const n = r.range(1, 3);
    for (let i = 0; i < n; i++) {
      const key = r.pick(["size", "response_time", "code", "status", "n", "host"]);
      m.push([key, r.chance(0.6) ? { json: number() } : { str: number() }]);
    }
    return this.record(serialize(m, "fluentbit", r, 0).bytes, bad ? "numbers/invalid" : "numbers");
  }

  private nonObject(): FuzzRecord {
    const r = this.rng;
    const valid = new TextDecoder().decode(this.valid().rec.bytes);
    const text = r.pick([
      "[" + valid + "]",
      "[" + valid + "," + valid + "]",
      valid + valid,
      valid + " " + valid,
      valid + ",",
      JSON.stringify(r.pick(ATTACK_PATHS)),
      r.pick(NUMBER_LIMITS),
      "true",
      "false",
      "null",
      " null ",
      "[]",
      "[{}]",
      '"{}"',
      "{}" + "}",
      "{" + valid,
      "\ufeff" + valid,
      r.pick(LINES),
    ]);
    return this.record(enc.encode(text), "non-object");
  }

  // -------------------------------------------------------------- sizes

  private deep(): FuzzRecord {
    const r = this.rng;
    const depth = r.logInt(1, 10_000);
    const kind = r.pick(["arrays", "objects", "mixed"]);
    let open = "";
    let close = "";
    for (let i = 0; i < depth; i++) {
      const obj = kind === "objects" || (kind === "mixed" && r.chance(0.5));
      open += obj ? '{"a":' : "[";
      close = (obj ? "}" : "]") + close;
    }
    const inner = r.pick(["1", '"../"', "null", "{}", "[]"]);
    let nested = open + inner + close;
    const variant = r.weighted<string>([
      [5, "valid"],
      [2, "unclosed"],
      [1, "mismatched"],
      [1, "extra-close"],
      [1, "top-level"],
    ]);
    if (variant === "unclosed") nested = open + inner + close.slice(0, r.int(close.length));
    else if (variant === "mismatched") {
      const at = r.int(close.length);
      nested = open + inner + close.slice(0, at) + (close[at] === "]" ? "}" : "]") + close.slice(at + 1);
    } else if (variant === "extra-close") nested = open + inner + close + "]";
    if (variant === "top-level") {
      const text = r.chance(0.5) ? nested : `{"path":"/../x","a":${nested}}`;
      return this.record(enc.encode(text), `deep/${kind}/${depth}/top`);
    }
    const m = this.members();
    m.splice(r.int(m.length + 1), 0, [r.pick(["deep", "path", "tripline", "log"]), { json: nested }]);
    return this.record(serialize(m, "fluentbit", r, 0).bytes, `deep/${kind}/${depth}/${variant}`);
  }

  private huge(): FuzzRecord {
    const r = this.rng;
    const size = r.logInt(1024, 1 << 20);
    const fill = r.pick(["a", "/", ".", "%2e", "ab", "é", "\u{1F600}", "../", " union", "x".repeat(63) + "/"]);
    let s = fill.repeat(Math.ceil(size / fill.length)).slice(0, size);
    if (r.chance(0.6)) {
      const attack = r.pick(ATTACK_PATHS);
      const at = r.pick([0, size >> 1, size]);
      s = s.slice(0, at) + attack + s.slice(at);
    }
    const key = r.pick(["path", "agent", "log", "referer", "query", "big", "host"]);
    const m = this.members();
    m.push([key, { str: s }]);
    const style = r.pick<Style>(["fluentbit", "raw", "escapes"]);
    return this.record(serialize(m, style, r, 0).bytes, `huge/${key}/${size}/${style}`);
  }
}
