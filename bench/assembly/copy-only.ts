// The benchmark floor (DESIGN.md §1): a filter that copies the record into a
// buffer it owns and returns it, with no detection at all.
import "../../assembly/runtime/abort";

let buffer: usize = heap.alloc(4096);
let capacity: usize = 4096;

export function filter(tag: usize, tagLen: i32, sec: i32, nsec: i32, record: usize, recordLen: i32): usize {
  const need = <usize>recordLen + 1;
  if (need > capacity) {
    buffer = heap.realloc(buffer, need);
    capacity = need;
  }
  memory.copy(buffer, record, <usize>recordLen);
  store<u8>(buffer + <usize>recordLen, 0);
  return buffer;
}
