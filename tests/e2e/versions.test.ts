// The Fluent Bit releases the end-to-end suites ran in, against what the
// README claims: the oldest supported release ("Fluent Bit **x.y.z or
// newer**") must be among them, and a newer one, or the claim is untested.
// Outside CI the suites run in whatever binaries the machine has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fluentBits, compareVersions, CI, REPO_ROOT } from "./fluent-bit.js";

function readmeFloor(): string {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const m = /Fluent Bit \*\*(\d+\.\d+\.\d+) or newer\*\*/.exec(readme);
  assert.ok(m, "README.md states its oldest Fluent Bit as 'Fluent Bit **x.y.z or newer**'");
  return m[1];
}

const { binaries, from } = fluentBits();
const floor = readmeFloor();
const hasFloor = binaries.some((b) => b.version === floor);

test(`the suites run in the README's oldest release (${floor}) and in a newer one`, { skip: !CI && !hasFloor && `no Fluent Bit ${floor} among the binaries (${binaries.map((b) => b.version).join(", ") || "none"}); CI requires it` }, (t) => {
  t.diagnostic(`binaries (${from || "none found"}): ${binaries.map((b) => `${b.version} ${b.bin}`).join("; ")}`);
  assert.ok(hasFloor, `Fluent Bit ${floor} (README) is not among ${binaries.map((b) => b.version).join(", ") || "no binaries"}`);
  assert.ok(binaries.some((b) => compareVersions(b.v, floor.split(".").map(Number)) > 0), "a release newer than the minimum is tested too");
  for (const b of binaries) assert.ok(compareVersions(b.v, floor.split(".").map(Number)) >= 0, `${b.label} (${b.bin}) is older than the README's minimum`);
});

test("tripline config and the examples state the README's minimum", () => {
  for (const format of ["classic", "yaml"]) {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "tripline.js"), "config", "--format", format], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const m = /Fluent Bit >= (\d+\.\d+\.\d+)/.exec(r.stdout);
    assert.ok(m, `the ${format} config names its minimum Fluent Bit`);
    assert.equal(m[1], floor);
  }
  for (const example of ["tripline.conf", "tripline.yaml"]) {
    const m = /Fluent Bit >= (\d+\.\d+\.\d+)/.exec(readFileSync(path.join(REPO_ROOT, "examples", "fluent-bit", example), "utf8"));
    assert.equal(m?.[1], floor, `examples/fluent-bit/${example}`);
  }
});
