// A deterministic, benign web access log for tuning the default rule pack:
// one day of a small web shop in combined log format with a trailing
// response time in seconds (nginx `$request_time`), in time order.
//
//   node dist/scripts/generate-benign.js OUT.log [--seed N] [--date 2026-11-19]
//
// With the default seed: 123,724 lines from 652 addresses (about 500 POST
// /login with 21 typos, 3,339 404s of which 3,272 are icon requests, 27
// 500s, 6,658 Googlebot and 1,801 bingbot requests).
//
// What is in it (all of it ordinary traffic; none of it should alert):
// - about 650 visitors (home and office addresses, a few sharing a NAT) on
//   desktop and mobile browsers, in sessions of 1-15 page views that follow
//   a diurnal curve (quiet at night, a peak in the afternoon, a bump in the
//   evening). A page view loads the HTML and, on the first view, its
//   assets; later views hit the browser cache (304s or nothing). Search,
//   product and category pages carry query strings; search terms include
//   words that look like SQL (select, union, drop, order by) and an
//   apostrophe (o'neill), as real shoppers type them.
// - logins: GET /login, POST /login answered 302; about 4% mistype once
//   (401) and a tenth of those twice, never more.
// - normal errors: Safari asks for apple-touch-icon*.png (404), a broken
//   blog link now and then (404), rare 500s on dynamic pages, the odd 403
//   on /admin, a legitimate 14 MB catalogue download a few dozen times a day.
// - well-behaved crawlers: Googlebot (a request every 6-20 s over a pool of
//   addresses, robots.txt, sitemap, some 404s on removed products), bingbot
//   (every 25-70 s), an uptime monitor every 5 minutes from three
//   addresses, a kube-probe health check every 10 s, and a partner's
//   python-requests integration polling the product API twice an hour.
// - response times: log-normal around a median per route (static files a
//   few ms, pages tens of ms, search ~120 ms, checkout ~250 ms), with cache
//   misses (x3, 0.5%) and GC pauses (+0.2-0.6 s, 0.05%).
//
// The same seed always gives the same file (a 32-bit mulberry PRNG; no
// Math.random, no wall clock).
import { createWriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "../bench/gen/random.js";

export interface BenignOptions {
  seed?: number;
  /** First second of the day, UTC (default 2026-11-19T00:00:00Z). */
  start?: Date;
}



const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = 86400;

interface Event {
  t: number; // seconds since the start of the day
  seq: number; // tie-break, keeps generation order within a second
  line: string;
}

const BROWSERS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
  "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Mobile Safari/537.36",
  "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
];
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
const UPTIME = "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)";
const PROBE = "kube-probe/1.29";
const PARTNER = "python-requests/2.31.0";

const SEARCH_TERMS = [
  "running shoes", "trail running shoes", "rain jacket", "wool socks", "select fit jeans", "union jack t-shirt",
  "drop earrings", "black and white sneakers", "o'neill jacket", "order by size", "kids boots", "leather belt",
  "gift card", "sale", "waterproof boots size 44", "linen shirt", "yoga mat", "backpack 30l", "sandals", "scarf",
];
const CATEGORIES = ["shoes", "jackets", "shirts", "accessories", "kids", "sale", "outdoor", "gifts"];
const BLOG = [
  "how-to-choose-running-shoes", "winter-layering-guide", "caring-for-leather", "our-new-store", "size-guide-explained",
  "sustainable-materials", "trail-season-checklist", "gift-ideas-2026",
];

