// Scale-out on loopback: two edge Fluent Bits tag locally and forward to an
// aggregator Fluent Bit that correlates across hosts with the same engine.
// A brute force split over both edges (3 + 3 failures, threshold 5) is caught
// only at the aggregator; neither edge sees enough to alert.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitBinary, SKIP_REASON, freePort, waitForPort } from "./fluent-bit.js";
import { buildWasm, readSources } from "../../src/compiler/compile.js";
import { PACKAGE_ROOT } from "../../src/compiler/module.js";

const bin = fluentBitBinary();
const skip = bin ? false : SKIP_REASON;
const EXAMPLE = path.join(PACKAGE_ROOT, "examples", "scale-out");



const jsonl = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : [];

test("a brute force spread over two edges is caught only at the aggregator", { skip, timeout: 120000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-scale-"));
  const edgeWasm = path.join(dir, "edge.wasm");
  const aggregatorWasm = path.join(dir, "aggregator.wasm");
  writeFileSync(edgeWasm, (await buildWasm(readSources([path.join(EXAMPLE, "rules-edge.yml")]), { statsIntervalSec: 0 })).wasm);
  writeFileSync(aggregatorWasm, (await buildWasm(readSources([path.join(EXAMPLE, "rules-aggregator.yml")]), { statsIntervalSec: 0 })).wasm);
  const line = (ip: string, code: number) => `${ip} - - [20/Nov/2026:10:00:00 +0000] "POST /login HTTP/1.1" ${code} 9 "-" "python-requests/2.31"`;
  const attacker = "203.0.113.66";
  writeFileSync(path.join(dir, "edge1.log"), [line(attacker, 401), line("198.51.100.4", 200), line(attacker, 401), line(attacker, 401)].join("\n") + "\n");
  writeFileSync(path.join(dir, "edge2.log"), [line(attacker, 401), line(attacker, 401), line("198.51.100.5", 401), line(attacker, 401)].join("\n") + "\n");

  const port = await freePort();
  const env = {
    ...process.env,
    TRIPLINE_AGGREGATOR_HOST: "127.0.0.1",
    TRIPLINE_AGGREGATOR_PORT: String(port),
    TRIPLINE_AGGREGATOR_WASM: aggregatorWasm,
    TRIPLINE_EDGE_WASM: edgeWasm,
    TRIPLINE_OUT_DIR: dir,
  };
  const aggregator = spawn(bin!, ["-c", path.join(EXAMPLE, "aggregator.conf")], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let aggregatorLog = "";
  aggregator.stdout.on("data", (d) => (aggregatorLog += d));
  aggregator.stderr.on("data", (d) => (aggregatorLog += d));
  const exited = new Promise<void>((resolve) => aggregator.on("exit", () => resolve()));
  try {
    await waitForPort(port, 20000);
    for (const name of ["edge1", "edge2"]) {
      const r = spawnSync(bin!, ["-c", path.join(EXAMPLE, "edge.conf")], {
        cwd: dir,
        env: { ...env, TRIPLINE_EDGE_NAME: name, TRIPLINE_EDGE_LOG: path.join(dir, `${name}.log`) },
        encoding: "utf8",
        timeout: 60000,
      });
      assert.doesNotMatch(r.stderr + r.stdout, /Got exception running wasm code/);
      assert.doesNotMatch(r.stderr + r.stdout, /tripline_alert/, "an edge raised an alert");
    }
    // Let the aggregator flush what it received, then stop it (it flushes on SIGTERM).
    const until = Date.now() + 20000;
    while (jsonl(path.join(dir, "all.jsonl")).length < 8 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  } finally {
    aggregator.kill("SIGTERM");
    await exited;
  }
  const all = jsonl(path.join(dir, "all.jsonl"));
  const alerts = jsonl(path.join(dir, "alerts.jsonl"));
  assert.equal(all.length, 8, `every edge record reached the aggregator\n${aggregatorLog.slice(-2000)}`);
  assert.deepEqual([...new Set(all.map((r) => r.edge))].sort(), ["edge1", "edge2"]);
  assert.doesNotMatch(aggregatorLog, /Got exception running wasm code/);
  assert.equal(alerts.length, 1, aggregatorLog.slice(-2000));
  const alert = alerts[0].tripline.alerts[0];
  assert.equal(alert.rule, "scaleout-brute-force");
  assert.equal(alert.key, attacker);
  assert.equal(alert.count, 5);
  assert.equal(alerts[0].tripline_alert, "distributed-brute-force");
});
