// Tensor: a shape and a Storage in Wasm memory, always contiguous row-major. Every op below
// checks its arguments (RnnError), computes in Wasm, and records its backward beside it.
import { Node, recording, runBackward, type BackwardFn } from './autograd.js';
import { RnnError, fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { F32, setArgs, w } from './wasm.js';
import { argmaxOp, expOp, logOp, maxOp, softmaxOp, topkOp, type ValuesIndices } from './ops.js';

export type Shape = readonly number[];
export type NestedArray = number | NestedArray[];

// strided op codes (assembly/elementwise.ts)
const ADD = 0, SUB = 1, MUL = 2, COPY = 4, ACC = 5, ACC_MUL = 6, ACC_NEG = 7;
// unary op codes
const TANH = 0, SIGMOID = 1, RELU = 2;

export const numel = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = k; k *= shape[d]; }
  return s;
}

/** Runs a strided kernel over `shape` (rank ≥ 1 after padding scalars). */
function strided(op: number, shape: Shape, a: number, sa: number[], b: number, sb: number[], c: number, sc: number[]): void {
  if (numel(shape) === 0) return;
  if (shape.length === 0) { shape = [1]; sa = [0]; sb = [0]; sc = [0]; }
  if (shape.length > 8) throw new RnnError(`tensor: expected at most 8 dimensions, got ${shape.length}`);
  setArgs([shape, sa, sb, sc]);
  w().strided(op, shape.length, a, b, c);
}

/** The dimension `dim` of a rank-`rank` tensor, negative counting from the end. */
export function normDim(dim: number, rank: number, arg = 'dim'): number {
  if (!Number.isInteger(dim) || dim < -Math.max(rank, 1) || dim >= Math.max(rank, 1)) {
    fail(arg, `an integer in [${-Math.max(rank, 1)}, ${Math.max(rank, 1) - 1}]`, dim);
  }
  return dim < 0 ? dim + rank : dim;
}

function broadcastShape(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RnnError(`${op}: expected shapes that broadcast, got ${show(a)} and ${show(b)} (size ${x} vs ${y} at dimension ${i})`);
    }
    out[i] = x === 1 ? y : x;
  }
  return out;
}

