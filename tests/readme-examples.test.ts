// The README's correlation example (the spike and the slow endpoint) must
// fire on the bundled nginx log, whose flood at 10:16 and slow /api/search
// responses from 10:18 are what it describes (issue 12.11: an example
// grouped by a field no record carries never fired, and nothing said so).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { records } from "../src/logs/replay.js";
import { hostFor, body } from "./helpers/modules.js";

const readme = readFileSync(path.join(PACKAGE_ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const example = blocks.find((b) => b.includes("id: tripline-traffic-spike"));

test("the README's spike and anomaly example fires on examples/logs/nginx-access.log", () => {
  assert.ok(example, "the README has the example");
  const host = hostFor(example!);
  const log = readFileSync(path.join(PACKAGE_ROOT, "examples", "logs", "nginx-access.log"), "utf8");
  const fired = new Set<string>();
  for (const r of records(log, { year: 2026, tag: "web.access" })) {
    const b = body(host.call("web.access", r.time, r.json));
    for (const [k, v] of Object.entries(b)) if (k.startsWith("tripline_alert") && typeof v === "string") fired.add(v);
  }
  assert.ok(fired.has("tripline-traffic-spike"), `alerts: ${[...fired].join(", ") || "none"}`);
  assert.ok(fired.has("tripline-slow-endpoint"), `alerts: ${[...fired].join(", ") || "none"}`);
});
