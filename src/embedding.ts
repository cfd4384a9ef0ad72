// Embedding: a lookup table of vectors, indexed by integers. reference:
// https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
//   indices (*) integers in [0, numEmbeddings)  →  output (*, embeddingDim)
//   weight (numEmbeddings, embeddingDim), initialised N(0, 1); the paddingIdx row starts at zero and
//   never receives a gradient.
// The rows are copied by assembly/gather.ts gather_rows; backward adds the output gradient's rows
// into the weight gradient with scatter_add_rows, in index order (repeated indices add up, with
// fixed bits). Every index is checked here, in JS, before Wasm memory is touched.
import { leafGradPtr } from './autograd.js';
import { RnnError, checkInt, fail, show } from './errors.js';
import { Module, readOptions } from './module.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, Tensor, numel, record, type NestedArray, type Shape } from './tensor.js';
import { I32, w } from './wasm.js';

/**
 * What Embedding.forward takes as indices: nested arrays of integers (any depth, rectangular), a
 * single integer, a flat `Int32Array` / typed array / `number[]` with a `shape`, or a Tensor
 * holding integral values.
 */
export type Indices = NestedArray | ArrayLike<number> | Tensor;

/** `indices[1][2]` for flat position k of `shape` (the position a user wrote). */
function where(arg: string, k: number, shape: Shape): string {
  if (shape.length === 0) return arg;
  const pos: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { pos[d] = k % shape[d]; k = Math.floor(k / shape[d]); }
  return arg + pos.map((p) => `[${p}]`).join('');
}

function badIndex(arg: string, k: number, shape: Shape, n: number, v: unknown): never {
  throw new RnnError(`${where(arg, k, shape)}: expected an integer in [0, ${n - 1}] (numEmbeddings ${n}), got ${show(v)}`);
}

/** Nested arrays → flat values and shape, checking that they are rectangular. */
function flattenNested(data: unknown, shape: number[], out: unknown[], depth: number, arg: string, path: string): void {
  if (Array.isArray(data)) {
    if (depth === shape.length) shape.push(data.length);
    else if (shape[depth] !== data.length) {
      fail(arg + path, `a rectangular nested array (length ${shape[depth]} at depth ${depth})`, `length ${data.length}`, true);
    }
    for (let i = 0; i < data.length; i++) flattenNested(data[i], shape, out, depth + 1, arg, `${path}[${i}]`);
  } else {
    if (depth !== shape.length) fail(arg + path, `a rectangular nested array (an array at depth ${depth})`, data);
    out.push(data);
  }
}

/**
 * Reads indices in any of the accepted forms (see `Indices`) into an Int32Array and a shape,
 * checking every value: an integer in [0, n). The error names the index's position, e.g.
 * `indices[1][2]: expected an integer in [0, 29] (numEmbeddings 30), got 30`. Touches no Wasm memory
 * except to read a Tensor's values.
 */
export function readIndices(indices: Indices, shape: Shape | undefined, n: number, arg = 'indices'): { idx: Int32Array; shape: number[] } {
  let flat: ArrayLike<unknown>;
  let sh: number[];
  if (indices instanceof Tensor) {
    if (shape !== undefined) fail('shape', 'no shape with a Tensor of indices (it has its own)', shape);
    flat = indices.toFloat32Array();
    sh = indices.shape.slice();
  } else if (typeof indices === 'number') {
    if (shape !== undefined && (!Array.isArray(shape) || shape.length !== 0)) fail('shape', '[] or none for a single index', shape);
    flat = [indices];
    sh = [];
  } else if (ArrayBuffer.isView(indices) && !(indices instanceof DataView)) {
    flat = indices as unknown as ArrayLike<number>;
    sh = shape === undefined ? [flat.length] : checkShape(shape, flat.length);
  } else if (Array.isArray(indices)) {
    if (shape !== undefined) {
      if (!indices.every((v) => !Array.isArray(v))) fail('shape', 'no shape with nested arrays (or a flat array with a shape)', shape);
      flat = indices;
      sh = checkShape(shape, indices.length);
    } else {
      const out: unknown[] = [];
      sh = [];
      flattenNested(indices, sh, out, 0, arg, '');
      flat = out;
    }
  } else {
    fail(arg, 'integer indices: nested arrays of integers, an Int32Array (with a shape) or a Tensor', indices);
  }
  const idx = new Int32Array(flat.length);
  for (let k = 0; k < flat.length; k++) {
    const v = flat[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) badIndex(arg, k, sh, n, v);
    idx[k] = v as number;
  }
  return { idx, shape: sh };
}

