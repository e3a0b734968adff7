// The built module against Fluent Bit's host contract (DESIGN.md §1, §2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { BUILD } from "./helpers/modules.js";

for (const file of ["tripline.wasm", "tripline-dev.wasm"]) {
  const bytes = readFileSync(path.join(BUILD, file));
  const module = new WebAssembly.Module(bytes);

  test(`${file} imports nothing`, () => {
    assert.deepEqual(WebAssembly.Module.imports(module), []);
  });

  test(`${file} exports the filter and the runtime Fluent Bit calls`, () => {
    const exports = WebAssembly.Module.exports(module).map((e) => `${e.kind}:${e.name}`);
    for (const needed of ["function:filter", "function:__new", "function:__pin", "function:__unpin", "memory:memory"]) {
      assert.ok(exports.includes(needed), `${needed} missing from ${exports.join(", ")}`);
    }
    const filter = WebAssembly.Module.exports(module).find((e) => e.name === "filter");
    assert.equal(filter?.kind, "function");
  });

  test(`${file} validates without SIMD or tail calls`, (t) => {
    const probe = spawnSync("wasm-validate", ["--version"], { encoding: "utf8" });
    if (probe.error) {
      t.skip("wasm-validate (Debian package wabt) is not installed");
      return;
    }
    const r = spawnSync("wasm-validate", ["--disable-simd", path.join(BUILD, file)], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
}

test("the filter has Fluent Bit's signature: six i32 parameters, one i32 result", () => {
  const bytes = readFileSync(path.join(BUILD, "tripline.wasm"));
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const filter = exports.filter as (...args: number[]) => number;
  assert.equal(filter.length, 6);
});
