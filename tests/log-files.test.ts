// How `tripline test` reads a log: in pieces of 1 MiB, never as one string
// (V8 strings stop at 2^29 - 24 characters). The oracle is the text read
// whole: its lines are text.split("\n") (README, tripline test: one record
// per non-blank line, numbered from 1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, createWriteStream, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createGzip, gzipSync } from "node:zlib";
import { once } from "node:events";
import { PACKAGE_ROOT } from "../src/compiler/module.js";
import { openLog } from "../src/cli/log-files.js";
import { records } from "../src/logs/replay.js";

const dir = mkdtempSync(path.join(tmpdir(), "tripline-log-files-"));
const MIB = 1 << 20;
const options = { year: 2026, tag: "logs" };
const BIN = path.join(PACKAGE_ROOT, "bin", "tripline.js");
const access = (time: string, target: string) => `198.51.100.7 - - [20/Nov/2026:${time} +0000] "GET ${target} HTTP/1.1" 404 10 "-" "curl/8.5.0"`;

/** Lines over several MiB with a 2, 3 or 4-byte character across each 1 MiB boundary, split after each of its bytes in turn. */
function straddlingText(): string {
  const lines: string[] = ["\ufeff{\"msg\":\"first line after a byte order mark\"}"];
  let offset = Buffer.byteLength(lines[0], "utf8") + 1;
  let boundary = MIB;
  for (const c of ["é", "€", "😀"]) {
    const size = Buffer.byteLength(c, "utf8");
    for (let before = 1; before < size; before++) {
      // "x" + c + "y": c starts `before` bytes ahead of the boundary, so the piece ends inside it.
      const start = boundary - before;
      const filler = start - 1 - offset - 1; // the filler line and its newline, then "x"
      lines.push("GET /" + "a".repeat(filler - 5), `x${c}y\r`, "", "   ");
      offset = start - 1 + Buffer.byteLength(`x${c}y\r`, "utf8") + 1 + 1 + 4;
      boundary += MIB;
    }
  }
  lines.push("last line without a newline é");
  return lines.join("\n");
}

test("a log read in pieces gives the records of the text read whole: characters across piece boundaries, BOM, CRLF, blank lines, no final newline", () => {
  const text = straddlingText();
  const bytes = Buffer.from(text, "utf8");
  for (let k = 1; k <= 6; k++) assert.ok(bytes[k * MIB] >= 0x80 && bytes[k * MIB] < 0xc0, `a character continues across byte ${k} MiB`);
  const file = path.join(dir, "straddling.log");
  writeFileSync(file, text);
  const expected = [...records(text.replace(/^\ufeff/, ""), options)];
  const { log, binary } = openLog(file);
  assert.equal(binary, false);
  assert.deepEqual([...records(log.lines(), options)], expected);
  // Read again: the lines come anew at each call.
  assert.equal([...records(log.lines(), options)].length, expected.length);
  // A .gz gives the same lines.
  const gz = path.join(dir, "straddling.log.gz");
  writeFileSync(gz, gzipSync(Buffer.from(text, "utf8")));
  assert.deepEqual([...records(openLog(gz).log.lines(), options)], expected);
});

