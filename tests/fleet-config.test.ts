// `tripline config --role edge|aggregator --shards ...` (src/cli/fleet-config.ts):
// what each side must hold for nothing to be lost and no copy to loop, and one-line
// usage errors. tests/e2e/fleet.test.ts runs both sides in the real Fluent Bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT } from "../src/compiler/module.js";

const CLI = path.join(PACKAGE_ROOT, "bin", "tripline.js");
const SHARDS = "10.0.0.1:24224,10.0.0.2:24225,[fd00::3]:24226";

function config(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, "config", ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

type Section = Record<string, string>;

/** Classic sections as [kind, keys] in order (keys lower-cased, as Fluent Bit reads them). */
function classic(text: string): [string, Section][] {
  const out: [string, Section][] = [];
  for (const line of text.split("\n")) {
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) out.push([head[1].toLowerCase(), {}]);
    else if (/^\s+\S/.test(line) && !/^\s*#/.test(line)) {
      const [, k, v] = /^\s+(\S+)\s+(.*)$/.exec(line)!;
      out[out.length - 1][1][k.toLowerCase()] = v.trim();
    }
  }
  return out;
}

/** The YAML form flattened the same way. */
function yaml(text: string): [string, Section][] {
  const doc = parse(text) as { service: Section; pipeline: Record<string, Section[]> };
  const str = (s: Section) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)]));
  return [["service", str(doc.service)], ...(["inputs", "filters", "outputs"] as const).flatMap((kind) => (doc.pipeline[kind] ?? []).map((s): [string, Section] => [kind.slice(0, -1), str(s)]))];
}

test("edge: one forward per aggregator, shard copies made from the source tags only, buffered and retried", () => {
  const r = config("--role", "edge", "--shards", SHARDS, "--storage", "/var/lib/x");
  assert.equal(r.status, 0, r.stderr);
  const sections = classic(r.stdout);
  assert.deepEqual(sections, yaml(config("--role", "edge", "--shards", SHARDS, "--storage", "/var/lib/x", "--format", "yaml").stdout), "classic and YAML say the same");
  const service = sections.find(([k]) => k === "service")![1];
  assert.equal(service["storage.path"], "/var/lib/x");
  const inputs = sections.filter(([k]) => k === "input").map(([, s]) => s);
  assert.ok(inputs.every((s) => s["storage.type"] === "filesystem"));
  const copies = sections.filter(([k, s]) => k === "filter" && s.name === "rewrite_tag" && /tripline\.shard\./.test(s.rule)).map(([, s]) => s);
  assert.equal(copies.length, 3);
  copies.forEach((s, i) => {
    assert.equal(s.match, "logs.*", "copies never re-enter the shard filters");
    assert.equal(s["emitter_storage.type"], "filesystem");
    const [field, regex, tag, keep] = s.rule.split(" ");
    assert.equal(field, "$tripline_shards");
    assert.equal(tag, `tripline.shard.${i}`);
    assert.equal(keep, "true");
    // The regex picks shard i out of a sorted list, never a shard whose number contains i's digits.
    const re = new RegExp(regex);
    for (const list of [`${i}`, `0,${i}`, `${i},2`, `0,1,2`]) assert.ok(re.test(list), `${regex} on ${list}`);
    for (const list of [`${i}0`, `1${i}`, `3,4`]) assert.ok(!re.test(list), `${regex} on ${list}`);
  });
  const forwards = sections.filter(([k, s]) => k === "output" && s.name === "forward").map(([, s]) => s);
  assert.deepEqual(forwards.map((s) => [s.match, s.host, s.port]), [["tripline.shard.0", "10.0.0.1", "24224"], ["tripline.shard.1", "10.0.0.2", "24225"], ["tripline.shard.2", "fd00::3", "24226"]]);
  for (const s of forwards) {
    assert.equal(s.retry_limit, "no_limits");
    assert.equal(s.require_ack_response, "true");
  }
});

test("aggregator i: listens on its own address, runs the module on shard tags only", () => {
  const r = config("--role", "aggregator", "--index", "1", "--shards", SHARDS);
  assert.equal(r.status, 0, r.stderr);
  const sections = classic(r.stdout);
  assert.deepEqual(sections, yaml(config("--role", "aggregator", "--index", "1", "--shards", SHARDS, "--format", "yaml").stdout));
  const input = sections.find(([k]) => k === "input")![1];
  assert.deepEqual([input.name, input.listen, input.port, input.threaded, input["storage.type"]], ["forward", "10.0.0.2", "24225", "true", "filesystem"]);
  const wasm = sections.find(([k, s]) => k === "filter" && s.name === "wasm")![1];
  assert.equal(wasm.match, "tripline.shard.*");
});

test("fleet config mistakes are one line and exit 2", () => {
  const cases: [string[], RegExp][] = [
    [["--role", "edge"], /--role needs --shards/],
    [["--shards", SHARDS], /--shards goes with --role/],
    [["--role", "hub", "--shards", SHARDS], /--role is edge or aggregator/],
    [["--role", "edge", "--shards", "10.0.0.1"], /'10\.0\.0\.1' is not host:port/],
    [["--role", "edge", "--shards", "10.0.0.1:70000"], /is not host:port/],
    [["--role", "edge", "--shards", "a:1,a:1"], /lists 'a:1' twice/],
    [["--role", "aggregator", "--shards", SHARDS], /needs --index \(0 to 2\)/],
    [["--role", "aggregator", "--shards", SHARDS, "--index", "3"], /--index 3 is past the 3 aggregators/],
    [["--role", "edge", "--shards", SHARDS, "--index", "0"], /--index goes with --role aggregator/],
  ];
  for (const [args, message] of cases) {
    const r = config(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

test("an edge with --parser names a parsers file that defines that parser (json: tripline-json, for ISO 8601 times)", async () => {
  const { readFileSync } = await import("node:fs");
  const { parserNames } = await import("../src/cli/fluent-bit-config.js");
  for (const [flag, expected] of [["nginx", "nginx"], ["json", "tripline-json"]]) {
    for (const format of ["classic", "yaml"]) {
      const r = config("--role", "edge", "--shards", SHARDS, "--log", "/var/log/x.log", "--parser", flag, "--format", format);
      assert.equal(r.status, 0, r.stderr);
      const file = /^\s*parsers_file[:\s]\s*(\S+)\s*$/im.exec(r.stdout)?.[1];
      const parser = /^\s*parser[:\s]\s*(\S+)\s*$/im.exec(r.stdout)?.[1];
      assert.equal(parser, expected, `${format} --parser ${flag}`);
      assert.ok(file && path.isAbsolute(file), `${format}: Parsers_File ${file}`);
      assert.ok(parserNames(readFileSync(file!, "utf8")).includes(expected), `${file} defines ${expected}`);
    }
  }
});
