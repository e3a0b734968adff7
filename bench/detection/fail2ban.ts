// Agreement with fail2ban's annotated test logs. Run by hand:
//
//   node dist/bench/detection/fail2ban.js [LOGDIR] [--filters sshd,apache-auth,...] [--verbose] [--rules PATH]...
//
// LOGDIR defaults to Debian's fail2ban package (apt-get install -y fail2ban):
// /usr/lib/python3/dist-packages/fail2ban/tests/files/logs. In those files a
// comment line `# failJSON: {...}` annotates the next log line: "match" says
// whether fail2ban's filter matches it, "host" which address it bans. The
// other lines are not annotated and not counted.
//
// Each log line reaches the module as raw text ({"log": line}, what `tail`
// without a parser hands over), in file order, with its own time (the year of
// syslog lines from the annotation), through the pack's detection rules with
// their correlations left out, so that every detection rule tags what it
// matches. A line AGREES when tripline tags it (a rule of level low or above)
// exactly when fail2ban matches it, and, for a match with a "host", the
// module read that address as the line's client address (c-ip): the harness
// adds one rule per annotated address, `c-ip: <host>`, and checks its tag.
// Annotations with a "constraint" (a fail2ban filter mode) are counted apart.
// A second figure counts tags of any rule, informational ones included; a
// third ignores the address.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { buildWasm, readSources, ruleFiles, DEFAULT_RULES } from "../../src/compiler/compile.js";
import { FluentBitHost } from "../../src/host/host.js";
import { recordOf } from "../../src/logs/replay.js";

const DEFAULT_DIR = "/usr/lib/python3/dist-packages/fail2ban/tests/files/logs";
const FILTERS = ["sshd", "pam-generic", "apache-auth", "apache-botsearch", "apache-noscript", "nginx-http-auth", "nginx-botsearch"];

interface Annotated {
  line: string;
  lineNo: number;
  match: boolean;
  host?: string;
  year?: number;
  constraint: boolean;
}

export function annotatedLines(text: string): Annotated[] {
  const out: Annotated[] = [];
  let pending: Record<string, unknown> | undefined;
  text.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const m = /^#\s*failJSON:\s*(\{.*\})\s*$/.exec(line);
    if (m) {
      try {
        pending = JSON.parse(m[1]) as Record<string, unknown>;
      } catch {
        pending = undefined;
      }
      return;
    }
    if (line.startsWith("#") || line.trim() === "") return;
    if (pending) {
      const time = typeof pending.time === "string" ? pending.time : undefined;
      out.push({
        line,
        lineNo: i + 1,
        match: pending.match === true,
        host: typeof pending.host === "string" ? pending.host : undefined,
        year: time ? Number(time.slice(0, 4)) : undefined,
        constraint: pending.constraint !== undefined,
      });
    }
    pending = undefined;
  });
  return out;
}

function yamlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let dir = DEFAULT_DIR;
  let filters = FILTERS;
  let verbose = false;
  const rules: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--filters") filters = args[++i].split(",");
    else if (args[i] === "--verbose") verbose = true;
    else if (args[i] === "--rules") rules.push(args[++i]);
    else dir = args[i];
  }
  if (!existsSync(dir)) {
    console.error(`${dir}: no such directory (apt-get install -y fail2ban, or give the logs directory)`);
    process.exit(2);
  }
  const files = filters.filter((f) => readdirSync(dir).includes(f));
  const perFile = new Map(files.map((f) => [f, annotatedLines(readFileSync(path.join(dir, f), "utf8"))]));
  const hosts = [...new Set([...perFile.values()].flat().map((a) => a.host).filter((h): h is string => h !== undefined))];
  const hostRule = new Map(hosts.map((h, i) => [h, `harness-address-${i}`]));

  // The pack's detection rules, correlations left out, plus one address rule per annotated host.
  const sources = readSources(ruleFiles(rules.length > 0 ? rules : [DEFAULT_RULES])).map((f) => ({
    path: f.path,
    text: parseAllDocuments(f.text)
      .filter((d) => !(d.toJS() as Record<string, unknown> | null)?.correlation)
      .map((d) => d.toString())
      .join("---\n"),
  }));
  sources.push({
    path: "harness-addresses.yml",
    text: hosts
      .map((h) => `title: address ${h}\nid: ${hostRule.get(h)}\nlevel: informational\ndetection:\n  sel:\n    c-ip|cased: ${yamlString(h)}\n  condition: sel\n`)
      .join("---\n"),
  });
  const built = await buildWasm(sources, { seed: 1 });
  const levels = new Map(built.rules.rules.map((r) => [r.id, r.level] as [string, string]));
  const host = new FluentBitHost(built.wasm);

  let allAgree = 0;
  let allTotal = 0;
  let allNoAddress = 0;
  console.log("filter               agree (level>=low)   agree (any rule)   fail2ban matches tagged / non-matches untagged   constraint lines   agree ignoring the address");
  for (const f of files) {
    const lines = perFile.get(f)!;
    let agree = 0;
    let agreeAny = 0;
    let agreeNoAddress = 0;
    let total = 0;
    let matchTagged = 0;
    let matches = 0;
    let nonUntagged = 0;
    let non = 0;
    let constrained = 0;
    const diffs: string[] = [];
    let previous = 0;
    for (const a of lines) {
      const r = recordOf(a.line, { year: a.year ?? 2005, tag: "logs" }, previous);
      previous = r.time;
      const out = host.call("logs", r.time, r.json);
      const ids = out.kind === "record" ? ((out.body.tripline as { rules?: string[] } | undefined)?.rules ?? []) : [];
      const pack = ids.filter((id) => !id.startsWith("harness-address-"));
      const visible = pack.filter((id) => (levels.get(id) ?? "informational") !== "informational");
      const addressOk = !a.match || a.host === undefined || ids.includes(hostRule.get(a.host)!);
      if (a.constraint) {
        constrained++;
        continue;
      }
      total++;
      const ok = (visible.length > 0) === a.match && addressOk;
      const okAny = (pack.length > 0) === a.match && addressOk;
      if (ok) agree++;
      if (okAny) agreeAny++;
      if ((visible.length > 0) === a.match) agreeNoAddress++;
      if (a.match) {
        matches++;
        if (visible.length > 0 && addressOk) matchTagged++;
      } else {
        non++;
        if (visible.length === 0) nonUntagged++;
      }
      if (!ok && (verbose || diffs.length < 6)) {
        diffs.push(
          `    ${f}:${a.lineNo} fail2ban ${a.match ? `matches${a.host ? ` (${a.host})` : ""}` : "does not match"}; ` +
            `tripline ${visible.length > 0 ? `tags ${visible.join(",")}` : "does not tag"}${a.match && a.host && !addressOk ? ", address not read" : ""}: ${a.line.slice(0, 150)}`,
        );
      }
    }
    allAgree += agree;
    allTotal += total;
    allNoAddress += agreeNoAddress;
    const pct = (n: number) => `${n}/${total} (${((100 * n) / Math.max(1, total)).toFixed(0)}%)`;
    console.log(
      `${f.padEnd(20)} ${pct(agree).padEnd(20)} ${pct(agreeAny).padEnd(18)} ${matchTagged}/${matches} / ${nonUntagged}/${non}`.padEnd(112) + `${String(constrained).padEnd(19)}${pct(agreeNoAddress)}`,
    );
    for (const d of diffs) console.log(d);
  }
  console.log(`all                  ${allAgree}/${allTotal} (${((100 * allAgree) / Math.max(1, allTotal)).toFixed(0)}%); ignoring the address ${allNoAddress}/${allTotal} (${((100 * allNoAddress) / Math.max(1, allTotal)).toFixed(0)}%)`);
}

await main();