export function* generateBenign(options: BenignOptions = {}): Generator<string> {
  const rnd = mulberry32(options.seed ?? 20261119);
  const start = options.start ?? new Date(Date.UTC(2026, 10, 19));
  const base = Math.floor(start.getTime() / 1000);
  const events: Event[] = [];
  let seq = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const gauss = () => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const latency = (median: number) => {
    let x = median * Math.exp(0.35 * gauss());
    if (rnd() < 0.005) x *= 3; // cache miss
    if (rnd() < 0.0005) x += 0.2 + 0.4 * rnd(); // GC pause
    return x;
  };
  const clf = (t: number) => {
    const d = new Date((base + Math.floor(t)) * 1000);
    const p = (n: number) => String(n).padStart(2, "0");
    return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  };
  const emit = (t: number, ip: string, user: string, method: string, target: string, status: number, size: number, referer: string, agent: string, rt: number) => {
    if (t < 0 || t >= DAY) return;
    events.push({
      t,
      seq: seq++,
      line: `${ip} - ${user} [${clf(t)}] "${method} ${target} HTTP/1.1" ${status} ${size} "${referer}" "${agent}" ${rt.toFixed(3)}`,
    });
  };

  // Diurnal curve, relative (peak ~1.15 at 14:00, ~0.2 at 04:00).
  const diurnal = (t: number) => {
    const h = t / 3600;
    return 0.18 + 0.8 * Math.exp(-(((h - 14) / 4.5) ** 2)) + 0.35 * Math.exp(-(((h - 20.5) / 2) ** 2));
  };

  // Visitors: home and office addresses; a few offices put several people behind one NAT.
  interface Visitor {
    ip: string;
    agent: string;
    weight: number;
  }
  const visitors: Visitor[] = [];
  const firstOctets = [24, 31, 37, 46, 62, 77, 78, 80, 81, 82, 84, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 109, 145, 151, 176, 178, 185, 188, 193, 194, 212, 213, 217];
  for (let k = 0; k < 620; k++) {
    visitors.push({ ip: `${pick(firstOctets)}.${int(1, 254)}.${int(0, 255)}.${int(1, 254)}`, agent: pick(BROWSERS), weight: rnd() < 0.1 ? 4 : 1 });
  }
  for (let office = 0; office < 6; office++) {
    const ip = `${pick(firstOctets)}.${int(1, 254)}.${int(0, 255)}.${int(1, 254)}`;
    for (let k = 0; k < 5; k++) visitors.push({ ip, agent: pick(BROWSERS), weight: 1 });
  }
  const totalWeight = visitors.reduce((s, v) => s + v.weight, 0);
  const pickVisitor = () => {
    let x = rnd() * totalWeight;
    for (const v of visitors) {
      x -= v.weight;
      if (x <= 0) return v;
    }
    return visitors[visitors.length - 1];
  };

  const ASSETS = [
    ["/static/css/main.3f9a1c.css", 48213],
    ["/static/js/vendor.8e21d0.js", 241877],
    ["/static/js/app.c71b44.js", 96544],
    ["/static/img/logo.svg", 5122],
    ["/static/fonts/inter-var.woff2", 68210],
    ["/favicon.ico", 15086],
  ] as const;

  // --- human sessions ---
  const SESSIONS = 4300;
  // Session starts follow the diurnal curve (rejection sampling).
  for (let s = 0; s < SESSIONS; s++) {
    let t0: number;
    do t0 = rnd() * DAY;
    while (rnd() * 1.2 > diurnal(t0));
    const v = pickVisitor();
    const safari = v.agent.includes("Version/") && v.agent.includes("Safari");
    const external = pick(["-", "-", "https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/", "https://www.instagram.com/"]);
    let t = t0;
    let referer = external;
    let cached = false;
    let loggedIn = false;
    const views = Math.min(15, 1 + Math.floor(-Math.log(1 - rnd()) * 4));
    const wantsLogin = rnd() < 0.15;
    for (let p = 0; p < views; p++) {
      // Choose the page.
      let method = "GET";
      let target: string;
      let status = 200;
      let size: number;
      let median = 0.045;
      const r = rnd();
      if (p === 0 && external === "-") target = "/";
      else if (wantsLogin && !loggedIn && p === 1) {
        // Login: the form, then the POST (rare typos).
        emit(t, v.ip, "-", "GET", "/login", 200, int(6100, 6400), referer, v.agent, latency(0.03));
        t += 6 + rnd() * 10;
        const typos = rnd() < 0.04 ? (rnd() < 0.1 ? 2 : 1) : 0;
        for (let k = 0; k < typos; k++) {
          emit(t, v.ip, "-", "POST", "/login", 401, int(6300, 6500), "https://shop.example.com/login", v.agent, latency(0.18));
          t += 5 + rnd() * 12;
        }
        emit(t, v.ip, "-", "POST", "/login", 302, 0, "https://shop.example.com/login", v.agent, latency(0.18));
        loggedIn = true;
        referer = "https://shop.example.com/login";
        t += 1 + rnd();
        target = "/account";
        median = 0.06;
      } else if (r < 0.12) target = "/";
      else if (r < 0.3) {
        target = `/products?id=${int(1000, 1480)}`;
        median = 0.05;
      } else if (r < 0.42) {
        target = `/category/${pick(CATEGORIES)}?page=${int(1, 4)}`;
        median = 0.06;
      } else if (r < 0.54) {
        target = `/search?q=${encodeURIComponent(pick(SEARCH_TERMS)).replace(/%20/g, "+")}`;
        median = 0.12;
      } else if (r < 0.62) {
        target = `/blog/${pick(BLOG)}`;
        median = 0.035;
      } else if (r < 0.72) {
        target = "/cart";
        median = 0.04;
      } else if (r < 0.76 && loggedIn) {
        method = "POST";
        target = "/checkout";
        status = 302;
        median = 0.25;
      } else if (r < 0.8) {
        target = pick(["/about", "/contact", "/help/shipping", "/help/returns", "/stores"]);
        median = 0.025;
      } else if (r < 0.84 && loggedIn) {
        target = pick(["/account", "/account/orders", "/account/addresses"]);
        median = 0.07;
      } else {
        target = `/products?id=${int(1000, 1480)}`;
        median = 0.05;
      }
      size = method === "POST" ? 0 : int(8000, 42000);
      // Normal errors.
      if (target.startsWith("/blog/") && rnd() < 0.02) {
        target = `/blog/${pick(["spring-sale-2024", "store-opening-2023", "black-friday-2024"])}`;
        status = 404;
        size = int(3100, 3300);
      } else if (status === 200 && (target.includes("?") || target === "/cart") && rnd() < 0.0015) {
        status = 500;
        size = int(480, 520);
      }
      emit(t, v.ip, "-", method, target, status, size, referer, v.agent, latency(median));
      // Assets on the first view, then mostly from the browser cache.
      if (!cached) {
        let dt = 0.05;
        for (const [asset, assetSize] of ASSETS) {
          dt += 0.02 + rnd() * 0.1;
          emit(t + dt, v.ip, "-", "GET", asset, 200, assetSize, `https://shop.example.com${target}`, v.agent, latency(0.002));
        }
        if (safari) {
          emit(t + dt + 0.3, v.ip, "-", "GET", "/apple-touch-icon-precomposed.png", 404, 3145, "-", v.agent, latency(0.001));
          emit(t + dt + 0.35, v.ip, "-", "GET", "/apple-touch-icon.png", 404, 3145, "-", v.agent, latency(0.001));
        }
        cached = true;
      } else if (rnd() < 0.3) {
        emit(t + 0.1, v.ip, "-", "GET", ASSETS[int(0, 2)][0], 304, 0, `https://shop.example.com${target}`, v.agent, latency(0.001));
      }
      // Product images and XHR.
      if (target.startsWith("/products") || target.startsWith("/category") || target.startsWith("/search")) {
        const images = target.startsWith("/products") ? int(2, 4) : int(4, 8);
        for (let k = 0; k < images; k++) {
          emit(t + 0.2 + k * 0.05, v.ip, "-", "GET", `/img/products/${int(1000, 1480)}-${pick(["s", "m", "l"])}.jpg`, 200, int(9000, 160000), `https://shop.example.com${target}`, v.agent, latency(0.003));
        }
        if (rnd() < 0.5) {
          emit(t + 0.6, v.ip, "-", "GET", `/api/recommendations?product=${int(1000, 1480)}`, 200, int(900, 4200), `https://shop.example.com${target}`, v.agent, latency(0.03));
        }
      }
      if (target === "/cart" || (target.startsWith("/products") && rnd() < 0.2)) {
        emit(t + 1.5 + rnd() * 3, v.ip, "-", "POST", "/api/cart", 200, int(300, 900), `https://shop.example.com${target}`, v.agent, latency(0.025));
      }
      if (rnd() < 0.002) {
        emit(t + 2, v.ip, "-", "GET", "/downloads/catalog-2026.pdf", 200, 14680064 + int(0, 4096), `https://shop.example.com${target}`, v.agent, latency(0.4));
      }
      if (rnd() < 0.0015) {
        emit(t + 1, v.ip, "-", "GET", "/admin", 403, 548, `https://shop.example.com${target}`, v.agent, latency(0.004));
      }
      referer = `https://shop.example.com${target}`;
      t += 8 + -Math.log(1 - rnd()) * 35; // reading time
    }
    if (loggedIn && rnd() < 0.5) emit(t, v.ip, "-", "GET", "/logout", 302, 0, referer, v.agent, latency(0.02));
  }

  // --- Googlebot: polite, over a pool of addresses ---
  const googleIps = Array.from({ length: 18 }, () => `66.249.${pick([64, 65, 66, 68, 69, 70, 72, 73, 79])}.${int(1, 254)}`);
  for (let t = rnd() * 10; t < DAY; t += 6 + rnd() * 14) {
    const ip = pick(googleIps);
    const r = rnd();
    if (r < 0.01) emit(t, ip, "-", "GET", "/robots.txt", 200, 412, "-", GOOGLEBOT, latency(0.002));
    else if (r < 0.02) emit(t, ip, "-", "GET", "/sitemap.xml", 200, 88311, "-", GOOGLEBOT, latency(0.01));
    else if (r < 0.025) emit(t, ip, "-", "GET", `/products?id=${int(600, 999)}`, 404, 3180, "-", GOOGLEBOT, latency(0.02));
    else if (r < 0.6) emit(t, ip, "-", "GET", `/products?id=${int(1000, 1480)}`, 200, int(9000, 40000), "-", GOOGLEBOT, latency(0.05));
    else if (r < 0.8) emit(t, ip, "-", "GET", `/category/${pick(CATEGORIES)}?page=${int(1, 9)}`, 200, int(9000, 40000), "-", GOOGLEBOT, latency(0.06));
    else if (r < 0.9) emit(t, ip, "-", "GET", `/blog/${pick(BLOG)}`, 200, int(9000, 30000), "-", GOOGLEBOT, latency(0.035));
    else emit(t, ip, "-", "GET", `/img/products/${int(1000, 1480)}-l.jpg`, 200, int(40000, 160000), "-", "Googlebot-Image/1.0", latency(0.003));
  }
  // --- bingbot ---
  const bingIps = Array.from({ length: 6 }, () => `40.77.167.${int(1, 254)}`);
  for (let t = rnd() * 30; t < DAY; t += 25 + rnd() * 45) {
    const ip = pick(bingIps);
    if (rnd() < 0.02) emit(t, ip, "-", "GET", "/robots.txt", 200, 412, "-", BINGBOT, latency(0.002));
    else emit(t, ip, "-", "GET", rnd() < 0.6 ? `/products?id=${int(1000, 1480)}` : `/blog/${pick(BLOG)}`, 200, int(9000, 40000), "-", BINGBOT, latency(0.05));
  }
  // --- uptime monitor, health checks, a partner integration ---
  const uptimeIps = ["69.162.124.230", "63.143.42.247", "216.245.221.87"];
  for (let t = 17; t < DAY; t += 300) emit(t + rnd(), pick(uptimeIps), "-", "HEAD", "/", 200, 0, "https://shop.example.com", UPTIME, latency(0.02));
  for (let t = 3; t < DAY; t += 10) emit(t, "10.42.0.1", "-", "GET", "/healthz", 200, 2, "-", PROBE, rnd() < 0.3 ? 0.001 : 0);
  for (let t = 600; t < DAY; t += 1800) {
    const since = new Date((base + Math.floor(t) - 1800) * 1000).toISOString().slice(0, 19) + "Z";
    emit(t + rnd() * 5, "52.29.181.40", "-", "GET", `/api/v1/products?updated_since=${encodeURIComponent(since)}`, 200, int(2000, 90000), "-", PARTNER, latency(0.09));
  }

  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  for (const e of events) yield e.line;
}

