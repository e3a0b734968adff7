// The Fluent Bit call protocol with nothing else: copy tag and record in
// (__new + __pin, NUL-terminated), call, find the returned string's NUL and
// copy it out (what Fluent Bit's strdup does), __unpin both. No TextEncoder,
// no JSON.parse of the result: what remains is the module's own cost plus two
// copies, which is what the rule-scaling and correlation tables compare.
// FluentBitHost (src/host/host.ts) does the same calls and then also decodes
// and parses every result; section 1 reports both.
interface Exports {
  memory: WebAssembly.Memory;
  __new(size: number, id: number): number;
  __pin(ptr: number): number;
  __unpin(ptr: number): void;
  filter(tag: number, tagLen: number, sec: number, nsec: number, rec: number, recLen: number): number;
  loadProgram?: (ptr: number, len: number) => number;
}

export class LeanHost {
  private readonly x: Exports;
  private readonly tag: Uint8Array;
  /** Bytes returned by the last call (length of the copied string). */
  lastLength = 0;
  returnedBytes = 0;

  constructor(wasm: Uint8Array | WebAssembly.Module, tag = "web.access") {
    const module = wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    this.x = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    this.tag = new TextEncoder().encode(tag);
  }

  loadProgram(program: Uint8Array): void {
    if (!this.x.loadProgram) throw new Error("not a development build");
    const p = this.copyIn(program);
    if (!this.x.loadProgram(p, program.length)) throw new Error("program refused");
  }

  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  private copyIn(bytes: Uint8Array): number {
    const p = this.x.__pin(this.x.__new(bytes.length + 1, 0));
    const mem = new Uint8Array(this.x.memory.buffer);
    mem.set(bytes, p);
    mem[p + bytes.length] = 0;
    return p;
  }

  /** One record; returns the copy of what the module returned. */
  call(sec: number, nsec: number, record: Uint8Array): Uint8Array {
    const t = this.copyIn(this.tag);
    const r = this.copyIn(record);
    const out = this.x.filter(t, this.tag.length, sec | 0, nsec | 0, r, record.length) >>> 0;
    const mem = new Uint8Array(this.x.memory.buffer);
    const end = mem.indexOf(0, out);
    const copy = mem.slice(out, end);
    this.x.__unpin(t);
    this.x.__unpin(r);
    this.lastLength = copy.length;
    this.returnedBytes += copy.length;
    return copy;
  }
}