function checkShape(shape: Shape, len: number): number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) fail('shape', 'an array of non-negative integer sizes', shape);
  if (numel(shape) !== len) fail('shape', `a shape with ${len} elements (the indices' length)`, shape);
  return shape.slice();
}

/**
 * The functional core of Embedding (PyTorch's `F.embedding`): rows of `weight` (N, D) picked by
 * `indices` (an Int32Array of numel(shape) values in [0, N)) → a Tensor (...shape, D). Autograd-aware:
 * the backward adds each output row's gradient into row indices[k] of weight's gradient (repeated
 * indices add up, in order), except rows equal to `paddingIdx` (a row in [0, N); any negative value,
 * the default −1, means none), which get no gradient. Checks every index (RnnError naming its
 * position) before touching Wasm memory.
 */
export function embeddingLookup(weight: Tensor, indices: Int32Array, shape: Shape, paddingIdx = -1): Tensor {
  if (!(weight instanceof Tensor) || weight.dim !== 2) fail('weight', 'a 2-D Tensor (numEmbeddings, embeddingDim)', weight instanceof Tensor ? `shape ${show(weight.shape)}` : weight, weight instanceof Tensor);
  if (!(indices instanceof Int32Array)) fail('indices', 'an Int32Array', indices);
  const sh = checkShape(shape, indices.length);
  const [N, D] = weight.shape;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= N) fail('paddingIdx', `an integer in [0, ${N - 1}] or negative for none`, paddingIdx);
  for (let k = 0; k < indices.length; k++) if (indices[k] < 0 || indices[k] >= N) badIndex('indices', k, sh, N, indices[k]);
  return lookup(weight, indices.slice(), sh, paddingIdx);   // a copy: backward reads it later
}

/** embeddingLookup after the checks. */
function lookup(weight: Tensor, idx: Int32Array, shape: number[], paddingIdx: number): Tensor {
  safePoint();
  const e = w();
  const n = idx.length, D = weight.shape[1];
  const out = new Tensor(Storage.alloc(n * D), [...shape, D]);
  const ip = Storage.alloc(Math.max(1, n));
  I32().set(idx, ip.ptr >> 2);
  e.gather_rows(n, ip.ptr, weight.readPtr, D, out.ptr);
  ip.dispose();
  return record(out, 'EmbeddingBackward', [weight], (g) => {
    // rows of paddingIdx are skipped (scatter_add_rows skips negative indices)
    const bidx = paddingIdx >= 0 ? idx.map((v) => (v === paddingIdx ? -1 : v)) : idx;
    const leaf = !weight._node;
    const dw = leaf ? null : Storage.zeros(weight.numel);
    const dst = leaf ? leafGradPtr(weight) : dw!.ptr;
    const bp = Storage.alloc(Math.max(1, n));
    I32().set(bidx, bp.ptr >> 2);
    e.scatter_add_rows(n, bp.ptr, g[0]!.ptr, D, dst);
    bp.dispose();
    return [dw];
  });
}

export interface EmbeddingOptions {
  /** A row whose vector starts at zero and never gets a gradient (e.g. the padding token); negative counts from the end. */
  paddingIdx?: number | null;
  /** PyTorch's spelling of paddingIdx. */
  padding_idx?: number | null;
}

