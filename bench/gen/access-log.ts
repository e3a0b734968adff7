// A deterministic mixed web access log for the benchmarks: combined log
// format (what Fluent Bit's apache2 parser reads), mostly an ordinary web shop
// with some attacks mixed in. Every line carries a label saying what it is,
// so checks can tell whether a detector flagged the attacks.
//
// Mix (by lines, roughly): ~97% benign (browsers, crawlers, monitors, an API
// client; 200/304/302, some 404/401/403/500), ~3% attacks in short bursts
// from attacker addresses: SQL injection (raw and URL-encoded), cross-site
// scripting, path traversal, sensitive-file probes with scanner user agents,
// password brute force on POST /login, and card numbers / passwords in query
// strings (redaction). Event time advances ~0.35 s per benign line.
import { mulberry32, int, pick, weighted, type Rng } from "./random.js";

export type LineKind =
  | "benign"
  | "sqli"
  | "xss"
  | "traversal"
  | "sensitive"
  | "scanner"
  | "brute"
  | "card"
  | "password"
  | "tool";

export interface AccessLine {
  line: string;
  /** Event time, seconds since the epoch (the line's [time] field). */
  time: number;
  kind: LineKind;
  ip: string;
}

export interface AccessLogOptions {
  lines: number;
  seed?: number;
  /** Share of lines that start an attack burst (default 0.004: ~3% attack lines). */
  attackRate?: number;
  /** First event time, seconds (default 2026-11-20T00:00:00Z). */
  start?: number;
}

