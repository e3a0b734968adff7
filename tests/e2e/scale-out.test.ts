// Scale-out on loopback: two edge Fluent Bits tag locally and forward to an
// aggregator Fluent Bit that correlates across hosts with the same engine.
// A brute force split over both edges (3 + 3 failures, threshold 5) is caught
// only at the aggregator; neither edge sees enough to alert.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitTest, freePort, waitForPort, waitFor, errorLines, REPO_ROOT } from "./fluent-bit.js";
import { buildWasm, readSources } from "../../src/compiler/compile.js";

const EXAMPLE = path.join(REPO_ROOT, "examples", "scale-out");

let built: Promise<{ edgeWasm: string; aggregatorWasm: string }> | undefined;
/** The example's two modules, built once for every binary. */
function modules() {
  built ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tripline-scale-wasm-"));
    const edgeWasm = path.join(dir, "edge.wasm");
    const aggregatorWasm = path.join(dir, "aggregator.wasm");
    writeFileSync(edgeWasm, (await buildWasm(readSources([path.join(EXAMPLE, "rules-edge.yml")]), { statsIntervalSec: 0 })).wasm);
    writeFileSync(aggregatorWasm, (await buildWasm(readSources([path.join(EXAMPLE, "rules-aggregator.yml")]), { statsIntervalSec: 0 })).wasm);
    return { edgeWasm, aggregatorWasm };
  })();
  return built;
}

const jsonl = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l)) : [];

fluentBitTest("a brute force spread over two edges is caught only at the aggregator (examples/scale-out: edge.conf, aggregator.conf)", { timeout: 120000 }, async (fb) => {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-scale-"));
  const { edgeWasm, aggregatorWasm } = await modules();
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
  const aggregator = spawn(fb.bin, ["-c", path.join(EXAMPLE, "aggregator.conf")], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let aggregatorLog = "";
  aggregator.stdout.on("data", (d) => (aggregatorLog += d));
  aggregator.stderr.on("data", (d) => (aggregatorLog += d));
  const exited = new Promise<number | null>((resolve) => aggregator.on("exit", (code) => resolve(code)));
  let status: number | null = null;
  try {
    await waitForPort(port, 20000);
    // Both edges at once: each tails its log to the end, forwards, and exits.
    const edges = await Promise.all(
      ["edge1", "edge2"].map(
        (name) =>
          new Promise<{ name: string; code: number | null; log: string }>((resolve) => {
            const edge = spawn(fb.bin, ["-c", path.join(EXAMPLE, "edge.conf")], {
              cwd: dir,
              env: { ...env, TRIPLINE_EDGE_NAME: name, TRIPLINE_EDGE_LOG: path.join(dir, `${name}.log`) },
              stdio: ["ignore", "pipe", "pipe"],
            });
            let log = "";
            edge.stdout.on("data", (d) => (log += d));
            edge.stderr.on("data", (d) => (log += d));
            const timer = setTimeout(() => edge.kill("SIGKILL"), 60000);
            edge.on("close", (code) => {
              clearTimeout(timer);
              resolve({ name, code, log });
            });
          }),
      ),
    );
    for (const edge of edges) {
      assert.equal(edge.code, 0, `${edge.name} exited with ${edge.code}\n${edge.log.slice(-1500)}`);
      assert.deepEqual(errorLines(edge.log), [], edge.name);
      assert.doesNotMatch(edge.log, /Got exception running wasm code/);
    }
    // Let the aggregator flush what it received, then stop it (it flushes on SIGTERM).
    await waitFor(() => jsonl(path.join(dir, "all.jsonl")).length >= 8 && jsonl(path.join(dir, "alerts.jsonl")).length >= 1, 20000);
  } finally {
    aggregator.kill("SIGTERM");
    status = await exited;
  }
  assert.equal(status, 0, `the aggregator did not stop cleanly on SIGTERM\n${aggregatorLog.slice(-1500)}`);
  assert.deepEqual(errorLines(aggregatorLog), []);
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