// --- benign search and API URLs ------------------------------------------
//
// generateBenignUrls(count, seed): request targets (path and query, encoded as
// browsers and HTTP clients send them) of the kind that trips naive attack
// rules: site searches with quotes and apostrophes (O'Brien, "exact phrase",
// rock & roll), SQL words in prose (select a plan, union station, drop off,
// order by price, sleep apnea), code snippets in developer-site searches
// (C++ templates, JS arrow functions, shell commands), JSON and GraphQL in
// the query, OData/JQL/Lucene filters with comparisons (price gt 20 and
// category eq 'Books', status != Done ORDER BY created DESC), JSON:API and
// Strapi-style bracket parameters, base64 and JWT tokens, UTM and click ids,
// emails, URLs inside parameters, HTML-escaped text, dates and ranges,
// paths with apostrophes, parentheses and dots. Used by
// bench/detection/benign-urls.ts and tests/rule-pack.test.ts.

const WORDS = [
  "shoes", "jacket", "laptop", "coffee", "table", "garden", "chair", "phone", "case", "charger", "book", "novel", "guitar",
  "camera", "lens", "bike", "helmet", "tent", "sofa", "lamp", "desk", "monitor", "keyboard", "mouse", "headphones", "watch",
  "ring", "necklace", "shirt", "dress", "boots", "socks", "blanket", "pillow", "mattress", "kettle", "blender", "knife",
  "recipe", "pasta", "pizza", "salad", "soup", "bread", "cake", "cookies", "tea", "wine", "beer", "cheese", "chocolate",
  "hotel", "flight", "train", "ticket", "museum", "concert", "festival", "beach", "mountain", "lake", "river", "city",
];
const ADJECTIVES = ["red", "blue", "black", "white", "green", "small", "large", "cheap", "best", "new", "used", "vintage", "organic", "wireless", "waterproof", "lightweight", "kids", "mens", "womens", "2026"];
const PROSE = [
  "select a plan", "select your size", "union station", "union square cafe", "trade union membership", "drop off locations",
  "drop shipping", "order by phone", "order by price", "sort by date", "delete my account", "update payment method",
  "insert coin", "join us", "where to buy", "from where to start", "group by size", "having trouble logging in",
  "case study", "sleep apnea", "sleep mask", "benchmark results", "table lamp", "create account", "alter ego",
  "exec summary template", "execute order 66", "1 or 2 seats", "5 or more", "between 10 and 20 dollars", "like new",
  "is it safe", "null and void", "true or false quiz", "select all that apply", "union jack flag", "information schema design",
  "and then there were none", "or else", "not found", "declare independence", "truncate text css", "replace battery",
  "waitfor it", "top 10 or 20", "cast iron pan", "char broil grill", "convert pdf to word", "concat strings",
  "load file", "outfile", "having fun", "limit 5 per customer", "offset smoke", "exists or not", "any or all",
  "rock & roll", "tom & jerry", "salt & pepper", "r&b", "at&t", "p&g", "q&a", "b&b near me", "h&m",
  "50% off", "$10 gift", "#1 seller", "c++", "c#", ".net", "node.js", "a/b testing", "w/o sugar", "24/7 support",
  "3:30 pm", "what's new?", "how-to", "don't panic", "isn't it", "it's", "women's shoes", "men's watches",
  "children's books", "macy's", "mcdonald's", "o'brien", "o'reilly books", "d'angelo", "l'oreal", "rock 'n' roll",
  "'best' pizza", "\"exact phrase\"", "\"union station\" parking", "\"select\" meaning", "'hello world'",
  "caf\u00e9", "na\u00efve", "\u65e5\u672c", "\u00fcber", "cr\u00e8me br\u00fbl\u00e9e", "se\u00f1or", "stra\u00dfe", "\u041c\u043e\u0441\u043a\u0432\u0430",
  "price < 10", "rating >= 4", "size 10-12", "2+2=4", "1/2 cup", "5 x 7 frame", "16:9", "100% cotton", "x-large",
  "email me", "sign in", "forgot password", "reset password", "my orders", "track order #12345", "return policy",
  "is 5 > 3", "a or b", "this and that", "yes or no", "or 2 more", "1 and 2", "one or two", "either or",
  "sleep 8 hours", "sleep (deep) tips", "drop table tennis", "tennis table drop", "script writing", "javascript course",
  "alert sound", "confirm booking", "prompt engineering", "eval form", "onload meaning", "on sale", "online courses",
  "onion rings", "one piece", "only fans", "onboarding", "order confirmation", "or-tools", "and/or", "and/or gate",
  "the 'best' or 'worst'", "passwd command", "hosts file windows", "shadow box frame", "etc", "bin collection day",
  "proc sql", "win ini file", "boot camp", "cmd prompt", "root beer", "admin assistant jobs", "env variables",
  "img tag", "svg icons", "iframe embed", "body lotion", "style guide", "link building", "base camp", "object lesson",
  "embed code", "form builder", "input lag", "video editor", "audio interface", "details matter", "marquee letters",
  "expression pedal", "import tax", "url shortener", "data science", "vbscript tutorial", "fromcharcode",
];
const CODE = [
  "std::vector<int>", "List<String>", "Map<String, Integer>", "a < b && b > c", "x => x * 2", "array.map(x => x * 2)",
  "console.log(x)", "print('hello')", "print(\"hello world\")", "df.groupby('a').sum()", "git commit -m \"fix\"",
  "for (let i = 0; i < n; i++)", "if (a == b)", "x != null", "a || b", "obj?.prop", "foo::bar", "int main(void)",
  "#include <stdio.h>", "SELECT vs WHERE", "sql group by example", "mysql order by two columns", "postgres jsonb operators",
  "left join vs inner join", "select count distinct", "union vs union all", "python sleep function", "settimeout vs setinterval",
  "javascript eval alternative", "ls -la", "chmod 755", "grep -r pattern .", "curl -X POST", "docker run -it", "kubectl get pods -n kube-system",
  "npm install --save-dev", "pip install requests==2.31", "$HOME/.bashrc", "~/.config", "C:\\Users", "1e-9", "0x1F", "0b1010",
  "regex [a-z]+", "\\d{3}", "a{2,3}", "[1,2,3]", "{\"a\": 1}", "f(x) = x^2", "(a+b)^2", "sum(x_i)", "n!", "2^10",
  "@Override", "@media (max-width: 600px)", "rgba(0,0,0,.5)", "calc(100% - 10px)", "margin: 0 auto", "var(--main-color)",
  "useEffect(() => {}, [])", "async/await", "Promise.all()", "JSON.parse()", "Object.keys(obj)", "str.split(',')",
  "list comprehension [x for x in y]", "lambda x: x + 1", "dict.get('key', None)", "try/except", "/usr/bin/env python3",
];
const FIRST = ["john", "mary", "anna", "peter", "li", "sara", "tom", "eve", "omar", "yuki", "ines", "jan"];
const LAST = ["smith", "o'brien", "o'neill", "müller", "garcia", "dupont", "nguyen", "kowalski", "d'souza", "van der berg"];
const DOMAINS = ["example.com", "mail.example.org", "example.net", "corp.example.co.uk"];

