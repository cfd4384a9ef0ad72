// Where tensor data lives, and when it is given back.
//
// Every Storage is a block of the module's heap (assembly/alloc.ts). Two kinds:
// - persistent: parameters and optimizer state. Freed by dispose() or when
//   the owning JS object is garbage-collected (FinalizationRegistry).
// - transient: everything else (inputs, activations, outputs). Freed the same ways, but a
//   synchronous training loop never lets the JS collector run its finalizers, so transient
//   storage also has a budget: when the resident transient bytes pass it, the next safe
//   point (the start of a public operation) *evicts* every transient block: its floats are
//   copied into a JS Float32Array and the Wasm block is freed. An evicted tensor still
//   reads and computes as before; it is copied back the next time an operation uses it.
//   So Wasm memory stays bounded with no call to dispose(), and nothing is ever lost.
import { F32, w } from './wasm.js';

interface Token { ptr: number; bytes: number; epoch: number; transient: boolean }

let epoch = 0;
let transientBytes = 0;
let budget = 64 << 20;
let transient: WeakRef<Storage>[] = [];

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Token>((t) => {
    if (t.ptr === 0) return;
    w().free(t.ptr);
    if (t.transient && t.epoch === epoch) transientBytes -= t.bytes;
    t.ptr = 0;
  })
  : null;

export class Storage {
  /** Number of floats. */
  readonly length: number;
  private tok: Token;
  private cold: Float32Array | null = null;

  private constructor(length: number, persistent: boolean) {
    this.length = length;
    this.tok = { ptr: 0, bytes: Math.max(4, length * 4), epoch, transient: !persistent };
    registry?.register(this, this.tok, this);
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
    const p = w().alloc(this.tok.bytes);
    if (p === 0) throw new RangeError(`wasm-rnn: out of WebAssembly memory allocating ${this.tok.bytes} bytes`);
    this.tok.ptr = p;
    if (this.tok.transient) {
      this.tok.epoch = epoch;
      transientBytes += this.tok.bytes;
      transient.push(new WeakRef(this));
    }
  }

  get persistent(): boolean { return !this.tok.transient; }

  /** Makes this block persistent (a parameter or optimizer state): never evicted. */
  pin(): this {
    if (this.tok.transient && this.tok.ptr !== 0 && this.tok.epoch === epoch) transientBytes -= this.tok.bytes;
    this.tok.transient = false;
    return this;
  }

  get disposed(): boolean { return this.tok.ptr === 0 && this.cold === null; }

  /** The byte offset of the data in Wasm memory; brings evicted data back first. */
  get ptr(): number {
    if (this.tok.ptr === 0) {
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
    if (this.tok.ptr === 0 || !this.tok.transient) return;
    const o = this.tok.ptr >> 2;
    this.cold = F32().slice(o, o + this.length);
    w().free(this.tok.ptr);
    this.tok.ptr = 0;
  }

  /** Frees the block now. Using the storage afterwards throws. */
  dispose(): void {
    if (this.tok.ptr !== 0) {
      w().free(this.tok.ptr);
      if (this.tok.transient && this.tok.epoch === epoch) transientBytes -= this.tok.bytes;
      this.tok.ptr = 0;
    }
    this.cold = null;
    registry?.unregister(this);
  }
}

/**
 * Called at the start of every public operation, before any pointer is taken: if resident
 * transient data is over budget, evict all of it.
 */
export function safePoint(): void {
  if (transientBytes <= budget) return;
  const list = transient;
  transient = [];
  epoch++;
  transientBytes = 0;
  for (const r of list) r.deref()?.evict();
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
