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
import { SHAPES, FORMATS } from "../compiler/schema.js";
import { isFlatJsonObject } from "./json.js";
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
    if (name === "malloc") malloc = fn;
    else if (name === "__new" && typeof exports.__pin === "function") {
      const pin = exports.__pin as Fn;
      malloc = (size) => pin(fn(size, 0));
    } else if (name === "free" || name === "__release" || name === "__unpin") free = fn;
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

const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Reads the returned C string at [start, end) of `mem` before the inputs are
 * freed (freeing may reuse or scribble on memory the result lives in).
 */
type ReadResult<T> = (mem: Buffer, start: number, end: number) => T;

/**
 * A plain Uint8Array over a Buffer (callers compare results with
 * Uint8Arrays). Buffer.from copies into Node's pool: Uint8Array#slice of
 * wasm memory costs about 3 µs a call.
 */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

const copyOut: ReadResult<Uint8Array> = (mem, start, end) => plain(Buffer.from(mem.subarray(start, end)));
const lengthOf: ReadResult<number> = (_mem, start, end) => end - start;

/**
 * A record the module returned, known to be one JSON object. `body` is
 * parsed on first use when a cheap check already proved the text an object
 * (most records: nobody reads most bodies). `bytes` is rebuilt from `text` on
 * demand when the decoding was lossless (no U+FFFD, no byte order mark for
 * TextDecoder to strip); otherwise it is the copy taken at the call.
 */
class ReturnedRecord {
  readonly kind = "record" as const;

  constructor(
    readonly text: string,
    private parsed: Record<string, unknown> | undefined,
    private copy: Uint8Array | null,
  ) {}

  get body(): Record<string, unknown> {
    return (this.parsed ??= JSON.parse(this.text) as Record<string, unknown>);
  }

  get bytes(): Uint8Array {
    return (this.copy ??= plain(Buffer.from(this.text, "utf8")));
  }
}

/** The decoded result: its text, plus the bytes themselves when the text alone cannot give them back. */
interface Returned {
  text: string;
  copy: Uint8Array | null;
}

const readReturned: ReadResult<Returned> = (mem, start, end) => {
  const text = decoder.decode(mem.subarray(start, end));
  // A leading UTF-8 byte order mark (the NUL stops a shorter string from matching).
  const bom = mem[start] === 0xef && mem[start + 1] === 0xbb && mem[start + 2] === 0xbf;
  const lossy = bom || text.includes("\ufffd");
  return { text, copy: lossy ? copyOut(mem, start, end) : null };
};

export class FluentBitHost {
  readonly counters: HostCounters = { calls: 0, records: 0, dropped: 0, lost: 0, traps: 0 };
  /** What Fluent Bit would have logged, one line per lost record. */
  readonly log: string[] = [];
  readonly exports: Record<string, unknown> & { memory: WebAssembly.Memory };
  private readonly fn: Fn;
  private readonly allocator: Allocator;
  /** A view of linear memory, remade when the module grows it (growing detaches the old buffer). */
  private view: Buffer = Buffer.alloc(0);
  /** What recognised() returned for each value of the export, so replays allocate nothing per record. */
  private readonly recognisedCache = new Map<number, { shape: string; formats: string[] }>();

