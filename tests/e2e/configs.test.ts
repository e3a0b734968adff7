// Every Fluent Bit configuration the project ships or prints, in the real
// binary:
//   - each example config (examples/**) passes `fluent-bit --dry-run`, and the
//     ones a user runs as they are (examples/fluent-bit/tripline.conf and
//     tripline.yaml, from the repository root) run to the end of the bundled
//     access log: every line on the main output, the alerts in their file;
//     scale-out and Vector run for real in their own suites;
//   - what `tripline config` prints, for each --format and --parser, runs with
//     --from-head to the end of a log in that format: every line comes out,
//     parsed where a parser is named, with no [error] from Fluent Bit; without
//     --from-head the config differs by exactly those two lines and passes
//     --dry-run.
// Fluent Bit 5.1's --dry-run loads the wasm module (a wrong Wasm_Path fails);
// 4.1's checks less, and neither knows whether a parser name is registered,
// which is why the generated configs also run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fluentBitTest, runFluentBitAsync, pool, errorLines, CI, REPO_ROOT, SHARED_FLUENT_BIT, type FluentBit, type FluentBitRun } from "./fluent-bit.js";

const EXAMPLES = path.join(REPO_ROOT, "examples");
const LOGS = path.join(EXAMPLES, "logs");
const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");
const exampleParsers = path.join(EXAMPLES, "fluent-bit", "parsers.conf");

