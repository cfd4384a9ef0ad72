// Int8 Linear and Embedding: inference-only twins of Linear and Embedding (see src/quantize.ts).
import { fail, checkInt, show } from './errors.js';
import { readIndices, type Indices } from './embedding.js';
import { Int8Tensor, QWeight, checkInt8Values, checkQ8Cols, checkScales } from './int8.js';
import { Module, readOptions, type StateSlot } from './module.js';
import { weightSlots } from './qrnn.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, type Shape } from './tensor.js';
import { I32, w } from './wasm.js';

/** @internal Set by quantize() for the constructor it calls: the quantized weight and bias to keep. */
export let givenLinear: [QWeight, Storage | null] | null = null;
/** @internal */
export function withLinear<T>(v: [QWeight, Storage | null], make: () => T): T {
  givenLinear = v;
  try { return make(); } finally { givenLinear = null; }
}

/**
 * Int8 Linear: y = x·Wᵀ + b with W int8 (one scale per output row) and each row of x quantized on
 * the fly. x (…, in) → y (…, out), like Linear. `new QuantizedLinear(in, out, { bias })` starts from
 * zero weights, for loadStateDict(); quantize() builds one from a Linear. State dict: `weight`
 * (Int8Tensor (out, in)), `weight.scale` (out), `bias` (out).
 */
export class QuantizedLinear extends Module {
  static readonly reprName = 'QuantizedLinear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** @internal */
  _w: QWeight;
  /** @internal f32 bias, or null */
  _b: Storage | null;