test("a .gz is decompressed as it is read: several members (cat a.gz b.gz) give all their lines; a damaged, cut, empty or non-gzip .gz stops with its name", () => {
  const one = [access("10:00:00", "/m1"), access("10:00:01", "/m2")].join("\n") + "\n";
  const two = access("10:00:02", "/m3") + "\n";
  const members = path.join(dir, "members.log.gz");
  writeFileSync(members, Buffer.concat([gzipSync(one), gzipSync(two)]));
  assert.deepEqual([...records(openLog(members).log.lines(), options)], [...records(one + two, options)]);
  const good = gzipSync(straddlingText());
  const cases: [string, Uint8Array][] = [
    ["cut.log.gz", good.subarray(0, good.length - 100)],
    ["cut-trailer.log.gz", good.subarray(0, good.length - 4)],
    ["bad-crc.log.gz", Buffer.concat([good.subarray(0, good.length - 8), Buffer.from([good[good.length - 8] ^ 1]), good.subarray(good.length - 7)])],
    ["bad-length.log.gz", Buffer.concat([good.subarray(0, good.length - 4), Buffer.from([good[good.length - 4] ^ 1]), good.subarray(good.length - 3)])],
    ["empty.log.gz", new Uint8Array(0)],
    ["text.log.gz", Buffer.from(access("10:00:00", "/plain") + "\n")],
  ];
  for (const [name, bytes] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, bytes);
    assert.throws(() => [...openLog(file).log.lines()], new RegExp(`cannot read '.*${name.replace(/\./g, "\\.")}': not a gzip file \\(or a damaged one\\)`), name);
  }
  // Gzip on standard input is read the same way.
  const r = spawnSync(process.execPath, [BIN, "test", "--json", "-"], { input: Buffer.concat([gzipSync(one), gzipSync(two)]), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { records: number }).records, 3);
});

test(
  "a .gz that decompresses to 570 MB replays in memory that does not grow with it (HOSTILE_HEAVY=1)",
  { skip: process.env.HOSTILE_HEAVY !== "1" && "set HOSTILE_HEAVY=1 (writes a 570 MB log compressed, about 15 s)" },
  async () => {
    const file = path.join(dir, "huge.log.gz");
    const gzip = createGzip({ level: 1 });
    const done = once(gzip.pipe(createWriteStream(file)), "finish");
    const block = ('{"level":"info","msg":"' + "c".repeat(8 * 1024 - 32) + '"}\n').repeat(128);
    const blocks = 550; // 70,400 lines of 8 KiB
    for (let k = 0; k < blocks; k++) if (!gzip.write(block)) await once(gzip, "drain");
    gzip.end();
    await done;
    const decompressed = blocks * block.length;
    // The child reports its peak resident memory on exit.
    const report = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxRSS "+process.resourceUsage().maxRSS+"\\n"))';
    const r = spawnSync(process.execPath, ["--import", report, BIN, "test", "--json", file], { encoding: "utf8", maxBuffer: 64 * MIB });
    rmSync(file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { records: number }).records, blocks * 128);
    const peak = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]) * 1024;
    // Held whole, the log alone took its decompressed size (1.27 GB resident in all before streaming).
    assert.ok(peak < decompressed / 2, `peak resident ${(peak / 1e6).toFixed(0)} MB for ${(decompressed / 1e6).toFixed(0)} MB decompressed`);
  },
);

test("a line longer than 64 MiB stops the replay with the file and line, not an internal error", () => {
  const file = path.join(dir, "long-line.log");
  writeFileSync(file, 'short line\n{"log":"' + "a".repeat(64 * MIB + 16) + '"}\n');
  const { log } = openLog(file);
  assert.throws(() => [...log.lines()], /long-line\.log:2: a line longer than 64 MiB/);
});

test(
  "tripline test replays a log larger than the longest string V8 can hold (HOSTILE_HEAVY=1)",
  { skip: process.env.HOSTILE_HEAVY !== "1" && "set HOSTILE_HEAVY=1 (writes a 560 MB file, about half a minute)" },
  () => {
    // 70,000 lines of 8 KiB: more characters than 2^29 - 24, few records (each replay call is cheap).
    const file = path.join(dir, "huge.log");
    const line = '{"level":"info","msg":"' + "b".repeat(8 * 1024 - 32) + '"}\n';
    const fd = openSync(file, "w");
    const block = line.repeat(128);
    const lines = 70_000;
    for (let k = 0; k < Math.floor(lines / 128); k++) writeSync(fd, block);
    const rest = lines % 128;
    writeSync(fd, line.repeat(rest));
    closeSync(fd);
    assert.ok(lines * line.length > 2 ** 29, "longer than a V8 string");
    const r = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, "bin", "tripline.js"), "test", "--json", file], { encoding: "utf8", maxBuffer: 64 * MIB });
    rmSync(file); // 560 MB: not kept until the end of the run
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { records: number; lost: number };
    assert.equal(report.records, lines);
    assert.equal(report.lost, 0);
  },
);

