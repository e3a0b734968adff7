// The Fluent Bit call protocol with nothing else: FluentBitHost.callBytes
// copies tag and record in, calls, copies the returned string out (Fluent
// Bit's strdup) and frees both, without decoding or JSON-parsing the result.
// What remains is the module's own cost plus the copies, which is what the
// rule-scaling and correlation tables compare; section 1 reports both. A
// wrapper only: the protocol itself lives in src/host/host.ts alone.
import { FluentBitHost, TRAPPED } from "../../src/host/host.js";
import { buildModule } from "../../src/compiler/module.js";

const EMPTY = new Uint8Array(0);

export class LeanHost {
  private readonly host: FluentBitHost;
  private readonly tag: Uint8Array;

  constructor(wasm: Uint8Array | WebAssembly.Module, tag = "web.access") {
    this.host = new FluentBitHost(wasm);
    this.tag = new TextEncoder().encode(tag);
  }

  /** The module `tripline build` makes of this program. */
  static of(program: Uint8Array): LeanHost {
    return new LeanHost(buildModule(program));
  }

  memoryBytes(): number {
    return this.host.memoryBytes();
  }

  /** One record; returns the copy of what the module returned (empty after a trap). */
  call(sec: number, nsec: number, record: Uint8Array): Uint8Array {
    const out = this.host.callBytes(this.tag, sec, nsec, record);
    return out === TRAPPED || out === null ? EMPTY : out;
  }
}
