// The module is the engine (compiled once, build/engine.wasm) with a rule
// program placed in it as data. The engine holds the program in its last
// data segment, a passive one it copies out with `memory.init` when it
// starts (scripts/build-engine.ts); placing a program replaces that
// segment's bytes and nothing else, so no code is compiled per rule set.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The package root (this file is dist/src/compiler/module.js once built). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const ENGINE_PATH = path.join(PACKAGE_ROOT, "build", "engine.wasm");

const DATA_SECTION = 11;

let engine: Uint8Array | undefined;

/** The engine's bytes (read once). */
export function engineBytes(): Uint8Array {
  if (!engine) {
    try {
      engine = new Uint8Array(readFileSync(ENGINE_PATH));
    } catch {
      throw new Error(`the engine is missing (${ENGINE_PATH}): run \`npm run build\` in the tripline package`);
    }
  }
  return engine;
}

/** The engine with `program` in place of its program segment. */
export function buildModule(program: Uint8Array): Uint8Array {
  return placeProgram(engineBytes(), program);
}

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public at: number,
  ) {}
  leb(): number {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (this.at >= this.bytes.length) throw new Error("not a WebAssembly module (truncated)");
      const b = this.bytes[this.at++];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
      shift += 7;
      if (shift > 35) throw new Error("not a WebAssembly module (bad LEB128)");
    }
  }
  /** Skips a constant expression up to its `end`. */
  skipConstExpr(): void {
    const op = this.bytes[this.at++];
    if (op === 0x41 || op === 0x23) this.leb(); // i32.const / global.get
    else throw new Error(`unsupported data segment offset (opcode 0x${op.toString(16)})`);
    if (this.bytes[this.at++] !== 0x0b) throw new Error("unsupported data segment offset (no end)");
  }
}

function leb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

/** Where the data section is, and where its last segment's bytes are. */
function locate(module: Uint8Array): { sectionAt: number; sectionEnd: number; payloadAt: number; segmentAt: number; dataAt: number; dataEnd: number } {
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d) throw new Error("not a WebAssembly module");
  const c = new Cursor(module, 8);
  while (c.at < module.length) {
    const sectionAt = c.at;
    const id = module[c.at++];
    const size = c.leb();
    const payloadAt = c.at;
    const sectionEnd = payloadAt + size;
    if (id !== DATA_SECTION) {
      c.at = sectionEnd;
      continue;
    }
    const count = c.leb();
    let segmentAt = -1;
    let dataAt = -1;
    let dataEnd = -1;
    for (let k = 0; k < count; k++) {
      segmentAt = c.at;
      const flags = c.leb();
      if (flags === 0) c.skipConstExpr();
      else if (flags === 2) {
        c.leb();
        c.skipConstExpr();
      } else if (flags !== 1) throw new Error(`unsupported data segment kind ${flags}`);
      const n = c.leb();
      dataAt = c.at;
      dataEnd = dataAt + n;
      c.at = dataEnd;
      if (k === count - 1 && flags !== 1) throw new Error("the engine's last data segment is not the program segment (passive)");
    }
    if (segmentAt < 0) break;
    return { sectionAt, sectionEnd, payloadAt, segmentAt, dataAt, dataEnd };
  }
  throw new Error("this module has no program segment: is it a tripline engine?");
}

/** Replaces the program segment's bytes: the data section is rewritten, every other byte kept. */
export function placeProgram(module: Uint8Array, program: Uint8Array): Uint8Array {
  const { sectionAt, sectionEnd, payloadAt, segmentAt } = locate(module);
  // The segment: flags 1 (passive), length, bytes.
  const segment = [1, ...leb(program.length)];
  const payloadLength = segmentAt - payloadAt + segment.length + program.length;
  const header = [DATA_SECTION, ...leb(payloadLength)];
  // Written in place, piece by piece: the program is megabytes, copied once.
  const out = new Uint8Array(sectionAt + header.length + payloadLength + (module.length - sectionEnd));
  let at = 0;
  for (const piece of [module.subarray(0, sectionAt), header, module.subarray(payloadAt, segmentAt), segment, program, module.subarray(sectionEnd)]) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** The program a built module carries. */
export function programOf(module: Uint8Array): Uint8Array {
  const { dataAt, dataEnd } = locate(module);
  return module.slice(dataAt, dataEnd);
}
