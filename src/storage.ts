// Where tensor data lives, and when it is given back.
//
// Every Storage is a block of the module's heap (assembly/alloc.ts). Two kinds:
// - persistent: parameters and optimizer state. Freed by dispose() or when the owning JS object
//   is garbage-collected (FinalizationRegistry).
// - transient: everything else (inputs, activations, outputs, gradients). Freed by dispose(),
//   by the autograd graph once backward has used it, or by eviction: when the resident transient
//   bytes pass a budget, the next safe point (the start of a public operation) *evicts* the oldest
//   transient blocks, down to 7/8 of the budget: their floats are copied into JS Float32Arrays and
//   the Wasm blocks are freed. (Evicting an eighth at a time keeps each pause short: the copies run
//   at about 1–1.5 GB/s, mostly the page faults of fresh JS memory.)
//   An evicted tensor still reads and computes as before; it is copied back the next time an
//   operation uses it. So Wasm memory stays bounded with no call to dispose(), even in a
//   synchronous loop where no finalizer ever runs, and nothing is ever lost. After an eviction
//   the JS copies of unreachable tensors are ordinary garbage for the JS collector.
//   (Transient blocks are deliberately held by a strong list, not WeakRefs: a WeakRef keeps its
//   target alive until the current job ends, which in a synchronous loop is never.)
// - recomputable: transient blocks that only the autograd graph holds and that it can compute
//   again from what it keeps (a recurrent layer's gate caches, inner layers' outputs). Eviction
//   drops them without a copy; if backward then needs them, the layer's forward runs again, with
//   the same bits. A forward that is never followed by backward (inference without noGrad) so
//   costs no copies.
import { MAX_MEMORY, MAX_NUMEL, RnnError, bytesText, checkNumel, fail, show } from './errors.js';
import { F32, w } from './wasm.js';

interface Token { ptr: number }

let transientBytes = 0;
let heapLimit = MAX_MEMORY;   // tests lower it (_internal.setHeapLimit) so that large valid requests fail fast
let budget = 64 << 20;
let transient: (Storage | null)[] = [];   // in allocation order; [0, head) already evicted (null)
let head = 0;
let compactAt = 4096;
const MAX_TRANSIENT = 1 << 16;

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Token>((t) => { if (t.ptr !== 0) { w().free(t.ptr); t.ptr = 0; } })
  : null;

export class Storage {
  /** Number of floats. */
  readonly length: number;
  private tok: Token = { ptr: 0 };
  private bytes: number;
  private transient: boolean;
  private cold: Float32Array | null = null;
  private canDrop = false;
  /** Set when eviction freed a recomputable block without keeping its data. */
  dropped = false;

  private constructor(length: number, persistent: boolean) {
    this.length = length;
    this.bytes = Math.max(4, length * 4);
    this.transient = !persistent;
  }

  /**
   * A new block of `length` floats (contents undefined). `what` names the argument for the
   * RnnError when the size is over the limit (MAX_NUMEL) or memory cannot hold it; nothing is
   * allocated then.
   */
  static alloc(length: number, persistent = false, what?: string): Storage {
    checkNumel(what ?? 'size', length);
    const s = new Storage(length, persistent);
    s.place(what ?? 'memory');
    if (persistent) registry?.register(s, s.tok, s);
    return s;
  }

  /** A new block filled with zeros. */
  static zeros(length: number, persistent = false, what?: string): Storage {
    const s = Storage.alloc(length, persistent, what);
    w().fill(s.tok.ptr, length, 0);
    return s;
  }

  /** A new block holding a copy of `data`. */
  static from(data: ArrayLike<number>, persistent = false, what?: string): Storage {
    const s = Storage.alloc(data.length, persistent, what);
    F32().set(data, s.tok.ptr >>> 2);
    return s;
  }

  private place(what: string): void {
    // over a lowered heap limit a request fails as in a full memory (one past 2 GiB, which no valid size is, still takes the
    // allocator's path, which must refuse what cannot fit); an address past 2 GiB reads as a negative i32
    const capped = this.bytes <= 2 ** 31 && w().heapLiveBytes() + this.bytes * 1.25 + 64 > heapLimit;   // a block's size class: up to 25% more
    const p = capped ? 0 : w().alloc(this.bytes) >>> 0;
    if (p === 0) throw outOfMemory(what, this.bytes);
    this.tok.ptr = p;
    if (this.transient) {
      transientBytes += this.bytes;
      transient.push(this);
    }
  }

