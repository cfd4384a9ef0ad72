// Tensor ops behind exp, log, softmax, logSoftmax, max, argmax, topk (assembly/softmax.ts): each
// checks its arguments (RnnError), computes in Wasm and records its backward beside it. The Tensor
// methods in tensor.ts call these.
import { fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, empty, normDim, record } from './tensor.js';
import { F32, w } from './wasm.js';

/**
 * What `max(dim)` and `topk` return: `[values, indices]`, also readable as `.values` / `.indices`
 * (like torch.return_types). An array whose own `values` property hides Array.prototype.values.
 */
export type ValuesIndices = Omit<readonly [Tensor, Tensor], 'values'> & { readonly values: Tensor; readonly indices: Tensor };

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const r: unknown = Object.assign([values, indices], { values, indices });
  return r as ValuesIndices;
}

/** (outer, C, inner) of `shape` around dimension d (a 0-d tensor is (1, 1, 1)). */
function split(shape: readonly number[], d: number): [number, number, number] {
  if (shape.length === 0) return [1, 1, 1];
  let outer = 1, inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i];
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[d], inner];
}

/** The shape after reducing dimension d: kept as 1 (keepdim) or removed. */
function reducedShape(shape: readonly number[], d: number, keepdim: boolean): number[] {
  if (shape.length === 0) return [];
  const s = shape.slice();
  if (keepdim) s[d] = 1; else s.splice(d, 1);
  return s;
}

function checkKeepdim(keepdim: unknown): boolean {
  if (typeof keepdim !== 'boolean') fail('keepdim', 'a boolean', keepdim);
  return keepdim;
}

export function expOp(x: Tensor): Tensor {
  safePoint();
  const out = empty(x.shape);
  w().exp_forward(x.readPtr, out.ptr, x.numel);
  return record(out, 'ExpBackward0', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().exp_backward(out.readPtr, g[0]!.readPtr, dx.ptr, x.numel);
    return [dx];
  });
}

export function logOp(x: Tensor): Tensor {
  safePoint();
  const out = empty(x.shape);
  w().log_forward(x.readPtr, out.ptr, x.numel);
  return record(out, 'LogBackward0', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().log_backward(x.readPtr, g[0]!.readPtr, dx.ptr, x.numel);
    return [dx];
  });
}

export function softmaxOp(x: Tensor, dim: number, log: boolean): Tensor {
  const d = normDim(dim, x.dim);
  const [outer, C, inner] = split(x.shape, d);
  safePoint();
  const out = empty(x.shape);
  const flag = log ? 1 : 0;
  w().softmax_forward(outer, C, inner, x.readPtr, out.ptr, flag);
  return record(out, log ? 'LogSoftmaxBackward0' : 'SoftmaxBackward0', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().softmax_backward(outer, C, inner, out.readPtr, g[0]!.readPtr, dx.ptr, flag);
    return [dx];
  });
}

function nonEmptyDim(x: Tensor, d: number, op: string): void {
  if (x.dim > 0 && x.shape[d] === 0) fail(op, `a non-empty dimension ${d} to reduce`, `shape ${show(x.shape)}`, true);
}

export function maxOp(x: Tensor, dim: number | undefined, keepdim: boolean): Tensor | ValuesIndices {
  if (dim === undefined) {
    if (x.numel === 0) fail('max', 'a non-empty tensor (the maximum of no elements is undefined)', `shape ${show(x.shape)}`, true);
    safePoint();
    const out = empty([]);
    const n = x.numel;
    w().max_dim(1, n, 1, x.readPtr, out.ptr, 0);
    return record(out, 'MaxBackward1', [x], (g) => {
      const dx = Storage.alloc(n);
      w().max_all_backward(n, x.readPtr, F32()[out.readPtr >> 2], F32()[g[0]!.readPtr >> 2], dx.ptr);
      return [dx];
    });
  }
  const d = normDim(dim, x.dim);
  checkKeepdim(keepdim);
  nonEmptyDim(x, d, 'max');
  const [outer, C, inner] = split(x.shape, d);
  const shape = reducedShape(x.shape, d, keepdim);
  safePoint();
  const values = empty(shape), indices = empty(shape);
  w().max_dim(outer, C, inner, x.readPtr, values.ptr, indices.ptr);
  record(values, 'MaxBackward0', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().scatter_dim(outer, 1, C, inner, g[0]!.readPtr, indices.readPtr, dx.ptr);
    return [dx];
  });
  return valuesIndices(values, indices);
}

export function argmaxOp(x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkKeepdim(keepdim);
  if (dim === undefined) {
    if (x.numel === 0) fail('argmax', 'a non-empty tensor', `shape ${show(x.shape)}`, true);
    safePoint();
    const out = empty(keepdim ? x.shape.map(() => 1) : []);
    w().max_dim(1, x.numel, 1, x.readPtr, 0, out.ptr);
    return out;
  }
  const d = normDim(dim, x.dim);
  nonEmptyDim(x, d, 'argmax');
  const [outer, C, inner] = split(x.shape, d);
  safePoint();
  const out = empty(reducedShape(x.shape, d, keepdim));
  w().max_dim(outer, C, inner, x.readPtr, 0, out.ptr);
  return out;
}

export function topkOp(x: Tensor, k: number, dim: number, largest: boolean, sorted: boolean): ValuesIndices {
  const d = normDim(dim, x.dim);
  const [outer, C, inner] = split(x.shape, d);
  if (!Number.isInteger(k) || k < 0 || k > C) fail('k', `an integer in [0, ${C}] (the size of dimension ${d})`, k);
  if (typeof largest !== 'boolean') fail('largest', 'a boolean', largest);
  if (typeof sorted !== 'boolean') fail('sorted', 'a boolean', sorted);
  const shape = x.dim === 0 ? [] : x.shape.slice();
  if (x.dim > 0) shape[d] = k;
  else k = 1;                    // a 0-d tensor gives its value for k = 0 or 1, like PyTorch
  safePoint();
  const values = empty(shape), indices = empty(shape);
  w().topk_forward(outer, C, inner, k, largest ? 1 : 0, x.readPtr, values.ptr, indices.ptr);
  record(values, 'TopkBackward0', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    w().scatter_dim(outer, k, C, inner, g[0]!.readPtr, indices.readPtr, dx.ptr);
    return [dx];
  });
  return valuesIndices(values, indices);
}
