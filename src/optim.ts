// Optimizers with PyTorch 1.13's update rules; each parameter's update is one Wasm call.
// references: torch/optim/sgd.py, adam.py, adamw.py; torch/nn/utils/clip_grad.py
import { clearGrads } from './autograd.js';
import { RnnError, fail, show } from './errors.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, Tensor } from './tensor.js';
import { I32, w } from './wasm.js';

function checkParams(params: Iterable<Tensor>, where: string): Tensor[] {
  if (!params || typeof (params as any)[Symbol.iterator] !== 'function') fail(`${where} params`, 'an iterable of parameters', params);
  const list = [...params];
  // as PyTorch: frozen parameters (requiresGrad false, e.g. Embedding.fromPretrained) are accepted, and
  // skipped while they have no gradient
  list.forEach((p, i) => { if (!(p instanceof Tensor) || !p.isLeaf) fail(`${where} params[${i}]`, 'a leaf Tensor (a parameter)', p); });
  if (!list.length) throw new RnnError(`${where} params: expected at least one parameter, got an empty list`);
  return list;
}

function num(where: string, name: string, v: unknown, lo: number, hi = Infinity, openLo = false): number {
  if (typeof v !== 'number' || !(openLo ? v > lo : v >= lo) || !(v <= hi)) {
    fail(`${where} ${name}`, `a number in ${openLo ? '(' : '['}${lo}, ${hi === Infinity ? '∞)' : hi + ']'}`, v);
  }
  return v as number;
}

function options<T extends object>(opts: unknown, defaults: T, where: string): T {
  const out: any = { ...defaults };
  if (opts === undefined) return out;
  if (opts === null || typeof opts !== 'object') fail(`${where} options`, 'an object', opts);
  for (const [k, v] of Object.entries(opts as object)) {
    const camel = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(camel in defaults)) throw new RnnError(`${where} options: expected one of ${Object.keys(defaults).join(', ')}, got unknown option ${show(k)}`);
    if (v !== undefined) out[camel] = v;
  }
  return out;
}

export abstract class Optimizer {
  readonly params: Tensor[];
  constructor(params: Iterable<Tensor>, where: string) { this.params = checkParams(params, where); }

  /**
   * Zeroes the gradients in place (PyTorch 1.13's default, set_to_none=False: no new memory per
   * step); `{ setToNone: true }` sets them to null instead (a parameter with a null gradient is
   * skipped by step(), as in PyTorch).
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void { safePoint(); clearGrads(this.params, !!opts.setToNone); }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;
}

export interface SGDOptions { lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }

/** Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay. */
export class SGD extends Optimizer {
  lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean;
  private buf = new Map<Tensor, Storage>();

  constructor(params: Iterable<Tensor>, opts?: SGDOptions) {
    super(params, 'SGD');
    const o = options(opts, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, 'SGD');
    this.lr = num('SGD', 'lr', o.lr, 0);
    this.momentum = num('SGD', 'momentum', o.momentum, 0);
    this.dampening = num('SGD', 'dampening', o.dampening, 0, 1);
    this.weightDecay = num('SGD', 'weightDecay', o.weightDecay, 0);
    this.nesterov = !!o.nesterov;
    this.maximize = !!o.maximize;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RnnError(`SGD nesterov: expected momentum > 0 and dampening = 0, got momentum ${this.momentum}, dampening ${this.dampening}`);
    }
  }

  step(): void {
    safePoint();
    const e = w();
    for (const p of this.params) {
      if (!p.grad) continue;
      let b = this.buf.get(p);
      const first = !b;
      if (this.momentum !== 0 && !b) { b = Storage.alloc(p.numel, true); this.buf.set(p, b); }
      e.sgd_step(p.numel, p.ptr, p.grad.ptr, b?.ptr ?? 0, this.lr, this.momentum, this.dampening, this.weightDecay,
        +this.nesterov, +this.maximize, +first);
    }
  }
}

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean }

interface AdamState { step: number; m: Storage; v: Storage; vmax: Storage | null }

class AdamBase extends Optimizer {
  lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean;
  private state = new Map<Tensor, AdamState>();

  constructor(params: Iterable<Tensor>, opts: AdamOptions | undefined, private decoupled: boolean, where: string) {
    super(params, where);
    const o = options(opts, { lr: 1e-3, betas: [0.9, 0.999] as [number, number], eps: 1e-8, weightDecay: decoupled ? 1e-2 : 0, amsgrad: false, maximize: false }, where);
    this.lr = num(where, 'lr', o.lr, 0);
    if (!Array.isArray(o.betas) || o.betas.length !== 2) fail(`${where} betas`, 'a pair [beta1, beta2]', o.betas);
    num(where, 'betas[0]', o.betas[0], 0, 1); num(where, 'betas[1]', o.betas[1], 0, 1);
    if (o.betas[0] >= 1 || o.betas[1] >= 1) fail(`${where} betas`, 'values in [0, 1)', o.betas);
    this.betas = [o.betas[0], o.betas[1]];
    this.eps = num(where, 'eps', o.eps, 0);
    this.weightDecay = num(where, 'weightDecay', o.weightDecay, 0);
    this.amsgrad = !!o.amsgrad;
    this.maximize = !!o.maximize;
  }

  step(): void {
    safePoint();
    const e = w();
    for (const p of this.params) {
      if (!p.grad) continue;
      let s = this.state.get(p);
      if (!s) {
        s = { step: 0, m: Storage.zeros(p.numel, true), v: Storage.zeros(p.numel, true), vmax: this.amsgrad ? Storage.zeros(p.numel, true) : null };
        this.state.set(p, s);
      }
      s.step++;
      e.adam_step(p.numel, p.ptr, p.grad.ptr, s.m.ptr, s.v.ptr, s.vmax?.ptr ?? 0, s.step, this.lr, this.betas[0], this.betas[1],
        this.eps, this.weightDecay, +this.decoupled, +this.amsgrad, +this.maximize);
    }
  }
}

/** Adam (Kingma & Ba), PyTorch's formulation; weightDecay adds wd·p to the gradient. */
export class Adam extends AdamBase {
  constructor(params: Iterable<Tensor>, opts?: AdamOptions) { super(params, opts, false, 'Adam'); }
}

/** AdamW: decoupled weight decay (p ·= 1 − lr·wd before the Adam update); default weightDecay 0.01. */
export class AdamW extends AdamBase {
  constructor(params: Iterable<Tensor>, opts?: AdamOptions) { super(params, opts, true, 'AdamW'); }
}

/**
 * Scales the gradients so their global 2-norm is at most maxNorm (like
 * torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) fail('maxNorm', 'a number >= 0', maxNorm);
  const list = [...params].filter((p) => p instanceof Tensor && p.grad);
  if (!list.length) return 0;
  safePoint();
  const e = w();
  const tab = Storage.alloc(list.length * 2);
  const ptrs = list.map((p) => [p.grad!.ptr, p.numel]).flat();
  I32().set(ptrs, tab.ptr >> 2);
  const total = e.clip_grad_norm(tab.ptr, list.length, maxNorm);
  tab.dispose();
  return total;
}

export { Parameter };