/** Every example that is a Fluent Bit configuration, and the suite that runs it for real. */
const EXAMPLE_CONFIGS: Record<string, string> = {
  "fluent-bit/tripline.conf": "configs.test.ts (run to the end of the access log)",
  "fluent-bit/tripline.yaml": "configs.test.ts (run to the end of the access log)",
  "scale-out/edge.conf": "scale-out.test.ts",
  "scale-out/aggregator.conf": "scale-out.test.ts",
  "vector/fluent-bit.conf": "vector.test.ts",
  "alerts/pipeline.conf": "notify-examples.test.ts (included by every alerts/fluent-bit-*)",
  ...Object.fromEntries(
    ["archive.conf", "elasticsearch.conf", "http.conf", "loki.conf", "notify.conf", "notify.yaml", "opensearch.conf", "slack.conf", "splunk.conf"].map((n) => [`alerts/fluent-bit-${n}`, "notify-examples.test.ts (--dry-run; notify and archive run)"]),
  ),
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A Fluent Bit main configuration (not a parsers file, not a rule file, not Vector's). */
function isFluentBitConfig(file: string): boolean {
  if (!/\.(conf|ya?ml)$/.test(file)) return false;
  const text = readFileSync(file, "utf8");
  return /^\s*\[(SERVICE|INPUT|OUTPUT|FILTER)\]/im.test(text) || /^(service|pipeline):/m.test(text);
}

test("every Fluent Bit config under examples/ is one the end-to-end suites run", () => {
  const found = walk(EXAMPLES).filter(isFluentBitConfig).map((f) => path.relative(EXAMPLES, f)).sort();
  assert.deepEqual(found, Object.keys(EXAMPLE_CONFIGS).sort(), "a new example config needs a test that runs it (and an entry here)");
});

test("examples/fluent-bit/parsers.conf defines its parsers exactly as Fluent Bit's stock parsers.conf", { skip: !CI && !existsSync(path.join(SHARED_FLUENT_BIT, "conf", "parsers.conf")) && "no stock parsers.conf in ../shared/fluent-bit/conf" }, () => {
  const sections = (text: string) => {
    const out = new Map<string, string>();
    for (const block of text.split(/^\[PARSER\]\s*$/m).slice(1)) {
      const body = block.split(/^\[/m)[0];
      const entries = body
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => l.replace(/\s+/, " "));
      const name = entries.find((e) => /^name /i.test(e))!.slice(5);
      out.set(name, entries.sort().join("\n"));
    }
    return out;
  };
  const ours = sections(readFileSync(exampleParsers, "utf8"));
  const stock = sections(readFileSync(path.join(SHARED_FLUENT_BIT, "conf", "parsers.conf"), "utf8"));
  assert.ok(ours.size >= 5);
  for (const [name, def] of ours) assert.equal(def, stock.get(name), `parser ${name}`);
});

const CORO = /^\s*coro_stack_size\s*[:\s]\s*65536\s*$/im;

test("every example config sets coro_stack_size 65536 (Fluent Bit < 5.1 crashes on deeply nested records without it; tests/e2e/nesting.test.ts)", () => {
  // A file without a service section (alerts/pipeline.conf) is included by one that has it.
  for (const name of Object.keys(EXAMPLE_CONFIGS).filter((n) => /^\s*(\[SERVICE\]|service:)/im.test(readFileSync(path.join(EXAMPLES, n), "utf8")))) assert.match(readFileSync(path.join(EXAMPLES, name), "utf8"), CORO, `examples/${name}`);
});

test("tripline config sets coro_stack_size 65536 too", async () => {
  for (const format of ["classic", "yaml"]) assert.match(await tripline(["config", "--format", format]), CORO, format);
});

/** A directory laid out like the repository root for configs with relative paths (examples/, build/), writing only into os.tmpdir(). */
function repoLikeDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-configs-"));
  symlinkSync(EXAMPLES, path.join(dir, "examples"));
  symlinkSync(path.join(REPO_ROOT, "build"), path.join(dir, "build"));
  return dir;
}

function dryRun(fb: FluentBit, config: string, cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(fb.bin, ["--dry-run", "-c", config], { cwd, env, encoding: "utf8", timeout: 30000 });
  return { status: r.status, log: (r.stdout ?? "") + (r.stderr ?? "") };
}

fluentBitTest("every example config passes --dry-run", {}, (fb) => {
  const cwd = repoLikeDir();
  copyFileSync(wasmPath, path.join(cwd, "tripline.wasm")); // examples/vector/fluent-bit.conf: Wasm_Path tripline.wasm
  const env = {
    ...process.env,
    TRIPLINE_AGGREGATOR_HOST: "127.0.0.1",
    TRIPLINE_AGGREGATOR_PORT: "24224",
    TRIPLINE_AGGREGATOR_WASM: wasmPath,
    TRIPLINE_EDGE_WASM: wasmPath,
    TRIPLINE_EDGE_NAME: "edge1",
    TRIPLINE_EDGE_LOG: path.join(LOGS, "access.log"),
    TRIPLINE_OUT_DIR: cwd,
  };
  const failures: string[] = [];
  // examples/alerts/ reads TRIPLINE_WASM, TRIPLINE_LOG, ...: notify-examples.test.ts dry-runs it with them.
  for (const name of Object.keys(EXAMPLE_CONFIGS).filter((n) => !n.startsWith("alerts/"))) {
    const r = dryRun(fb, path.join("examples", name), cwd, env);
    const errors = errorLines(r.log);
    if (r.status !== 0 || errors.length > 0 || !/configuration test is successful/.test(r.log)) failures.push(`examples/${name}: exit ${r.status}\n${(errors.length ? errors : r.log.split("\n").slice(-8)).join("\n")}`);
  }
  assert.deepEqual(failures, []);
});

/** JSON records Fluent Bit's stdout output (format json_lines) printed. */
function stdoutRecords(run: FluentBitRun): Record<string, unknown>[] {
  return run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

for (const format of ["classic", "yaml"] as const) {
  fluentBitTest(`examples/fluent-bit/tripline.${format === "yaml" ? "yaml" : "conf"} runs from the repository root: every access.log line out, alerts in tripline-alerts.jsonl`, {}, async (fb) => {
    const cwd = repoLikeDir();
    const run = await runFluentBitAsync(fb, "", {}, { cwd, configPath: `examples/fluent-bit/tripline.${format === "yaml" ? "yaml" : "conf"}` });
    assert.equal(run.status, 0, `exit ${run.status ?? run.signal}\n${run.stderr.slice(-1500)}`);
    assert.deepEqual(errorLines(run.stderr), []);
    const lines = readFileSync(path.join(LOGS, "access.log"), "utf8").trim().split("\n");
    const records = stdoutRecords(run);
    assert.equal(records.length, lines.length, "every line on the main output");
    assert.deepEqual(records.map((r) => r.log), lines, "raw lines, in order");
    const alerts = run.output("tripline-alerts.jsonl");
    assert.ok(alerts.length > 0, "the access log raises alerts");
    assert.equal(alerts.length, records.filter((r) => r.tripline_alert).length, "each record that carries an alert is copied once");
  });
}

// ---- what `tripline config` prints ----------------------------------------

const printed = new Map<string, Promise<string>>();
/** What `tripline <args>` prints (once per argument list). */
function tripline(args: string[]): Promise<string> {
  const key = args.join("\0");
  let p = printed.get(key);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "tripline.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`tripline ${args.join(" ")} exited with ${code}: ${err}`))));
    });
    printed.set(key, p);
  }
  return p;
}

