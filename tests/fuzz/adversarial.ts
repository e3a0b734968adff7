// Shared by tests/fuzz.test.ts and bench/adversarial.ts: adversarial group
// keys for correlations, worst-case inputs for every string pattern of a rule
// set (ReDoS probes), and a bare caller that runs the module the way the host
// does but without parsing the result (so benchmarks time the module only).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Condition, Predicate, RuleSet } from "../../src/compiler/ir.js";
import { PACKAGE_ROOT, buildModule } from "../../src/compiler/module.js";
import { FluentBitHost, TRAPPED } from "../../src/host/host.js";
import { URL_FIELD_KEYS as URL_KEYS } from "./oracle/predicates.js";
import { fluentBitJson } from "../../src/host/json.js";
import { Rng } from "./rng.js";

const enc = new TextEncoder();
export const BUILD = path.join(PACKAGE_ROOT, "build");

// ---------------------------------------------------------------- group keys

/** One rule that matches every access record, feeding an event_count grouped by client IP. */
export const KEY_RULES = `
title: Any request
id: adv-any
name: any_request
level: informational
logsource: {category: webserver}
detection:
  sel:
    cs-uri-stem|startswith: '/'
  condition: sel
---
title: Burst per client
id: adv-burst
level: high
correlation:
  type: event_count
  rules: [any_request]
  group-by: [c-ip]
  timespan: 5m
  condition: {gte: 3}
`;

/** The i-th distinct client address (IPv4 for the first 2^32, written out). */
export function distinctIp(i: number): string {
  return `${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

/** A distinct key of about `size` bytes (an "IP" no parser would accept). */
export function longKey(i: number, size: number): string {
  const tail = `:${i}`;
  return "f".repeat(Math.max(0, size - tail.length)) + tail;
}

/** An access record for client `ip` (compact JSON, as Fluent Bit sends it). */
export function accessRecord(ip: string, pathValue = "/index.html"): Uint8Array {
  return enc.encode(`{"client_ip":${JSON.stringify(ip)},"method":"GET","path":${JSON.stringify(pathValue)},"status":"200","size":"512"}`);
}

// ---------------------------------------------------------------- bare caller

/**
 * Calls the module through the one Fluent Bit-exact host (FluentBitHost.callLength),
 * but only measures the result's length: no copy, decoding or JSON parsing
 * on the Node side.
 */
export class BareCaller {
  private readonly host: FluentBitHost;
  private tag = enc.encode("web.access");
  traps = 0;

  constructor(wasm: Uint8Array | WebAssembly.Module) {
    this.host = new FluentBitHost(wasm);
  }

  /** The module `tripline build` makes of this program. */
  static of(program: Uint8Array): BareCaller {
    return new BareCaller(buildModule(program));
  }

  static release(): BareCaller {
    return new BareCaller(readFileSync(path.join(BUILD, "tripline.wasm")));
  }

  setTag(tag: string): void {
    this.tag = enc.encode(tag);
  }

  /** Runs one record; the result's length in bytes, or -1 on a trap. */
  call(sec: number, record: Uint8Array): number {
    const length = this.host.callLength(this.tag, sec, 0, record);
    if (length === TRAPPED || length === null) {
      this.traps++;
      return -1;
    }
    return length;
  }

  memoryBytes(): number {
    return this.host.memoryBytes();
  }
}

// ---------------------------------------------------------------- ReDoS probes

export interface PatternProbe {
  /** Rule ids using the pattern. */
  rules: string[];
  op: string;
  value: string;
  cased: boolean;
  fields: string[];
}

/** Every distinct string predicate (contains/startswith/endswith/equals/re) of a rule set. */
export function stringPredicates(set: RuleSet): PatternProbe[] {
  const out = new Map<string, PatternProbe>();
  for (const rule of set.rules) {
    const stack: Condition[] = [rule.condition];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (c.k === "pred") {
        const p: Predicate = c.pred;
        if (p.kind !== "string") continue;
        const id = JSON.stringify([p.fields, p.op, p.value, p.cased]);
        const probe = out.get(id) ?? { rules: [], op: p.op, value: p.value, cased: p.cased, fields: p.fields };
        if (!probe.rules.includes(rule.id)) probe.rules.push(rule.id);
        out.set(id, probe);
      } else if (c.k === "not") stack.push(c.arg);
      else if (c.k === "and" || c.k === "or") stack.push(...c.args);
    }
  }
  return [...out.values()];
}

/** Literal text of a Sigma value (wildcards dropped) or of a regex (its literal characters, with class stand-ins). */
function literalOf(p: PatternProbe): string {
  if (p.op !== "re") return p.value.replace(/\\([*?\\])/g, "$1").replace(/[*?]/g, "");
  return p.value
    .replace(/\\s/g, " ")
    .replace(/\\d/g, "1")
    .replace(/\\w/g, "a")
    .replace(/\\(.)/g, "$1")
    .replace(/\[\^?([^\]])[^\]]*\]/g, "$1")
    .replace(/[()|?*+{}^$]|\{\d+(,\d*)?\}/g, "")
    .replace(/\./g, "x");
}

export const PROBE_KINDS = ["prefix-repeat", "prefix-ladder", "alphabet", "url-encoded"] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/**
 * A worst-case value of `size` bytes for one pattern: its prefix (all but the
 * last character) over and over, every prefix in turn, a random run over the
 * pattern's own alphabet, or the prefix URL-encoded (URL fields are matched
 * decoded as well). None completes the pattern, so the automaton keeps
 * partial matches alive the whole way.
 */
export function probeValue(p: PatternProbe, kind: ProbeKind, size: number, seed = 1): string {
  const lit = literalOf(p) || "a";
  const prefix = lit.length > 1 ? lit.slice(0, -1) : lit;
  let unit: string;
  switch (kind) {
    case "prefix-repeat":
      unit = prefix;
      break;
    case "prefix-ladder": {
      unit = "";
      for (let k = 1; k <= prefix.length; k++) unit += lit.slice(0, k);
      break;
    }
    case "alphabet": {
      const rng = new Rng(seed);
      const letters = [...new Set(lit)];
      let s = "";
      while (s.length < size) s += rng.pick(letters);
      return s.slice(0, size);
    }
    default:
      unit = [...enc.encode(prefix)].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
  }
  if (!p.cased) unit = [...unit].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join("");
  return unit.repeat(Math.ceil(size / Math.max(1, unit.length))).slice(0, size);
}

/**
 * A record that puts `value` in the field the pattern reads, with the keys
 * every logsource gate looks for (access and syslog/auth), so the rule is
 * evaluated. JSON as Fluent Bit writes it.
 */
export function probeRecord(p: PatternProbe, value: string): Uint8Array {
  const field = p.fields[0];
  const body: Record<string, unknown> = { client_ip: "203.0.113.9", method: "GET", path: "/index.html", status: "200", ident: "sshd", program: "sshd", pri: "38" };
  body[field] = field === "path" || URL_KEYS.has(field) ? "/" + value : value;
  return enc.encode(fluentBitJson(body));
}
