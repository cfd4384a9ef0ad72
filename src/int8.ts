// Int8 storage: the tensor type quantized state dicts use, and the packed weights the int8 kernels
// read (assembly/q8gemm.ts: its contract and layouts).
import { RnnError, show } from './errors.js';
import { Storage } from './storage.js';
import { Tensor, type Shape } from './tensor.js';
import { w } from './wasm.js';

/** The largest K (input width of a weight) whose int8 products stay exact in i32: K · 128 · 127 < 2^31. */
export const Q8_MAX_K = 131072;

/**
 * A tensor of int8 values (integers in [−128, 127]), as a quantized module's `stateDict()` gives
 * its weights and `loadSafetensors` gives `I8` entries. It holds the values as f32 (exactly), so it
 * reads and computes like any Tensor; `saveSafetensors` writes it as `I8` (1 byte a value).
 */
export class Int8Tensor extends Tensor {
  static override readonly reprName: string = 'Int8Tensor';
  /** 'int8' (plain Tensors are float32). */
  get dtype(): 'int8' { return 'int8'; }
  constructor(storage: Storage, shape: Shape) { super(storage, shape); }
}

/** One packed block of rows: the int8 GEMM's panels (int16) and its row scales (padded to 8). */
interface Part { rows: number; packed: Storage; scales: Storage }

/**
 * @internal An int8 weight of shape (rows × cols) (PyTorch's (out, in)) with one f32 scale per row,
 * packed for the int8 GEMM. `splits` cuts its rows into blocks packed apart (the reset-before GRU's
 * W_hh: r, z rows and n rows), each usable as a weight of its own.
 */
export class QWeight {
  readonly rows: number;
  readonly cols: number;
  readonly parts: Part[];

  private constructor(rows: number, cols: number, parts: Part[]) {
    this.rows = rows; this.cols = cols; this.parts = parts;
  }

  /**
   * From int values held as f32 (q: rows × cols, contiguous, already checked to be integers in
   * [−128, 127]) and row scales (rows f32), pointers into Wasm memory.
   */
  static pack(rows: number, cols: number, q: number, scales: number, splits: number[] = []): QWeight {
    const e = w();
    const parts: Part[] = [];
    const cuts = [0, ...splits, rows];
    for (let i = 0; i + 1 < cuts.length; i++) {
      const r0 = cuts[i], n = cuts[i + 1] - r0;
      const packed = Storage.alloc(Math.ceil(e.q8_packed_bytes(n, cols) / 4), true);
      const sc = Storage.alloc(Math.ceil(n / 8) * 8, true);
      e.q8_pack(n, cols, q + r0 * cols * 4, scales + r0 * 4, packed.ptr, sc.ptr);
      parts.push({ rows: n, packed, scales: sc });
    }
    return new QWeight(rows, cols, parts);
  }

  /** Quantizes an f32 weight (rows × cols at ptr, finite: checked by the caller). */
  static quantize(rows: number, cols: number, ptr: number, splits: number[] = []): QWeight {
    const e = w();
    const q = Storage.alloc(rows * cols), s = Storage.alloc(rows);
    e.q8_quantize(rows, cols, ptr, cols, q.ptr, s.ptr);
    const out = QWeight.pack(rows, cols, q.ptr, s.ptr, splits);
    q.dispose(); s.dispose();
    return out;
  }

  /** All-zero weights (scales 0): what a quantized module's constructor starts from. */
  static zeros(rows: number, cols: number, splits: number[] = []): QWeight {
    const q = Storage.zeros(Math.max(1, rows * cols)), s = Storage.zeros(Math.max(1, rows));
    const out = QWeight.pack(rows, cols, q.ptr, s.ptr, splits);
    q.dispose(); s.dispose();
    return out;
  }

  /** From a state dict's tensors: values (rows × cols, integers in [−128, 127]) and scales (rows). */
  static fromTensors(q: Tensor, s: Tensor, splits: number[] = []): QWeight {
    return QWeight.pack(q.shape[0], q.shape[1], q.readPtr, s.readPtr, splits);
  }

  /** Packed panels and scales of block i (byte offsets). */
  ptrs(i = 0): [number, number] {
    const p = this.parts[i];
    return [p.packed.readPtr, p.scales.readPtr];
  }

  /** The int values, (rows × cols). */
  values(): Int8Tensor {
    const e = w();
    const out = Storage.alloc(this.rows * this.cols);
    let r0 = 0;
    for (const p of this.parts) {
      e.q8_unpack(p.rows, this.cols, p.packed.readPtr, out.ptr + r0 * this.cols * 4);
      r0 += p.rows;
    }
    return new Int8Tensor(out, [this.rows, this.cols]);
  }

  /** The row scales, (rows). */
  scales(): Tensor {
    const e = w();
    const out = Storage.alloc(this.rows);
    let r0 = 0;
    for (const p of this.parts) {
      e.copy_rows(1, p.rows, p.scales.readPtr, p.rows, out.ptr + r0 * 4, p.rows);
      r0 += p.rows;
    }
    return new Tensor(out, [this.rows]);
  }

  /** Bytes of Wasm memory held (packed panels and scales). */
  get bytes(): number { return this.parts.reduce((a, p) => a + 4 * (p.packed.length + p.scales.length), 0); }

  dispose(): void { for (const p of this.parts) { p.packed.dispose(); p.scales.dispose(); } }
}

/** Throws RnnError unless a weight of `cols` inputs keeps the int8 products exact. */
export function checkQ8Cols(what: string, cols: number): void {
  if (cols > Q8_MAX_K) throw new RnnError(`${what}: expected at most ${Q8_MAX_K} inputs for exact int8 sums (K · 128 · 127 < 2^31), got ${cols}`);
}

/** Throws RnnError when the tensor at ptr (n floats) holds a NaN or an infinity: such weights have no int8 form. */
export function checkFinite(what: string, ptr: number, n: number): void {
  const bad = w().count_nonfinite(ptr, n);
  if (bad) throw new RnnError(`${what}: expected finite values to quantize, got ${bad} NaN or infinite value${bad > 1 ? 's' : ''}`);
}

/** Checks a state-dict value for an int8 weight: integers in [−128, 127]; returns an error message or null. */
export function checkInt8Values(t: Tensor): string | null {
  const bad = w().q8_count_bad(t.readPtr, t.numel, -128, 127);
  return bad ? `expected integers in [-128, 127] (int8 values), got ${bad} other value${bad > 1 ? 's' : ''} in shape ${show(t.shape)}` : null;
}

/** Checks a state-dict value for scales: finite; returns an error message or null. */
export function checkScales(t: Tensor): string | null {
  const bad = w().count_nonfinite(t.readPtr, t.numel);
  return bad ? `expected finite scales, got ${bad} NaN or infinite value${bad > 1 ? 's' : ''}` : null;
}
