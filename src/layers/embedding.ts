// Keras's Embedding layer: integer indices (B, T) → rows of `embeddings` (B, T, outputDim),
// any leading shape: (…) → (…, outputDim). With maskZero, index 0 is padding: the layer's
// output carries the mask `indices != 0` (TF.js's Embedding.computeMask), which the recurrent
// layers after it use to skip those steps.
//
// Weights: [embeddings (inputDim, outputDim)], Keras's name and layout. Indices are checked in
// JS before anything is copied in: integral and in [0, inputDim) (Keras leaves out-of-range
// lookups undefined; here they throw RnnError).
import { RnnError, checkInt, fail, show } from '../errors.js';
import { Embedding, embeddingLookup } from '../embedding.js';
import { readOptions } from '../module.js';
import { safePoint, Storage } from '../storage.js';
import { Parameter, Tensor } from '../tensor.js';
import { w } from '../wasm.js';
import { COMMON_DEFAULTS, Layer, shapeRepr, type LayerArgs, type Shape } from './base.js';
import type { Mask } from './mask.js';

/** Initializers an Embedding takes (TF.js names; Keras's snake_case names work too). */
export type EmbeddingsInitializer = 'randomUniform' | 'randomNormal' | 'glorotUniform' | 'zeros' | 'ones';

/** Options of layers.embedding. */
export interface EmbeddingLayerArgs extends Omit<LayerArgs, 'inputDim'> {
  /** Size of the vocabulary: indices are in [0, inputDim) (index 0 included, also with maskZero). */
  inputDim: number;
  /** Size of each embedding vector. */
  outputDim: number;
  /** Index 0 is padding: the output carries a mask (B, T) that recurrent layers after it use. Default false. */
  maskZero?: boolean;
  /** Fixed sequence length (Keras's input_length): the model's input shape is (batch, inputLength). */
  inputLength?: number | null;
  /** 'randomUniform' (default: uniform(−0.05, 0.05) as Keras), 'randomNormal' (N(0, 0.05²)), 'glorotUniform', 'zeros', 'ones'. */
  embeddingsInitializer?: EmbeddingsInitializer;
}


const INITS: Record<string, EmbeddingsInitializer> = {
  randomuniform: 'randomUniform', uniform: 'randomUniform', randomnormal: 'randomNormal', normal: 'randomNormal',
  glorotuniform: 'glorotUniform', zeros: 'zeros', ones: 'ones',
};

/**
 * The indices of x as int32, checked: integral and in [0, V). RnnError naming the first bad one.
 * (Reading the user's indices in JS to check them, as the rules allow.)
 */
export function readIndices(x: Tensor, V: number, arg = 'indices'): Int32Array {
  const d = x.toFloat32Array();
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(Number.isInteger(v) && v >= 0 && v < V)) {
      const at = x.shape.map((_, k) => Math.floor(i / x.shape.slice(k + 1).reduce((a, b) => a * b, 1)) % x.shape[k]);
      throw new RnnError(`${arg}${at.map((a) => `[${a}]`).join('')}: expected an integer index in [0, ${V - 1}] (inputDim ${V}), got ${show(v)}`);
    }
    out[i] = v;
  }
  return out;
}

/** Checks nested arrays of indices (or a Tensor's values) before anything is copied in. */
function checkNested(v: unknown, V: number, arg: string): void {
  if (v instanceof Tensor) { readIndices(v, V, arg); return; }
  if (!Array.isArray(v)) return;   // not indices: asInput / tensor() name the problem
  const at: number[] = [];
  const walk = (a: unknown): void => {
    if (Array.isArray(a)) {
      at.push(0);
      for (let i = 0; i < a.length; i++) { at[at.length - 1] = i; walk(a[i]); }
      at.pop();
    } else if (!(typeof a === 'number' && Number.isInteger(a) && a >= 0 && a < V)) {
      throw new RnnError(`${arg}${at.map((i) => `[${i}]`).join('')}: expected an integer index in [0, ${V - 1}] (inputDim ${V}), got ${show(a)}`);
    }
  };
  walk(v);
}

