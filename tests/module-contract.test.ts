// The built modules against Fluent Bit's host contract (DESIGN.md §1, §2):
// no imports, the filter with exactly Fluent Bit's signature, and one
// allocator WAMR can use. Read from the binary itself, not from a
// JavaScript view of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import binaryen from "binaryen";
import { BUILD } from "./helpers/modules.js";

const I32 = 0x7f;

/** Exported functions of a module with their parameter and result types, from the type, import, function and export sections. */
function exportedSignatures(bytes: Uint8Array): Map<string, { params: number[]; results: number[] }> {
  let at = 8;
  const leb = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
    }
  };
  const types: { params: number[]; results: number[] }[] = [];
  const functionTypes: number[] = [];
  const exports: [string, number][] = [];
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = leb();
    const end = at + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        assert.equal(bytes[at++], 0x60, "a function type");
        const params = Array.from({ length: leb() }, () => bytes[at++]);
        const results = Array.from({ length: leb() }, () => bytes[at++]);
        types.push({ params, results });
      }
    } else if (id === 2) {
      assert.equal(leb(), 0, "the module imports something");
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) functionTypes.push(leb());
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const nameLength = leb();
        const name = new TextDecoder().decode(bytes.subarray(at, at + nameLength));
        at += nameLength;
        const kind = bytes[at++];
        const index = leb();
        if (kind === 0) exports.push([name, index]);
      }
    }
    at = end;
  }
  return new Map(exports.map(([name, index]) => [name, types[functionTypes[index]]]));
}

for (const file of ["tripline.wasm", "engine.wasm"]) {
  const bytes = new Uint8Array(readFileSync(path.join(BUILD, file)));
  const module = new WebAssembly.Module(bytes);

  test(`${file} imports nothing`, () => {
    assert.deepEqual(WebAssembly.Module.imports(module), []);
  });

  test(`${file}: filter has Fluent Bit's signature (6 x i32 -> i32)`, () => {
    const signatures = exportedSignatures(bytes);
    assert.deepEqual(signatures.get("filter"), { params: [I32, I32, I32, I32, I32, I32], results: [I32] });
  });

  test(`${file} exports malloc(i32) -> i32 and free(i32) for WAMR, and not AssemblyScript's __new (which WAMR would pick instead, by export order)`, () => {
    const signatures = exportedSignatures(bytes);
    assert.deepEqual(signatures.get("malloc"), { params: [I32], results: [I32] });
    assert.deepEqual(signatures.get("free"), { params: [I32], results: [] });
    for (const name of ["__new", "__pin", "__unpin", "__retain", "__release"]) assert.equal(signatures.has(name), false, `${name} is exported`);
    assert.ok(WebAssembly.Module.exports(module).some((e) => e.name === "memory" && e.kind === "memory"));
  });

  test(`${file} validates without SIMD or tail calls`, (t) => {
    const probe = spawnSync("wasm-validate", ["--version"], { encoding: "utf8" });
    if (probe.error) {
      if (process.env.CI === "true") assert.fail("wasm-validate (Debian package wabt) is missing in CI");
      t.skip("wasm-validate (Debian package wabt) is not installed");
      return;
    }
    const r = spawnSync("wasm-validate", ["--disable-simd", path.join(BUILD, file)], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
}

test("the engine holds no local.tee (WAMR's fast interpreter copies a tee's value, while it writes a set's in place: scripts/build-module.ts)", () => {
  const tees = (file: string): number => {
    const module = binaryen.readBinary(new Uint8Array(readFileSync(path.join(BUILD, file))));
    const text = module.emitText();
    module.dispose();
    return text.split("(local.tee ").length - 1;
  };
  assert.equal(tees("engine.wasm"), 0);
  assert.equal(tees("tripline.wasm"), 0);
  // The reference is asc's stock output, tees and all: the passes are the engine's alone.
  assert.ok(tees("copy-only.wasm") > 0);
});

test("copy-only.wasm, the reference filter, keeps AssemblyScript's stock protocol (__new, __pin, __unpin)", () => {
  const signatures = exportedSignatures(new Uint8Array(readFileSync(path.join(BUILD, "copy-only.wasm"))));
  assert.deepEqual(signatures.get("filter"), { params: [I32, I32, I32, I32, I32, I32], results: [I32] });
  assert.deepEqual(signatures.get("__new"), { params: [I32, I32], results: [I32] });
  assert.ok(signatures.has("__pin") && signatures.has("__unpin"));
  assert.equal(signatures.has("malloc"), false);
});
