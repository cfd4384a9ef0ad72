// Keras's Dense layer, computed by Linear (src/linear.ts): y = act(x · kernel + bias) over the
// last dimension, any leading shape: (B, F) → (B, units), (B, T, F) → (B, T, units).
import { RnnError, checkInt, fail, show } from '../errors.js';
import { Linear } from '../linear.js';
import { readOptions } from '../module.js';
import { safePoint } from '../storage.js';
import { Parameter, Tensor } from '../tensor.js';
import { w } from '../wasm.js';
import { COMMON_DEFAULTS, Layer, readActivation, shapeRepr, type ActivationName, type CallOptions, type LayerArgs, type Shape } from './base.js';
import { dropout, softmax } from './ops.js';

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

  override get supportsMasking(): boolean { return true; }

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor {
    const y = this._m!.forward(x);
    return opts.logits ? y : activate(y, this.activation);
  }
}

/** Options of layers.dropout. */
export interface DropoutLayerArgs extends LayerArgs {
  /** Fraction of the inputs to zero in training, in [0, 1); the others are scaled by 1 / (1 − rate). */
  rate: number;
  /**
   * Shape of the binary mask, broadcast over the input: one entry per input dimension, each 1,
   * the input's size, or null for the input's size (e.g. [null, 1, null] drops whole features
   * for every timestep). Default: the input's shape.
   */
  noiseShape?: (number | null)[] | null;
  /** Accepted for compatibility; the masks come from the library's seeded generator (manualSeed). */
  seed?: number | null;
}

/**
 * Keras's Dropout: the identity at inference (predict, evaluate, apply), and in training (fit,
 * or apply with { training: true }) inverted dropout — each value zeroed with probability rate,
 * the others scaled by 1 / (1 − rate) — with masks from the seeded generator. Passes masks on.
 */
export class DropoutLayer extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;

  constructor(args: DropoutLayerArgs) {
    if (args === undefined || args === null || typeof args !== 'object') fail('dropout args', 'an object like { rate }', args);
    const o = readOptions(args, { ...COMMON_DEFAULTS, rate: undefined as number | undefined, noiseShape: undefined as unknown, seed: undefined as unknown }, 'dropout');
    super(o, 'dropout', false);
    if (typeof o.rate !== 'number' || !(o.rate >= 0 && o.rate < 1)) fail('rate', 'a number in [0, 1)', o.rate);
    const ns = o.noiseShape;
    if (ns !== undefined && ns !== null && (!Array.isArray(ns) || !ns.every((v) => v === null || (Number.isInteger(v) && v >= 1)))) {
      fail('noiseShape', 'an array of positive sizes or nulls, one per input dimension', ns);
    }
    if (o.seed !== undefined && o.seed !== null && typeof o.seed !== 'number') fail('seed', 'a number', o.seed);
    this.rate = o.rate;
    this.noiseShape = ns ? (ns as (number | null)[]).slice() : null;
    this.seed = (o.seed as number | null | undefined) ?? null;
  }

  computeOutputShape(s: Shape): Shape { return s.slice(); }

  protected checkInputShape(s: Shape): void {
    const ns = this.noiseShape;
    if (ns && (ns.length !== s.length || ns.some((v, i) => v !== null && v !== 1 && s[i] !== null && v !== s[i]))) {
      throw new RnnError(`${this.name}: expected a noiseShape that broadcasts over the input ${shapeRepr(s)}, got ${show(ns)}`);
    }
  }

  /** @internal any shape goes through */
  override checkTensor(x: Tensor): void {
    const ns = this.noiseShape;
    if (ns && (ns.length !== x.dim || ns.some((v, i) => v !== null && v !== 1 && x.shape[i] !== v))) {
      throw new RnnError(`${this.name}: expected an input the noiseShape ${show(ns)} broadcasts over, got ${show(x.shape)}`);
    }
  }

  protected create(): void {}
  protected kerasShapes(): number[][] { return []; }
  protected readKeras(): Tensor[] { return []; }
  protected writeKeras(): void {}
  protected getModule(): null { return null; }
  protected allParameters(): Parameter[] { return []; }
  override get supportsMasking(): boolean { return true; }

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor {
    if (!opts.training || this.rate === 0) return x;
    this.checkTensor(x);
    const shape = this.noiseShape ? this.noiseShape.map((v, i) => v ?? x.shape[i]) : x.shape.slice();
    return dropout(x, this.rate, shape);
  }
}

/** Keras's Flatten: (B, d1, d2, …) → (B, d1·d2·…), every dimension but the batch fixed. Drops masks, as TF.js. */
export class FlattenLayer extends Layer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    if (args === null || typeof args !== 'object') fail('flatten args', 'an object', args);
    const o = readOptions(args, { ...COMMON_DEFAULTS, dataFormat: undefined as unknown }, 'flatten');
    if (o.dataFormat !== undefined && o.dataFormat !== null && o.dataFormat !== 'channelsLast' && o.dataFormat !== 'channels_last') fail('dataFormat', "'channelsLast'", o.dataFormat);
    super(o, 'flatten', false);
  }

  computeOutputShape(s: Shape): Shape {
    return [s[0], s.slice(1).reduce<number>((a, b) => a * b!, 1)];
  }

  protected checkInputShape(s: Shape): void {
    if (s.length < 2) throw new RnnError(`${this.name}: expected an input of at least 2 dimensions (batch, …), got shape ${shapeRepr(s)}`);
    if (s.slice(1).some((v) => v === null)) {
      throw new RnnError(`${this.name}: expected every dimension but the batch to be fixed (give the first layer an inputShape or inputLength), got shape ${shapeRepr(s)}`);
    }
  }

  protected create(): void {}
  protected kerasShapes(): number[][] { return []; }
  protected readKeras(): Tensor[] { return []; }
  protected writeKeras(): void {}
  protected getModule(): null { return null; }
  protected allParameters(): Parameter[] { return []; }

  /** @internal */
  call(x: Tensor): Tensor { return x.reshape([x.shape[0], -1]); }
}