function b64(rnd: () => number, n: number, url = false): string {
  const a = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let s = "";
  for (let i = 0; i < n; i++) s += a[Math.floor(rnd() * 64)];
  return s;
}

/** Query encoding as browsers do for form submissions: space -> +, the rest percent-encoded. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()*]/g, (c) => c);
}

export function* generateBenignUrls(count = 20000, seed = 15001): Generator<string> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const term = (): string => {
    const r = rnd();
    if (r < 0.3) return pick(PROSE);
    if (r < 0.45) return pick(CODE);
    if (r < 0.7) return `${pick(ADJECTIVES)} ${pick(WORDS)}`;
    if (r < 0.85) return `${pick(PROSE)} ${pick(WORDS)}`;
    return `${pick(WORDS)} ${pick(PROSE)}`;
  };
  const email = () => `${pick(FIRST)}.${pick(LAST).replace(/ /g, "")}@${pick(DOMAINS)}`;
  const iso = () => `2026-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}T${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:00${pick(["Z", "+01:00", "-05:00", ".000Z"])}`;
  const utm = () =>
    `utm_source=${pick(["newsletter", "google", "facebook", "twitter", "partner_site"])}&utm_medium=${pick(["email", "cpc", "social", "referral"])}` +
    `&utm_campaign=${pick(["black_friday_2026", "spring-sale", "launch%20week", "retarget_q4"])}` +
    (rnd() < 0.5 ? `&gclid=${b64(rnd, 40, true)}` : `&fbclid=IwAR${b64(rnd, 56, true)}`);
  const jwt = () => `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${b64(rnd, 60, true)}.${b64(rnd, 43, true)}`;
  const templates: (() => string)[] = [
    () => `/search?q=${formEncode(term())}${rnd() < 0.3 ? `&page=${int(2, 9)}` : ""}`,
    () => `/search?q=${formEncode(term())}&sort=${pick(["relevance", "-date", "price_asc", "price desc", "rating"])}`,
    () => `/?s=${formEncode(term())}`,
    () => `/search/${encodeURIComponent(term())}`,
    () => `/products?category=${pick(WORDS)}&price_min=${int(1, 50)}&price_max=${int(60, 900)}&sort=${pick(["-price", "price", "-created_at", "popularity"])}`,
    () => `/api/v1/products?filter=${encodeURIComponent(pick(["price>10", "price>=10&&price<=100", "rating>4", "stock<5", "price:10..100", "tags:sale,new"]))}&limit=${int(10, 100)}`,
    () => `/api/v2/items?fields=id,name,price&sort=-date&per_page=${int(10, 100)}&cursor=${b64(rnd, 24, true)}`,
    () => `/odata/Products?$filter=${encodeURIComponent(pick(["Price gt 20 and Category eq 'Books'", "Name eq 'O''Brien'", "startswith(Name,'Sea') and Price lt 100", "Rating ge 4 or Featured eq true", "year(Released) eq 2024"]))}&$orderby=${encodeURIComponent(pick(["Name desc", "Price asc", "Released desc,Name"]))}&$top=${int(5, 50)}&$select=Name,Price`,
    () => `/issues/?jql=${encodeURIComponent(pick(["project = ABC AND status != Done ORDER BY created DESC", "assignee = currentUser() AND resolution = Unresolved", "labels in (frontend, ux) AND priority >= High", "text ~ \"login error\" OR summary ~ 'timeout'", "created >= -7d AND type = Bug"]))}`,
    () => `/logs?query=${encodeURIComponent(pick(["status:500 AND path:/api/*", "title:\"foo bar\" AND year:[2010 TO 2020]", "level:error OR level:warn", "NOT user:bot* AND duration>1000", "host:web-1 -status:200"]))}`,
    () => `/graphql?query=${encodeURIComponent(pick(["{user(id:\"1\"){name,email}}", "query Product($id: ID!) { product(id: $id) { name price } }", "{search(term:\"o'neill\"){id title}}"]))}&variables=${encodeURIComponent(JSON.stringify({ id: int(1, 999), first: 10 }))}`,
    () => `/api/search?where=${encodeURIComponent(JSON.stringify(pick([{ price: { $gt: int(1, 99) } }, { status: "active", tags: { $in: ["a", "b"] } }, { name: { $regex: "^ca", $options: "i" } }])))}`,
    () => `/api/articles?filters[${pick(["title", "slug", "author"])}][$${pick(["eq", "containsi", "startsWith", "ne", "lt"])}]=${formEncode(pick(WORDS))}&populate=*&pagination[page]=${int(1, 5)}`,
    () => `/api/articles?fields[articles]=title,body&include=author,comments&page[number]=${int(1, 9)}&page[size]=${int(10, 50)}`,
    () => `/api/orders?ids[]=${int(1, 999)}&ids[]=${int(1, 999)}&status=${pick(["open", "shipped", "cancelled"])}`,
    () => `/api/events?from=${encodeURIComponent(iso())}&to=${encodeURIComponent(iso())}&tz=${encodeURIComponent(pick(["Europe/Paris", "America/New_York", "UTC"]))}`,
    () => `/reports?range=2026-${String(int(1, 9)).padStart(2, "0")}-01..2026-${String(int(10, 12)).padStart(2, "0")}-28&group=${pick(["day", "week", "month"])}`,
    () => `/landing/${pick(["winter", "sale", "new-arrivals"])}?${utm()}`,
    () => `/?${utm()}&mc_eid=${b64(rnd, 10, true)}&_ga=2.${int(10000000, 99999999)}.${int(100000000, 999999999)}.${int(1600000000, 1800000000)}`,
    () => `/auth/callback?code=${b64(rnd, 40, true)}&state=${b64(rnd, 32, true)}&scope=${encodeURIComponent("openid email profile")}`,
    () => `/verify?token=${jwt()}`,
    () => `/saml/acs?SAMLResponse=${encodeURIComponent(b64(rnd, int(200, 600)) + "==")}&RelayState=${encodeURIComponent("/dashboard?tab=" + pick(WORDS))}`,
    () => `/download?sig=${encodeURIComponent(b64(rnd, 43) + "=")}&expires=${int(1700000000, 1800000000)}&file=${encodeURIComponent(pick(["report final (v2).pdf", "Q3 results.xlsx", "photo 1.jpg", "readme.txt", "data-2026.csv"]))}`,
    () => `/newsletter/subscribe?email=${encodeURIComponent(email())}&list=${pick(["weekly", "offers"])}`,
    () => `/account/profile?name=${formEncode(`${pick(FIRST)} ${pick(LAST)}`)}&email=${encodeURIComponent(email())}`,
    () => `/login?redirect=${encodeURIComponent(pick(["/account/orders", "/checkout?step=2", "https://shop.example.com/cart?coupon=SAVE10&x=1", "/search?q=" + formEncode(term())]))}`,
    () => `/out?url=${encodeURIComponent(`https://${pick(DOMAINS)}/${pick(WORDS)}?ref=abc&id=${int(1, 999)}`)}`,
    () => `/jsonp/products?callback=jQuery${int(100000000000, 999999999999)}_${int(1600000000000, 1800000000000)}&_=${int(1600000000000, 1800000000000)}`,
    () => `/comments?text=${formEncode(pick(["Tom &amp; Jerry", "caf&eacute;", "it&#39;s great", "&lt;b&gt;bold&lt;/b&gt;", "&quot;quoted&quot;", "5 &gt; 3", "a &lt; b"]))}`,
    () => `/reviews/new?title=${formEncode(pick(["Great product!", "Not bad :)", "5/5 would buy again", "Don't buy this", "Works w/ iPhone 15", "It's okay... I guess", "Best $20 I've spent", "10/10 (really)"]))}&stars=${int(1, 5)}`,
    () => `/wiki/${pick(["Union_Station", "Drop_(liquid)", "Select_(SQL)", "O'Brien", "C%2B%2B", "Rock_%26_roll", "Special:Search", "Help:Contents", "Sleep_(disambiguation)", "Alert_(TV_series)", "Onload_(band)", "Passwd", "Shadow_(2024_film)"])}`,
    () => `/tags/${pick(["c%23", "c%2B%2B", "node.js", ".net", "f%23", "objective-c", "asp.net-core"])}?page=${int(1, 30)}`,
    () => `/user/${pick(["o'brien", "d'angelo", "jean-luc", "mary.anne", "bob_smith", "l'oreal"])}/posts`,
    () => `/blog/2026/${String(int(1, 12)).padStart(2, "0")}/${pick(["why-we-chose-postgres", "select-the-right-plan", "union-station-renovation", "drop-shipping-101", "sleep-better-tonight", "the-or-and-and-of-logic", "javascript-alert-fatigue", "etc-and-other-abbreviations"])}`,
    () => `/docs/v2/${pick(["api/select-statement", "guides/order-by", "reference/union", "sql/having-clause", "js/settimeout", "js/eval", "security/xss-prevention", "linux/etc-passwd-format"])}`,
    () => `/static/js/app.${b64(rnd, 8, true)}.js?v=${int(1, 9)}.${int(0, 20)}.${int(0, 99)}`,
    () => `/wp-content/themes/${pick(["astra", "twentytwentyfour"])}/style.css?ver=6.${int(0, 7)}.${int(0, 3)}`,
    () => `/wp-json/wp/v2/posts?per_page=${int(1, 20)}&_embed&search=${formEncode(term())}`,
    () => `/?add-to-cart=${int(100, 9999)}&quantity=${int(1, 4)}`,
    () => `/products/${pick(WORDS)}-${int(100, 9999)}?variant=${int(1000000, 9999999)}&color=${encodeURIComponent(pick(["#ff0000", "navy blue", "black/white", "red & gold"]))}`,
    () => `/maps?ll=${(rnd() * 180 - 90).toFixed(5)},${(rnd() * 360 - 180).toFixed(5)}&z=${int(3, 18)}&bbox=${encodeURIComponent("-0.5,51.2,0.3,51.7")}`,
    () => `/calc?expr=${encodeURIComponent(pick(["2+2=4", "(3*4)-1", "10/2", "x^2+y^2", "5!", "1e10", "sqrt(16)"]))}`,
    () => `/share?text=${formEncode(pick(PROSE) + " " + pick(["https://example.com/a?b=c", "#deal", "@friend", ":)", "!!!"]))}&via=${pick(["web", "ios"])}`,
    () => `/api/v1/users/${int(1, 99999)}?include=roles,groups&expand=${pick(["manager", "team.members"])}`,
    () => `/export?format=${pick(["csv", "json", "xlsx"])}&columns=${encodeURIComponent("id,name,e-mail,created at")}&sep=${encodeURIComponent(pick([",", ";", "\t", "|"]))}`,
    () => `/translate?sl=auto&tl=${pick(["fr", "de", "ja"])}&text=${formEncode(pick(PROSE))}`,
    () => `/track?event=${pick(["click", "view", "scroll"])}&data=${encodeURIComponent(JSON.stringify({ el: pick(["#buy-now", ".nav > a", "button[type=submit]"]), t: int(1000, 9999) }))}`,
    () => `/img/${pick(WORDS)}.jpg?w=${int(100, 2000)}&h=${int(100, 2000)}&fit=crop&auto=format,compress&q=${int(40, 90)}`,
  ];
  for (let i = 0; i < count; i++) yield pick(templates)();
}

function main(argv: string[]): void {
  const out = argv[0];
  if (!out || out.startsWith("-")) {
    console.error("usage: generate-benign OUT.log [--seed N] [--date YYYY-MM-DD]");
    process.exit(2);
  }
  const options: BenignOptions = {};
  for (let i = 1; i < argv.length; i += 2) {
    if (argv[i] === "--seed") options.seed = Number(argv[i + 1]);
    else if (argv[i] === "--date") options.start = new Date(`${argv[i + 1]}T00:00:00Z`);
    else {
      console.error(`unknown option ${argv[i]}`);
      process.exit(2);
    }
  }
  const stream = createWriteStream(out);
  let n = 0;
  for (const line of generateBenign(options)) {
    stream.write(line + "\n");
    n++;
  }
  stream.end(() => console.log(`${out}: ${n} lines`));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main(process.argv.slice(2));
