// A host that calls the module exactly as Fluent Bit's filter_wasm does
// (src/wasm/flb_wasm.c, flb_wasm_call_function_format_json, Fluent Bit 5.1,
// with WAMR 2.4.1's module malloc):
//   1. copy tag and record into the module, each followed by a NUL byte the
//      lengths do not count: through the module's exported malloc/free when it
//      has them (tripline), else AssemblyScript's __new(len + 1, 0) + __pin
//      and __unpin (the stock runtime; the copy-only reference filter);
//   2. call fn(tag, tag_len, sec, nsec, record, record_len);
//   3. a trap loses the record ("Got exception running wasm code");
//   4. check the returned pointer is a NUL-terminated string inside memory
//      (wasm_runtime_validate_app_str_addr), copy it (strdup);
//   5. free both inputs;
//   6. "" drops the record; anything but a JSON object loses it
//      ("invalid JSON format"); an object replaces the record body.
// Everything in tripline that runs the module in Node goes through this class.
import { instantiateSync } from "@assemblyscript/loader";
import { SHAPES, FORMATS } from "../compiler/schema.js";

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

type Fn = (...args: number[]) => number;

/** The module's allocator as WAMR resolves it (wasm_loader.c: the last matching export wins). */
interface Allocator {
  malloc(size: number): number;
  free(ptr: number): void;
}

function allocatorOf(module: WebAssembly.Module, exports: Record<string, unknown>): Allocator {
  let malloc: ((size: number) => number) | null = null;
  let free: ((ptr: number) => void) | null = null;
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
  for (const name of names) {
    const fn = exports[name] as Fn;
    if (name === "malloc") malloc = (size) => fn(size);
    else if (name === "__new" && typeof exports.__pin === "function") {
      const pin = exports.__pin as Fn;
      malloc = (size) => pin(fn(size, 0));
    } else if (name === "free" || name === "__release" || name === "__unpin") free = (ptr) => void fn(ptr);
  }
  if (!malloc || !free) throw new Error("the module exports no allocator (malloc/free, or __new/__pin/__unpin): Fluent Bit would put its own heap inside the module's memory");
  return { malloc, free };
}

/** The module's totals since start (its `report` export). */
export interface ModuleReport {
  records: number;
  matched: number;
  alerted: number;
  alerts: number;
  dropped: number;
  /** Fleet aggregators (`--shards`): records that reached them with no key they own. */
  misrouted?: number;
  shapes: Record<string, number>;
  correlations: Record<string, { keys: number; evictions: number; late: number; out_of_order: number; missing_key: number; missing_value: number }>;
  /** The sshd processes whose client address is remembered for their lines without one. */
  ssh_sessions?: { keys: number; capacity: number; evictions: number; too_long: number };
}

/** What callBytes returns when the module trapped. */
export const TRAPPED = Symbol("trapped");

/** Thrown when a module cannot be started: Fluent Bit would refuse to start with it too. */
export class ModuleStartError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

export class FluentBitHost {
  readonly counters: HostCounters = { calls: 0, records: 0, dropped: 0, lost: 0, traps: 0 };
  /** What Fluent Bit would have logged, one line per lost record. */
  readonly log: string[] = [];
  readonly exports: Record<string, unknown> & { memory: WebAssembly.Memory };
  private readonly fn: Fn;
  private readonly allocator: Allocator;

  constructor(wasm: Uint8Array | WebAssembly.Module, functionName = "filter") {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    // Fluent Bit links no imports; a module that needs one must fail here too.
    const imports = WebAssembly.Module.imports(module);
    if (imports.length > 0) throw new ModuleStartError(`the module imports ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}: Fluent Bit links no imports, so it would not start`);
    let instance;
    try {
      instance = instantiateSync(module, {});
    } catch (err) {
      throw new ModuleStartError(`the module stopped while starting (${(err as Error).message}): its rule program is corrupt or from another tripline version; rebuild it with \`tripline build\``);
    }
    this.exports = instance.exports as never;
    const fn = this.exports[functionName];
    if (typeof fn !== "function") throw new Error(`the module exports no function '${functionName}'`);
    this.fn = fn as Fn;
    this.allocator = allocatorOf(module, this.exports);
  }

