// Generated rule sets for the scaling benchmark: N webserver detection rules
// shaped like community Sigma web rules (contains / startswith / endswith
// lists on the request path and user agent, regexes on the path, a status or
// method next to a path test, a filter now and then), plus a few event_count
// correlations per client address. Three fixed rules that do fire on the
// attack lines of the generated log are in every set, so output work stays
// the same and the sets differ only in how much there is to match.
//
// Literals are pseudo-words built from syllables (deterministic), so they
// rarely match benign traffic, as tuned real rules rarely do.
//
// Regex shapes matter to the compiler: every string predicate on a field
// goes into one DFA, so a regex with a letter loop anchored at the start
// (e.g. ^/word(/[a-z]+)?/word\.php$) multiplies with the literals' states:
// with ten such regexes the 500-rule set needs ~65k states (16 MB of
// program) instead of ~15k, and the default 50,000-state budget refuses it.
// The anchored shape used here has no loop.
import { mulberry32, int, pick, type Rng } from "./random.js";

const SYLLABLES = [
  "ad", "min", "ex", "port", "sh", "ell", "up", "load", "cfg", "ver", "bak", "ui", "api", "dev", "tmp", "log",
  "stat", "us", "con", "sole", "man", "age", "rpc", "cgi", "ph", "pin", "fo", "wp", "jmx", "act", "uat", "or",
  "sec", "ret", "tok", "en", "key", "vault", "zip", "db", "dump", "sql", "lite", "cron", "job", "hook",
];
const EXTS = ["php", "jsp", "aspx", "cgi", "pl", "do", "action", "json", "xml", "bak", "conf", "ini"];

function word(rng: Rng): string {
  let w = "";
  const n = int(rng, 2, 4);
  for (let i = 0; i < n; i++) w += pick(rng, SYLLABLES);
  return w;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function list(values: string[]): string {
  return values.map((v) => `\n      - ${quote(v)}`).join("");
}

const FIXED = [
  `title: Fixed SQL keywords
id: bench-fixed-sqli
level: high
logsource:
  category: webserver
detection:
  sel:
    cs-uri|contains:
      - 'union select'
      - 'information_schema'
      - 'sleep('
  condition: sel`,
  `title: Fixed traversal
id: bench-fixed-traversal
level: high
logsource:
  category: webserver
detection:
  sel:
    cs-uri|contains:
      - '../'
      - '/etc/passwd'
  condition: sel`,
  `title: Fixed scanner agents
id: bench-fixed-scanner
level: medium
logsource:
  category: webserver
detection:
  sel:
    cs-user-agent|contains:
      - 'sqlmap'
      - 'nikto'
      - 'gobuster'
  condition: sel`,
];

function detection(rng: Rng): string {
  const shape = int(rng, 0, 9);
  const w = () => word(rng);
  const n = () => int(rng, 1, 5);
  const many = (f: () => string) => Array.from({ length: n() }, f);
  switch (shape) {
    case 0:
    case 1:
      return `  sel:\n    cs-uri|contains:${list(many(() => pick(rng, [`/${w()}`, `${w()}.${pick(rng, EXTS)}`, `${w()}=`, `/${w()}/${w()}`])))}\n  condition: sel`;
    case 2:
      return `  sel:\n    cs-uri-stem|startswith:${list(many(() => `/${w()}/`))}\n  condition: sel`;
    case 3:
      return `  sel:\n    cs-uri-stem|endswith:${list(many(() => `/${w()}.${pick(rng, EXTS)}`))}\n  condition: sel`;
    case 4:
      return `  sel:\n    cs-user-agent|contains:${list(many(() => pick(rng, [`${w()}/`, `${w()}bot`, `(${w()})`])))}\n  condition: sel`;
    case 5: {
      const re = pick(rng, [
        () => `/${w()}/[0-9]+/${w()}`,
        () => `${w()}(\\.|%2e)${w()}`,
        () => `(${w()}|${w()})\\.(php|jsp)\\?${w()}=`,
        () => `^/(${w()}|${w()})/${w()}\\.${pick(rng, EXTS)}$`,
        () => `${w()}[_-]?[0-9]{2,6}`,
      ])();
      return `  sel:\n    cs-uri|re${rng() < 0.5 ? "|i" : ""}: ${quote(re)}\n  condition: sel`;
    }
    case 6:
      return `  sel:\n    sc-status: ${pick(rng, [401, 403, 404, 500, 502])}\n    cs-uri-stem|contains:${list(many(() => `/${w()}`))}\n  condition: sel`;
    case 7:
      return `  sel:\n    cs-method: ${pick(rng, ["POST", "PUT", "DELETE"])}\n    cs-uri|contains:${list(many(() => `/${w()}`))}\n  condition: sel`;
    case 8:
      return `  sel:\n    cs-referer|contains:${list(many(() => `${w()}.${pick(rng, ["ru", "top", "xyz", "click"])}`))}\n  condition: sel`;
    default:
      return `  sel:\n    cs-uri|contains:${list(many(() => `/${w()}`))}\n  filter:\n    cs-user-agent|contains:\n      - 'googlebot'\n      - 'bingbot'\n  condition: sel and not filter`;
  }
}

export interface GeneratedRules {
  sources: { path: string; text: string }[];
  detections: number;
  correlations: number;
}

/** `n` detection rules (3 fixed + n-3 generated) and max(1, n/50) correlations. */
export function generateRules(n: number, seed = 7): GeneratedRules {
  const rng = mulberry32(seed);
  const docs: string[] = [...FIXED];
  for (let i = docs.length; i < n; i++) {
    docs.push(`title: Generated rule ${i}\nid: bench-${i}\nlevel: ${pick(rng, ["low", "medium", "high"])}\nlogsource:\n  category: webserver\ndetection:\n${detection(rng)}`);
  }
  const correlations = Math.max(1, Math.floor(n / 50));
  for (let k = 0; k < correlations; k++) {
    const target = k === 0 ? "bench-fixed-scanner" : `bench-${int(rng, 3, n - 1)}`;
    docs.push(`title: Generated correlation ${k}\nid: bench-corr-${k}\ncorrelation:\n  type: event_count\n  rules: ${target}\n  group-by: c-ip\n  timespan: ${pick(rng, ["1m", "5m", "10m"])}\n  condition:\n    gte: ${int(rng, 3, 20)}`);
  }
  return { sources: [{ path: `generated-${n}.yml`, text: docs.join("\n---\n") + "\n" }], detections: n, correlations };
}
