// Heap for tensor storage: segregated free lists, never a bump-only arena.
//
// Every block is 16-byte aligned (f32x4 loads) and carries a 16-byte header holding its
// size class. Sizes are rounded up to four classes per power of two, so a block wastes at
// most 25%. A freed block goes on its class's list and is handed out again for the next
// request of that class: a training loop that allocates the same shapes every step
// reaches a steady state and linear memory stops growing.

const HEADER: usize = 16;
const MIN_SHIFT: u32 = 6; // smallest block: 64 bytes
const NUM_CLASSES: i32 = 4 * 32;

// heads of the free lists, one u32 pointer per class
const freeHeads: usize = memory.data(NUM_CLASSES * 4, 16);
let top: usize = 0; // first byte never handed out
let liveBytes: usize = 0;

// size class of a block of n bytes (header included): (exponent, 2-bit mantissa)
@inline function classOf(n: usize): i32 {
  if (n < (1 << MIN_SHIFT)) n = 1 << MIN_SHIFT;
  const e = 31 - <i32>clz(<u32>(n - 1)); // floor(log2(n - 1))
  // n - 1 in [2^e, 2^(e+1)); four sub-classes of width 2^(e-2)
  const m = <i32>(((n - 1) >> (e - 2)) & 3);
  return e * 4 + m;
}

@inline function classSize(c: i32): usize {
  const e = c >> 2;
  const m = <usize>(c & 3);
  return (<usize>1 << e) + ((m + 1) << (e - 2));
}

/** Allocates `bytes` bytes, 16-byte aligned. Returns 0 only if memory cannot grow. */
export function alloc(bytes: usize): usize {
  const c = classOf(bytes + HEADER);
  const head = freeHeads + (<usize>c << 2);
  let block = <usize>load<u32>(head);
  if (block != 0) {
    store<u32>(head, load<u32>(block + HEADER));
  } else {
    if (top == 0) top = (__heap_base + 15) & ~<usize>15;
    block = top;
    const end = block + classSize(c);
    const have = <usize>memory.size() << 16;
    if (end > have) {
      const need = <i32>((end - have + 0xffff) >> 16);
      const grow = max(need, <i32>memory.size() >> 3); // grow by at least 1/8
      if (memory.grow(grow) < 0 && memory.grow(need) < 0) return 0;
    }
    top = end;
    store<u32>(block, <u32>c);
  }
  liveBytes += classSize(c);
  return block + HEADER;
}

/** Returns a block from `alloc` to its free list. `free(0)` does nothing. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  const block = ptr - HEADER;
  const c = <i32>load<u32>(block);
  const head = freeHeads + (<usize>c << 2);
  store<u32>(ptr, load<u32>(head));
  store<u32>(head, <u32>block);
  liveBytes -= classSize(c);
}

/** Bytes currently handed out (headers and rounding included). */
export function heapLiveBytes(): usize { return liveBytes; }
/** Bytes of linear memory the heap has ever touched. */
export function heapTopBytes(): usize { return top; }