const readLines = (file: string) => readFileSync(path.join(LOGS, file), "utf8").split("\n").filter((l) => l !== "");
const syslogLines = readLines("syslog.log");

const STOCK_PARSERS = path.join(SHARED_FLUENT_BIT, "conf", "parsers.conf");

/**
 * For each --parser: a log in that format. syslog.log holds RFC 3164 lines
 * with a priority and two RFC 5424 lines. `extra`: more flags of the
 * variant (tags and Match patterns, another parsers file).
 */
const PARSERS: { parser?: string; lines: string[]; extra?: string[] }[] = [
  { parser: undefined, lines: readLines("access.log") },
  { parser: "apache2", lines: readLines("access.log") },
  { parser: "nginx", lines: readLines("nginx-access.log") },
  { parser: "json", lines: readLines("app.log") },
  { parser: "syslog-rfc3164", lines: syslogLines.filter((l) => /^<\d+>[A-Z][a-z]{2} /.test(l)) },
  { parser: "syslog-rfc5424", lines: syslogLines.filter((l) => /^<\d+>1 /.test(l)) },
  // Fluent Bit's own parsers file instead of tripline's copy.
  ...(existsSync(STOCK_PARSERS) ? [{ parser: "syslog-rfc3164", lines: syslogLines.filter((l) => /^<\d+>[A-Z][a-z]{2} /.test(l)), extra: ["--parsers-file", STOCK_PARSERS] }] : []),
  // A Match without a wildcard: the input is tagged with it exactly.
  { parser: undefined, lines: readLines("access.log"), extra: ["--match", "nginx"] },
  // An explicit input tag under a wildcard Match.
  { parser: undefined, lines: readLines("access.log"), extra: ["--match", "web.*", "--tag", "web.access"] },
];

/**
 * A key every record carries when the config names this Fluent Bit parser
 * (from the parser's definition in Fluent Bit's parsers.conf; json: every
 * line of app.log has "level"), and that raw records ({"log": line}) lack.
 * A config without a Parser line passes raw lines: "log".
 */
const PARSER_KEYS: Record<string, string> = {
  apache: "code",
  apache2: "code",
  nginx: "remote",
  json: "level",
  "tripline-json": "level",
  "syslog-rfc3164": "ident",
  "syslog-rfc3164-local": "ident",
  "syslog-rfc5424": "msgid",
};

/** The parser a generated config names (classic or YAML), or undefined. */
function parserIn(config: string): string | undefined {
  return /^\s*(?:Parser\s+|parser:\s*)(\S+)\s*$/im.exec(config)?.[1];
}


