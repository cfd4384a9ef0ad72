// Linear: y = x·Wᵀ + b. reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
// x (…, in) → y (…, out); weight (out, in), bias (out).
import { Node, leafGradPtr, recording } from './autograd.js';
import { checkInt, fail, show } from './errors.js';
import { Module, readOptions } from './module.js';
import { uniformParameter } from './init.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, Tensor } from './tensor.js';
import { w } from './wasm.js';

export class Linear extends Module {
  static readonly reprName = 'Linear';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  /** new Linear(inFeatures, outFeatures, { bias = true }); init uniform(−1/√in, 1/√in) like PyTorch. */
  constructor(inFeatures: number, outFeatures: number, opts?: { bias?: boolean }) {
    super();
    w();
    const o = readOptions(opts, { bias: true }, 'Linear');
    this.inFeatures = checkInt('inFeatures', inFeatures, 1);
    this.outFeatures = checkInt('outFeatures', outFeatures, 1);
    if (typeof o.bias !== 'boolean') fail('bias', 'a boolean', o.bias);
    const k = this.inFeatures;   // init fan: uniform(−1/√in, 1/√in)
    this.weight = uniformParameter([this.outFeatures, this.inFeatures], k);
    this.bias = o.bias ? uniformParameter([this.outFeatures], k) : null;
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias ? 'True' : 'False'}`;
  }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }

  override forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) fail('input', 'a Tensor', x);
    if (x.dim < 1 || x.shape[x.dim - 1] !== this.inFeatures) {
      fail('input', `last dimension ${this.inFeatures} (inFeatures)`, `shape ${show(x.shape)}`, true);
    }
    safePoint();
    const e = w();
    const IN = this.inFeatures, OUT = this.outFeatures, M = x.numel / IN;
    const W = this.weight, b = this.bias;
    const y = new Tensor(Storage.alloc(M * OUT), [...x.shape.slice(0, -1), OUT]);
    e.linear_forward(M, IN, OUT, x.ptr, W.ptr, b?.ptr ?? 0, y.ptr);
    if (!recording(x, W, b)) return y;
    y._node = new Node('AddmmBackward', [x, W, b], 1, ([g]) => {
      const dx = x.requiresGrad ? Storage.alloc(x.numel) : null;
      e.linear_backward(M, IN, OUT, x.ptr, W.ptr, g!.ptr, dx?.ptr ?? 0, 0, leafGradPtr(W), leafGradPtr(b));
      return [dx, null, null];
    });
    y.requiresGrad = true;
    return y;
  }
}