  /** Linear memory size in bytes (what the module holds, including its heap). */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** Copies bytes into the module the way wasm_runtime_module_dup_data does, NUL added. */
  private copyIn(bytes: Uint8Array): number {
    // Pointers are unsigned: above 2 GiB an i32 would read as negative.
    const ptr = this.allocator.malloc(bytes.length + 1) >>> 0;
    if (ptr === 0) throw new Error(`the module could not allocate ${bytes.length + 1} bytes`);
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
    const recordBytes = typeof record === "string" ? encoder.encode(record) : record;
    const [sec, nsec] = Array.isArray(time) ? time : splitTime(time);
    const result = this.callBytes(encoder.encode(tag), sec, nsec, recordBytes);
    if (result === TRAPPED) return { kind: "lost", reason: this.log[this.log.length - 1] };
    if (result === null) return this.lose("[wasm] returned value is invalid");
    const outcome = this.interpret(result);
    if (outcome.kind === "lost") outcome.returned = result;
    return outcome;
  }

  /**
   * The call protocol alone, as filter_wasm makes it: copy tag and record in
   * (NUL-terminated), call, copy the returned C string out (strdup), free
   * both. Returns the copy; null when the result is not a valid string
   * address; TRAPPED on a trap (counted and logged). Benchmarks use this to
   * leave out the decoding and JSON parsing `call` adds.
   */
  callBytes(tag: Uint8Array, sec: number, nsec: number, record: Uint8Array): Uint8Array | null | typeof TRAPPED {
    this.counters.calls++;
    const tagPtr = this.copyIn(tag);
    const recordPtr = this.copyIn(record);
    try {
      let result: number;
      try {
        result = this.fn(tagPtr, tag.length, sec | 0, nsec | 0, recordPtr, record.length) >>> 0;
      } catch (err) {
        this.counters.traps++;
        this.counters.lost++;
        this.log.push(`Got exception running wasm code: ${(err as Error).message}`);
        return TRAPPED;
      }
      return readCString(new Uint8Array(this.exports.memory.buffer), result);
    } finally {
      this.allocator.free(tagPtr);
      this.allocator.free(recordPtr);
    }
  }

  /**
   * tripline's own tooling exports (not part of Fluent Bit's contract):
   * `inspect` explains a record without changing any state, `report` gives
   * the totals since the module started. Both return JSON.
   */
  inspect(tag: string, time: number | [number, number], record: string | Uint8Array): Record<string, unknown> {
    const fn = this.exports.inspect as Fn | undefined;
    if (typeof fn !== "function") throw new Error("this module has no inspect export (built by an older tripline?)");
    const tagBytes = encoder.encode(tag);
    const recordBytes = typeof record === "string" ? encoder.encode(record) : record;
    const [sec, nsec] = Array.isArray(time) ? time : splitTime(time);
    const tagPtr = this.copyIn(tagBytes);
    const recordPtr = this.copyIn(recordBytes);
    try {
      const text = readCString(new Uint8Array(this.exports.memory.buffer), fn(tagPtr, tagBytes.length, sec | 0, nsec | 0, recordPtr, recordBytes.length) >>> 0);
      return JSON.parse(decoder.decode(text ?? new Uint8Array(0)));
    } finally {
      this.allocator.free(tagPtr);
      this.allocator.free(recordPtr);
    }
  }

  /**
   * What the last record was read as: its shape and formats (names from
   * src/compiler/schema.ts), or null for a module without the export.
   */
  recognised(): { shape: string; formats: string[] } | null {
    const fn = this.exports.recognised as Fn | undefined;
    if (typeof fn !== "function") return null;
    const v = fn() >>> 0;
    return { shape: SHAPES[v & 0xff] ?? "unknown", formats: FORMATS.filter((_, f) => (v >>> 8) & (1 << f)) };
  }

  report(): ModuleReport {
    const fn = this.exports.report as Fn | undefined;
    if (typeof fn !== "function") throw new Error("this module has no report export (built by an older tripline?)");
    const text = readCString(new Uint8Array(this.exports.memory.buffer), fn() >>> 0);
    return JSON.parse(decoder.decode(text ?? new Uint8Array(0)));
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
