// Losses, computed in Wasm (assembly/loss.ts); each records its backward beside its forward.
import { Node, recording } from './autograd.js';
import { RnnError, fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, sameShape } from './tensor.js';
import { F32, I32, w } from './wasm.js';

function scalarOut(v: number): Tensor {
  const t = new Tensor(Storage.alloc(1), []);
  F32()[t.ptr >> 2] = v;
  return t;
}

export type Reduction = 'mean' | 'sum' | 'none';
const REDUCTIONS: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

/** Options of crossEntropy (PyTorch's names, camelCase). */
export interface CrossEntropyOptions {
  /** Rows whose target equals this are skipped (loss 0, no gradient, not counted by 'mean'). Default −100. */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target becomes (1 − ε)·onehot + ε/C (PyTorch's label_smoothing). Default 0. */
  labelSmoothing?: number;
  /** 'mean' (over the rows not ignored), 'sum' or 'none' (one loss per row). Default 'mean'. */
  reduction?: Reduction;
}

/** Options of nllLoss. */
export interface NllLossOptions {
  ignoreIndex?: number;
  reduction?: Reduction;
}

type Targets = Tensor | ArrayLike<number> | number;

/**
 * Checks a loss's input (C), (N, C) or (N, C, d1, …) and class-index targets (), (N) or
 * (N, d1, …); returns the rows as (R, C) (classes last, a recorded permute when d1… exist), the
 * targets as numbers in row order, and the shape of a 'none' result.
 */
function classInput(input: Tensor, target: Targets, ignoreIndex: number, what: string): { x: Tensor; t: ArrayLike<number>; outShape: number[] } {
  if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
  if (input.dim === 0) fail('input', `${what} of shape (N, C) or (C)`, `shape ${show(input.shape)}`, true);
  if (!Number.isInteger(ignoreIndex)) fail('ignoreIndex', 'an integer', ignoreIndex);
  const C = input.dim === 1 ? input.shape[0] : input.shape[1];
  const outShape = input.dim === 1 ? [] : input.shape.filter((_, i) => i !== 1);
  const R = outShape.reduce((a, b) => a * b, 1);
  let t: ArrayLike<number>;
  if (target instanceof Tensor) {
    // (N, C, d1, …) input: PyTorch's target shape; (N, C) or (C): any shape with N elements (e.g. (B, T) for (B·T, C))
    if (input.dim > 2 ? !sameShape(target.shape, outShape) : target.numel !== R) {
      fail('target', `class indices of shape ${show(outShape)} (input ${show(input.shape)})`, `shape ${show(target.shape)}`, true);
    }
    t = target.toFloat32Array();
  } else if (typeof target === 'number') t = [target];
  else if (typeof target === 'object' && target !== null && typeof (target as ArrayLike<number>).length === 'number') t = target as ArrayLike<number>;
  else fail('target', 'class indices (an array, Int32Array or Tensor)', target);
  if (t.length !== R) fail('target', `${R} class indices (one per row of input ${show(input.shape)})`, `${t.length}`, true);
  for (let i = 0; i < R; i++) {
    const c = t[i];
    if (c === ignoreIndex) continue;
    if (!Number.isInteger(c) || c < 0 || c >= C) {
      throw new RnnError(`target[${i}]: expected a class index in [0, ${C - 1}]${ignoreIndex < 0 || ignoreIndex >= C ? ` or ignoreIndex ${ignoreIndex}` : ''}, got ${show(c)}`);
    }
  }
  // (N, C, d1, …) → (N·d1·…, C): rows in the targets' row-major order
  const x = input.dim <= 2 ? input : input.permute([0, ...input.shape.slice(2).map((_, i) => i + 2), 1]).reshape(-1, C);
  return { x, t, outShape };
}

function reductionOf(reduction: unknown): number {
  if (typeof reduction !== 'string' || !(reduction in REDUCTIONS)) fail('reduction', "'mean', 'sum' or 'none'", reduction);
  return REDUCTIONS[reduction as Reduction];
}

/** Class indices as i32 in Wasm memory (ignored rows keep ignoreIndex). */
function targetStorage(t: ArrayLike<number>): Storage {
  const tg = Storage.alloc(t.length);
  I32().set(t, tg.ptr >> 2);
  return tg;
}

/**
 * Cross-entropy of logits against class indices, like `F.cross_entropy` / nn.CrossEntropyLoss
 * (PyTorch 1.13): input (N, C), (C) or (N, C, d1, …) (e.g. N = batch × time: reshape logits to
 * (B·T, C)); target (N) (resp. () or (N, d1, …)) class indices: an array, Int32Array, Tensor of
 * integral floats (for (N, C) input any shape with N elements, e.g. (B, T)) or, for (C), a number. Each counted row's loss is
 * (1 − ε)·(logsumexp(x) − x_t) + (ε/C)·Σ_c (logsumexp(x) − x_c), ε = labelSmoothing.
 * Rows whose target is `ignoreIndex` are skipped; 'mean' divides by the rows counted (NaN when
 * every row is ignored), 'sum' adds, 'none' returns (N) (resp. () or (N, d1, …)) with 0 at ignored
 * rows. A target outside [0, C) that is not ignoreIndex is an RnnError.
 */
export function crossEntropy(input: Tensor, target: Targets, opts: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, labelSmoothing = 0, reduction = 'mean' } = opts ?? {};
  if (typeof labelSmoothing !== 'number' || !(labelSmoothing >= 0 && labelSmoothing <= 1)) fail('labelSmoothing', 'a number in [0, 1]', labelSmoothing);
  const red = reductionOf(reduction);
  const { x, t, outShape } = classInput(input, target, ignoreIndex, 'logits');
  const N = t.length, C = input.dim === 1 ? input.shape[0] : input.shape[1];
  safePoint();
  const e = w();
  const tg = targetStorage(t);
  const probs = Storage.alloc(N * C);
  const out = new Tensor(Storage.alloc(red === 0 ? N : 1), red === 0 ? outShape : []);
  const count = e.cross_entropy_ex_forward(N, C, x.readPtr, tg.ptr, ignoreIndex, labelSmoothing, red, out.ptr, probs.ptr);
  const release = () => { tg.dispose(); probs.dispose(); };
  if (!recording(x)) { release(); return out; }
  out._node = new Node('NllLossBackward', [x], 1, ([g]) => {
    const dx = Storage.alloc(N * C);
    const gs = red === 0 ? 0 : F32()[g!.readPtr >> 2];
    e.cross_entropy_ex_backward(N, C, probs.readPtr, tg.ptr, ignoreIndex, labelSmoothing, red, count, gs, red === 0 ? g!.readPtr : 0, dx.ptr, 0);
    return [dx];
  }, release);
  out.requiresGrad = true;
  return out;
}