  constructor(wasm: Uint8Array | WebAssembly.Module, functionName = "filter") {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    // Fluent Bit links no imports; a module that needs one must fail here too.
    const imports = WebAssembly.Module.imports(module);
    if (imports.length > 0) throw new ModuleStartError(`the module imports ${imports.map((i) => `${i.module}.${i.name}`).join(", ")}: Fluent Bit links no imports, so it would not start`);
    let instance;
    try {
      // Instantiated by AssemblyScript's loader; the calls then use the raw
      // exports, as WAMR calls them: the loader's wrappers cost a
      // rest-argument array and an extra call on every call.
      instance = instantiateSync(module, {}).instance;
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

  /** Linear memory as it is now (valid until the module next runs). */
  private memory(): Buffer {
    const buffer = this.exports.memory.buffer;
    if (this.view.buffer !== buffer) this.view = Buffer.from(buffer);
    return this.view;
  }

  /**
   * Copies a record or tag of `length` bytes into the module the way
   * wasm_runtime_module_dup_data does, NUL added; a string goes in as UTF-8,
   * written straight into memory.
   */
  private copyIn(data: string | Uint8Array, length: number): number {
    // Pointers are unsigned: above 2 GiB an i32 would read as negative.
    const ptr = this.allocator.malloc(length + 1) >>> 0;
    if (ptr === 0) throw new Error(`the module could not allocate ${length + 1} bytes`);
    const mem = this.memory();
    if (typeof data === "string") mem.write(data, ptr, length, "utf8");
    else mem.set(data, ptr);
    mem[ptr + length] = 0;
    return ptr;
  }

  /**
   * The call protocol, as filter_wasm makes it: copy tag and record in
   * (NUL-terminated), call, read the returned C string (strdup), free both.
   * Returns what `read` made of the string; null when the result is not a
   * valid string address; TRAPPED on a trap (counted and logged).
   */
  private invoke<T>(fn: Fn, tag: string | Uint8Array, sec: number, nsec: number, record: string | Uint8Array, read: ReadResult<T>): T | null | typeof TRAPPED {
    const tagLength = byteLength(tag);
    const recordLength = byteLength(record);
    const tagPtr = this.copyIn(tag, tagLength);
    const recordPtr = this.copyIn(record, recordLength);
    try {
      let result: number;
      try {
        result = fn(tagPtr, tagLength, sec | 0, nsec | 0, recordPtr, recordLength) >>> 0;
      } catch (err) {
        // A trap in a tooling export (inspect) is an error of the tool, not a lost record.
        if (fn !== this.fn) throw err;
        this.counters.traps++;
        this.counters.lost++;
        this.log.push(`Got exception running wasm code: ${(err as Error).message}`);
        return TRAPPED;
      }
      const mem = this.memory();
      const end = cStringEnd(mem, result);
      return end < 0 ? null : read(mem, result, end);
    } finally {
      this.allocator.free(tagPtr);
      this.allocator.free(recordPtr);
    }
  }

  /**
   * Runs one record. `time` is seconds since the epoch (fractions become
   * nanoseconds), or an explicit [sec, nsec] pair.
   */
  call(tag: string, time: number | [number, number], record: string | Uint8Array): Outcome {
    this.counters.calls++;
    const [sec, nsec] = Array.isArray(time) ? time : splitTime(time);
    const result = this.invoke(this.fn, tag, sec, nsec, record, readReturned);
    if (result === TRAPPED) return { kind: "lost", reason: this.log[this.log.length - 1] };
    if (result === null) return this.lose("[wasm] returned value is invalid");
    return this.interpret(result);
  }

  /**
   * The call protocol alone: returns a copy of the returned string's bytes;
   * null when the result is not a valid string address; TRAPPED on a trap.
   * Benchmarks use this to leave out the decoding and JSON parsing `call` adds.
   */
  callBytes(tag: Uint8Array, sec: number, nsec: number, record: Uint8Array): Uint8Array | null | typeof TRAPPED {
    this.counters.calls++;
    return this.invoke(this.fn, tag, sec, nsec, record, copyOut);
  }

  /** As callBytes, but only the returned string's length in bytes (no copy at all). */
  callLength(tag: Uint8Array, sec: number, nsec: number, record: Uint8Array): number | null | typeof TRAPPED {
    this.counters.calls++;
    return this.invoke(this.fn, tag, sec, nsec, record, lengthOf);
  }

  /**
   * tripline's own tooling exports (not part of Fluent Bit's contract):
   * `inspect` explains a record without changing any state, `report` gives
   * the totals since the module started. Both return JSON.
   */
  inspect(tag: string, time: number | [number, number], record: string | Uint8Array): Record<string, unknown> {
    const fn = this.exports.inspect as Fn | undefined;
    if (typeof fn !== "function") throw new Error("this module has no inspect export (built by an older tripline?)");
    const [sec, nsec] = Array.isArray(time) ? time : splitTime(time);
    const result = this.invoke(fn, tag, sec, nsec, record, readReturned);
    return JSON.parse(result === null || result === TRAPPED ? "" : result.text);
  }

  /**
   * What the last record was read as: its shape and formats (names from
   * src/compiler/schema.ts), or null for a module without the export. The
   * answer is shared between calls: read it, do not change it.
   */
  recognised(): { readonly shape: string; readonly formats: readonly string[] } | null {
    const fn = this.exports.recognised as Fn | undefined;
    if (typeof fn !== "function") return null;
    const v = fn() >>> 0;
    let answer = this.recognisedCache.get(v);
    if (!answer) {
      answer = { shape: SHAPES[v & 0xff] ?? "unknown", formats: FORMATS.filter((_, f) => (v >>> 8) & (1 << f)) };
      this.recognisedCache.set(v, answer);
    }
    return answer;
  }

  report(): ModuleReport {
    const fn = this.exports.report as Fn | undefined;
    if (typeof fn !== "function") throw new Error("this module has no report export (built by an older tripline?)");
    const ptr = fn() >>> 0;
    const mem = this.memory();
    const end = cStringEnd(mem, ptr);
    return JSON.parse(end < 0 ? "" : decoder.decode(mem.subarray(ptr, end)));
  }

  private interpret(result: Returned): Outcome {
    const { text, copy } = result;
    if (text.length === 0 && copy === null) {
      this.counters.dropped++;
      return { kind: "dropped" };
    }
    if (isFlatJsonObject(text)) {
      this.counters.records++;
      return new ReturnedRecord(text, undefined, copy);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return this.lose(`invalid JSON format. buf: ${text.slice(0, 200)}`, result);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return this.lose(`invalid JSON format. buf: ${text.slice(0, 200)}`, result);
    }
    this.counters.records++;
    return new ReturnedRecord(text, body as Record<string, unknown>, copy);
  }

  private lose(reason: string, returned?: Returned): Outcome {
    this.counters.lost++;
    this.log.push(reason);
    return returned ? { kind: "lost", reason, returned: returned.copy ?? plain(Buffer.from(returned.text, "utf8")) } : { kind: "lost", reason };
  }
}

/**
 * Where the C string at `ptr` ends (its NUL), or -1 when it is not a valid
 * string address (wasm_runtime_validate_app_str_addr: inside memory and
 * NUL-terminated there).
 */
function cStringEnd(mem: Buffer, ptr: number): number {
  if (ptr >= mem.length) return -1;
  // Buffer#indexOf clamps its start offset to 2^31 - 1: search a view that starts at ptr.
  const length = mem.subarray(ptr).indexOf(0);
  return length < 0 ? -1 : ptr + length;
}

function byteLength(data: string | Uint8Array): number {
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
}

function splitTime(seconds: number): [number, number] {
  const sec = Math.floor(seconds);
  return [sec, Math.round((seconds - sec) * 1e9)];
}