/** Strides of `shape` read as if broadcast to `target` (0 where broadcast). */
function broadcastStrides(shape: Shape, target: Shape): number[] {
  const st = stridesOf(shape);
  const off = target.length - shape.length;
  return target.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

function flatten(data: NestedArray, shape: number[], out: number[], depth: number, arg: string): void {
  if (Array.isArray(data)) {
    if (depth === shape.length) shape.push(data.length);
    else if (shape[depth] !== data.length) {
      fail(arg, `a rectangular nested array (length ${shape[depth]} at depth ${depth})`, data.length);
    }
    for (const d of data) flatten(d, shape, out, depth + 1, arg);
  } else {
    if (typeof data !== 'number') fail(arg, 'numbers', data);
    if (depth !== shape.length) fail(arg, `a rectangular nested array (an array at depth ${depth})`, data);
    out.push(data);
  }
}

export interface TensorOptions { requiresGrad?: boolean }

export class Tensor {
  static readonly reprName: string = 'Tensor';
  /** Sizes of the dimensions, like `torch.Tensor.shape`. */
  readonly shape: number[];
  readonly storage: Storage;
  /** Gradient accumulated by backward() (leaf tensors only, as in PyTorch). */
  grad: Tensor | null = null;
  requiresGrad: boolean;
  /** @internal the node that produced this tensor, and which of its outputs it is */
  _node: Node | null = null;
  /** @internal */
  _out = 0;

  constructor(storage: Storage, shape: Shape, requiresGrad = false) {
    this.storage = storage;
    this.shape = shape.slice();
    this.requiresGrad = requiresGrad;
  }

  /** True for module parameters. */
  get isParameter(): boolean { return false; }
  /** Number of dimensions. */
  get dim(): number { return this.shape.length; }
  get ndim(): number { return this.shape.length; }
  /** Number of elements. */
  get numel(): number { return this.storage.length; }
  /** Whether this tensor was produced by an op that recorded a backward. */
  get isLeaf(): boolean { return this._node === null; }

  /** Size of dimension `d`, or the whole shape. */
  size(): number[];
  size(d: number): number;
  size(d?: number): number | number[] {
    return d === undefined ? this.shape.slice() : this.shape[normDim(d, this.shape.length)];
  }

  /** @internal */
  _makeGrad(s: Storage): Tensor { return new Tensor(s, this.shape); }
  /** @internal byte offset of the data (brings evicted data back) */
  get ptr(): number { return this.storage.ptr; }
  /** @internal byte offset for reading only (see Storage.version) */
  get readPtr(): number { return this.storage.readPtr; }

  /** The values as a new Float32Array (row-major). */
  toFloat32Array(): Float32Array { return this.storage.read(); }

  /** The values as nested arrays, like `.tolist()`; a number for a 0-d tensor. */
  toArray(): NestedArray {
    const v = this.storage.read();
    if (this.shape.length === 0) return v[0];
    let k = 0;
    const build = (d: number): NestedArray[] => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(d === this.shape.length - 1 ? v[k++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) fail('item()', 'a tensor with one element', `shape ${show(this.shape)} (${this.numel} elements)`, true);
    return this.storage.read()[0];
  }

  /** A tensor sharing this data, cut off from the graph. */
  detach(): Tensor { return new Tensor(this.storage, this.shape); }

  /** Sets requiresGrad (leaf tensors only) and returns this. */
  requiresGrad_(flag = true): this {
    if (this._node && !flag) fail('requiresGrad_', 'a leaf tensor', 'a tensor produced by an op', true);
    this.requiresGrad = flag;
    return this;
  }

  /** Frees the Wasm memory now (optional: unreachable tensors are freed anyway). */
  dispose(): void { this.storage.dispose(); }

  /**
   * Backpropagates from this tensor. A one-element tensor seeds with 1; otherwise pass
   * `gradient` of the same shape. Gradients accumulate into `.grad` of the leaves.
   */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean } = {}): void {
    if (!this.requiresGrad) {
      throw new RnnError('backward: expected a tensor that requires grad (an output of a recorded op), got one with requiresGrad = false');
    }
    if (gradient !== undefined) {
      if (!(gradient instanceof Tensor)) fail('gradient', 'a Tensor', gradient);
      if (!sameShape(gradient.shape, this.shape)) fail('gradient', `shape ${show(this.shape)}`, gradient.shape);
    } else if (this.numel !== 1) {
      fail('backward', `a one-element output or an explicit gradient`, `shape ${show(this.shape)}`, true);
    }
    safePoint();
    let seed: Storage;
    if (gradient) { seed = Storage.alloc(this.numel); w().copy_rows(1, this.numel, gradient.ptr, 1, seed.ptr, 1); }
    else { seed = Storage.alloc(1); w().fill(seed.ptr, 1, 1); }
    runBackward(this, seed, !!opts.retainGraph);
  }

  // ---- shape ops ----

  /** The same data under a new shape (one entry may be -1). Shares storage. */
  reshape(...shape: (number | number[])[]): Tensor {
    const s = parseShape(shape, this.numel, 'reshape');
    const out = new Tensor(this.storage, s);
    return record(out, 'ReshapeBackward', [this], (g) => [g[0]]);
  }
  view(...shape: (number | number[])[]): Tensor { return this.reshape(...shape); }
  flatten(): Tensor { return this.reshape(-1); }

  /** Inserts a dimension of size 1 at `dim`. */
  unsqueeze(dim: number): Tensor {
    const d = normDim(dim, this.shape.length + 1);
    const s = this.shape.slice(); s.splice(d, 0, 1);
    return this.reshape(s);
  }

  /** Removes dimension `dim` if it has size 1, or all size-1 dimensions. */
  squeeze(dim?: number): Tensor {
    if (dim === undefined) return this.reshape(this.shape.filter((x) => x !== 1));
    const d = normDim(dim, this.shape.length);
    if (this.shape[d] !== 1) return this.reshape(this.shape);
    const s = this.shape.slice(); s.splice(d, 1);
    return this.reshape(s);
  }

  /** Picks index `index` along `dim`, removing that dimension (like `x[:, i]`). */
  select(dim: number, index: number): Tensor {
    const r = this.shape.length;
    if (r === 0) fail('select', 'a tensor with at least 1 dimension', 'a 0-d tensor', true);
    const d = normDim(dim, r);
    const n = this.shape[d];
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new RnnError(`select: expected index in [${-n}, ${n - 1}] for dimension ${d} of size ${n}, got ${show(index)}`);
    }
    const i = index < 0 ? index + n : index;
    safePoint();
    const st = stridesOf(this.shape);
    const outShape = this.shape.filter((_, k) => k !== d);
    const srcStrides = st.filter((_, k) => k !== d);
    const out = empty(outShape);
    const src = this.ptr + i * st[d] * 4;
    strided(COPY, outShape, src, srcStrides, 0, [], out.ptr, stridesOf(outShape));
    return record(out, 'SelectBackward', [this], (g) => {
      const dx = Storage.zeros(this.numel);
      strided(ACC, outShape, g[0]!.ptr, stridesOf(outShape), 0, [], dx.ptr + i * st[d] * 4, srcStrides);
      return [dx];
    });
  }

  /** Elements start, start+step, … before end along `dim` (Python slicing: clamps, negatives count from the end). */
  slice(dim: number, start = 0, end?: number, step = 1): Tensor {
    const r = this.shape.length;
    const d = normDim(dim, r);
    const n = this.shape[d];
    if (!Number.isInteger(step) || step < 1) fail('step', 'an integer >= 1', step);
    if (!Number.isInteger(start)) fail('start', 'an integer', start);
    if (end !== undefined && !Number.isInteger(end)) fail('end', 'an integer', end);
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const a = clamp(start), b = end === undefined ? n : clamp(end);
    const len = b > a ? Math.ceil((b - a) / step) : 0;
    safePoint();
    const st = stridesOf(this.shape);
    const outShape = this.shape.slice(); outShape[d] = len;
    const srcStrides = st.slice(); srcStrides[d] = st[d] * step;
    const out = empty(outShape);
    strided(COPY, outShape, this.ptr + a * st[d] * 4, srcStrides, 0, [], out.ptr, stridesOf(outShape));
    return record(out, 'SliceBackward', [this], (g) => {
      const dx = Storage.zeros(this.numel);
      strided(ACC, outShape, g[0]!.ptr, stridesOf(outShape), 0, [], dx.ptr + a * st[d] * 4, srcStrides);
      return [dx];
    });
  }

  /** Alias of slice along dim with length: narrow(dim, start, length). */
  narrow(dim: number, start: number, length: number): Tensor { return this.slice(dim, start, start + length); }

  /** Swaps two dimensions (a contiguous copy). */
  transpose(dim0: number, dim1: number): Tensor {
    const r = this.shape.length;
    const a = normDim(dim0, r, 'dim0'), b = normDim(dim1, r, 'dim1');
    const perm = this.shape.map((_, i) => i);
    perm[a] = b; perm[b] = a;
    return this.permute(perm);
  }

  /** Reorders dimensions: out.shape[i] = shape[perm[i]] (a contiguous copy). */
  permute(...perm: (number | number[])[]): Tensor {
    const p = (perm.length === 1 && Array.isArray(perm[0]) ? perm[0] : perm) as number[];
    const r = this.shape.length;
    if (p.length !== r || new Set(p.map((x) => normDim(x, r, 'perm'))).size !== r) {
      fail('perm', `a permutation of ${r} dimensions`, p);
    }
    const q = p.map((x) => normDim(x, r, 'perm'));
    safePoint();
    const st = stridesOf(this.shape);
    const outShape = q.map((i) => this.shape[i]);
    const out = empty(outShape);
    strided(COPY, outShape, this.ptr, q.map((i) => st[i]), 0, [], out.ptr, stridesOf(outShape));
    return record(out, 'PermuteBackward', [this], (g) => {
      const dx = Storage.alloc(this.numel);
      // write g back through the permuted strides
      strided(COPY, outShape, g[0]!.ptr, stridesOf(outShape), 0, [], dx.ptr, q.map((i) => st[i]));
      return [dx];
    });
  }

  /** Alias: a 2-D transpose. */
  get T(): Tensor {
    if (this.shape.length !== 2) fail('T', 'a 2-D tensor', `shape ${show(this.shape)}`, true);
    return this.transpose(0, 1);
  }

  // ---- arithmetic ----

  add(other: Tensor | number): Tensor { return binary(this, other, ADD, 'add'); }
  sub(other: Tensor | number): Tensor { return binary(this, other, SUB, 'sub'); }
  mul(other: Tensor | number): Tensor { return binary(this, other, MUL, 'mul'); }
  neg(): Tensor { return binary(this, -1, MUL, 'neg'); }

  tanh(): Tensor { return unary(this, TANH, 'TanhBackward'); }
  sigmoid(): Tensor { return unary(this, SIGMOID, 'SigmoidBackward'); }
  relu(): Tensor { return unary(this, RELU, 'ReluBackward'); }

  /** Sum of all elements, or along `dim` (keepdim keeps it as size 1). */
  sum(dim?: number | number[], keepdim = false): Tensor { return reduce(this, dim, keepdim, false); }
  /** Mean of all elements, or along `dim`. */
  mean(dim?: number | number[], keepdim = false): Tensor { return reduce(this, dim, keepdim, true); }

  /** Matrix product with PyTorch's rules for 1-D and 2-D operands, batched for 3-D. */
  matmul(other: Tensor): Tensor { return matmul(this, other); }

  /** A contiguous copy (recorded). */
  clone(): Tensor {
    safePoint();
    const out = empty(this.shape);
    w().copy_rows(1, this.numel, this.ptr, this.numel, out.ptr, this.numel);
    return record(out, 'CloneBackward', [this], (g) => [g[0]]);
  }

  // ---- exp, log, softmax, max, topk (src/ops.ts; kernels in assembly/softmax.ts) ----

  /** e^x elementwise (any shape), like torch.exp; gradient g·e^x. */
  exp(): Tensor { return expOp(this); }
  /** Natural logarithm elementwise, like torch.log: log 0 = −Infinity, log of a negative = NaN; gradient g/x. */
  log(): Tensor { return logOp(this); }

  /**
   * Softmax along `dim` (required; negative counts from the end), any rank, same shape out:
   * e^(x − max) / Σ e^(x − max), numerically stable, computed in f64 and rounded once.
   */
  softmax(dim: number): Tensor { return softmaxOp(this, dim, false); }
  /** log(softmax(x)) along `dim`, computed stably as x − logsumexp(x) (like torch.log_softmax). */
  logSoftmax(dim: number): Tensor { return softmaxOp(this, dim, true); }

  /**
   * With no dim: the largest element as a 0-d tensor (NaN if any element is NaN); its gradient
   * is shared evenly among the elements equal to it, like PyTorch. With `dim`: like
   * `torch.max(x, dim, keepdim)`, `[values, indices]` (also `.values`, `.indices`) of shape x.shape
   * without `dim` (kept as 1 with keepdim); indices are integral floats. Ties go to the first
   * index, NaN counts as the largest; the gradient flows to the selected elements.
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices { return maxOp(this, dim, keepdim); }

  /**
   * Index of the largest value along `dim` (first on ties, NaN counts as the largest), a tensor of
   * integral floats shaped like max(dim)'s; with no dim, the index into the flattened tensor (0-d).
   * No gradient. (Changed: argmax() used to return a plain number[] over the last dimension.)
   */
  argmax(dim?: number, keepdim = false): Tensor { return argmaxOp(this, dim, keepdim); }

  /**
   * The k largest (smallest if !largest) elements along `dim` (default −1): `[values, indices]`
   * (also `.values`, `.indices`), x.shape with `dim` of size k, always in sorted order; equal
   * values by lower index (PyTorch leaves their order unspecified), NaN counts as the largest.
   * The gradient flows to the selected elements.
   */
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesIndices { return topkOp(this, k, dim, largest, sorted); }

  toString(): string {
    return `tensor(${JSON.stringify(this.toArray())}${this.requiresGrad ? ', requiresGrad=true' : ''})`;
  }
}