  get persistent(): boolean { return !this.transient; }

  /** Marks a transient block as recomputable: eviction frees it without a copy (sets `dropped`). */
  recomputable(): this {
    this.canDrop = true;
    return this;
  }

  /** Makes this block persistent (a parameter or optimizer state): never evicted. */
  pin(): this {
    if (!this.transient) return this;
    if (this.tok.ptr !== 0) transientBytes -= this.bytes;
    this.transient = false;
    registry?.register(this, this.tok, this);
    return this;
  }

  /** True once dispose() has freed the data (a dropped cache is not disposed: it is recomputed). */
  get disposed(): boolean { return this.tok.ptr === 0 && this.cold === null && !this.dropped; }

  /**
   * Counts the `ptr` reads: every write to the data goes through one (Wasm kernels write through
   * the pointers they are given), so data derived from this block (step()'s transposed weights)
   * is current while the count is unchanged.
   */
  version = 0;

  /**
   * The byte offset of the data in Wasm memory, to read or write; brings evicted data back first.
   * Offsets run up to 4 GiB: index typed arrays with `ptr >>> 2`, never `ptr >> 2`.
   */
  get ptr(): number {
    this.version++;
    return this.readPtr;
  }

  /** The byte offset for reading only: unlike `ptr`, not counted as a possible write. */
  get readPtr(): number {
    if (this.tok.ptr === 0) {
      if (this.dropped) throw new RnnError('wasm-rnn: internal error: a dropped cache was used before it was computed again');
      if (this.cold === null) throw usedAfterDispose(`a tensor of ${this.length} elements`);
      const c = this.cold;
      this.place('tensor');         // may throw (out of memory): the JS copy is kept until it succeeds
      this.cold = null;
      F32().set(c, this.tok.ptr >>> 2);
    }
    return this.tok.ptr;
  }

  /** A copy of the floats. */
  read(): Float32Array {
    if (this.tok.ptr === 0) {
      if (this.cold === null) throw usedAfterDispose(`a tensor of ${this.length} elements`);
      return this.cold.slice();
    }
    const o = this.tok.ptr >>> 2;
    return F32().slice(o, o + this.length);
  }

  /** Overwrites the floats with `data` (same length). */
  write(data: ArrayLike<number>): void {
    F32().set(data, this.ptr >>> 2);
  }

  /** Moves the data out of Wasm memory into a JS array (transient blocks only). */
  evict(): void {
    if (this.tok.ptr === 0 || !this.transient) return;
    transientBytes -= this.bytes;
    if (this.canDrop) {
      this.dropped = true;
    } else {
      const o = this.tok.ptr >>> 2;
      this.cold = F32().slice(o, o + this.length);
    }
    w().free(this.tok.ptr);
    this.tok.ptr = 0;
  }

  /** True while the data sits in Wasm memory. */
  get resident(): boolean { return this.tok.ptr !== 0; }

  /** Frees the block now. Using the storage afterwards throws. */
  dispose(): void {
    if (this.tok.ptr !== 0) {
      w().free(this.tok.ptr);
      if (this.transient) transientBytes -= this.bytes;
      else registry?.unregister(this);
      this.tok.ptr = 0;
    }
    this.cold = null;
  }
}

/** The RnnError for data used after dispose(); `what` describes the tensor (its shape). */
export function usedAfterDispose(what: string): RnnError {
  return new RnnError(`tensor: expected a tensor that has not been disposed, got ${what} used after dispose()`);
}

/** The RnnError for an allocation the Wasm memory cannot hold (nothing was allocated). */
export function outOfMemory(what: string, bytes: number): RnnError {
  const live = w().heapLiveBytes();
  return new RnnError(`${what}: expected ${bytesText(bytes)} of WebAssembly memory to be available, got an allocation failure ` +
    `(${bytesText(live)} in use; a 32-bit WebAssembly memory holds at most 4 GiB, and an engine may allow less). ` +
    'Free what you no longer need with dispose(), lower setMemoryBudget(), or use smaller batches or shorter sequences');
}

