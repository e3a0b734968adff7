// Deeply nested records and Fluent Bit's coroutine stack.
//
// Fluent Bit before 5.1.0 gives each coroutine a 24 KiB stack
// (1.5 x PTHREAD_STACK_MIN; `fluent-bit-4.1.2 --help`: "coro_stack_size ...
// (default: 24576)"). Outputs flush in coroutines, and the `file` output's
// plain format (flb_msgpack_to_json_str -> msgpack2json, one recursive call
// per level) overflows it on a record nested about 20 levels deep: Fluent Bit
// aborts (SIGABRT/SIGSEGV) whether or not any filter runs. 5.1.0 raised the
// default to 64 KiB (upstream commit 470cdac02, "coro: increase default stack
// headroom"). Fluent Bit's json parser keeps records up to 63 levels deep
// (64 is dropped, 65 and more stay raw lines), and 64 KiB writes 63 levels.
// So the end-to-end configs, the examples and the README set
// coro_stack_size 65536 for Fluent Bit 4.1.x - 5.0.x.
//
// The records here are written by hand from that description; what tripline
// must do with them is what the Node host does (the other suites check the
// host against Fluent Bit record by record).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fluentBitTest, runFluentBit, compareVersions, errorLines, CORO_STACK, REPO_ROOT } from "./fluent-bit.js";
import { FluentBitHost } from "../../src/host/host.js";

const wasmPath = path.join(REPO_ROOT, "build", "tripline.wasm");

const nestMaps = (levels: number, inner = "{}") => '{"a":'.repeat(levels - 1) + inner + "}".repeat(levels - 1);

/** The smallest record found to abort Fluent Bit 4.1.2 through tail + json + file (44 bytes, 20 levels). */
const MINIMAL = '{"a":' + "[".repeat(19) + "]".repeat(19) + "}";

const RECORDS = [
  MINIMAL,
  nestMaps(19),
  nestMaps(30),
  // The deepest record the json parser keeps.
  nestMaps(63),
  // Deep and attacked: the filter adds its namespace next to the deep value.
  '{"path":"/download?file=../../../../etc/passwd","deep":' + nestMaps(25) + "}",
];

function config(coroStack: boolean, filter: boolean): string {
  return `
[SERVICE]
    Flush        0.5
    Grace        1
    Log_Level    info
${coroStack ? `    ${CORO_STACK}\n` : ""}
[INPUT]
    Name           tail
    Path           input.log
    Tag            web.nested
    Read_From_Head true
    Exit_On_Eof    true
    Parser         json

${filter ? `[FILTER]
    Name            wasm
    Match           web.*
    Wasm_Path       ${wasmPath}
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K
` : ""}
[OUTPUT]
    Name   file
    Match  *
    Path   .
    File   out.jsonl
    Format plain
`;
}

const PARSERS = `
[PARSER]
    Name   json
    Format json
`;

const depth = (v: unknown): number => (v !== null && typeof v === "object" ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0);

fluentBitTest(`records nested up to 63 levels through tail + json + the filter, with ${CORO_STACK}: all out, as the Node host makes them`, {}, (fb) => {
  assert.deepEqual(RECORDS.map((r) => depth(JSON.parse(r))), [20, 19, 30, 63, 26], "the records nest as described");
  const input = RECORDS.join("\n") + "\n";
  const run = runFluentBit(fb, config(true, true), { "input.log": input, "parsers.conf": PARSERS }, { args: ["-R", "parsers.conf"] });
  assert.equal(run.status, 0, `Fluent Bit exited with ${run.status ?? run.signal}\n${errorLines(run.stderr).join("\n")}`);
  assert.deepEqual(errorLines(run.stderr), []);
  const out = run.output("out.jsonl");
  const host = new FluentBitHost(readFileSync(wasmPath));
  const expected = RECORDS.map((r) => {
    const outcome = host.call("web.nested", 1_700_000_000, r);
    assert.equal(outcome.kind, "record");
    return outcome.kind === "record" ? outcome.body : null;
  });
  assert.equal(out.length, RECORDS.length, "count in = count out");
  assert.deepEqual(out, expected);
  // The records no rule matches come out as they went in.
  out.slice(0, 4).forEach((r, i) => assert.deepEqual(r, JSON.parse(RECORDS[i])));
});

fluentBitTest(
  "the default coroutine stack: before 5.1 Fluent Bit itself (no filter) aborts writing a 20-level record; from 5.1 on it writes 63 levels through the filter",
  {},
  (fb) => {
    if (compareVersions(fb.v, [5, 1, 0]) < 0) {
      // Why every config for 4.1.x needs coro_stack_size. If this starts to pass, the README's advice is stale.
      const run = runFluentBit(fb, config(false, false), { "input.log": MINIMAL + "\n", "parsers.conf": PARSERS }, { args: ["-R", "parsers.conf"] });
      assert.ok(run.status !== 0, `${fb.label} without ${CORO_STACK} wrote the 20-level record and exited cleanly: its default coroutine stack is not the 24 KiB this test expects`);
      const fixed = runFluentBit(fb, config(true, false), { "input.log": MINIMAL + "\n", "parsers.conf": PARSERS }, { args: ["-R", "parsers.conf"] });
      assert.equal(fixed.status, 0, `with ${CORO_STACK}: ${errorLines(fixed.stderr).join("\n")}`);
      assert.deepEqual(fixed.output("out.jsonl"), [JSON.parse(MINIMAL)]);
    } else {
      const input = RECORDS.join("\n") + "\n";
      const run = runFluentBit(fb, config(false, true), { "input.log": input, "parsers.conf": PARSERS }, { args: ["-R", "parsers.conf"] });
      assert.equal(run.status, 0, `Fluent Bit exited with ${run.status ?? run.signal}\n${errorLines(run.stderr).join("\n")}`);
      assert.equal(run.output("out.jsonl").length, RECORDS.length);
    }
  },
);