test("several logs merge as Fluent Bit tailing them sees them: each in its own order, the earliest next line first, equal times by the log named first; a line behind is late in its own log", () => {
  const a = path.join(dir, "merge-a.log");
  const b = path.join(dir, "merge-b.log");
  writeFileSync(a, [access("10:00:00", "/a1"), access("10:00:20", "/a2"), access("10:03:00", "/a3")].join("\n") + "\n");
  // b3 is two minutes behind b's own previous line: past the 60 s lateness once a2/b2 are seen.
  writeFileSync(b, [access("10:00:10", "/b1"), access("10:00:20", "/b2"), access("09:58:00", "/b3")].join("\n") + "\n");
  const r = spawnSync(process.execPath, [BIN, "test", "--records", a, b], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, r.stderr);
  const order = r.stdout
    .split("\n")
    .map((l) => /^\S*merge-([ab])\.log:(\d+)\s/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m![1]}${m![2]}`);
  // Heads a1 10:00:00 / b1 10:00:10 -> a1; a2 10:00:20 / b1 -> b1; a2 / b2 (equal) -> a2; a3 10:03 / b2 -> b2; a3 / b3 09:58 -> b3; a3.
  assert.deepEqual(order, ["a1", "b1", "a2", "b2", "b3", "a3"]);
  const rowOf = (name: string) => r.stdout.split("\n").find((l) => l.includes(name) && /^\s/.test(l) && !l.includes("["))!.trim().split(/\s+/);
  // The late column counts events: one per correlation the late line feeds.
  assert.ok(Number(rowOf("merge-b.log").at(-1)) >= 1, r.stdout);
  assert.equal(Number(rowOf("merge-a.log").at(-1)), 0, r.stdout);
});

test("late lines of two logs that follow each other in the merge are each charged to their own log", () => {
  // The same lines in both logs, ten seconds apart: merged a1 b1 a2 b2 a3 b3, where a3 and b3 are two minutes behind.
  const a = path.join(dir, "late-a.log");
  const b = path.join(dir, "late-b.log");
  writeFileSync(a, [access("10:00:00", "/a1"), access("10:03:00", "/a2"), access("09:58:00", "/a3")].join("\n") + "\n");
  writeFileSync(b, [access("10:00:10", "/b1"), access("10:03:10", "/b2"), access("09:58:10", "/b3")].join("\n") + "\n");
  const r = spawnSync(process.execPath, [BIN, "test", "--json", a, b], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const files = (JSON.parse(r.stdout) as { files: Record<string, { late: number }> }).files;
  assert.ok(files[a].late >= 1, r.stdout);
  assert.equal(files[b].late, files[a].late, "b3 feeds the same correlations as a3");
});

test("a merge of more logs than the process may hold open at once (300 logs, descriptors limited to 256)", () => {
  const folder = path.join(dir, "many");
  mkdirSync(folder);
  for (let k = 0; k < 300; k++) writeFileSync(path.join(folder, `part-${String(k).padStart(3, "0")}.log`), access(`10:${String(Math.floor(k / 60)).padStart(2, "0")}:${String(k % 60).padStart(2, "0")}`, `/p${k}`) + "\n");
  const r = spawnSync("bash", ["-c", `ulimit -n 256 && exec "${process.execPath}" "${BIN}" test --json "${folder}"`], { encoding: "utf8", maxBuffer: 16 * MIB });
  assert.equal(r.status, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { records: number }).records, 300);
});

const utilLinuxScript = spawnSync("script", ["--version"], { encoding: "utf8" }).stdout?.includes("util-linux") === true;

test(
  "on a terminal, the progress bar counts the bytes read against the logs' size, known from the start",
  { skip: !utilLinuxScript && "needs util-linux's script(1) to give the command a terminal" },
  () => {
    const file = path.join(dir, "progress.log");
    const lines: string[] = [];
    for (let k = 0; k < 50_000; k++) lines.push(access(`10:${String(Math.floor(k / 3600) % 60).padStart(2, "0")}:${String(Math.floor(k / 60) % 60).padStart(2, "0")}`, `/page/${k}`));
    const text = lines.join("\n") + "\n";
    writeFileSync(file, text);
    const mb = (Buffer.byteLength(text) / 1e6).toFixed(0);
    assert.ok(Buffer.byteLength(text) >= 4_000_000, "large enough for a bar");
    const command = `"${process.execPath}" "${BIN}" test --json "${file}" > /dev/null`;
    const r = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 0, r.stdout);
    const frames = r.stdout.split(/\r|\x1b\[1G/).filter((f) => f.includes("progress.log ["));
    assert.ok(frames.some((f) => new RegExp(`\\b[1-9]\\d?% of ${mb} MB`).test(f)), `a frame between 0 and 100%: ${JSON.stringify(frames.slice(0, 3))}`);
    assert.ok(frames.some((f) => f.includes(`100% of ${mb} MB`)), JSON.stringify(frames.slice(-2)));
  },
);

test("a log given as a pipe (bash's <(...), a named FIFO) is read once, start to end: the same records as the file, gzip included, and explain FILE:LINE reads it too", () => {
  const file = path.join(dir, "piped.log");
  writeFileSync(file, [access("10:00:00", "/a?id=1%27%20OR%201=1--"), access("10:00:01", "/b"), access("10:00:02", "/c")].join("\n") + "\n");
  const run = (command: string) => spawnSync("bash", ["-c", command], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  // The records as they leave, without the file:line prefix (the pipe has another name).
  const recordsOf = (out: string) => out.split("\n").filter((l) => /^\S+:\d+\s+\[/.test(l)).map((l) => l.replace(/^\S+:(\d+)/, "$1"));
  const direct = run(`"${process.execPath}" "${BIN}" test --records "${file}"`);
  assert.equal(direct.status, 0, direct.stderr);
  const expected = recordsOf(direct.stdout);
  assert.equal(expected.length, 3, direct.stdout);
  for (const source of [`<(cat "${file}")`, `<(gzip -c "${file}")`]) {
    const piped = run(`"${process.execPath}" "${BIN}" test --records ${source}`);
    assert.equal(piped.status, 0, `${source}: ${piped.stderr}`);
    assert.deepEqual(recordsOf(piped.stdout), expected, source);
  }
  const fifo = path.join(dir, "named.fifo");
  const made = spawnSync("mkfifo", [fifo]);
  assert.equal(made.status, 0, String(made.stderr));
  // The writer gives up after a minute if nothing opens the FIFO: no process is left behind.
  const viaFifo = run(`timeout 60 bash -c "cat '${file}' > '${fifo}'" & "${process.execPath}" "${BIN}" test --records "${fifo}"; wait`);
  assert.equal(viaFifo.status, 0, viaFifo.stderr);
  assert.deepEqual(recordsOf(viaFifo.stdout), expected);
  // Found in a folder, a FIFO is skipped (it would wait for a writer), the log beside it replayed.
  const folder = path.join(dir, "with-fifo");
  mkdirSync(folder);
  writeFileSync(path.join(folder, "a.log"), access("10:00:00", "/x") + "\n");
  assert.equal(spawnSync("mkfifo", [path.join(folder, "b.fifo")]).status, 0);
  const walked = spawnSync(process.execPath, [BIN, "test", "--json", folder], { encoding: "utf8", timeout: 60_000 });
  assert.equal(walked.status, 0, `${walked.error ?? ""} ${walked.stderr}`);
  assert.equal((JSON.parse(walked.stdout) as { records: number }).records, 1);
  assert.match(walked.stderr, /1 not a regular file \(.*b\.fifo\)/);
  const explained = run(`"${process.execPath}" "${BIN}" explain <(cat "${file}"):1`);
  assert.equal(explained.status, 0, explained.stderr);
  assert.match(explained.stdout, /tripline-web-sqli/);
});
