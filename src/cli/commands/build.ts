// `tripline build`: rules in, module out. The engine is already compiled;
// the rule program is placed into it as data, so a build takes well under
// a second. With --aot the module is also compiled ahead of time by Fluent
// Bit's flb-wamrc (the fast path: about 5x less CPU added per record in
// Fluent Bit than the interpreter, in npm run bench).
import { renameSync, rmSync, existsSync, accessSync, constants } from "node:fs";
import { writeFile } from "node:fs/promises";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { UsageError, type Parsed } from "../args.js";
import { compileOptions, rulePaths, str, flag } from "../options.js";
import { compileSources, readSources } from "../../compiler/compile.js";
import { buildModule } from "../../compiler/module.js";
import { FluentBitHost } from "../../host/host.js";
import type { Program } from "../../compiler/program/encode.js";

/**
 * Compiles and places the program: what build writes, check only runs.
 * Warnings go to stderr, one line each; they do not change the exit status.
 */
function compileModule(p: Parsed): { program: Program; wasm: Uint8Array; files: number } {
  const files = rulePaths(p.positional);
  const { program, warnings } = compileSources(readSources(files), compileOptions(p));
  for (const w of warnings) console.error(w.message);
  return { program, wasm: buildModule(program.bytes), files: files.length };
}

/** The module must start: it checks its program at instantiation, as Fluent Bit would. */
function startModule(wasm: Uint8Array): void {
  new FluentBitHost(wasm);
}

export function describe(program: Program): string {
  const s = program.stats;
  const lines = [`${s.rules} rules, ${s.correlations} correlations, ${s.predicates} predicates in ${s.automata} automata (${s.states} states)`];
  for (const f of s.fields) lines.push(`  ${f.field}: ${f.automata} automat${f.automata === 1 ? "on" : "a"}, ${f.states} states`);
  return lines.join("\n");
}

/** flb-wamrc: --wamrc, then FLB_WAMRC, then PATH. */
function wamrc(p: Parsed): string {
  const given = str(p, "wamrc") ?? process.env.FLB_WAMRC;
  if (given) {
    if (!existsSync(given)) throw new UsageError(`flb-wamrc '${given}' does not exist`);
    return given;
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "flb-wamrc");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new UsageError("--aot needs Fluent Bit's flb-wamrc: put it on PATH, set FLB_WAMRC or pass --wamrc PATH (built with Fluent Bit's -DFLB_WAMRC=On)");
}

/**
 * Writes the module whole, and only if it starts: the file is written (in
 * the background, while the module starts on this thread: a 4 MB write can
 * take as long as the start check) under a temporary name, renamed when
 * both have succeeded, removed otherwise.
 */
async function writeIfItStarts(file: string, wasm: Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  const written = writeFile(tmp, wasm).then(
    () => undefined,
    (err: NodeJS.ErrnoException) => new UsageError(`cannot write '${file}': ${err.code ?? err.message}`),
  );
  try {
    startModule(wasm);
  } catch (err) {
    await written;
    rmSync(tmp, { force: true });
    throw err;
  }
  const failed = await written;
  if (failed) {
    rmSync(tmp, { force: true });
    throw failed;
  }
  renameSync(tmp, file);
}

export async function cmdBuild(p: Parsed): Promise<number> {
  const out = str(p, "out") ?? "tripline.wasm";
  if (!existsSync(path.dirname(path.resolve(out)))) throw new UsageError(`cannot write '${out}': its directory does not exist`);
  const aot = flag(p, "aot");
  if (!aot && (str(p, "target") || str(p, "cpu") || str(p, "wamrc"))) throw new UsageError("--target, --cpu and --wamrc go with --aot");
  const compiler = aot ? wamrc(p) : null;
  const started = Date.now();
  const { program, wasm } = compileModule(p);
  await writeIfItStarts(out, wasm);
  console.log(`${out}: ${describe(program)}\n  ${wasm.length} bytes, built in ${((Date.now() - started) / 1000).toFixed(2)} s`);
  if (compiler) {
    const aotFile = out.replace(/\.wasm$/, "") + ".aot";
    const args = ["--disable-simd", ...(str(p, "target") ? [`--target=${str(p, "target")}`] : []), ...(str(p, "cpu") ? [`--cpu=${str(p, "cpu")}`] : []), "-o", aotFile, out];
    const r = spawnSync(compiler, args, { encoding: "utf8" });
    if (r.status !== 0) throw new UsageError(`flb-wamrc failed (${compiler} ${args.join(" ")}): ${(r.stderr || r.stdout || String(r.error)).trim().split("\n").pop()}`);
    console.log(`${aotFile}: compiled ahead of time by ${compiler}${str(p, "cpu") ? ` for ${str(p, "cpu")}` : " for this CPU"} (tied to this Fluent Bit/WAMR release)`);
  }
  return 0;
}

export function cmdCheck(p: Parsed): number {
  const { program, wasm, files } = compileModule(p);
  startModule(wasm);
  console.log(`ok: ${files} file(s), ${describe(program)}`);
  return 0;
}
