// malloc/free for the host's per-record buffers. WAMR (and so Fluent Bit)
// copies the tag and the record into the module through the module's
// exported malloc/free when it has them, in place of AssemblyScript's
// __new/__pin/__unpin. Two blocks live per call, so a free list per
// power-of-two size class turns almost every call into a list pop and push.
//
// Each block carries its class in an 8-byte header, and 8 bytes of slack
// after the requested size, so scanners may load 8 bytes at a time up to
// the last byte of a value without leaving the block.

const HEADER: usize = 8;
const SLACK: usize = 8;
const MIN_CLASS = 4; // 16 bytes
/** Blocks above 1 MiB go straight back to the heap instead of a list. */
const MAX_CLASS = 20;

const freeLists = new StaticArray<usize>(MAX_CLASS + 1);

function classOf(size: usize): i32 {
  const need = size + SLACK;
  const c = 32 - clz<u32>(<u32>need - 1);
  return c < MIN_CLASS ? MIN_CLASS : c;
}

export function allocate(size: usize): usize {
  if (size > 0x7fff0000) return 0;
  const c = classOf(size);
  if (c <= MAX_CLASS) {
    const head = unchecked(freeLists[c]);
    if (head != 0) {
      unchecked((freeLists[c] = load<usize>(head)));
      return head;
    }
  }
  // Large blocks are sized exactly: they are rare and go back to the heap.
  const block = heap.alloc(HEADER + (c <= MAX_CLASS ? <usize>1 << <usize>c : size + SLACK));
  store<u32>(block, c);
  return block + HEADER;
}

export function release(ptr: usize): void {
  if (ptr == 0) return;
  const c = <i32>load<u32>(ptr - HEADER);
  if (c > MAX_CLASS) {
    heap.free(ptr - HEADER);
    return;
  }
  store<usize>(ptr, unchecked(freeLists[c]));
  unchecked((freeLists[c] = ptr));
}
