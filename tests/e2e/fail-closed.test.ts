// Issue 11: a module whose rule program is damaged must stop Fluent Bit at
// start with a log line, never run as a filter that passes every record
// through untested. The oracle is the contract: Fluent Bit with the intact
// module starts and writes the records; with one program byte changed (the
// checksum then disagrees) it does not run the pipeline at all.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fluentBitTest, runFluentBit, CORO_STACK, REPO_ROOT } from "./fluent-bit.js";
import { buildModule, programOf } from "../../src/compiler/module.js";

const release = readFileSync(path.join(REPO_ROOT, "build", "tripline.wasm"));
const LINE = '203.0.113.7 - - [20/Nov/2026:10:00:00 +0000] "GET /../../etc/passwd HTTP/1.1" 404 12 "-" "curl/8.5.0"\n';

const config = `
[SERVICE]
    Flush        0.5
    Grace        1
    Log_Level    info
    ${CORO_STACK}

[INPUT]
    Name            tail
    Path            input.log
    Tag             web.access
    Read_From_Head  true
    Exit_On_Eof     true

[FILTER]
    Name            wasm
    Match           web.*
    Wasm_Path       module.wasm
    Function_Name   filter
    Wasm_Stack_Size 64K
    Wasm_Heap_Size  64K

[OUTPUT]
    Name   file
    Match  web.*
    Path   .
    File   out.jsonl
    Format plain
`;

/** The release module with one byte of its rule program's body changed. */
function damaged(): Uint8Array {
  const program = new Uint8Array(programOf(release)); // a copy: Buffer#slice would be a view into `release`
  program[Math.floor(program.length / 2)] ^= 0x40;
  return buildModule(program);
}

fluentBitTest("a module with a damaged rule program stops Fluent Bit at start; the intact one runs", { timeout: 120_000 }, (fb) => {
  const intact = runFluentBit(fb, config, { "input.log": LINE, "module.wasm": release });
  assert.equal(intact.status, 0, intact.stderr.slice(-1500));
  const out = intact.lines("out.jsonl");
  assert.equal(out.length, 1);
  assert.match(out[0], /"tripline"/, "the intact module tags the traversal");

  const broken = runFluentBit(fb, config, { "input.log": LINE, "module.wasm": damaged() });
  assert.notEqual(broken.status, 0, `Fluent Bit ran with a damaged module:\n${broken.stderr.slice(-1500)}`);
  assert.deepEqual(broken.lines("out.jsonl"), [], "no record went through the damaged module");
  assert.match(broken.stderr, /\[\s*error\].*(wasm|filter)/i, "Fluent Bit says which plugin failed");
});