const COMBINATIONS = (["classic", "yaml"] as const).flatMap((format) => PARSERS.map((p) => ({ format, ...p, flags: ["config", "--format", format, ...(p.parser ? ["--parser", p.parser] : []), ...(p.extra ?? []), "--log", "input.log"] })));
type Combination = (typeof COMBINATIONS)[number];

interface Generated {
  live: string;
  fromHead: string;
  run: FluentBitRun;
}

const started = new Map<string, Promise<Generated>[]>();
/** Starts every generated config of one binary at once (4 at a time: they mostly wait on Fluent Bit's flush timer). */
function generatedRuns(fb: FluentBit): Promise<Generated>[] {
  let runs = started.get(fb.bin);
  if (!runs) {
    const wasm = readFileSync(wasmPath);
    const parsers = readFileSync(exampleParsers, "utf8");
    runs = pool(
      COMBINATIONS.map((c: Combination) => async () => {
        const [live, fromHead] = await Promise.all([tripline(c.flags), tripline([...c.flags, "--from-head"])]);
        const files = { "input.log": c.lines.join("\n") + "\n", "parsers.conf": parsers, "tripline.wasm": wasm };
        const run = await runFluentBitAsync(fb, fromHead, files, { configName: c.format === "yaml" ? "fluent-bit.yaml" : "fluent-bit.conf" });
        return { live, fromHead, run };
      }),
      4,
    );
    runs.forEach((r) => r.catch(() => {})); // each test reports its own
    started.set(fb.bin, runs);
  }
  return runs;
}

COMBINATIONS.forEach((c, i) => {
  const { format, parser, lines, flags } = c;
  fluentBitTest(`tripline ${flags.join(" ")} --from-head: runs to the end of a ${parser ?? "raw"} log, every line out${parser ? ", parsed" : ""}, no [error]; without --from-head it passes --dry-run`, {}, async (fb) => {
    assert.ok(lines.length > 0);
    const { live, fromHead, run } = await generatedRuns(fb)[i];
    // The only difference: read from the start, exit at the end.
    const added = fromHead.split("\n").filter((l) => !live.split("\n").includes(l)).map((l) => l.trim().toLowerCase().replace(/[:\s]+/g, " "));
    assert.deepEqual(added.sort(), ["exit_on_eof true", "read_from_head true"]);
    assert.equal(fromHead.split("\n").length, live.split("\n").length + 2);

    assert.equal(run.status, 0, `exit ${run.status ?? run.signal}\n${run.stderr.slice(-1500)}`);
    assert.deepEqual(errorLines(run.stderr), [], "Fluent Bit logged errors");
    assert.doesNotMatch(run.stderr, /Got exception running wasm code|invalid JSON format/);
    const records = stdoutRecords(run);
    assert.equal(records.length, lines.length, "every line on the main output");
    const named = parserIn(fromHead);
    const key = named === undefined ? "log" : PARSER_KEYS[named];
    assert.ok(key, `the config names parser '${named}', which is none of Fluent Bit's stock parsers for these logs (${Object.keys(PARSER_KEYS).join(", ")})`);
    const parsed = records.filter((r) => key in r).length;
    assert.equal(parsed, lines.length, `every record carries '${key}' (${parsed} of ${lines.length})`);
    // An ISO 8601 time read by the parser becomes the record's own time (json_lines prints it as "date").
    if (named === "tripline-json") assert.deepEqual(records.map((r) => r.date), records.map((r) => Date.parse(String(r.time)) / 1000), "event times, not ingest times");
    // The filter saw the records: the access log always trips some rule.
    if (c.extra?.includes("--match")) assert.ok(records.some((r) => "tripline" in r), "the wasm filter's Match catches the input's tag");

    const configName = format === "yaml" ? "live.yaml" : "live.conf";
    writeFileSync(path.join(run.dir, configName), live);
    const dry = dryRun(fb, configName, run.dir);
    assert.equal(dry.status, 0, dry.log.slice(-1500));
    assert.deepEqual(errorLines(dry.log), []);
    assert.match(dry.log, /configuration test is successful/);
  });
});
