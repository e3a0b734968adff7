// The shipped configuration shape in real Fluent Bit: the wasm filter, then
// rewrite_tag copying alert records to alert.<route>, one output for all
// records and one for alerts. Every input record reaches the main output,
// alerts arrive once each, and the copies never run through the filter again.
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitTest, runFluentBit, runFluentBitAsync, REPO_ROOT } from "./fluent-bit.js";
import { buildWasm } from "../../src/compiler/compile.js";
import { classicConfig, yamlConfig } from "../../src/cli/fluent-bit-config.js";
import type { ParserName } from "../../src/logs/parsers.js";


const RULES = `
title: Failed login
id: e2e-401
logsource: {category: webserver}
detection:
  sel: {sc-status: 401}
  condition: sel
---
title: Login brute force
id: e2e-brute
name: brute-force
level: high
correlation: {type: event_count, rules: [e2e-401], group-by: [c-ip], timespan: 5m, condition: {gte: 3}}
`;

function accessLine(ip: string, second: number, code: number): string {
  return `${ip} - - [20/Nov/2026:10:00:${String(second).padStart(2, "0")} +0000] "POST /login HTTP/1.1" ${code} 12 "-" "curl/8"`;
}

let built: Promise<string> | undefined;
/** The module for RULES, built once for every binary and format. */
function rulesModule(): Promise<string> {
  built ??= Promise.resolve(buildWasm([{ path: "e2e.yml", text: RULES }], { statsIntervalSec: 0 })).then(({ wasm }) => {
    const wasmPath = path.join(mkdtempSync(path.join(tmpdir(), "tripline-wasm-")), "tripline.wasm");
    writeFileSync(wasmPath, wasm);
    return wasmPath;
  });
  return built;
}

for (const format of ["classic", "yaml"] as const) {
  fluentBitTest(`${format} config: all records to the main output, each alert once to the alert output`, {}, async (fb) => {
    const wasmPath = await rulesModule();
    const lines = [
      accessLine("203.0.113.7", 1, 401),
      accessLine("198.51.100.1", 2, 200),
      accessLine("203.0.113.7", 3, 401),
      accessLine("203.0.113.7", 4, 401), // third failure of .7: alert
      accessLine("203.0.113.7", 5, 401), // cooling down: no second alert
      accessLine("198.51.100.1", 6, 401),
    ];
    const options = { wasm: wasmPath, match: "logs.*", log: "input.log", alertField: "tripline_alert", fromHead: true };
    const config =
      format === "classic"
        ? classicConfig(options).replace("Name    stdout\n    Match   logs.*\n    Format  json_lines", "Name    file\n    Match   logs.*\n    Path    .\n    File    main.jsonl\n    Format  plain")
        : yamlConfig(options).replace("- name: stdout\n      match: 'logs.*'\n      format: json_lines", "- name: file\n      match: 'logs.*'\n      path: .\n      file: main.jsonl\n      format: plain");
    assert.notEqual(config, format === "classic" ? classicConfig(options) : yamlConfig(options), "the main output was swapped for a file");
    const files: Record<string, string> = { "input.log": lines.join("\n") + "\n" };
    const run = runFluentBit(fb, config, files, { configName: format === "yaml" ? "fluent-bit.yaml" : "fluent-bit.conf" });
    const main = run.output("main.jsonl");
    const alerts = run.output("tripline-alerts.jsonl");
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.doesNotMatch(run.stderr, /Got exception running wasm code|invalid JSON format/);
    assert.equal(main.length, lines.length, `count in = count out\n${run.stderr.slice(-1500)}`);
    assert.equal(alerts.length, 1);
    const alert = (alerts[0].tripline as { alerts: Record<string, unknown>[] }).alerts[0];
    assert.equal(alerts[0].tripline_alert, "brute-force");
    assert.equal(alert.rule, "e2e-brute");
    assert.equal(alert.key, "203.0.113.7");
    assert.equal(alert.count, 3);
    // The alerting record is the same in the main stream: tagged there too.
    assert.deepEqual(main[3], alerts[0]);
  });
}

