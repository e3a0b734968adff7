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
