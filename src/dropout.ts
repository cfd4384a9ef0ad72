// Dropout: PyTorch's inverted dropout. reference: https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
//   train mode: each element is zeroed with probability p, the others are multiplied by 1/(1 − p)
//   (the mask comes from the seeded generator: manualSeed makes it reproducible); backward multiplies
//   the gradient by the same mask. Eval mode, or p = 0: the input itself. Any shape.
import { fail } from './errors.js';
import { Module } from './module.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, _strided, record } from './tensor.js';
import { w } from './wasm.js';

const MUL = 2;   // strided op code (assembly/elementwise.ts)

/**
 * new Dropout(p = 0.5, inplace = false). forward(x) → a tensor of x's shape: in train mode
 * x · mask with mask = 0 (probability p) or 1/(1 − p), computed as PyTorch does (x * (1 / (1 − p)) with
 * the scale rounded to float32, so kept values have PyTorch's bits); in eval mode x itself. `inplace`
 * is accepted for PyTorch's signature and repr; the result is always a new tensor.
 */
export class Dropout extends Module {
  static readonly reprName = 'Dropout';
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, inplace = false) {
    super();
    w();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('p', 'a dropout probability in [0, 1]', p);
    if (typeof inplace !== 'boolean') fail('inplace', 'a boolean', inplace);
    this.p = p;
    this.inplace = inplace;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? 'True' : 'False'}`;
  }

  override forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if (!this.training || this.p === 0 || input.numel === 0) return input;
    safePoint();
    const e = w();
    const n = input.numel;
    const mask = Storage.alloc(n);
    e.rng_dropout_mask(mask.ptr, n, this.p);
    const out = new Tensor(Storage.alloc(n), input.shape);
    _strided(MUL, [n], input.ptr, [1], mask.ptr, [1], out.ptr, [1]);
    return record(out, 'MulBackward', [input], (g) => {
      const dx = Storage.alloc(n);
      _strided(MUL, [n], g[0]!.ptr, [1], mask.ptr, [1], dx.ptr, [1]);
      return [dx];
    }, () => mask.dispose());
  }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }
}

/** A number as Python prints a float: 0.5, 1.0, 0.1. */
function pyFloat(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v);
}