  constructor(inFeatures: number, outFeatures: number, opts?: { bias?: boolean }) {
    super();
    w();
    const o = readOptions(opts, { bias: true }, 'QuantizedLinear');
    this.inFeatures = checkInt('inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('outFeatures', outFeatures, 1);
    if (typeof o.bias !== 'boolean') fail('bias', 'a boolean', o.bias);
    checkQ8Cols('weight', this.inFeatures);
    if (givenLinear) { [this._w, this._b] = givenLinear; givenLinear = null; return; }
    this._w = QWeight.zeros(this.outFeatures, this.inFeatures);
    this._b = o.bias ? Storage.zeros(this.outFeatures, true) : null;
  }

  get bias(): boolean { return this._b !== null; }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this._b ? 'True' : 'False'}, dtype=int8`;
  }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }

  override forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) fail('input', 'a Tensor', x);
    if (x.dim < 1 || x.shape[x.dim - 1] !== this.inFeatures) {
      fail('input', `last dimension ${this.inFeatures} (inFeatures)`, `shape ${show(x.shape)}`, true);
    }
    safePoint();
    const IN = this.inFeatures, OUT = this.outFeatures, M = x.numel / IN;
    const y = new Tensor(Storage.alloc(M * OUT), [...x.shape.slice(0, -1), OUT]);
    const [wp, ws] = this._w.ptrs();
    w().q8_linear_forward(M, IN, OUT, x.readPtr, wp, ws, this._b?.readPtr ?? 0, y.ptr);
    return y;
  }

  override _stateSlots(): [string, StateSlot][] {
    const out = weightSlots('weight', () => this._w, (q) => { this._w = q; }, () => []);
    if (this._b) {
      const n = this.outFeatures;
      out.push(['bias', { shape: [n], get: () => new Tensor(this._b!, [n]), check: () => null, set: (v) => w().copy_rows(1, n, v.readPtr, n, this._b!.ptr, n) }]);
    }
    return out;
  }

  override _freeBuffers(): void { this._w.dispose(); this._b?.dispose(); }

  /** @internal Sequential.step: y (B × out) at byte offset yp from x (B × in) at xp. */
  _stepInto(B: number, xp: number, yp: number): void {
    const [wp, ws] = this._w.ptrs();
    w().q8_linear_forward(B, this.inFeatures, this.outFeatures, xp, wp, ws, this._b?.readPtr ?? 0, yp);
  }

  /** Bytes of Wasm memory the weights hold. */
  get weightBytes(): number { return this._w.bytes + 4 * (this._b?.length ?? 0); }
}


/** @internal Set by quantize(): [int8 rows (bytes), scales] to keep instead of zeros. */
let givenEmbedding: [Storage, Storage] | null = null;
/** @internal */
export function withEmbedding<T>(v: [Storage, Storage], make: () => T): T {
  givenEmbedding = v;
  try { return make(); } finally { givenEmbedding = null; }
}

/**
 * Int8 Embedding: each row of the table held as int8 with one f32 scale (scale = max|row| / 127),
 * dequantized on lookup: out[…, j] = f32(q[i, j]) · scale[i] (one f32 multiply). indices (*) →
 * (*, embeddingDim), taking what Embedding.forward takes. `new QuantizedEmbedding(N, D, { paddingIdx })`
 * starts from zeros, for loadStateDict(); quantize() builds one from an Embedding. State dict:
 * `weight` (Int8Tensor (N, D)), `weight.scale` (N). 1 byte a value in Wasm memory.
 */
export class QuantizedEmbedding extends Module {
  static readonly reprName = 'QuantizedEmbedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  /** @internal int8 rows (N·D bytes) and scales (N) */
  _q: Storage;
  /** @internal */
  _s: Storage;

  constructor(numEmbeddings: number, embeddingDim: number, opts?: { paddingIdx?: number | null }) {
    super();
    w();
    const o = readOptions(opts, { paddingIdx: null as number | null }, 'QuantizedEmbedding');
    this.numEmbeddings = checkInt('numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInt('embeddingDim', embeddingDim, 1);
    const N = this.numEmbeddings, p = o.paddingIdx;
    if (p !== null && (typeof p !== 'number' || !Number.isInteger(p) || p < -N || p >= N)) {
      fail('paddingIdx', `an integer in [${-N}, ${N - 1}] (within numEmbeddings ${N}) or null`, p);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + N : p;
    if (givenEmbedding) { [this._q, this._s] = givenEmbedding; givenEmbedding = null; return; }
    this._q = Storage.zeros(Math.ceil((N * this.embeddingDim) / 4), true);
    this._s = Storage.zeros(N, true);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}, dtype=int8`;
  }

  /** @internal Sequential: this module takes integer indices. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'indices'; }

  /** indices (*) → (*, embeddingDim); the indices are checked as Embedding.forward checks them. */
  override forward(indices: Indices, shape?: Shape): Tensor {
    const r = readIndices(indices, shape, this.numEmbeddings);
    safePoint();
    const n = r.idx.length, D = this.embeddingDim;
    const out = new Tensor(Storage.alloc(n * D), [...r.shape, D]);
    const ip = Storage.alloc(Math.max(1, n));
    I32().set(r.idx, ip.ptr >>> 2);
    w().q8_embedding(n, ip.ptr, this._q.readPtr, this._s.readPtr, D, out.ptr);
    ip.dispose();
    return out;
  }

  /** @internal Sequential.step: B rows for the B i32 indices at idxPtr into outPtr. */
  _gatherInto(B: number, idxPtr: number, outPtr: number): void {
    w().q8_embedding(B, idxPtr, this._q.readPtr, this._s.readPtr, this.embeddingDim, outPtr);
  }

  override _stateSlots(): [string, StateSlot][] {
    const N = this.numEmbeddings, D = this.embeddingDim;
    return [
      ['weight', {
        shape: [N, D],
        get: () => { const t = Storage.alloc(N * D); w().i8_to_f32(this._q.readPtr, t.ptr, N * D); return new Int8Tensor(t, [N, D]); },
        check: checkInt8Values,
        set: (v) => w().f32_to_i8(v.readPtr, this._q.ptr, N * D),
      }],
      ['weight.scale', {
        shape: [N],
        get: () => { const t = Storage.alloc(N); w().copy_rows(1, N, this._s.readPtr, N, t.ptr, N); return new Tensor(t, [N]); },
        check: checkScales,
        set: (v) => w().copy_rows(1, N, v.readPtr, N, this._s.ptr, N),
      }],
    ];
  }

  override _freeBuffers(): void { this._q.dispose(); this._s.dispose(); }

  /** Bytes of Wasm memory the table holds. */
  get weightBytes(): number { return 4 * (this._q.length + this._s.length); }
}
