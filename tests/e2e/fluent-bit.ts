// Runs the real Fluent Bit for the end-to-end suites.
//
// Every suite is declared once and runs once per Fluent Bit binary found, in
// this order of precedence:
//   FLUENT_BIT_BINS  binaries or folders, separated by ':' (a folder
//                    contributes every fluent-bit and fluent-bit-<version> in it)
//   FLUENT_BIT_BIN   one binary
//   ../shared/fluent-bit/bin next to the repository, when it exists
//   fluent-bit on PATH
// Test names carry the version that ran ("[Fluent Bit 5.1.1] ...").
//
// Without a binary the suites skip and say why, except under CI=true, where a
// missing binary (or a missing flb-wamrc for the AOT suite) is a failure.
import { test, type TestContext } from "node:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, existsSync, accessSync, constants, readdirSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createServer, connect } from "node:net";

/** The repository root (this file runs from dist/tests/e2e/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** ../shared/fluent-bit next to the repository: where CI and developer machines keep the test binaries. */
export const SHARED_FLUENT_BIT = path.resolve(REPO_ROOT, "../shared/fluent-bit");

export const CI = /^(1|true|yes)$/i.test(process.env.CI ?? "");

export interface FluentBit {
  bin: string;
  /** "5.1.1", from `fluent-bit --version`. */
  version: string;
  /** [major, minor, patch] */
  v: [number, number, number];
  /** "Fluent Bit 5.1.1" */
  label: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The fluent-bit binaries in a folder: fluent-bit and fluent-bit-<version> (not flb-wamrc, not fluent-bit.conf). */
function binariesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^fluent-bit(-\d+(\.\d+)*)?$/.test(n))
    .map((n) => path.join(dir, n))
    .filter(isExecutable);
}

function candidatePaths(): { paths: string[]; from: string } {
  const expand = (entry: string) => (existsSync(entry) && statSync(entry).isDirectory() ? binariesIn(entry) : [entry]);
  const list = process.env.FLUENT_BIT_BINS;
  if (list) return { paths: list.split(path.delimiter).filter((e) => e !== "").flatMap(expand), from: `FLUENT_BIT_BINS=${list}` };
  const one = process.env.FLUENT_BIT_BIN;
  if (one) return { paths: [one], from: `FLUENT_BIT_BIN=${one}` };
  const shared = path.join(SHARED_FLUENT_BIT, "bin");
  if (existsSync(shared)) return { paths: binariesIn(shared), from: shared };
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "fluent-bit");
    if (dir && isExecutable(candidate)) return { paths: [candidate], from: "PATH" };
  }
  return { paths: [], from: "" };
}

function versionOf(bin: string): FluentBit {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8", timeout: 20000 });
  const m = /Fluent Bit v(\d+)\.(\d+)\.(\d+)/.exec((r.stdout ?? "") + (r.stderr ?? ""));
  if (!m) throw new Error(`${bin} --version printed no Fluent Bit version (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}): ${((r.stdout ?? "") + (r.stderr ?? "")).slice(0, 300)}`);
  const v: [number, number, number] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return { bin, v, version: v.join("."), label: `Fluent Bit ${v.join(".")}` };
}

let found: { binaries: FluentBit[]; problems: string[]; from: string } | undefined;