/** A Tensor that a Module owns and an optimizer updates: requiresGrad on, storage pinned. */
export class Parameter extends Tensor {
  static override readonly reprName: string = 'Parameter';
  constructor(t: Tensor | Storage, shape?: Shape) {
    const s = t instanceof Tensor ? t.storage : t;
    super(s.pin(), t instanceof Tensor ? t.shape : shape!, true);
  }
  override get isParameter(): boolean { return true; }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function parseShape(args: (number | number[])[], n: number, op: string): number[] {
  const s = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as number[];
  let infer = -1, known = 1;
  s.forEach((v, i) => {
    if (v === -1 && infer < 0) infer = i;
    else if (!Number.isInteger(v) || v < 0) fail(`${op} shape`, 'non-negative integers and at most one -1', s);
    else known *= v;
  });
  const out = s.slice();
  if (infer >= 0) {
    if (known === 0 || n % known !== 0) fail(`${op} shape`, `a shape compatible with ${n} elements`, s);
    out[infer] = n / known;
  } else if (known !== n) {
    fail(`${op} shape`, `a shape with ${n} elements`, s);
  }
  return out;
}

/** Attaches a node to `out` when any input records gradients; returns `out`. */
export function record(out: Tensor, name: string, inputs: (Tensor | null)[], fn: BackwardFn, release?: () => void): Tensor {
  if (recording(...inputs)) {
    out._node = new Node(name, inputs, 1, fn, release ?? null);
    out._out = 0;
    out.requiresGrad = true;
  } else {
    release?.();
  }
  return out;
}

/** A tensor with uninitialised data. */
export function empty(shape: Shape): Tensor { return new Tensor(Storage.alloc(numel(shape)), shape); }

function asTensor(x: Tensor | number, like: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') fail(like, 'a Tensor or a number', x);
  return tensor(x);
}

function binary(a: Tensor, bIn: Tensor | number, op: number, name: string): Tensor {
  const b = asTensor(bIn, 'other');
  const shape = broadcastShape(a.shape, b.shape, name);
  safePoint();
  const out = empty(shape);
  const sa = broadcastStrides(a.shape, shape), sb = broadcastStrides(b.shape, shape), so = stridesOf(shape);
  strided(op, shape, a.ptr, sa, b.ptr, sb, out.ptr, so);
  const nm = name[0].toUpperCase() + name.slice(1) + 'Backward';
  return record(out, nm, [a, b], (g) => {
    const gp = g[0]!;
    // gradient for one operand: reduce over its broadcast dimensions (dst stride 0 accumulates)
    const grad = (t: Tensor, st: number[], other: Tensor | null, otherSt: number[], negate: boolean): Storage | null => {
      if (!t.requiresGrad) return null;
      if (!other && !negate && sameShape(t.shape, shape)) return gp;
      const d = Storage.zeros(t.numel);
      if (other) strided(ACC_MUL, shape, gp.ptr, so, other.ptr, otherSt, d.ptr, st);
      else strided(negate ? ACC_NEG : ACC, shape, gp.ptr, so, 0, [], d.ptr, st);
      return d;
    };
    if (op === ADD) return [grad(a, sa, null, [], false), grad(b, sb, null, [], false)];
    if (op === SUB) return [grad(a, sa, null, [], false), grad(b, sb, null, [], true)];
    return [grad(a, sa, b, sb, false), grad(b, sb, a, sa, false)];
  });
}

function unary(x: Tensor, op: number, name: string): Tensor {
  safePoint();
  const out = empty(x.shape);
  w().unary(op, x.ptr, out.ptr, x.numel);
  return record(out, name, [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().unary_grad(op, out.ptr, g[0]!.ptr, dx.ptr, x.numel, 0);
    return [dx];
  });
}

function reduce(x: Tensor, dimArg: number | number[] | undefined, keepdim: boolean, mean: boolean): Tensor {
  const r = x.shape.length;
  const name = mean ? 'MeanBackward' : 'SumBackward';
  if (dimArg === undefined) {
    safePoint();
    const out = empty(keepdim ? x.shape.map(() => 1) : []);
    const n = x.numel;
    F32()[out.ptr >> 2] = w().sum_all(x.ptr, n, mean ? n : 1);
    return record(out, name, [x], (g) => {
      const dx = Storage.alloc(n);
      const gv = F32()[g[0]!.ptr >> 2];
      w().fill(dx.ptr, n, gv);
      if (mean) w().scale_div(dx.ptr, dx.ptr, n, n);
      return [dx];
    });
  }
  const dims = (Array.isArray(dimArg) ? dimArg : [dimArg]).map((d) => normDim(d, r));
  safePoint();
  const keptShape = x.shape.map((s, i) => (dims.includes(i) ? 1 : s));
  const outShape = keepdim ? keptShape : x.shape.filter((_, i) => !dims.includes(i));
  const count = dims.reduce((a, d) => a * x.shape[d], 1);
  const out = new Tensor(Storage.zeros(numel(outShape)), outShape);
  const dst = broadcastStrides(keptShape, x.shape);
  strided(ACC, x.shape, x.ptr, stridesOf(x.shape), 0, [], out.ptr, dst);
  if (mean) w().scale_div(out.ptr, out.ptr, out.numel, count);
  return record(out, name, [x], (g) => {
    const dx = Storage.alloc(x.numel);
    strided(COPY, x.shape, g[0]!.ptr, dst, 0, [], dx.ptr, stridesOf(x.shape));
    if (mean) w().scale_div(dx.ptr, dx.ptr, x.numel, count);
    return [dx];
  });
}

function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(b instanceof Tensor)) fail('other', 'a Tensor', b);
  if (a.dim === 0 || b.dim === 0) fail('matmul', 'operands with at least 1 dimension', `shapes ${show(a.shape)} and ${show(b.shape)}`, true);
  // promote 1-D operands like torch.matmul, then drop the added dimensions
  const A = a.dim === 1 ? a.reshape(1, a.shape[0]) : a;
  const B = b.dim === 1 ? b.reshape(b.shape[0], 1) : b;
  if (A.dim > 3 || B.dim > 3) fail('matmul', 'operands of at most 3 dimensions', `shapes ${show(a.shape)} and ${show(b.shape)}`, true);
  const M = A.shape[A.dim - 2], K = A.shape[A.dim - 1], K2 = B.shape[B.dim - 2], N = B.shape[B.dim - 1];
  if (K !== K2) throw new RnnError(`matmul: expected inner sizes to match, got shapes ${show(a.shape)} and ${show(b.shape)} (${K} vs ${K2})`);
  const batchA = A.dim === 3 ? A.shape[0] : 1, batchB = B.dim === 3 ? B.shape[0] : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new RnnError(`matmul: expected batch sizes that broadcast, got ${batchA} and ${batchB}`);
  }
  const batch = Math.max(batchA, batchB);
  const batched = A.dim === 3 || B.dim === 3;
  safePoint();
  const out = empty(batched ? [batch, M, N] : [M, N]);
  const e = w();
  const sa = batchA === 1 ? 0 : M * K * 4, sb = batchB === 1 ? 0 : K * N * 4, so = M * N * 4;
  for (let i = 0; i < batch; i++) e.gemm(M, N, K, A.ptr + i * sa, K, B.ptr + i * sb, N, out.ptr + i * so, N, 0);
  let res = record(out, 'MmBackward', [A, B], (g) => {
    const gp = g[0]!.ptr;
    let dA: Storage | null = null, dB: Storage | null = null;
    if (A.requiresGrad) {           // dA = g · Bᵀ
      dA = Storage.zeros(A.numel);
      const bt = Storage.alloc(K * N);
      for (let i = 0; i < batch; i++) {
        e.transpose(K, N, B.ptr + i * sb, N, bt.ptr, K);
        e.gemm(M, K, N, gp + i * so, N, bt.ptr, K, dA.ptr + i * sa, K, 1);
      }
      bt.dispose();
    }
    if (B.requiresGrad) {           // dB = Aᵀ · g
      dB = Storage.zeros(B.numel);
      const at = Storage.alloc(M * K);
      for (let i = 0; i < batch; i++) {
        e.transpose(M, K, A.ptr + i * sa, K, at.ptr, M);
        e.gemm(K, N, M, at.ptr, M, gp + i * so, N, dB.ptr + i * sb, N, 1);
      }
      at.dispose();
    }
    return [dA, dB];
  });
  if (a.dim === 1 && b.dim === 1) res = res.reshape([]);
  else if (a.dim === 1) res = res.reshape(batched ? [batch, N] : [N]);
  else if (b.dim === 1) res = res.reshape(batched ? [batch, M] : [M]);
  return res;
}