/** Set by fromPretrained for the constructor it calls: the weights to copy instead of N(0, 1). */
let pretrained: Tensor | null = null;

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch's `nn.Embedding`).
 *
 *     const emb = new Embedding(30, 16, { paddingIdx: 0 });   // or { padding_idx: 0 }
 *     emb.forward([[3, 1, 0], [2, 2, 5]]);                    // (2, 3, 16)
 *     emb.forward(Int32Array.from([3, 1, 0, 2, 2, 5]), [2, 3]);
 *
 * `weight` (numEmbeddings, embeddingDim) is the state_dict key `weight`, drawn from N(0, 1) by the
 * seeded generator; the paddingIdx row is zeroed and gets no gradient.
 */
export class Embedding extends Module {
  static readonly reprName = 'Embedding';
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, in [0, numEmbeddings), or null (PyTorch stores it non-negative too). */
  readonly paddingIdx: number | null;
  readonly weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, opts?: EmbeddingOptions) {
    super();
    const e = w();
    const o = readOptions(opts, { paddingIdx: null as number | null }, 'Embedding');
    this.numEmbeddings = checkInt('numEmbeddings', numEmbeddings, 1);
    this.embeddingDim = checkInt('embeddingDim', embeddingDim, 1);
    const N = this.numEmbeddings, D = this.embeddingDim;
    const p = o.paddingIdx;
    if (p !== null && (typeof p !== 'number' || !Number.isInteger(p) || p < -N || p >= N)) {
      fail('paddingIdx', `an integer in [${-N}, ${N - 1}] (within numEmbeddings ${N}) or null`, p);
    }
    this.paddingIdx = p === null ? null : p < 0 ? p + N : p;
    const src = pretrained;
    pretrained = null;
    safePoint();
    const s = Storage.alloc(N * D, true);
    if (src) {
      e.copy_rows(1, N * D, src.readPtr, N * D, s.ptr, N * D);
    } else {
      e.rng_normal(s.ptr, N * D, 0, 1);
      if (this.paddingIdx !== null) e.fill(s.ptr + this.paddingIdx * D * 4, D, 0);
    }
    this.weight = new Parameter(s, [N, D]);
  }

  /**
   * An Embedding holding a copy of `embeddings` (N, D) (PyTorch's `Embedding.from_pretrained`):
   * frozen (no gradient) unless `freeze: false`; the paddingIdx row is kept as given.
   */
  static fromPretrained(embeddings: Tensor, opts?: { freeze?: boolean } & EmbeddingOptions): Embedding {
    const o = readOptions(opts, { freeze: true, paddingIdx: null as number | null }, 'Embedding.fromPretrained');
    if (!(embeddings instanceof Tensor) || embeddings.dim !== 2) {
      fail('embeddings', 'a 2-D Tensor (numEmbeddings, embeddingDim)', embeddings instanceof Tensor ? `shape ${show(embeddings.shape)}` : embeddings, embeddings instanceof Tensor);
    }
    if (typeof o.freeze !== 'boolean') fail('freeze', 'a boolean', o.freeze);
    const [N, D] = embeddings.shape;
    pretrained = embeddings;
    let m: Embedding;
    try { m = new Embedding(N, D, { paddingIdx: o.paddingIdx }); } finally { pretrained = null; }
    m.weight.requiresGrad = !o.freeze;
    return m;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ''}`;
  }

  /**
   * indices (*) → (*, embeddingDim). `indices`: nested arrays of integers (`[[3, 1, 0], [2, 2, 5]]`),
   * one integer (→ (embeddingDim)), a flat Int32Array / number[] with `shape`, or a Tensor holding
   * integral values. Every index must be an integer in [0, numEmbeddings): otherwise an RnnError
   * naming its position and the range, before any Wasm memory is touched.
   */
  override forward(indices: Indices, shape?: Shape): Tensor {
    const r = readIndices(indices, shape, this.numEmbeddings);
    return lookup(this.weight, r.idx, r.shape, this.paddingIdx ?? -1);
  }

  /** @internal Sequential: this module takes integer indices, not a recurrent layer's output. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'indices'; }
}
