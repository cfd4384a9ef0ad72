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
import { F32, w } from './wasm.js';

interface Token { ptr: number }

let transientBytes = 0;
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
    if (persistent) registry?.register(this, this.tok, this);
  }

  /** A new block of `length` floats (contents undefined). */
  static alloc(length: number, persistent = false): Storage {
    const s = new Storage(length, persistent);
    s.place();
    return s;
  }

  /** A new block filled with zeros. */
  static zeros(length: number, persistent = false): Storage {
    const s = Storage.alloc(length, persistent);
    w().fill(s.tok.ptr, length, 0);
    return s;
  }

  /** A new block holding a copy of `data`. */
  static from(data: ArrayLike<number>, persistent = false): Storage {
    const s = Storage.alloc(data.length, persistent);
    F32().set(data, s.tok.ptr >> 2);
    return s;
  }

  private place(): void {
    const p = w().alloc(this.bytes);
    if (p === 0) throw new RangeError(`wasm-rnn: out of WebAssembly memory allocating ${this.bytes} bytes`);
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

  get disposed(): boolean { return this.tok.ptr === 0 && this.cold === null; }

  /**
   * Counts the `ptr` reads: every write to the data goes through one (Wasm kernels write through
   * the pointers they are given), so data derived from this block (step()'s transposed weights)
   * is current while the count is unchanged.
   */
  version = 0;

  /** The byte offset of the data in Wasm memory, to read or write; brings evicted data back first. */
  get ptr(): number {
    this.version++;
    return this.readPtr;
  }

  /** The byte offset for reading only: unlike `ptr`, not counted as a possible write. */
  get readPtr(): number {
    if (this.tok.ptr === 0) {
      if (this.dropped) throw new RangeError('wasm-rnn: internal error: a dropped cache was used before it was computed again');
      if (this.cold === null) throw new RangeError('wasm-rnn: tensor used after dispose()');
      const c = this.cold;
      this.cold = null;
      this.place();
      F32().set(c, this.tok.ptr >> 2);
    }
    return this.tok.ptr;
  }

  /** A copy of the floats. */
  read(): Float32Array {
    if (this.tok.ptr === 0) {
      if (this.cold === null) throw new RangeError('wasm-rnn: tensor used after dispose()');
      return this.cold.slice();
    }
    const o = this.tok.ptr >> 2;
    return F32().slice(o, o + this.length);
  }

  /** Overwrites the floats with `data` (same length). */
  write(data: ArrayLike<number>): void {
    F32().set(data, this.ptr >> 2);
  }

  /** Moves the data out of Wasm memory into a JS array (transient blocks only). */
  evict(): void {
    if (this.tok.ptr === 0 || !this.transient) return;
    transientBytes -= this.bytes;
    if (this.canDrop) {
      this.dropped = true;
    } else {
      const o = this.tok.ptr >> 2;
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

/** Drops list entries already freed (disposed by the graph or the user), evicted or made persistent. */
function compact(): void {
  transient = transient.slice(head).filter((s) => s !== null && s.resident && !s.persistent);
  head = 0;
  compactAt = Math.max(4096, 2 * transient.length);
}

/**
 * Called at the start of every public operation, before any pointer is taken: if resident
 * transient data is over budget (in bytes, or in list entries: many small live blocks would
 * otherwise pile up JS objects), evict the oldest blocks until both are at 7/8 of their limit.
 */
export function safePoint(): void {
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
 * is moved out to JS arrays (default 64 MiB). Returns the previous budget.
 */
export function setMemoryBudget(bytes: number): number {
  const old = budget;
  budget = bytes;
  return old;
}

/** Memory figures: Wasm memory size, bytes in live blocks, resident transient bytes. */
export function memoryStats(): { wasmBytes: number; liveBytes: number; transientBytes: number } {
  const e = w();
  return { wasmBytes: e.memory.buffer.byteLength, liveBytes: e.heapLiveBytes(), transientBytes };
}