export const DEFAULT_START = Date.UTC(2026, 10, 20) / 1000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function clfTime(t: number): string {
  const d = new Date(Math.floor(t) * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const BROWSERS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
];
const CRAWLERS = [
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
];
const MONITOR = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
const PRODUCTS = ["shoes", "jackets", "bags", "hats", "socks", "scarves", "gloves", "belts"];
const WORDS = ["red", "leather", "winter", "sale", "kids", "running", "wool", "blue", "o'neill", "select", "union+jack", "drop+ship"];
const BLOG = ["how-to-choose-shoes", "winter-care", "our-story", "size-guide", "returns-made-easy"];

const SCANNERS = [
  "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:001234)",
  "sqlmap/1.8.2#stable (https://sqlmap.org)",
  "gobuster/3.6",
  "Fuzz Faster U Fool v2.1.0",
  "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
];
const TOOLS = ["curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1", "Wget/1.21.4", "-"];

const SQLI = [
  "/products?id=12%27%20UNION%20SELECT%20username,password%20FROM%20users--",
  "/products?id=1'+OR+1=1--",
  "/search?q=x%27%20or%20%271%27=%271",
  "/products?id=5+AND+SLEEP(5)",
  "/category/shoes?sort=price'--",
  "/products?id=1%20union%20all%20select%20null,table_name%20from%20information_schema.tables",
  "/api/v1/items?filter=1;WAITFOR%20DELAY%20'0:0:5'",
  "/products?id=3+order+by+10--",
  "/login?user=admin'%23",
  "/products?id=1+AND+extractvalue(1,concat(0x7e,@@version))",
];
const XSS = [
  "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
  "/search?q=<svg/onload=alert(document.domain)>",
  "/comment?text=%3Cimg%20src=x%20onerror=alert(1)%3E",
  "/search?q=javascript:alert(document.cookie)",
  "/redirect?url=%253Cscript%253Ealert(1)",
  "/product?name=%3Ciframe%20src=//evil.example%3E",
];
const TRAVERSAL = [
  "/download?file=../../../../etc/passwd",
  "/static/..%2f..%2f..%2fetc%2fshadow",
  "/images?path=%2e%2e%2f%2e%2e%2fwin.ini",
  "/view?page=....//....//proc/self/environ",
  "/download?file=..%5c..%5cboot.ini",
  "/cgi-bin/.%2e/.%2e/.%2e/etc/passwd",
];
const SENSITIVE = [
  "/.env", "/.git/config", "/.git/HEAD", "/backup.sql", "/wp-config.php.bak", "/.aws/credentials",
  "/id_rsa", "/phpinfo.php", "/backup.zip", "/db.tar.gz", "/.htpasswd", "/config.php.old", "/.ssh/id_ed25519",
  "/.DS_Store", "/site.sql.gz",
];
const SCAN_404 = [
  "/admin/", "/phpmyadmin/", "/wp-admin/", "/manager/html", "/solr/", "/actuator/health", "/server-status",
  "/cgi-bin/test.cgi", "/console/", "/jenkins/", "/owa/", "/vendor/phpunit/", "/adminer.php", "/setup.php",
  "/xmlrpc.php", "/.well-known/security.txt", "/api/swagger.json", "/debug/pprof/", "/old/", "/test/",
];

function ipOf(n: number): string {
  return `${10 + ((n >>> 16) & 0x7f)}.${(n >>> 8) & 0xff}.${n & 0xff}.${1 + (n % 250)}`;
}

interface Visitor {
  ip: string;
  agent: string;
}

function makeVisitors(rng: Rng): Visitor[] {
  const list: Visitor[] = [];
  for (let i = 0; i < 600; i++) list.push({ ip: ipOf(int(rng, 1, 0xffffff)), agent: pick(rng, BROWSERS) });
  return list;
}

const REF_HOST = "https://shop.example.com";

function benignRequest(rng: Rng): { method: string; path: string; status: number; size: number; referer: string } {
  const kind = weighted(rng, [
    ["home", 10], ["product", 22], ["category", 12], ["search", 8], ["asset", 25], ["blog", 4], ["login", 3],
    ["cart", 5], ["api", 6], ["icon", 2], ["robots", 1], ["missing", 1], ["admin", 0.2], ["error", 0.3], ["download", 0.3],
  ] as const);
  let method = "GET";
  let path = "/";
  let status = 200;
  let size = int(rng, 3000, 40000);
  let referer = rng() < 0.6 ? `${REF_HOST}/` : "-";
  switch (kind) {
    case "home":
      break;
    case "product":
      path = `/products/${pick(rng, PRODUCTS)}/${int(rng, 1, 900)}?ref=${pick(rng, ["home", "search", "mail", "ad"])}`;
      break;
    case "category":
      path = `/category/${pick(rng, PRODUCTS)}?page=${int(rng, 1, 12)}&sort=${pick(rng, ["price", "new", "popular"])}`;
      break;
    case "search":
      path = `/search?q=${pick(rng, WORDS)}+${pick(rng, PRODUCTS)}`;
      break;
    case "asset": {
      path = pick(rng, ["/static/app.css", "/static/app.js", "/static/vendor.js", `/images/p${int(rng, 1, 900)}.jpg`, "/fonts/inter.woff2"]);
      size = int(rng, 800, 250000);
      if (rng() < 0.35) {
        status = 304;
        size = 0;
      }
      break;
    }
    case "blog":
      path = `/blog/${pick(rng, BLOG)}`;
      if (rng() < 0.05) status = 404;
      break;
    case "login":
      if (rng() < 0.5) {
        path = "/login";
      } else {
        method = "POST";
        path = "/login";
        status = rng() < 0.05 ? 401 : 302;
        size = int(rng, 0, 400);
      }
      break;
    case "cart":
      method = rng() < 0.3 ? "POST" : "GET";
      path = pick(rng, ["/cart", "/cart/add", "/checkout", "/checkout/confirm"]);
      break;
    case "api":
      path = `/api/v1/items?limit=${pick(rng, [10, 20, 50])}&offset=${int(rng, 0, 500)}`;
      size = int(rng, 500, 9000);
      break;
    case "icon":
      path = pick(rng, ["/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png"]);
      status = path === "/favicon.ico" ? 200 : 404;
      size = 512;
      break;
    case "robots":
      path = pick(rng, ["/robots.txt", "/sitemap.xml"]);
      break;
    case "download":
      // Query strings that name files: cs-uri-stem (the path before '?') is what the scanning rules read.
      path = pick(rng, ["/download.php?file=backup.zip", "/export?name=report.bak", "/files?path=/.env.example", "/login/help?from=signin"]);
      break;
    case "missing":
      path = `/products/${pick(rng, PRODUCTS)}/${int(rng, 901, 2000)}`;
      status = 404;
      size = 1200;
      break;
    case "admin":
      path = "/admin";
      status = 403;
      size = 300;
      break;
    case "error":
      path = `/checkout?step=${int(rng, 1, 3)}`;
      status = 500;
      size = 312;
      break;
  }
  return { method, path, status, size, referer };
}

function line(ip: string, t: number, method: string, path: string, status: number, size: number, referer: string, agent: string): string {
  return `${ip} - - [${clfTime(t)}] "${method} ${path} HTTP/1.1" ${status} ${size} "${referer}" "${agent}"`;
}

/** The whole log, in time order. */
export function generateAccessLog(options: AccessLogOptions): AccessLine[] {
  const rng = mulberry32(options.seed ?? 20261120);
  const attackRate = options.attackRate ?? 0.004;
  const visitors = makeVisitors(rng);
  const out: AccessLine[] = [];
  let t = options.start ?? DEFAULT_START;
  const push = (ip: string, kind: LineKind, method: string, path: string, status: number, size: number, referer: string, agent: string) => {
    out.push({ line: line(ip, t, method, path, status, size, referer, agent), time: Math.floor(t), kind, ip });
  };
  while (out.length < options.lines) {
    if (rng() < attackRate) {
      // An attack burst from one address, a request every 0-2 s.
      const ip = `${pick(rng, [45, 91, 185, 193, 203])}.${int(rng, 0, 255)}.${int(rng, 0, 255)}.${int(rng, 1, 254)}`;
      const kind = weighted(rng, [
        ["sqli", 3], ["xss", 2], ["traversal", 2], ["sensitive", 2], ["brute", 2], ["card", 1], ["password", 1], ["tool", 1],
      ] as const);
      const n = kind === "sensitive" ? int(rng, 12, 30) : kind === "brute" ? int(rng, 6, 12) : int(rng, 2, 8);
      const scanner = pick(rng, SCANNERS);
      const browser = pick(rng, BROWSERS);
      for (let i = 0; i < n && out.length < options.lines; i++) {
        t += rng() * 2;
        switch (kind) {
          case "sqli":
            push(ip, "sqli", "GET", pick(rng, SQLI), pick(rng, [200, 500, 403]), int(rng, 200, 9000), "-", rng() < 0.5 ? "sqlmap/1.8.2#stable (https://sqlmap.org)" : browser);
            break;
          case "xss":
            push(ip, "xss", "GET", pick(rng, XSS), 200, int(rng, 200, 9000), "-", browser);
            break;
          case "traversal":
            push(ip, "traversal", "GET", pick(rng, TRAVERSAL), pick(rng, [400, 404, 200]), int(rng, 0, 900), "-", pick(rng, TOOLS.slice(0, 2)));
            break;
          case "sensitive":
            // A scanner: sensitive files mixed with other probes, mostly 404.
            if (rng() < 0.5) push(ip, "sensitive", "GET", pick(rng, SENSITIVE), 404, 196, "-", scanner);
            else push(ip, "scanner", "GET", pick(rng, SCAN_404), 404, 196, "-", scanner);
            break;
          case "brute":
            push(ip, "brute", "POST", pick(rng, ["/login", "/wp-login.php", "/api/v1/session"]), 401, 88, `${REF_HOST}/login`, browser);
            break;
          case "card":
            push(ip, "card", "GET", `/checkout/pay?card=${pick(rng, ["4111111111111111", "5500-0000-0000-0004", "4012888888881881"])}&exp=12/28`, 200, 900, `${REF_HOST}/cart`, browser);
            break;
          case "password":
            push(ip, "password", "GET", `/account/reset?user=${pick(rng, ["bob", "alice", "carol"])}&${pick(rng, ["password", "Password", "pwd", "new_passwd"])}=${pick(rng, ["hunter2", "Winter2026!", "letmein", "'s3cret'"])}`, 200, 700, "-", browser);
            break;
          case "tool":
            push(ip, "tool", "GET", pick(rng, ["/", "/api/v1/items?limit=500", "/products/shoes/12"]), 200, int(rng, 500, 9000), "-", pick(rng, TOOLS));
            break;
        }
      }
      continue;
    }
    t += -Math.log(1 - rng()) * 0.35;
    const who = weighted(rng, [["visitor", 90], ["crawler", 7], ["monitor", 2], ["client", 1]] as const);
    if (who === "visitor") {
      const v = visitors[Math.floor(rng() * rng() * visitors.length)];
      const r = benignRequest(rng);
      push(v.ip, "benign", r.method, r.path, r.status, r.size, r.referer, v.agent);
    } else if (who === "crawler") {
      const agent = pick(rng, CRAWLERS);
      const r = benignRequest(rng);
      push(`66.249.${int(rng, 64, 79)}.${int(rng, 1, 254)}`, "benign", "GET", r.path, r.status === 401 ? 200 : r.status, r.size, "-", agent);
    } else if (who === "monitor") {
      push(pick(rng, ["216.144.250.150", "69.162.124.226", "63.143.42.242"]), "benign", "HEAD", "/", 200, 0, "-", MONITOR);
    } else {
      push("198.51.100.77", "benign", "GET", `/api/v1/items?limit=50&updated_since=${Math.floor(t) - 1800}`, 200, int(rng, 500, 9000), "-", "partner-sync/3.2 (+https://partner.example.net)");
    }
  }
  return out;
}

export function logText(lines: AccessLine[]): string {
  return lines.map((l) => l.line).join("\n") + "\n";
}