/** Bytes a new allocation could still get at most: the 4 GiB of a 32-bit memory minus the live blocks. */
export function memoryLeft(): number { return heapLimit - w().heapLiveBytes(); }

/** Caps the heap below 4 GiB (a test hook: large valid requests then fail fast); returns the previous cap. */
export function setHeapLimit(bytes: number): number {
  const old = heapLimit;
  heapLimit = Math.min(MAX_MEMORY, bytes);
  return old;
}

/**
 * Before a module allocates its parameters: every tensor within MAX_NUMEL and all of them within
 * the memory left, else an RnnError naming `arg`, the tensor or the total, and the bytes.
 * `params` holds [name, shape] pairs; `what` describes the module (its repr).
 */
export function checkParameters(arg: (name: string) => string, what: string, params: [string, number[]][]): void {
  let total = 0;
  for (const [name, shape] of params) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > MAX_NUMEL) {
      throw new RnnError(`${arg(name)}: expected parameters of at most ${MAX_NUMEL} elements (2 GiB) each, got ${what} whose ${name} ` +
        `would be ${show(shape)} (${n} elements, ${bytesText(4 * n)})`);
    }
    total += n;
  }
  const left = memoryLeft();
  if (4 * total > left) {
    throw new RnnError(`${arg('')}: expected parameters that fit in WebAssembly memory (${bytesText(left)} left of 4 GiB), ` +
      `got ${what} with ${total} parameters (${bytesText(4 * total)})`);
  }
}

/** Drops list entries already freed (disposed by the graph or the user), evicted or made persistent. */
function compact(): void {
  transient = transient.slice(head).filter((s) => s !== null && s.resident && !s.persistent);
  head = 0;
  compactAt = Math.max(4096, 2 * transient.length);
}

type Live = { storage: Storage; shape: readonly number[] } | null | undefined;

/** An RnnError naming the shape when dispose() has freed a tensor's data. */
export function live(t: Live): void {
  if (t && t.storage.disposed) throw usedAfterDispose(`a tensor of shape ${show(t.shape)}`);
}

/**
 * Called at the start of every public operation, before any pointer is taken: if resident
 * transient data is over budget (in bytes, or in list entries: many small live blocks would
 * otherwise pile up JS objects), evict the oldest blocks until both are at 7/8 of their limit.
 */
export function safePoint(a?: Live, b?: Live, c?: Live): void {
  // the operation's tensors (up to three; fixed parameters, so a hot step() allocates no array)
  live(a); live(b); live(c);
  if (transient.length - head > compactAt) compact();
  if (transientBytes > budget || transient.length - head > MAX_TRANSIENT) {
    const bytesGoal = budget - budget / 8, countGoal = MAX_TRANSIENT - MAX_TRANSIENT / 8;
    while (head < transient.length && (transientBytes > bytesGoal || transient.length - head > countGoal)) {
      const s = transient[head];
      transient[head++] = null;   // the list no longer keeps an evicted block's JS copy alive
      s?.evict();
    }
    if (head === transient.length) { transient = []; head = 0; }
    else if (head > 4096 && head > transient.length >> 1) { transient = transient.slice(head); head = 0; }
  }
}

/**
 * Sets how many bytes of transient tensor data may stay resident in Wasm memory before it
 * is moved out to JS arrays (default 64 MiB): an integer >= 0, or Infinity to never evict.
 * Returns the previous budget.
 */
export function setMemoryBudget(bytes: number): number {
  if (typeof bytes !== 'number' || !(Number.isSafeInteger(bytes) && bytes >= 0 || bytes === Infinity)) {
    fail('bytes', 'an integer number of bytes >= 0, or Infinity', bytes);
  }
  const old = budget;
  budget = bytes;
  return old;
}

/** Memory figures: Wasm memory size, bytes in live blocks, resident transient bytes. */
export function memoryStats(): { wasmBytes: number; liveBytes: number; transientBytes: number } {
  const e = w();
  // heapLiveBytes is an f64 (an unsigned 32-bit count), so figures above 2 GiB read positive
  return { wasmBytes: e.memory.buffer.byteLength, liveBytes: e.heapLiveBytes(), transientBytes };
}