/** Keras's Embedding layer. */
export class EmbeddingLayer extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly inputLength: number | null;
  readonly embeddingsInitializer: EmbeddingsInitializer;
  /** @internal */
  private _m: Embedding | null = null;

  constructor(args: EmbeddingLayerArgs) {
    if (args === undefined || args === null || typeof args !== 'object') fail('embedding args', 'an object like { inputDim, outputDim }', args);
    const o = readOptions(args, {
      ...COMMON_DEFAULTS, outputDim: undefined as number | undefined, maskZero: false as boolean, inputLength: undefined as number | null | undefined,
      embeddingsInitializer: 'randomUniform' as unknown,
    }, 'embedding');
    const inputDim = checkInt('inputDim', o.inputDim, 1);
    const outputDim = checkInt('outputDim', o.outputDim, 1);
    if (typeof o.maskZero !== 'boolean') fail('maskZero', 'a boolean', o.maskZero);
    const len = o.inputLength === undefined || o.inputLength === null ? null : checkInt('inputLength', o.inputLength, 1);
    const init = typeof o.embeddingsInitializer === 'string' ? INITS[o.embeddingsInitializer.replace(/_/g, '').toLowerCase()] : undefined;
    if (!init) fail('embeddingsInitializer', "'randomUniform', 'randomNormal', 'glorotUniform', 'zeros' or 'ones'", o.embeddingsInitializer);
    // TF.js: without inputShape / batchInputShape, the input shape is (batchSize, inputLength)
    const own = o.batchInputShape !== undefined || o.inputShape !== undefined;
    super({ ...o, inputDim: undefined, batchInputShape: own ? o.batchInputShape : [o.batchSize ?? null, len] }, 'embedding', false);
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.maskZero = o.maskZero;
    this.inputLength = len;
    this.embeddingsInitializer = init!;
  }

  computeOutputShape(s: Shape): Shape { return [...s, this.outputDim]; }

  /** Builds for indices of shape s; built already, any s of the same rank and inputLength goes (the time may vary). */
  override build(s: Shape): void {
    if (!this.built) { super.build(s); return; }
    this.checkInputShape(s);
    if (s.length !== this.inputShape.length) throw new RnnError(`${this.name}: expected indices of shape ${shapeRepr(this.inputShape)} (the shape it was built for), got ${shapeRepr(s)}`);
  }

  protected checkInputShape(s: Shape): void {
    if (s.length < 2 || s.length > 7) throw new RnnError(`${this.name}: expected integer indices (batch, timesteps) (ndim=2..7), got shape ${shapeRepr(s)} (ndim=${s.length})`);
    if (this.inputLength !== null && s.length === 2 && s[1] !== null && s[1] !== this.inputLength) {
      throw new RnnError(`${this.name}: expected inputs of shape ${shapeRepr([s[0], this.inputLength])} (inputLength ${this.inputLength}), got ${shapeRepr(s)}`);
    }
  }

  /** @internal the input's last dimension is time, which may vary (null); only the rank is fixed */
  override checkTensor(x: Tensor): void {
    const s = this.inputShape;
    if (x.dim !== s.length || s.some((v, i) => v !== null && i > 0 && x.shape[i] !== v)) {
      throw new RnnError(`${this.name}: expected integer indices of shape ${shapeRepr(s)}, got ${show(x.shape)}`);
    }
  }

  protected create(): void {
    safePoint();
    const V = this.inputDim, E = this.outputDim;
    const s = Storage.alloc(V * E);
    const e = w();
    switch (this.embeddingsInitializer) {
      case 'randomUniform': e.rng_uniform(s.ptr, V * E, -0.05, 0.05); break;
      case 'randomNormal': e.rng_normal(s.ptr, V * E, 0, 0.05); break;
      case 'glorotUniform': e.rng_uniform_sym(s.ptr, V * E, 6 / (V + E), 1); break;
      default: e.fill(s.ptr, V * E, this.embeddingsInitializer === 'ones' ? 1 : 0);
    }
    const init = new Tensor(s, [V, E]);
    this._m = Embedding.fromPretrained(init, { freeze: false });   // a copy, trainable
    s.dispose();
  }

  protected kerasShapes(): number[][] { return [[this.inputDim, this.outputDim]]; }

  protected readKeras(): Tensor[] { return [this._m!.weight.clone()]; }

  protected writeKeras(ws: Tensor[]): void { this._m!.loadStateDict({ weight: ws[0] }); }

  /** The PyTorch-style Embedding module (weight (inputDim, outputDim), no paddingIdx: Keras trains row 0 too). */
  protected getModule(): Embedding { return this._m!; }

  protected allParameters(): Parameter[] { return this._m!.parameters(); }

  override get supportsMasking(): boolean { return this.maskZero; }

  /** @internal indices checked before they are copied in */
  override _checkInput(x: unknown, arg: string): void {
    const want = this.built ? this.inputShape : this.batchInputShape;
    if (want && Array.isArray(x)) {
      const got: number[] = [];
      for (let a: unknown = x; Array.isArray(a); a = a[0]) got.push(a.length);
      if (got.length !== want.length || want.some((v, i) => i > 0 && v !== null && got[i] !== v)) {
        throw new RnnError(`${arg}: expected integer indices of shape ${shapeRepr(want)}, got ${show(got)}`);
      }
    }
    checkNested(x, this.inputDim, arg);
  }

  /** @internal maskZero: the steps whose index is not 0 (TF.js: notEqual(inputs, 0)) */
  override _outMask(x: Tensor): Mask | null { return this.maskZero ? maskOf(x.shape, readIndices(x, this.inputDim)) : null; }

  /** @internal */
  call(x: Tensor): Tensor { return this.lookup(x, readIndices(x, this.inputDim)); }

  /** @internal the lookup and the mask from one read of the indices */
  override _forward(x: Tensor): { y: Tensor; mask: Mask | null } {
    const idx = readIndices(x, this.inputDim);
    return { y: this.lookup(x, idx), mask: this.maskZero ? maskOf(x.shape, idx) : null };
  }

  private lookup(x: Tensor, idx: Int32Array): Tensor { return embeddingLookup(this._m!.weight, idx, x.shape.slice()); }
}

function maskOf(shape: readonly number[], idx: Int32Array): Mask {
  const keep = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) keep[i] = idx[i] !== 0 ? 1 : 0;
  return { shape: shape.slice(), keep };
}

