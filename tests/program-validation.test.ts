// The module fails closed: a program it cannot fully check stops it at
// instantiation (Fluent Bit then refuses to start), and a program it accepts
// is used as it is, never quietly replaced by an empty one. Every count,
// index, offset, automaton transition and condition of the program is
// checked when the module loads (assembly/program/load.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { FluentBitHost, ModuleStartError, TRAPPED } from "../src/host/host.js";
import { buildModule, programOf, PACKAGE_ROOT } from "../src/compiler/module.js";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES } from "../src/compiler/compile.js";
import { checksum } from "../src/compiler/program/encode.js";
import { records } from "../src/logs/replay.js";
import { Rng } from "./fuzz/rng.js";

const program = compileSources(readSources(ruleFiles([DEFAULT_RULES])), { seed: 1 }).program.bytes;
const LOGS = path.join(PACKAGE_ROOT, "examples", "logs");
const sample = ["access.log", "auth.log", "app.log", "redaction.log"].flatMap((f) => [...records(readFileSync(path.join(LOGS, f), "utf8"), { year: 2026, tag: "logs" })]);
const enc = new TextEncoder();

/** The header's checksum recomputed, so the structural checks (not the checksum) must catch the damage. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (out.length >= 16) {
    view.setUint32(8, out.length, true);
    view.setUint32(12, checksum(out.subarray(16)), true);
  }
  return out;
}

/** Runs the sample through a module; every outcome must be what Fluent Bit can take: the record, a JSON object, or a drop. */
function runsSafely(wasm: Uint8Array): { changed: number } {
  const host = new FluentBitHost(wasm);
  let changed = 0;
  for (const r of sample) {
    const input = enc.encode(r.json);
    const out = host.callBytes(enc.encode("logs"), Math.floor(r.time), 0, input);
    assert.notEqual(out, TRAPPED, `a trap: ${host.log.at(-1)}`);
    assert.notEqual(out, null, "an invalid result address");
    const bytes = out as Uint8Array;
    if (bytes.length === 0) continue; // dropped by a rule
    const text = new TextDecoder().decode(bytes);
    const body = JSON.parse(text);
    assert.equal(typeof body, "object");
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(input)) !== 0) changed++;
  }
  return { changed };
}

test("the intact program is accepted and tags the sample", () => {
  const { changed } = runsSafely(buildModule(program));
  assert.ok(changed > 20, `only ${changed} records tagged`);
});

test("a built module carries its program, and a program placed again gives the same module", () => {
  const wasm = buildModule(program);
  assert.deepEqual(programOf(wasm), program);
  assert.deepEqual(buildModule(programOf(wasm)), wasm);
});

test("a damaged checksum, length, magic or version stops the module at start", () => {
  const cases: [string, (b: Uint8Array) => void][] = [
    ["checksum", (b) => (b[12] ^= 1)],
    ["length", (b) => new DataView(b.buffer).setUint32(8, b.length + 4, true)],
    ["magic", (b) => (b[0] ^= 0xff)],
    ["version", (b) => new DataView(b.buffer).setUint32(4, 99, true)],
  ];
  for (const [name, damage] of cases) {
    const bytes = program.slice();
    damage(bytes);
    assert.throws(() => new FluentBitHost(buildModule(bytes)), ModuleStartError, name);
  }
});

test("one flipped bit anywhere after the header (checksum not resealed) stops the module at start", () => {
  // Positions spread over the whole program, both ends included: first and last word, an odd tail byte.
  const positions = [16, 17, 19, 20, program.length >> 1, program.length - 5, program.length - 1];
  for (const at of positions) {
    for (const bit of [0, 7]) {
      const bytes = program.slice();
      bytes[at] ^= 1 << bit;
      assert.throws(() => new FluentBitHost(buildModule(bytes)), ModuleStartError, `byte ${at} bit ${bit}`);
    }
  }
});

test("truncated programs stop the module at start", () => {
  for (const length of [0, 8, 15, 16, 17, 100, Math.floor(program.length / 2), program.length - 4, program.length - 1]) {
    assert.throws(() => new FluentBitHost(buildModule(resealed(program.subarray(0, length)))), ModuleStartError, `length ${length}`);
  }
});

test("500 random byte changes (checksum resealed): each is refused at start or runs the sample safely", () => {
  const rng = new Rng(20261202);
  let refused = 0;
  let accepted = 0;
  for (let i = 0; i < 500; i++) {
    const bytes = program.slice();
    const flips = 1 + rng.int(4);
    for (let k = 0; k < flips; k++) {
      const at = 16 + rng.int(bytes.length - 16);
      bytes[at] = rng.chance(0.5) ? bytes[at] ^ (1 << rng.int(8)) : rng.int(256);
    }
    let wasm: Uint8Array;
    try {
      wasm = buildModule(resealed(bytes));
      new FluentBitHost(wasm);
    } catch (err) {
      assert.ok(err instanceof ModuleStartError, `not a start error: ${(err as Error).message}`);
      refused++;
      continue;
    }
    runsSafely(wasm);
    accepted++;
  }
  // Both outcomes happen: the checks are not all-or-nothing (text bytes such as titles change harmlessly).
  assert.ok(refused > 50, `only ${refused} refused`);
  assert.ok(accepted > 20, `only ${accepted} accepted`);
});
