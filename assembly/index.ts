// tripline's entry points for Fluent Bit's wasm filter (`Function_Name
// filter`): the filter itself, and malloc/free, which WAMR uses to copy each
// record in. The host contract is in DESIGN.md §1; src/host reproduces it.
import { loadProgram, ProgramHeader } from "./program/load";
import { programCopy } from "./runtime/program-source";
import { allocate, release } from "./runtime/alloc";
import { Pipeline } from "./pipeline";
import "./runtime/abort";

/** Copies the embedded program into the heap: its header says how long it is. */
function embeddedProgram(): Pipeline {
  const header = heap.alloc(offsetof<ProgramHeader>());
  programCopy(header, 0, <i32>offsetof<ProgramHeader>());
  const length = <usize>changetype<ProgramHeader>(header).length;
  heap.free(header);
  // 8 bytes of slack: loads of 8 bytes may start at any byte of a value.
  const at = heap.alloc(length + 8);
  programCopy(at, 0, length);
  const program = loadProgram(at, length);
  // A program that fails its checks stops the module here, at instantiation.
  if (program.failedAt != 0) unreachable();
  return new Pipeline(program);
}

const pipeline = embeddedProgram();
let calls: u32 = 0;

export function filter(tag: usize, tagLen: i32, sec: i32, nsec: i32, record: usize, recordLen: i32): usize {
  // The per-record path allocates nothing managed; collecting now and then
  // keeps even a slow leak bounded. Only globals hold references here.
  if ((++calls & 0xffff) == 0) __collect();
  return pipeline.process(tag, tagLen, sec, nsec, record, recordLen);
}

/** For `tripline explain`: what the filter would see in this record, as JSON; changes nothing. */
export function inspect(tag: usize, tagLen: i32, sec: i32, nsec: i32, record: usize, recordLen: i32): usize {
  return pipeline.inspect(tag, tagLen, sec, nsec, record, recordLen);
}

/** For `tripline test`: totals since start (records by shape, per correlation late, out-of-order and keyless events), as JSON. */
export function report(): usize {
  return pipeline.report();
}

/** For `tripline test`'s per-format summary: what the last record was read as (shape | formats << 8); changes nothing. */
export function recognised(): u32 {
  return <u32>pipeline.record.shape | (pipeline.record.formats << 8);
}

export function malloc(size: usize): usize {
  return allocate(size);
}

export function free(ptr: usize): void {
  release(ptr);
}