/** Every Fluent Bit to run the suites in, newest first; `problems` lists entries that are not usable binaries. */
export function fluentBits(): { binaries: FluentBit[]; problems: string[]; from: string } {
  if (found) return found;
  const { paths, from } = candidatePaths();
  const binaries: FluentBit[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (!isExecutable(p)) {
      problems.push(`${p}: not an executable file`);
      continue;
    }
    const real = realpathSync(p);
    if (seen.has(real)) continue;
    seen.add(real);
    try {
      binaries.push(versionOf(p));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  binaries.sort((a, b) => compareVersions(b.v, a.v));
  found = { binaries, problems, from };
  return found;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The newest binary found, or null (kept for suites outside tests/e2e). */
export function fluentBitBinary(): string | null {
  return fluentBits().binaries[0]?.bin ?? null;
}

export const SKIP_REASON =
  "no Fluent Bit binary: set FLUENT_BIT_BINS (binaries or folders, ':'-separated) or FLUENT_BIT_BIN, keep one in ../shared/fluent-bit/bin, or put fluent-bit on PATH to run the end-to-end suite";

function missingMessage(): string {
  const { problems, from } = fluentBits();
  return `CI=true and no usable Fluent Bit binary${from ? ` (looked at ${from})` : ""}${problems.length ? `: ${problems.join("; ")}` : ""}. ${SKIP_REASON}`;
}

type TestOptions = { timeout?: number; skip?: string | false; todo?: string | false };

/**
 * Declares a test once per Fluent Bit binary, named "[Fluent Bit x.y.z] <name>".
 * Without binaries: one skipped test, or one failing test under CI=true.
 * `options` may be a function of the binary (e.g. a todo for one version).
 */
export function fluentBitTest(name: string, options: TestOptions | ((fb: FluentBit) => TestOptions), fn: (fb: FluentBit, t: TestContext) => unknown): void {
  const { binaries, problems } = fluentBits();
  if (binaries.length === 0 || (CI && problems.length > 0)) {
    if (CI) {
      test(name, () => {
        throw new Error(missingMessage());
      });
    } else test(name, { skip: SKIP_REASON }, () => {});
    return;
  }
  for (const fb of binaries) {
    const o = typeof options === "function" ? options(fb) : options;
    test(`[${fb.label}] ${name}`, o, async (t) => {
      await fn(fb, t);
    });
  }
}

/** flb-wamrc, Fluent Bit's ahead-of-time compiler: FLB_WAMRC, ../shared/fluent-bit/bin/flb-wamrc, or PATH. */
export function flbWamrc(): string | null {
  const fromEnv = process.env.FLB_WAMRC;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : null;
  const shared = path.join(SHARED_FLUENT_BIT, "bin", "flb-wamrc");
  if (isExecutable(shared)) return shared;
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "flb-wamrc");
    if (dir && isExecutable(candidate)) return candidate;
  }
  return null;
}

export const WAMRC_SKIP_REASON = "no flb-wamrc (Fluent Bit's AOT compiler): set FLB_WAMRC, keep it in ../shared/fluent-bit/bin or put it on PATH to test the .aot";

/** Why the AOT suite cannot run (skip reason), or false. Under CI=true a missing compiler is a failure instead. */
export function aotUnavailable(): string | false {
  if (flbWamrc()) return false;
  if (CI) return false; // the test itself fails with the message
  return WAMRC_SKIP_REASON;
}

const aotCache = new Map<string, string>();

/** Compiles a .wasm into a .aot in os.tmpdir() with flb-wamrc --disable-simd (once per file and process). */
export function compileAot(wasmPath: string): string {
  const cached = aotCache.get(wasmPath);
  if (cached) return cached;
  const wamrc = flbWamrc();
  if (!wamrc) throw new Error(`${CI ? "CI=true and " : ""}${WAMRC_SKIP_REASON}`);
  const out = path.join(mkdtempSync(path.join(tmpdir(), "tripline-aot-")), path.basename(wasmPath).replace(/\.wasm$/, "") + ".aot");
  const r = spawnSync(wamrc, ["--disable-simd", "-o", out, wasmPath], { encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`${wamrc} --disable-simd -o ${out} ${wasmPath} failed (exit ${r.status}): ${((r.stdout ?? "") + (r.stderr ?? "")).slice(-1500)}`);
  aotCache.set(wasmPath, out);
  return out;
}

export interface FluentBitRun {
  dir: string;
  /** stderr and stdout together. */
  stderr: string;
  stdout: string;
  status: number | null;
  signal: NodeJS.Signals | null;
  /** JSON bodies written by the `file` output named `name` (format plain), in order. */
  output(name: string): Record<string, unknown>[];
  /** The lines of a file the run wrote, as text. */
  lines(name: string): string[];
}

function fileLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
}

function makeRun(dir: string, stdout: string, stderr: string, status: number | null, signal: NodeJS.Signals | null): FluentBitRun {
  return {
    dir,
    stderr: stderr + stdout,
    stdout,
    status,
    signal,
    output: (name) => fileLines(path.join(dir, name)).map((l) => JSON.parse(l)),
    lines: (name) => fileLines(path.join(dir, name)),
  };
}

function prepare(files: Record<string, string | Uint8Array>, config: string, configName: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "tripline-e2e-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  writeFileSync(path.join(dir, configName), config);
  return dir;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Fluent Bit reads YAML when the name ends in .yaml. */
  configName?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Writes `files` and the config into a fresh directory under os.tmpdir(),
 * runs `fluent-bit -c <configName>` there and waits for it to exit.
 */
export function runFluentBit(fb: FluentBit, config: string, files: Record<string, string | Uint8Array>, options: RunOptions = {}): FluentBitRun {
  const configName = options.configName ?? "fluent-bit.conf";
  const dir = prepare(files, config, configName);
  const r = spawnSync(fb.bin, [...(options.args ?? []), "-c", configName], {
    cwd: dir,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60000,
    maxBuffer: 256 * 1024 * 1024,
    env: options.env ?? process.env,
  });
  return makeRun(dir, r.stdout ?? "", r.stderr ?? "", r.status, r.signal);
}

/**
 * As runFluentBit, without blocking: several short runs can wait on Fluent
 * Bit's timers together. With `configPath` Fluent Bit reads that config
 * (relative to `cwd`) instead of `config`.
 */
/**
 * `stopWhen` (checked every 250 ms on the run's directory) ends the run with
 * SIGTERM once it holds: for configs whose records pass rewrite_tag's
 * emitter, because at Exit_On_Eof Fluent Bit pauses the emitter with records
 * still in it and exits without them (seen with 5.1.1, about one run in six).
 */
export function runFluentBitAsync(
  fb: FluentBit,
  config: string,
  files: Record<string, string | Uint8Array>,
  options: RunOptions & { cwd?: string; configPath?: string; stopWhen?: (dir: string) => boolean } = {},
): Promise<FluentBitRun> {
  const configName = options.configName ?? "fluent-bit.conf";
  const dir = options.cwd ?? prepare(files, config, configName);
  const configPath = options.configPath ?? path.join(dir, configName);
  return new Promise((resolve) => {
    const child = spawn(fb.bin, [...(options.args ?? []), "-c", configPath], { cwd: dir, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60000);
    const stopWhen = options.stopWhen;
    const poll = stopWhen
      ? setInterval(() => {
          if (!stopWhen(dir)) return;
          clearInterval(poll);
          child.kill("SIGTERM");
        }, 250)
      : undefined;
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve(makeRun(dir, stdout, stderr, status, signal));
    });
  });
}

/** Runs `tasks` with at most `limit` of them at once; the results in order. */
export function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T>[] {
  let running = 0;
  const queue: (() => void)[] = [];
  return tasks.map(
    (task) =>
      new Promise<T>((resolve, reject) => {
        const start = () => {
          running++;
          task()
            .then(resolve, reject)
            .finally(() => {
              running--;
              queue.shift()?.();
            });
        };
        if (running < limit) start();
        else queue.push(start);
      }),
  );
}

/** Fluent Bit's [error] log lines (and crash reports), for assertions that nothing went wrong. */
export function errorLines(log: string): string[] {
  return log.split("\n").filter((l) => /\[\s*error\]|caught signal \(SIG(SEGV|ABRT|BUS|FPE|ILL)|double free|corrupt/i.test(l));
}

/** A TCP port nothing listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on the loopback port. */
export async function waitForPort(port: number, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${ms} ms`);
}

/** Waits until `done()` holds or `ms` pass. */
export async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

/**
 * The [SERVICE] line every end-to-end config carries: Fluent Bit 5.1's default
 * coroutine stack. Before 5.1.0 the default is 24 KiB (1.5 x PTHREAD_STACK_MIN),
 * and the `file` and `stdout` outputs overflow it while writing a record nested
 * about 19 levels deep as JSON: Fluent Bit crashes with or without any filter
 * (tests/e2e/nesting.test.ts). The README tells 4.1.x users the same.
 */
export const CORO_STACK = "Coro_Stack_Size 65536";

/**
 * A filtered record without what the wall clock alone decides. Records
 * without a time of their own carry Fluent Bit's ingest time, so whether one
 * of them closes a statistics interval (the namespace's `stats`, the "stats"
 * route after the alert routes) depends on when the run happened to cross a
 * multiple of the interval, not on the record; the Node host, fed one fixed
 * time, never crosses. Left: the record, its matches and its alert routes.
 */
export function withoutIngestStats(record: unknown, namespace = "tripline"): unknown {
  if (record === null || typeof record !== "object") return record;
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) if (key.startsWith(`${namespace}_alert`) && r[key] === "stats") delete r[key];
  const own = r[namespace];
  if (own !== null && typeof own === "object" && !Array.isArray(own)) {
    delete (own as Record<string, unknown>).stats;
    if (Object.keys(own).length === 0) delete r[namespace];
  }
  return record;
}
