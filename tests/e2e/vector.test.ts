// The Fluent Bit side of the Vector example: events posted the way Vector's
// http sink posts them (a JSON array per batch, encoding.codec = "json", the
// raw line moved to `log` by the example's remap) reach tripline and come out
// tagged, with the alert copied to its own output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitBinary, SKIP_REASON, freePort, waitForPort } from "./fluent-bit.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";
import { buildWasm } from "../../src/compiler/compile.js";

const bin = fluentBitBinary();
const skip = bin ? false : SKIP_REASON;



const jsonl = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : []);

test("Vector's http sink batches reach tripline in Fluent Bit", { skip, timeout: 60000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-vector-"));
  const rules = `
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
  writeFileSync(path.join(dir, "tripline.wasm"), (await buildWasm([{ path: "vector.yml", text: rules }], { statsIntervalSec: 0 })).wasm);
  const port = await freePort();
  const config = readFileSync(path.join(PACKAGE_ROOT, "examples", "vector", "fluent-bit.conf"), "utf8").replace("Port     9880", `Port     ${port}`);
  assert.match(config, new RegExp(`Port\\s+${port}`));
  writeFileSync(path.join(dir, "fluent-bit.conf"), config);
  const fb = spawn(bin!, ["-c", "fluent-bit.conf"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  fb.stdout.on("data", (d) => (log += d));
  fb.stderr.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => fb.on("exit", () => resolve()));
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
    const until = Date.now() + 15000;
    while (jsonl(path.join(dir, "tripline-all.jsonl")).length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  } finally {
    fb.kill("SIGTERM");
    await exited;
  }
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
