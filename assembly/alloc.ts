// Heap for tensor storage: segregated free lists, never a bump-only arena.
//
// Every block is 16-byte aligned (f32x4 loads) and carries a 16-byte header holding its
// size class. Sizes are rounded up to four classes per power of two, so a block wastes at
// most 25%. A freed block goes on its class's list and is handed out again for the next
// request of that class: a training loop that allocates the same shapes every step
// reaches a steady state and linear memory stops growing.
//
// Sizes never wrap. A 32-bit memory holds at most 4 GiB; a request above MAX_BYTES (3 GiB) is
// refused before any size arithmetic, so `bytes + HEADER` and every class size stay below 2^32,
// and the end of a new block is computed in 64 bits and refused past the end of the address
// space. Two entry points:
// - `heap_alloc` (exported to JS as `alloc`): returns 0 when the request cannot be met, and
//   changes nothing then. The TypeScript side turns that into an RnnError.
// - `alloc` (the kernels' scratch, imported by every kernel file): the same, but a failure
//   records the size and traps (`unreachable`) instead of handing a kernel address 0 to write
//   through. Each scratch block is logged until freed, so after such a trap `scratch_rollback`
//   frees what the interrupted kernel held: nothing leaks, the heap stays consistent, and the
//   TypeScript side reports the failure as an RnnError.

const HEADER: usize = 16;
const MIN_SHIFT: u32 = 6; // smallest block: 64 bytes
const NUM_CLASSES: i32 = 4 * 32;
/** The largest request served: 3 GiB. Its class (3.5 GiB) and header still fit in 32 bits. */
const MAX_BYTES: usize = 0xC000_0000;
/** One past the last address of a 32-bit memory. */
const ADDRESS_END: u64 = <u64>1 << 32;

// heads of the free lists, one u32 pointer per class
const freeHeads: usize = memory.data(NUM_CLASSES * 4, 16);
let top: usize = 0; // first byte never handed out
let liveBytes: usize = 0;

// the kernels' live scratch blocks (see above); a block past LOG_CAP is simply not logged
const LOG_CAP: i32 = 64;
const scratchLog: usize = memory.data(LOG_CAP * 4, 16);
let logged: i32 = 0;
let failedBytes: usize = 0; // the scratch request that could not be met (0: none)

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

/** Allocates `bytes` bytes, 16-byte aligned; 0 (and nothing changed) when it cannot. */
function take(bytes: usize): usize {
  if (bytes > MAX_BYTES) return 0;
  const c = classOf(bytes + HEADER);
  const head = freeHeads + (<usize>c << 2);
  let block = <usize>load<u32>(head);
  if (block != 0) {
    store<u32>(head, load<u32>(block + HEADER));
  } else {
    if (top == 0) top = (__heap_base + 15) & ~<usize>15;
    block = top;
    const end = <u64>block + <u64>classSize(c);
    if (end >= ADDRESS_END) return split(c);   // top would wrap past a 32-bit memory
    const have = <u64>memory.size() << 16;
    if (end > have) {
      const need = <i32>((end - have + 0xffff) >> 16);
      const grow = max(need, <i32>memory.size() >> 3); // grow by at least 1/8
      if (memory.grow(grow) < 0 && memory.grow(need) < 0) return split(c);
    }
    top = <usize>end;
    store<u32>(block, <u32>c);
  }
  liveBytes += classSize(c);
  return block + HEADER;
}

/**
 * When memory cannot grow: a block of class c cut from the front of the smallest free block of a
 * larger class; the rest of that block goes back on the free lists as blocks of the largest
 * classes that fit. So memory freed in big blocks serves smaller requests once memory is at its
 * limit (blocks are never merged). Returns 0 (nothing changed) when no larger block is free.
 */
function split(c: i32): usize {
  let k = c + 1;
  while (k < NUM_CLASSES && load<u32>(freeHeads + (<usize>k << 2)) == 0) k++;
  if (k >= NUM_CLASSES) return 0;
  const head = freeHeads + (<usize>k << 2);
  const block = <usize>load<u32>(head);
  store<u32>(head, load<u32>(block + HEADER));
  store<u32>(block, <u32>c);
  let rest = block + classSize(c), left = classSize(k) - classSize(c);
  while (left >= (1 << MIN_SHIFT)) {
    let r = classOf(left);
    if (classSize(r) > left) r--;
    const h = freeHeads + (<usize>r << 2);
    store<u32>(rest, <u32>r);
    store<u32>(rest + HEADER, load<u32>(h));
    store<u32>(h, <u32>rest);
    rest += classSize(r);
    left -= classSize(r);
  }
  liveBytes += classSize(c);
  return block + HEADER;
}

/** Returns a block to its free list. */
function give(ptr: usize): void {
  const block = ptr - HEADER;
  const c = <i32>load<u32>(block);
  const head = freeHeads + (<usize>c << 2);
  store<u32>(ptr, load<u32>(head));
  store<u32>(head, <u32>block);
  liveBytes -= classSize(c);
}

/** Allocates `bytes` bytes, 16-byte aligned, for the TypeScript side. Returns 0 when memory cannot hold them. */
export function heap_alloc(bytes: usize): usize { return take(bytes); }

/**
 * A kernel's scratch block of `bytes` bytes, 16-byte aligned. Traps when memory cannot hold it
 * (after recording the size for `scratch_rollback`): a kernel never writes through address 0.
 */
export function alloc(bytes: usize): usize {
  const p = take(bytes);
  if (p == 0) {
    failedBytes = bytes == 0 ? 1 : bytes;
    unreachable();
  }
  if (logged < LOG_CAP) {
    store<u32>(scratchLog + (<usize>logged << 2), <u32>p);
    logged++;
  }
  return p;
}

/** Returns a block from `alloc` or `heap_alloc` to its free list. `free(0)` does nothing. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  for (let i = logged - 1; i >= 0; i--) {
    const q = scratchLog + (<usize>i << 2);
    if (load<u32>(q) == <u32>ptr) {
      logged--;
      store<u32>(q, load<u32>(scratchLog + (<usize>logged << 2)));
      break;
    }
  }
  give(ptr);
}

/**
 * After a trap inside a kernel: frees the scratch blocks it still held and returns the size of
 * the request that failed (0 when the trap was not a failed allocation).
 */
export function scratch_rollback(): f64 {
  for (let i = 0; i < logged; i++) give(<usize>load<u32>(scratchLog + (<usize>i << 2)));
  logged = 0;
  const b = failedBytes;
  failedBytes = 0;
  return <f64>b;
}

/** Bytes currently handed out (headers and rounding included). */
export function heapLiveBytes(): f64 { return <f64>liveBytes; }
/** Bytes of linear memory the heap has ever touched. */
export function heapTopBytes(): f64 { return <f64>top; }
