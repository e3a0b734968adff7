// `npm run build`, after tsc: writes
//   assembly/runtime/schema.ts  the program format's constants, from src/compiler/schema.ts
//   build/engine.wasm           the engine, compiled once; rule programs are placed into it as data
//   build/tripline.wasm         the engine with the default rule pack (rules/)
//   build/copy-only.wasm        the benchmark floor: copies the record and returns it
//
// The engine imports one function, tripline.program_copy(dest, offset,
// length); here it becomes a function of the module that copies from a
// passive data segment (`memory.init`), the module's last segment. The
// finished engine imports nothing; `tripline build` only replaces that
// segment's bytes (src/compiler/module.ts).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import asc from "assemblyscript/asc";
import binaryen from "binaryen";
import { compileSources, readSources, ruleFiles, DEFAULT_RULES, isRuleError } from "../src/compiler/compile.js";
import { encodeProgram } from "../src/compiler/program/encode.js";
import { PACKAGE_CACHE } from "../src/compiler/cache.js";
import { PACKAGE_ROOT, ENGINE_PATH, placeProgram } from "../src/compiler/module.js";
import { writeSchema } from "./generate-schema.js";

/**
 * Binaryen passes run after asc's -O3, on the engine only (the copy-only
 * reference stays asc's stock output). WAMR's fast interpreter, which
 * Fluent Bit runs, writes an instruction's result straight into the local
 * a `local.set` names, but copies it for a `local.tee`: one more
 * interpreted instruction each time. -O3 prefers tees (smaller, free in a
 * JIT); `untee` turns each into a set and a get, `merge-blocks` removes
 * the blocks that leaves.
 */
const INTERPRETER_PASSES = ["--runPasses", "untee,merge-blocks"];

const out = path.join(PACKAGE_ROOT, "build");
mkdirSync(out, { recursive: true });

async function compile(entry: string, extra: string[] = []): Promise<Uint8Array> {
  let binary: Uint8Array | null = null;
  const stderr: string[] = [];
  const result = await asc.main([entry, "--config", "asconfig.json", "--target", "release", "--outFile", "out.wasm", ...extra], {
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith(".wasm")) binary = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
    },
    stdout: { write: () => true } as never,
    stderr: { write: (s: string) => (stderr.push(String(s)), true) } as never,
  });
  if (result.error || !binary) throw new Error(`asc failed for ${entry}: ${result.error?.message ?? "no output"}\n${stderr.join("")}`);
  return binary;
}

/** Resolves the program_copy import into memory.init from a new, last, passive segment. */
function linkProgramSegment(raw: Uint8Array, placeholder: Uint8Array): Uint8Array {
  const m = binaryen.readBinary(raw);
  m.setFeatures(binaryen.Features.MVP | binaryen.Features.BulkMemory | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.NontrappingFPToInt);
  let imported: binaryen.FunctionInfo | null = null;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
    if (info.module === "tripline" && info.base === "program_copy") imported = info;
  }
  if (!imported) throw new Error("the engine does not import tripline.program_copy");
  const segments = [];
  for (let i = 0; i < m.getNumMemorySegments(); i++) {
    const s = m.getMemorySegmentInfoByIndex(i);
    segments.push({ offset: s.passive ? 0 : m.i32.const(s.offset), data: new Uint8Array(s.data), passive: s.passive });
  }
  const programSegment = segments.length;
  segments.push({ offset: 0, data: placeholder, passive: true });
  const memory = m.getMemoryInfo();
  m.setMemory(memory.initial, memory.max ?? 65536, null, segments as never, false);
  m.removeFunction(imported.name);
  const i32 = binaryen.i32;
  m.addFunction(
    imported.name,
    binaryen.createType([i32, i32, i32]),
    binaryen.none,
    [],
    m.memory.init(String(programSegment) as never, m.local.get(0, i32), m.local.get(1, i32), m.local.get(2, i32)),
  );
  if (!m.validate()) throw new Error("the linked engine does not validate");
  const linked = m.emitBinary();
  m.dispose();
  const check = new WebAssembly.Module(linked as Uint8Array<ArrayBuffer>);
  if (WebAssembly.Module.imports(check).length > 0) throw new Error("the linked engine still imports something");
  return linked;
}

try {
  writeSchema();
  rmSync(PACKAGE_CACHE, { recursive: true, force: true }); // only the current pack's entries stay
  const empty = encodeProgram({ rules: [], correlations: [] }, { statsIntervalSec: 0 }).bytes;
  const engine = linkProgramSegment(await compile("assembly/index.ts", INTERPRETER_PASSES), empty);
  writeFileSync(ENGINE_PATH, engine);
  // The default pack's automata and parsed rule files go to the package's own cache (build/automata), so `tripline build` reuses them.
  const { program } = compileSources(readSources(ruleFiles([DEFAULT_RULES])), { cacheDir: PACKAGE_CACHE });
  const module = placeProgram(engine, program.bytes);
  writeFileSync(path.join(out, "tripline.wasm"), module);
  console.log(`build/engine.wasm ${engine.length} bytes; build/tripline.wasm: ${program.stats.rules} rules, ${program.stats.correlations} correlations, ${module.length} bytes`);
  // The reference filter, on AssemblyScript's stock runtime and host protocol (__new/__pin).
  writeFileSync(path.join(out, "copy-only.wasm"), await compile("bench/assembly/copy-only.ts", ["--runtime", "incremental", "--exportRuntime"]));
  console.log("build/copy-only.wasm");
} catch (err) {
  // binaryen rethrows uncaught errors with its whole minified source as the "line": print only the message.
  console.error(isRuleError(err) ? err.message : `build failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
