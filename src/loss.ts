// Losses, mean reduction, computed in Wasm (assembly/loss.ts).
import { Node, recording } from './autograd.js';
import { RnnError, fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, sameShape } from './tensor.js';
import { F32, I32, w } from './wasm.js';

function scalarOut(v: number): Tensor {
  const t = new Tensor(Storage.alloc(1), []);
  F32()[t.ptr >>> 2] = v;
  return t;
}

/**
 * Cross-entropy of logits (N, C) or (C) against class indices (N) — an array, Int32Array or
 * Tensor of integers — averaged over N, like nn.CrossEntropyLoss().
 */
export function crossEntropy(input: Tensor, target: Tensor | ArrayLike<number> | number): Tensor {
  if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
  if (input.dim !== 1 && input.dim !== 2) fail('input', 'logits of shape (N, C) or (C)', `shape ${show(input.shape)}`, true);
  const N = input.dim === 2 ? input.shape[0] : 1, C = input.shape[input.dim - 1];
  let t: ArrayLike<number>;
  if (target instanceof Tensor) t = target.toFloat32Array();
  else if (typeof target === 'number') t = [target];
  else if (target && typeof (target as ArrayLike<number>).length === 'number') t = target as ArrayLike<number>;
  else fail('target', 'class indices (an array, Int32Array or Tensor)', target);
  if (t.length !== N) fail('target', `${N} class indices (one per row of input ${show(input.shape)})`, `${t.length}`, true);
  for (let i = 0; i < N; i++) {
    const c = t[i];
    if (!Number.isInteger(c) || c < 0 || c >= C) {
      throw new RnnError(`target[${i}]: expected a class index in [0, ${C - 1}], got ${show(c)}`);
    }
  }
  safePoint(input);
  const e = w();
  const tg = Storage.alloc(N);
  I32().set(Array.from(t), tg.ptr >>> 2);
  const probs = Storage.alloc(N * C);
  const loss = Storage.alloc(1);
  e.cross_entropy_forward(N, C, input.ptr, tg.ptr, loss.ptr, probs.ptr);
  const out = new Tensor(loss, []);
  const release = () => { tg.dispose(); probs.dispose(); };
  if (!recording(input)) { release(); return out; }
  out._node = new Node('NllLossBackward', [input], 1, ([g]) => {
    const dx = Storage.alloc(N * C);
    e.cross_entropy_backward(N, C, probs.ptr, tg.ptr, F32()[g!.ptr >>> 2], dx.ptr, 0);
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
    e.mse_backward(n, input.ptr, target.ptr, F32()[g!.ptr >>> 2], dx?.ptr ?? 0, dy?.ptr ?? 0, 0);
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
    e.bce_logits_backward(n, input.ptr, target.ptr, F32()[g!.ptr >>> 2], dx.ptr, 0);
    return [dx, null];
  });
  out.requiresGrad = true;
  return out;
}