/** Concatenates tensors along `dim` (all other sizes must match), like torch.cat. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) fail('tensors', 'a non-empty array of Tensors', tensors);
  tensors.forEach((t, i) => { if (!(t instanceof Tensor)) fail(`tensors[${i}]`, 'a Tensor', t); });
  const first = tensors[0];
  const r = first.dim;
  const d = normDim(dim, r);
  tensors.forEach((t, i) => {
    if (t.dim !== r || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new RnnError(`cat: expected tensors[${i}] to match ${show(first.shape)} except in dimension ${d}, got ${show(t.shape)}`);
    }
  });
  safePoint();
  const outShape = first.shape.slice();
  outShape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  const out = empty(outShape);
  const so = stridesOf(outShape);
  const offsets: number[] = [];
  let off = 0;
  for (const t of tensors) {
    offsets.push(off);
    strided(COPY, t.shape, t.ptr, stridesOf(t.shape), 0, [], out.ptr + off * so[d] * 4, so);
    off += t.shape[d];
  }
  return record(out, 'CatBackward', tensors, (g) => tensors.map((t, i) => {
    if (!t.requiresGrad) return null;
    const dx = Storage.alloc(t.numel);
    strided(COPY, t.shape, g[0]!.ptr + offsets[i] * so[d] * 4, so, 0, [], dx.ptr, stridesOf(t.shape));
    return dx;
  }));
}

/** Stacks same-shape tensors along a new dimension `dim`. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) fail('tensors', 'a non-empty array of Tensors', tensors);
  return cat(tensors.map((t) => t.unsqueeze(dim)), dim);
}

/**
 * A tensor from nested arrays, a typed array or a number, like torch.tensor.
 * `shape` is required for a flat typed array of rank > 1.
 */
