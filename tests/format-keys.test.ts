// The table of keys each closed record format can carry
// (src/compiler/fields/format-keys.ts) against what the module itself reads:
// every bundled log line, as a raw line (tail without a parser) and through
// each of Fluent Bit's stock parsers that takes it, goes through the built
// module's `inspect` export, which says what formats it recognised the
// record as and every key the record then has. Each of those keys must be
// listed for each of those formats, or `tripline check` could warn that a
// group-by field is never carried when a bundled log carries it.
//
// inspect lists the keys of the program's key table (the fields the module
// fills are all in it); a parsed record's own keys come from the parser's
// output. JSON records (a JSON line, inner or whole) are open: they may
// carry any key, and the table does not speak for them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { FORMAT_KEYS, isClosedFormat } from "../src/compiler/fields/format-keys.js";
import { fluentBitJson } from "../src/host/json.js";
import { PARSER_NAMES, parseWith } from "../src/logs/parsers.js";
import type { Inspected } from "../src/cli/explain.js";
import { releaseHost } from "./helpers/modules.js";

const LOGS = path.join(PACKAGE_ROOT, "examples", "logs");
const SUITES = path.join(PACKAGE_ROOT, "rules", "tests");

/** Every line of examples/logs, and of the rule pack's suites (their inline input and their .log files): these hold the error-log lines. */
function bundledLines(): { where: string; line: string }[] {
  const out: { where: string; line: string }[] = [];
  const add = (where: string, text: string) => text.split("\n").forEach((line, i) => line.trim() !== "" && out.push({ where: `${where}:${i + 1}`, line }));
  for (const name of readdirSync(LOGS)) add(`examples/logs/${name}`, readFileSync(path.join(LOGS, name), "utf8"));
  for (const name of readdirSync(SUITES)) {
    const text = readFileSync(path.join(SUITES, name), "utf8");
    if (name.endsWith(".log")) add(`rules/tests/${name}`, text);
    else if (name.endsWith(".suite.yml") && typeof parse(text).input === "string") add(`rules/tests/${name} input`, parse(text).input);
  }
  return out;
}

const listed = (format: string, key: string): boolean => isClosedFormat(format) && FORMAT_KEYS[format].some((c) => c.keys.includes(key));

test("every key the module reads out of a bundled log line is listed for each closed format it recognises the line as", () => {
  const host = releaseHost();
  const missing = new Set<string>();
  const seen = new Map<string, number>();
  const check = (where: string, via: string, body: Record<string, unknown>) => {
    const json = fluentBitJson(body);
    const r = host.inspect("logs", 1_795_000_000, json) as unknown as Inspected;
    host.call("logs", 1_795_000_000, json); // sshd lines lend their address to later ones, as live
    if (!r.readable || r.shape === "json-line") return;
    const keys = new Set([...Object.keys(body), ...Object.keys(r.fields ?? {})]);
    for (const format of (r.formats ?? []).filter(isClosedFormat)) {
      seen.set(`${format} ${via}`, (seen.get(`${format} ${via}`) ?? 0) + 1);
      for (const key of keys) if (!listed(format, key)) missing.add(`${format} lacks '${key}' (${where}, ${via})`);
    }
  };
  for (const { where, line } of bundledLines()) {
    check(where, "raw", { log: line });
    for (const parser of PARSER_NAMES.filter((p) => p !== "json")) {
      const parsed = parseWith(parser, line, 2026);
      if (parsed) check(where, parser, parsed.body);
    }
  }
  assert.deepEqual([...missing], []);
  // The oracle saw every closed format, from raw lines and from the stock parsers.
  for (const kind of ["access raw", "access apache2", "access nginx", "error raw", "auth raw", "syslog raw", "auth syslog-rfc3164", "syslog syslog-rfc5424"]) {
    assert.ok(seen.has(kind), `no record seen as ${kind} (seen: ${[...seen].join(", ")})`);
  }
});
