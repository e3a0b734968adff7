// Checks that bench/lua/tripline.lua really detects: runs it in Fluent Bit on a
// small generated log with attacks, then
//   1. every attack line of a single-request kind (SQL injection, XSS,
//      traversal, sensitive file, scanner agent, card number, password) must
//      come out with that rule listed (and card numbers / passwords masked);
//   2. every record flagged by either is compared whole (rules, level, tags,
//      alerts, routes, redacted fields; the module's periodic statistics
//      aside) with tripline's default pack run in the Node host on the same
//      records.
import { readFileSync } from "node:fs";
import path from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { generateAccessLog, logText, type LineKind } from "../gen/access-log.js";
import { parseWith } from "../../src/logs/parsers.js";
import { fluentBitJson } from "../../src/host/json.js";
import { FluentBitHost } from "../../src/host/host.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";
import { configText, runTimed, APACHE2_PARSER } from "../fluent-bit/run.js";
import { writeFileSync, mkdirSync, rmSync } from "node:fs";

export const LUA_SCRIPT = path.join(PACKAGE_ROOT, "bench", "lua", "tripline.lua");

const EXPECTED: Partial<Record<LineKind, string>> = {
  sqli: "tripline-web-sqli",
  xss: "tripline-web-xss",
  traversal: "tripline-web-path-traversal",
  sensitive: "tripline-scan-sensitive-file",
  scanner: "tripline-scan-scanner-user-agent",
  card: "tripline-redact-card",
  password: "tripline-redact-password",
};

export interface LuaCheck {
  lines: number;
  /** kind -> [flagged, total] */
  perKind: Record<string, [number, number]>;
  missed: string[];
  masked: boolean;
  luaAlerts: number;
  triplineAlerts: number;
  /** Flagged records that Lua and tripline write identically (statistics aside). */
  agree: number;
  /** Records flagged (rules or alerts) by either. */
  flagged: number;
  disagreements: string[];
  ok: boolean;
}

interface Ns {
  rules?: string[];
  alerts?: { rule: string }[];
}

/** JSON with object keys sorted: Fluent Bit's Lua tables come back in any key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + canonical(o[k])).join(",") + "}";
  }
  return JSON.stringify(v);
}

/**
 * The record without the module's periodic statistics (tripline.stats and
 * its "stats" route), which the script does not write.
 */
function withoutStats(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k.startsWith("tripline_alert") && v === "stats") continue;
    if (k === "tripline" && v && typeof v === "object") {
      const { stats: _stats, ...rest } = v as Record<string, unknown>;
      if (Object.keys(rest).length > 0) out[k] = rest;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function summary(ns: Ns | undefined): string {
  if (!ns || (!ns.rules?.length && !ns.alerts?.length)) return "";
  return [...(ns.rules ?? [])].sort().join(",") + " | " + (ns.alerts ?? []).map((a) => a.rule).sort().join(",");
}

export function checkLua(bin: string, lines = 4000): LuaCheck {
  const log = generateAccessLog({ lines, seed: 99, attackRate: 0.02 });
  const dir = path.join(tmpdir(), "tripline-bench", "lua-check");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "input.log"), logText(log));
  writeFileSync(path.join(dir, "parsers.conf"), APACHE2_PARSER);
  const out = path.join(dir, "out.jsonl");
  const run = runTimed(bin, dir, "lua-check", configText({ input: path.join(dir, "input.log"), filter: { kind: "lua", script: LUA_SCRIPT, call: "tripline" }, output: { file: out } }, path.join(dir, "parsers.conf")), 120_000);
  let records: Record<string, unknown>[] = [];
  try {
    records = readFileSync(out, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch {
    // no output: reported below
  }
  if (records.length !== log.length) {
    throw new Error(`Lua filter check: ${records.length} records out of ${log.length} (status ${run.status})\n${run.stderr.slice(0, 2000)}`);
  }
  const perKind: Record<string, [number, number]> = {};
  const missed: string[] = [];
  let masked = true;
  log.forEach((l, i) => {
    const want = EXPECTED[l.kind];
    if (!want) return;
    const ns = records[i].tripline as Ns | undefined;
    const got = ns?.rules?.includes(want) ?? false;
    const k = (perKind[l.kind] ??= [0, 0]);
    k[1]++;
    if (got) k[0]++;
    else if (missed.length < 10) missed.push(`${l.kind}: ${l.line}`);
    if (l.kind === "card" && /\d{13}|\d{4}-\d{4}-\d{4}/.test(String(records[i].path))) masked = false;
    if (l.kind === "password" && /hunter2|Winter2026!|letmein|s3cret/.test(String(records[i].path))) masked = false;
  });

  // The same records through tripline's default pack in the Node host.
  const host = new FluentBitHost(readFileSync(path.join(PACKAGE_ROOT, "build", "tripline.wasm")));
  let agree = 0;
  let flagged = 0;
  let luaAlerts = 0;
  let triplineAlerts = 0;
  const disagreements: string[] = [];
  log.forEach((l, i) => {
    const parsed = parseWith("apache2", l.line, 2026)!;
    const o = host.call("web.access", parsed.time ?? l.time, fluentBitJson(parsed.body));
    const tns = o.kind === "record" ? (o.body.tripline as Ns | undefined) : undefined;
    const lns = records[i].tripline as Ns | undefined;
    luaAlerts += lns?.alerts?.length ?? 0;
    triplineAlerts += tns?.alerts?.length ?? 0;
    if (summary(tns) === "" && summary(lns) === "") return;
    flagged++;
    // The whole record must be the same: rules, level, tags, alerts (with
    // their groups, counts, samples and addresses), routes, redacted fields.
    const tb = withoutStats(o.kind === "record" ? o.body : {});
    const a = canonical(tb);
    const b = canonical(records[i]);
    if (a === b) agree++;
    else if (disagreements.length < 8) disagreements.push(`line ${i + 1} (${l.kind}): tripline [${summary(tns)}]\n      ${a}\n    lua [${summary(lns)}]\n      ${b}\n      ${l.line}`);
  });
  const single = Object.values(perKind).every(([f, t]) => f === t);
  return { lines, perKind, missed, masked, luaAlerts, triplineAlerts, agree, flagged, disagreements, ok: single && masked };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { fluentBitBinary } = await import("../../tests/e2e/fluent-bit.js");
  const bin = fluentBitBinary();
  if (!bin) {
    console.log("no fluent-bit binary");
  } else {
    const r = checkLua(bin, Number(process.argv[2] ?? 4000));
    console.log(JSON.stringify(r, null, 2));
  }
}
