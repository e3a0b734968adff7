// The Fluent Bit side of the Vector example: events posted the way Vector's
// http sink posts them (a JSON array per batch, encoding.codec = "json", the
// raw line moved to `log` by the example's remap) reach tripline and come out
// tagged, with the alert copied to its own output.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitTest, freePort, waitForPort, waitFor, errorLines, REPO_ROOT } from "./fluent-bit.js";
import { buildWasm } from "../../src/compiler/compile.js";

const RULES = `
title: Traversal
id: vec-traversal
level: high
logsource: {category: webserver}
detection:
  sel: {cs-uri-query|contains: '../'}
  condition: sel
---
title: Traversal from one address
id: vec-traversal-alert
correlation: {type: event_count, rules: [vec-traversal], group-by: [c-ip], timespan: 5m, condition: {gte: 1}, generate: true}
`;

let built: Promise<Uint8Array> | undefined;
/** The module for RULES, built once for every binary. */
function module(): Promise<Uint8Array> {
  built ??= Promise.resolve(buildWasm([{ path: "vector.yml", text: RULES }], { statsIntervalSec: 0 }).wasm);
  return built;
}

const jsonl = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : []);

fluentBitTest("Vector's http sink batches reach tripline in Fluent Bit (examples/vector/fluent-bit.conf)", { timeout: 60000 }, async (fb) => {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-vector-"));
  writeFileSync(path.join(dir, "tripline.wasm"), await module());
  const port = await freePort();
  const config = readFileSync(path.join(REPO_ROOT, "examples", "vector", "fluent-bit.conf"), "utf8").replace("Port     9880", `Port     ${port}`);
  assert.match(config, new RegExp(`Port\\s+${port}`));
  writeFileSync(path.join(dir, "fluent-bit.conf"), config);
  const child = spawn(fb.bin, ["-c", "fluent-bit.conf"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let status: number | null = null;
  const line = (ip: string, p: string) => `${ip} - - [20/Nov/2026:10:00:00 +0000] "GET ${p} HTTP/1.1" 200 5 "-" "curl/8"`;
  const event = (l: string) => ({ log: l, file: "/var/log/nginx/access.log", host: "web1", source_type: "file", timestamp: "2026-11-20T10:00:00.123Z" });
  try {
    await waitForPort(port);
    for (const batch of [
      [event(line("198.51.100.1", "/")), event(line("198.51.100.2", "/about"))],
      [event(line("203.0.113.5", "/get?f=../../etc/passwd")), event(line("198.51.100.1", "/contact"))],
    ]) {
      const r = await fetch(`http://127.0.0.1:${port}/logs.vector`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(batch) });
      assert.ok(r.status >= 200 && r.status < 300, `http input answered ${r.status}`);
    }
    await waitFor(() => jsonl(path.join(dir, "tripline-all.jsonl")).length >= 4 && jsonl(path.join(dir, "tripline-alerts.jsonl")).length >= 1, 15000);
  } finally {
    child.kill("SIGTERM");
    status = await exited;
  }
  assert.equal(status, 0, `Fluent Bit did not stop cleanly on SIGTERM\n${log.slice(-1500)}`);
  assert.deepEqual(errorLines(log), []);
  const all = jsonl(path.join(dir, "tripline-all.jsonl"));
  const alerts = jsonl(path.join(dir, "tripline-alerts.jsonl"));
  assert.doesNotMatch(log, /Got exception running wasm code/);
  assert.equal(all.length, 4, log.slice(-1500));
  assert.deepEqual(all.filter((r) => r.tripline).map((r) => r.tripline.rules), [["vec-traversal"]]);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].tripline.alerts[0].key, "203.0.113.5");
  // Untouched events keep every field Vector sent.
  assert.deepEqual(all[0], event(line("198.51.100.1", "/")));
});