export function tensor(data: NestedArray | ArrayLike<number>, shapeOrOpts?: Shape | TensorOptions, opts?: TensorOptions): Tensor {
  let shape: number[] | undefined;
  if (Array.isArray(shapeOrOpts)) shape = shapeOrOpts.slice();
  else if (shapeOrOpts && typeof shapeOrOpts === 'object') opts = shapeOrOpts as TensorOptions;
  else if (shapeOrOpts !== undefined) fail('shape', 'an array of sizes', shapeOrOpts);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') { flat = [data]; inferred = []; }
  else if (ArrayBuffer.isView(data)) { flat = data as unknown as ArrayLike<number>; inferred = [flat.length]; }
  else if (Array.isArray(data)) {
    const out: number[] = [];
    inferred = [];
    flatten(data as NestedArray, inferred, out, 0, 'data');
    flat = out;
  } else {
    fail('data', 'nested arrays of numbers, a typed array or a number', data);
  }
  if (shape) {
    shape.forEach((s) => { if (!Number.isInteger(s) || s < 0) fail('shape', 'non-negative integer sizes', shape); });
    if (numel(shape) !== flat.length) fail('shape', `a shape with ${flat.length} elements (the data's length)`, shape);
  }
  safePoint();
  return new Tensor(Storage.from(flat), shape ?? inferred, !!opts?.requiresGrad);
}