/**
 * Every bundled log, as raw lines (tail without a parser: the module reads
 * each line's own time) and through the Fluent Bit parser made for it (its
 * Time_Key gives the record that time): Fluent Bit raises exactly the alerts
 * `tripline test` replays. app.log is left out of the parsed runs: the stock
 * json parser cannot read its ISO 8601 times (tests/e2e/configs.test.ts).
 */
const BUNDLED: { log: string; parser?: ParserName }[] = [
  ...["access.log", "app.log", "auth.log", "nginx-access.log", "redaction.log", "syslog.log"].map((log) => ({ log })),
  { log: "access.log", parser: "apache2" },
  { log: "nginx-access.log", parser: "nginx" },
  { log: "auth.log", parser: "syslog-rfc3164" },
];

for (const { log: name, parser } of BUNDLED) {
  fluentBitTest(`examples/logs/${name} ${parser ? `through the ${parser} parser` : "as raw lines"}: Fluent Bit raises exactly the alerts tripline test replays`, { timeout: 180000 }, async (fb) => {
    const { existsSync, readFileSync } = await import("node:fs");
    const { FluentBitHost } = await import("../../src/host/host.js");
    const { replayText } = await import("../../src/logs/replay.js");
    const log = readFileSync(path.join(REPO_ROOT, "examples", "logs", name), "utf8");
    const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");
    const expected = replayText(new FluentBitHost(readFileSync(wasmPath)), log, name, { parser, year: new Date().getUTCFullYear(), tag: "logs.input" });
    const options = { wasm: wasmPath, match: "logs.*", log: "input.log", parser, alertField: "tripline_alert", fromHead: true };
    const config = classicConfig(options)
      .replace("Name    stdout\n    Match   logs.*\n    Format  json_lines", "Name    file\n    Match   logs.*\n    Path    .\n    File    main.jsonl\n    Format  plain")
      // The run ends once both outputs are complete (runFluentBitAsync's stopWhen), not at the end of
      // the file, where Fluent Bit may pause rewrite_tag's emitter with alert copies in it.
      .replace(/^\s*Exit_On_Eof\s+\S+\s*\n/im, "");
    // Records a drop rule removes (tripline test counts them) never reach the output.
    const lines = log.split("\n").filter((l) => l.trim() !== "").length - expected.dropped;
    const count = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "").length : 0);
    const alertRecords = new Set(expected.alerts.map((a) => a.line)).size; // at least: statistics records come on top
    const run = await runFluentBitAsync(fb, config, { "input.log": log, "parsers.conf": readFileSync(path.join(REPO_ROOT, "examples", "fluent-bit", "parsers.conf"), "utf8") }, {
      timeoutMs: 150_000,
      stopWhen: (dir) => count(path.join(dir, "main.jsonl")) >= lines && count(path.join(dir, "tripline-alerts.jsonl")) >= alertRecords,
    });
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    assert.doesNotMatch(run.stderr, /Got exception running wasm code|invalid JSON format/);
    const main = run.output("main.jsonl");
    const alerts = run.output("tripline-alerts.jsonl");
    assert.equal(main.length, lines, "count in = count out (less what drop rules drop)");
    // One alert record per record that carries alerts; the copies did not pass the filter again.
    // Statistics records (every 5 minutes of event time) share the alert output; tripline test does not list them.
    const carried = alerts.flatMap((r) => ((r.tripline as { alerts?: Record<string, unknown>[] } | undefined)?.alerts ?? []));
    const summary = (a: Record<string, unknown>) => JSON.stringify([a.last, a.rule, a.key, a.count ?? a.observed, a.first]);
    // The emitter behind rewrite_tag may deliver copies in another order than the main stream.
    assert.deepEqual(carried.map(summary).sort(), expected.alerts.map((a) => summary(a.raw)).sort());
    assert.equal(main.filter((r) => r.tripline_alert).length, alerts.length);
  });
}
