// A host that calls the module exactly as Fluent Bit's filter_wasm does
// (src/wasm/flb_wasm.c, flb_wasm_call_function_format_json, Fluent Bit 5.1):
//   1. copy tag and record into the module with __new(len + 1, 0) + __pin,
//      each followed by a NUL byte the lengths do not count;
//   2. call fn(tag, tag_len, sec, nsec, record, record_len);
//   3. a trap loses the record ("Got exception running wasm code");
//   4. check the returned pointer is a NUL-terminated string inside memory
//      (wasm_runtime_validate_app_str_addr), copy it (strdup);
//   5. __unpin both inputs;
//   6. "" drops the record; anything but a JSON object loses it
//      ("invalid JSON format"); an object replaces the record body.
// Everything in tripline that runs the module in Node goes through this class.
import { instantiateSync } from "@assemblyscript/loader";

export type Outcome =
  | { kind: "record"; text: string; bytes: Uint8Array; body: Record<string, unknown> }
  | { kind: "dropped" }
  | { kind: "lost"; reason: string; returned?: Uint8Array };

export interface HostCounters {
  calls: number;
  records: number;
  dropped: number;
  lost: number;
  traps: number;
}

interface RuntimeExports {
  memory: WebAssembly.Memory;
  __new(size: number, id: number): number;
  __pin(ptr: number): number;
  __unpin(ptr: number): void;
  [name: string]: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

export class FluentBitHost {
  readonly counters: HostCounters = { calls: 0, records: 0, dropped: 0, lost: 0, traps: 0 };
  /** What Fluent Bit would have logged, one line per lost record. */
  readonly log: string[] = [];
  readonly exports: RuntimeExports;
  private readonly fn: (...args: number[]) => number;

  constructor(wasm: Uint8Array | WebAssembly.Module, functionName = "filter") {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    // Fluent Bit links no imports; a module that needs one must fail here too.
    const instance = instantiateSync(module, {});
    this.exports = instance.exports as unknown as RuntimeExports;
    const fn = this.exports[functionName];
    if (typeof fn !== "function") throw new Error(`the module exports no function '${functionName}'`);
    this.fn = fn as (...args: number[]) => number;
  }

  /**
   * Hands a rule program to a development build (assembly/dev.ts). The copy
   * stays pinned: the module reads its tables in place for its whole life.
   */
  loadProgram(program: Uint8Array): void {
    const load = this.exports.loadProgram;
    if (typeof load !== "function") throw new Error("this module has its program built in (loadProgram is only in the development build)");
    const ptr = this.copyIn(program);
    if (!(load as (p: number, n: number) => number)(ptr, program.length)) throw new Error("the module refused the program (built by another tripline version?)");
  }

  /** Linear memory size in bytes (what the module holds, including its heap). */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Copies bytes into the module the way wasm_runtime_module_dup_data does, NUL added. */
  private copyIn(bytes: Uint8Array): number {
    // Pointers are unsigned: above 2 GiB an i32 would read as negative.
    const ptr = this.exports.__pin(this.exports.__new(bytes.length + 1, 0)) >>> 0;
    const mem = new Uint8Array(this.exports.memory.buffer);
    mem.set(bytes, ptr);
    mem[ptr + bytes.length] = 0;
    return ptr;
  }

  /**
   * Runs one record. `time` is seconds since the epoch (fractions become
   * nanoseconds), or an explicit [sec, nsec] pair.
   */
  call(tag: string, time: number | [number, number], record: string | Uint8Array): Outcome {
    this.counters.calls++;
    const tagBytes = encoder.encode(tag);
    const recordBytes = typeof record === "string" ? encoder.encode(record) : record;
    const [sec, nsec] = Array.isArray(time) ? time : splitTime(time);
    const tagPtr = this.copyIn(tagBytes);
    const recordPtr = this.copyIn(recordBytes);
    let outcome: Outcome;
    try {
      let result: number;
      try {
        result = this.fn(tagPtr, tagBytes.length, sec | 0, nsec | 0, recordPtr, recordBytes.length) >>> 0;
      } catch (err) {
        this.counters.traps++;
        return this.lose(`Got exception running wasm code: ${(err as Error).message}`);
      }
      const copy = readCString(new Uint8Array(this.exports.memory.buffer), result);
      if (copy === null) return this.lose("[wasm] returned value is invalid");
      outcome = this.interpret(copy);
      if (outcome.kind === "lost") outcome.returned = copy;
    } finally {
      this.exports.__unpin(tagPtr);
      this.exports.__unpin(recordPtr);
    }
    return outcome;
  }

  private interpret(bytes: Uint8Array): Outcome {
    if (bytes.length === 0) {
      this.counters.dropped++;
      return { kind: "dropped" };
    }
    const text = decoder.decode(bytes);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return this.lose(`invalid JSON format. buf: ${text.slice(0, 200)}`);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return this.lose(`invalid JSON format. buf: ${text.slice(0, 200)}`);
    }
    this.counters.records++;
    return { kind: "record", text, bytes, body: body as Record<string, unknown> };
  }

  private lose(reason: string): Outcome {
    this.counters.lost++;
    this.log.push(reason);
    return { kind: "lost", reason };
  }
}

function splitTime(seconds: number): [number, number] {
  const sec = Math.floor(seconds);
  return [sec, Math.round((seconds - sec) * 1e9)];
}

/** The bytes of the NUL-terminated string at `ptr`, or null if it runs off memory. */
export function readCString(mem: Uint8Array, ptr: number): Uint8Array | null {
  if (ptr >= mem.length) return null;
  const end = mem.indexOf(0, ptr);
  if (end < 0) return null;
  return mem.slice(ptr, end);
}