function checkShape(shape: Shape, arg = 'shape'): number[] {
  if (!Array.isArray(shape) || shape.some((s) => !Number.isInteger(s) || s < 0)) fail(arg, 'an array of non-negative integer sizes', shape);
  return shape.slice();
}

/** A tensor of zeros. */
export function zeros(shape: Shape, opts?: TensorOptions): Tensor {
  const s = checkShape(shape);
  safePoint();
  return new Tensor(Storage.zeros(numel(s)), s, !!opts?.requiresGrad);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, opts?: TensorOptions): Tensor {
  const s = checkShape(shape);
  safePoint();
  const t = new Tensor(Storage.alloc(numel(s)), s, !!opts?.requiresGrad);
  w().fill(t.ptr, t.numel, value);
  return t;
}

/** A tensor of ones. */
export function ones(shape: Shape, opts?: TensorOptions): Tensor { return full(shape, 1, opts); }

/** Standard normal samples from the seeded generator (see manualSeed). */
export function randn(shape: Shape, opts?: TensorOptions): Tensor {
  const s = checkShape(shape);
  safePoint();
  const t = new Tensor(Storage.alloc(numel(s)), s, !!opts?.requiresGrad);
  w().rng_normal(t.ptr, t.numel, 0, 1);
  return t;
}

/** Uniform samples in [0, 1) from the seeded generator. */
export function rand(shape: Shape, opts?: TensorOptions): Tensor {
  const s = checkShape(shape);
  safePoint();
  const t = new Tensor(Storage.alloc(numel(s)), s, !!opts?.requiresGrad);
  w().rng_uniform(t.ptr, t.numel, 0, 1);
  return t;
}

/** Seeds the generator behind parameter initialisation, randn, rand and dropout. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed)) fail('seed', 'an integer', seed);
  const lo = seed >>> 0, hi = Math.floor(seed / 4294967296) >>> 0;
  w().rng_seed(lo, hi);
}

export { strided as _strided, COPY as _COPY, ACC as _ACC };