/**
 * Negative log-likelihood of log-probabilities (e.g. `logits.logSoftmax(-1)`) at class indices,
 * like `F.nll_loss` / nn.NLLLoss: input (N, C), (C) or (N, C, d1, …), target as for crossEntropy;
 * each counted row's loss is −input[n, target[n]]; `ignoreIndex` (default −100) and `reduction`
 * ('mean' over the rows counted, NaN when none is; 'sum'; 'none') as in crossEntropy.
 */
export function nllLoss(input: Tensor, target: Targets, opts: NllLossOptions = {}): Tensor {
  const { ignoreIndex = -100, reduction = 'mean' } = opts ?? {};
  const red = reductionOf(reduction);
  const { x, t, outShape } = classInput(input, target, ignoreIndex, 'log-probabilities');
  const N = t.length, C = input.dim === 1 ? input.shape[0] : input.shape[1];
  safePoint();
  const e = w();
  const tg = targetStorage(t);
  const out = new Tensor(Storage.alloc(red === 0 ? N : 1), red === 0 ? outShape : []);
  const count = e.nll_loss_forward(N, C, x.readPtr, tg.ptr, ignoreIndex, red, out.ptr);
  const release = () => { tg.dispose(); };
  if (!recording(x)) { release(); return out; }
  out._node = new Node('NllLossBackward', [x], 1, ([g]) => {
    const dx = Storage.alloc(N * C);
    const gs = red === 0 ? 0 : F32()[g!.readPtr >> 2];
    e.nll_loss_backward(N, C, tg.ptr, ignoreIndex, red, count, gs, red === 0 ? g!.readPtr : 0, dx.ptr);
    return [dx];
  }, release);
  out.requiresGrad = true;
  return out;
}

function pair(input: Tensor, target: Tensor, name: string): void {
  if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
  if (!(target instanceof Tensor)) fail('target', 'a Tensor', target);
  if (!sameShape(input.shape, target.shape)) fail('target', `shape ${show(input.shape)} (the input's, for ${name})`, target.shape);
}

/** Mean squared error, like nn.MSELoss(): mean((input − target)²). */
export function mseLoss(input: Tensor, target: Tensor): Tensor {
  pair(input, target, 'mseLoss');
  safePoint();
  const e = w();
  const n = input.numel;
  const out = scalarOut(e.mse_forward(n, input.ptr, target.ptr));
  if (!recording(input, target)) return out;
  out._node = new Node('MseLossBackward', [input, target], 1, ([g]) => {
    const dx = input.requiresGrad ? Storage.alloc(n) : null;
    const dy = target.requiresGrad ? Storage.alloc(n) : null;
    e.mse_backward(n, input.ptr, target.ptr, F32()[g!.ptr >> 2], dx?.ptr ?? 0, dy?.ptr ?? 0, 0);
    return [dx, dy];
  });
  out.requiresGrad = true;
  return out;
}

/** Binary cross-entropy on logits, like nn.BCEWithLogitsLoss(): targets in [0, 1]. */
export function bceWithLogits(input: Tensor, target: Tensor): Tensor {
  pair(input, target, 'bceWithLogits');
  safePoint();
  const e = w();
  const n = input.numel;
  const out = scalarOut(e.bce_logits_forward(n, input.ptr, target.ptr));
  if (!recording(input)) return out;
  out._node = new Node('BinaryCrossEntropyWithLogitsBackward', [input, target], 1, ([g]) => {
    const dx = Storage.alloc(n);
    e.bce_logits_backward(n, input.ptr, target.ptr, F32()[g!.ptr >> 2], dx.ptr, 0);
    return [dx, null];
  });
  out.requiresGrad = true;
  return out;
}
