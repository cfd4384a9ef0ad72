// Keras's Dense layer, computed by Linear (src/linear.ts): y = act(x · kernel + bias) over the
// last dimension, any leading shape: (B, F) → (B, units), (B, T, F) → (B, T, units).
import { checkInt, fail } from '../errors.js';
import { Linear } from '../linear.js';
import { readOptions } from '../module.js';
import { safePoint } from '../storage.js';
import { Parameter, Tensor } from '../tensor.js';
import { w } from '../wasm.js';
import { COMMON_DEFAULTS, Layer, readActivation, type ActivationName, type CallOptions, type LayerArgs, type Shape } from './base.js';
import { softmax } from './ops.js';

/** Options of layers.dense. */
export interface DenseLayerArgs extends LayerArgs {
  /** Output features. */
  units: number;
  /** 'linear' (default), 'relu', 'tanh', 'sigmoid' or 'softmax' (over the last dimension). */
  activation?: ActivationName | null;
  /** Default true. */
  useBias?: boolean;
}

/** Applies an activation with Tensor ops (all computed in Wasm). */
export function activate(y: Tensor, a: ActivationName): Tensor {
  switch (a) {
    case 'tanh': return y.tanh();
    case 'sigmoid': return y.sigmoid();
    case 'relu': return y.relu();
    case 'softmax': return softmax(y);
    default: return y;
  }
}

/** Keras's Dense layer. */
export class DenseLayer extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  /** @internal */
  private _m: Linear | null = null;

  constructor(args: DenseLayerArgs) {
    if (args === undefined || args === null || typeof args !== 'object') fail('dense args', 'an object like { units }', args);
    const o = readOptions(args, { ...COMMON_DEFAULTS, units: undefined as number | undefined, activation: undefined as unknown, useBias: true as boolean }, 'dense');
    super(o, 'dense', false);
    this.units = checkInt('units', o.units, 1);
    this.activation = readActivation('activation', o.activation, ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'], 'linear');
    if (typeof o.useBias !== 'boolean') fail('useBias', 'a boolean', o.useBias);
    this.useBias = o.useBias;
  }

  computeOutputShape(s: Shape): Shape { return [...s.slice(0, -1), this.units]; }

  protected checkInputShape(s: Shape): void { this.checkRank(s, [2, 8], 'an input of at least 2 dimensions (batch, …, features)'); }

  protected create(s: Shape): void {
    const inDim = s[s.length - 1]!;
    const m = new Linear(inDim, this.units, { bias: this.useBias });
    // Keras's defaults: glorot-uniform kernel, zero bias
    safePoint();
    const e = w();
    e.rng_uniform_sym(m.weight.ptr, m.weight.numel, 6 / (inDim + this.units), 1);   // ±√(6 / (fan_in + fan_out))
    if (m.bias) e.fill(m.bias.ptr, this.units, 0);
    this._m = m;
  }

  protected kerasShapes(s: Shape): number[][] {
    const inDim = s[s.length - 1]!;
    return this.useBias ? [[inDim, this.units], [this.units]] : [[inDim, this.units]];
  }

  protected readKeras(): Tensor[] {
    const m = this._m!;
    return m.bias ? [m.weight.transpose(0, 1), m.bias.clone()] : [m.weight.transpose(0, 1)];
  }

  protected writeKeras(ws: Tensor[]): void {
    const sd: Record<string, Tensor> = { weight: ws[0].transpose(0, 1) };
    if (ws[1]) sd.bias = ws[1];
    this._m!.loadStateDict(sd);
  }

  protected getModule(): Linear { return this._m!; }

  protected allParameters(): Parameter[] { return this._m!.parameters(); }

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor {
    const y = this._m!.forward(x);
    return opts.logits ? y : activate(y, this.activation);
  }
}
