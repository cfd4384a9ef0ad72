// The Keras layer shape shared by every layer in src/layers: a name, a build step that creates
// the parameters once the input shape is known, Keras-ordered weights, and call().
//
// Shapes are Keras shapes: the batch dimension first, `null` where a size is not fixed
// ("None" in summary()). Inputs are batch-first, (B, T, F) for recurrent layers.
import { noGrad } from '../autograd.js';
import { RnnError, checkInt, fail, show } from '../errors.js';
import type { Module } from '../module.js';
import { Parameter, Tensor, sameShape, tensor, type NestedArray } from '../tensor.js';
import { maskTensor, readMask, type Mask, type MaskValue } from './mask.js';

/** A Keras shape: sizes, `null` for a size that is not fixed (the batch, often the time). */
export type Shape = (number | null)[];

/** Activations the layers compute (others throw RnnError). */
export type ActivationName = 'linear' | 'tanh' | 'relu' | 'sigmoid' | 'softmax' | 'hardSigmoid';

/** A weight value: a Tensor, nested arrays, or a flat typed array (read in the expected shape). */
export type WeightValue = Tensor | NestedArray | Float32Array | Float64Array | number[];

/** Options every layer takes (TF.js names; Keras's snake_case names work too). */
export interface LayerArgs {
  /** Unique layer name; default like Keras: `simple_rnn`, `simple_rnn_1`, … */
  name?: string;
  /** false freezes the layer's weights (counted as "Non-trainable params"). */
  trainable?: boolean;
  /** Input shape without the batch dimension, e.g. [timesteps, features] (first layer only). */
  inputShape?: Shape;
  /** Input shape with the batch dimension, e.g. [8, 2, 10] or [null, 2, 10]. */
  batchInputShape?: Shape;
  /** Batch size that goes with inputShape. */
  batchSize?: number;
  /** Features of the input (Keras's input_dim): the same as inputShape [inputLength, inputDim]. */
  inputDim?: number;
  /** Initial weights in Keras order, set when the layer is built. */
  weights?: WeightValue[];
  /** Only 'float32'. */
  dtype?: 'float32';
}

/** What call() gets besides the input. */
export interface CallOptions {
  /** Initial states of a recurrent layer (Keras's initial_state): [h] or [h, c], each (B, units). */
  initialState?: Tensor[];
  /**
   * Keras's mask: (B, T), 1 (or true) where a timestep counts, 0 where it is padding, as an
   * Embedding with maskZero makes it. Recurrent layers skip masked steps (TF.js semantics);
   * other layers ignore it.
   */
  mask?: MaskValue | null;
  /** Training mode (Dropout active). Default false; fit() sets it. */
  training?: boolean;
  /** @internal skip the final activation of a Dense layer (losses fused with softmax/sigmoid) */
  logits?: boolean;
  /** @internal the mask, read */
  kmask?: Mask | null;
}

export const COMMON_DEFAULTS = {
  name: undefined as string | undefined, trainable: true as boolean, inputShape: undefined as Shape | undefined,
  batchInputShape: undefined as Shape | undefined, batchSize: undefined as number | undefined,
  inputDim: undefined as number | undefined, weights: undefined as WeightValue[] | undefined,
  dtype: 'float32' as string,
};

const counters = new Map<string, number>();

/** Keras's default names: `prefix`, then `prefix_1`, `prefix_2`, … per prefix, per session. */
export function uniqueName(prefix: string): string {
  const k = counters.get(prefix) ?? 0;
  counters.set(prefix, k + 1);
  return k === 0 ? prefix : `${prefix}_${k}`;
}

/** Resets the default-name counters, like `tf.keras.backend.clear_session()`. */
export function clearSession(): void { counters.clear(); }

const ACTIVATIONS: Record<string, ActivationName> = { linear: 'linear', tanh: 'tanh', relu: 'relu', sigmoid: 'sigmoid', softmax: 'softmax', hardsigmoid: 'hardSigmoid' };

/** Reads an activation name (TF.js camelCase or Keras snake_case); null means linear, as in Keras. */
export function readActivation(arg: string, v: unknown, allowed: ActivationName[], dflt: ActivationName): ActivationName {
  if (v === undefined) return dflt;
  const name = v === null ? 'linear' : typeof v === 'string' ? ACTIVATIONS[v.replace(/_/g, '').toLowerCase()] : undefined;
  if (!name || !allowed.includes(name)) {
    fail(arg, `one of ${allowed.map((a) => `'${a}'`).join(', ')} (what wasm-rnn computes)`, v);
  }
  return name!;
}

function checkShape(arg: string, s: unknown, batch: boolean): Shape {
  if (!Array.isArray(s) || s.length === 0 || !s.every((v, i) => v === null || (Number.isInteger(v) && v >= 1) || (batch && i === 0 && v === undefined))) {
    fail(arg, 'an array of positive integer sizes (null where not fixed)', s);
  }
  return (s as (number | null | undefined)[]).map((v) => v ?? null);
}

/** The batch input shape the common options describe, or null (then the layer is built from its input). */
export function readInputShape(o: typeof COMMON_DEFAULTS & { inputLength?: number | null }, recurrent: boolean): Shape | null {
  if (o.batchInputShape !== undefined) return checkShape('batchInputShape', o.batchInputShape, true);
  const batch = o.batchSize === undefined ? null : checkInt('batchSize', o.batchSize, 1);
  if (o.inputShape !== undefined) return [batch, ...checkShape('inputShape', o.inputShape, false)];
  if (o.inputDim !== undefined) {
    const f = checkInt('inputDim', o.inputDim, 1);
    if (!recurrent) return [batch, f];
    const t = o.inputLength === undefined || o.inputLength === null ? null : checkInt('inputLength', o.inputLength, 1);
    return [batch, t, f];
  }
  return null;
}

/** Python's repr of a shape tuple: (None, 10, 8); a list of shapes as [(None, 3), (None, 3)]. */
export function shapeRepr(s: Shape | Shape[]): string {
  if (s.length && Array.isArray(s[0])) return '[' + (s as Shape[]).map(shapeRepr).join(', ') + ']';
  const parts = (s as Shape).map((v) => (v === null ? 'None' : String(v)));
  return '(' + parts.join(', ') + (parts.length === 1 ? ',)' : ')');
}

const numelOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The shape nested arrays describe (sizes along the first elements; tensor() checks the rest). */
function nestedShape(v: unknown[]): number[] {
  const s: number[] = [];
  let a: unknown = v;
  while (Array.isArray(a)) { s.push(a.length); a = a[0]; }
  return s;
}

/** Checks a weight value against `shape` without allocating anything (RnnError naming `arg`). */
function checkWeight(arg: string, v: unknown, shape: number[]): void {
  if (v instanceof Tensor) {
    if (!sameShape(v.shape, shape)) fail(arg, `shape ${show(shape)}`, v.shape);
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const n = (v as unknown as ArrayLike<number>).length;
    if (n !== numelOf(shape)) fail(arg, `${numelOf(shape)} values (shape ${show(shape)})`, `${n}`, true);
  } else if (Array.isArray(v)) {
    if (!sameShape(nestedShape(v), shape)) fail(arg, `shape ${show(shape)}`, nestedShape(v));
  } else {
    fail(arg, `a Tensor or an array of shape ${show(shape)}`, v);
  }
}

/** A checked weight value as a Tensor (a copy of arrays; Tensors as they are). */
function toWeight(v: unknown, shape: number[]): Tensor {
  if (v instanceof Tensor) return v;
  if (Array.isArray(v)) return tensor(v as NestedArray);
  return tensor(v as ArrayLike<number>, shape);
}

/** Checks an array of weights against expected shapes, all before allocating; returns them as Tensors. */
export function asWeights(arg: string, ws: unknown, shapes: number[][]): Tensor[] {
  if (!Array.isArray(ws)) fail(arg, `an array of ${shapes.length} weights`, ws);
  if (ws.length !== shapes.length) {
    throw new RnnError(`${arg}: expected ${shapes.length} weights of shapes ${shapes.map((s) => show(s)).join(', ')}, got ${ws.length}`);
  }
  (ws as unknown[]).forEach((v, i) => checkWeight(`${arg}[${i}]`, v, shapes[i]));
  return (ws as unknown[]).map((v, i) => toWeight(v, shapes[i]));
}

/** A Keras-style layer. Create one with the `layers.*` factories. */
export abstract class Layer {
  /** The layer's name (unique per session unless you gave it). */
  readonly name: string;
  /** Keras's class name: 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Dense'. */
  abstract readonly className: string;
  /** The batch input shape given at construction (first layer of a model), else null. */
  readonly batchInputShape: Shape | null;
  /** @internal */
  protected _trainable: boolean;
  /** @internal the input shape it was built for */
  protected _inShape: Shape | null = null;
  /** @internal weights given at construction, set at build */
  private _initial: WeightValue[] | null;
  /** @internal the model this layer belongs to */
  _owner: object | null = null;
  /** @internal set when a wrapper (Bidirectional, TimeDistributed) takes this layer */
  _wrapped = false;

  constructor(o: typeof COMMON_DEFAULTS & { inputLength?: number | null }, prefix: string, recurrent: boolean) {
    if (o.name !== undefined && (typeof o.name !== 'string' || !o.name)) fail('name', 'a non-empty string', o.name);
    if (typeof o.trainable !== 'boolean') fail('trainable', 'a boolean', o.trainable);
    if (o.dtype !== 'float32') fail('dtype', "'float32'", o.dtype);
    if (o.weights !== undefined && !Array.isArray(o.weights)) fail('weights', 'an array of weights in Keras order', o.weights);
    this.batchInputShape = readInputShape(o, recurrent);
    this.name = o.name ?? uniqueName(prefix);
    this._trainable = o.trainable;
    this._initial = o.weights ?? null;
  }

  /** Keras's class name (TF.js getClassName()). */
  getClassName(): string { return this.className; }

  /** Whether build() has run (the weights exist). */
  get built(): boolean { return this._inShape !== null; }

  /** Whether fit() updates this layer's weights. */
  get trainable(): boolean { return this._trainable; }
  set trainable(v: boolean) {
    if (typeof v !== 'boolean') fail('trainable', 'a boolean', v);
    this._trainable = v;
    if (this.built) this.syncTrainable();
  }

  /** The input shape it was built for (batch first). */
  get inputShape(): Shape {
    if (!this._inShape) throw new RnnError(`${this.name}.inputShape: expected a built layer, got one that has not been built (give it an inputShape or call it on data)`);
    return this._inShape.slice();
  }

  /** The output shape (a list of shapes for several outputs). */
  get outputShape(): Shape | Shape[] { return this.computeOutputShape(this.inputShape); }

  /** Number of outputs call() returns. */
  get numOutputs(): number { return 1; }

  /** Creates the weights for inputs of `inputShape` (batch first). Called by models and apply(). */
  build(inputShape: Shape): void {
    const s = checkShape(`${this.name} input shape`, inputShape, true);
    this.checkInputShape(s);
    if (this._inShape) {
      const a = this._inShape[this._inShape.length - 1], b = s[s.length - 1];
      if (a !== b || this._inShape.length !== s.length) {
        throw new RnnError(`${this.name}: expected inputs of shape ${shapeRepr(this._inShape)} (the shape it was built for), got ${shapeRepr(s)}`);
      }
      return;
    }
    this.create(s);
    this._inShape = s;
    this.syncTrainable();
    if (this._initial) {
      const ws = this._initial;
      this._initial = null;
      this.setWeights(ws);
    }
  }

  /** @internal rank and feature checks of the input shape (RnnError) */
  protected checkRank(s: Shape, rank: number | [number, number], what: string): void {
    const [lo, hi] = Array.isArray(rank) ? rank : [rank, rank];
    if (s.length < lo || s.length > hi) {
      throw new RnnError(`${this.name}: expected ${what} (ndim=${lo === hi ? lo : `${lo}..${hi}`}), got shape ${shapeRepr(s)} (ndim=${s.length})`);
    }
    if (s[s.length - 1] === null) throw new RnnError(`${this.name}: expected a fixed last dimension (features), got shape ${shapeRepr(s)}`);
  }

  /** The Keras weights' shapes, in Keras order. */
  weightShapes(): number[][] {
    this.requireBuilt('weights');
    return this.kerasShapes(this._inShape!);
  }

  /** @internal what build(s) would make, without allocating: weight shapes and output shape (RnnError for a bad s) */
  _plan(s: Shape): { shapes: number[][]; out: Shape | Shape[] } {
    const c = checkShape(`${this.name} input shape`, s, true);
    this.checkInputShape(c);
    return { shapes: this.kerasShapes(c), out: this.computeOutputShape(c) };
  }

  /** Number of weight values (Keras's count_params). */
  countParams(): number {
    this.requireBuilt('countParams');
    return this.kerasShapes(this._inShape!).reduce((a, s) => a + numelOf(s), 0);
  }

  /** The weights in Keras order and layout (new tensors); [] before build. */
  getWeights(): Tensor[] {
    if (!this.built) return [];
    return noGrad(() => this.readKeras());
  }

  /** Sets the weights from Keras-ordered values (Tensors or arrays of the Keras shapes). */
  setWeights(weights: WeightValue[]): void {
    this.requireBuilt('setWeights');
    const ws = asWeights(`${this.name} weights`, weights, this.kerasShapes(this._inShape!));
    noGrad(() => this.writeKeras(ws));
  }

  /**
   * Runs the layer on a batch-first tensor, building it first if needed (TF.js `layer.apply`).
   * Returns one Tensor, or an array when the layer has several outputs (returnState, or a
   * Bidirectional with mergeMode null). Records gradients like any op.
   */
  apply(x: Tensor | NestedArray, opts: CallOptions = {}): Tensor | Tensor[] {
    this._checkInput(x, 'x');
    const o = this.readCallOptions(opts, x);
    return this._forward(this.prepareCall(x), o).y;
  }

  /**
   * The mask this layer's output carries for input x and input mask `mask` (Keras's
   * compute_mask): a (B, T) Tensor of 0/1, or null. An Embedding with maskZero makes one from
   * its indices; Dense, Dropout, TimeDistributed pass theirs on; recurrent layers pass it on
   * with returnSequences and drop it otherwise; Flatten drops it.
   */
  computeMask(x: Tensor | NestedArray, mask?: MaskValue | null): Tensor | null {
    this._checkInput(x, 'x');
    const o = this.readCallOptions({ mask }, x);
    const m = this._outMask(this.prepareCall(x), o.kmask ?? null);
    return m ? maskTensor(m) : null;
  }

  /** @internal checks of a raw input before it is copied in (an Embedding's indices); RnnError naming `arg` */
  _checkInput(_x: unknown, _arg: string): void {}

  /** @internal Layer.apply's input as a Tensor, the layer built for it (its declared input shape, else the input's) */
  protected prepareCall(x: Tensor | NestedArray): Tensor {
    const t = x instanceof Tensor ? x : tensor(x as NestedArray);
    if (!this.built) this.build(this.batchInputShape ?? [null, ...t.shape.slice(1)]);
    this.checkTensor(t);
    return t;
  }

  /** @internal apply()'s options, checked, with the mask read (of the input's first two dimensions) */
  protected readCallOptions(opts: CallOptions, x: unknown): CallOptions {
    if (opts === null || typeof opts !== 'object') fail('options', 'an object like { mask, initialState, training }', opts);
    for (const k of Object.keys(opts)) {
      if (!['initialState', 'mask', 'training'].includes(k)) throw new RnnError(`${this.name}.apply options: expected initialState, mask or training, got unknown option ${show(k)}`);
    }
    if (opts.training !== undefined && typeof opts.training !== 'boolean') fail('training', 'a boolean', opts.training);
    const shape = x instanceof Tensor ? x.shape : Array.isArray(x) ? nestedShape(x) : [];
    const kmask = opts.mask === undefined || opts.mask === null ? null : readMask('mask', opts.mask, shape.slice(0, 2));
    return { initialState: opts.initialState, training: opts.training ?? false, kmask };
  }

  /** Whether the layer passes a mask on (TF.js's supportsMasking). */
  get supportsMasking(): boolean { return false; }

  /** @internal the output mask for input x and input mask m (Keras's compute_mask) */
  _outMask(x: Tensor, m: Mask | null): Mask | null { return this.supportsMasking ? m : null; }

  /** @internal call() and the output mask: what models run */
  _forward(x: Tensor, opts: CallOptions): { y: Tensor | Tensor[]; mask: Mask | null } {
    return { y: this.call(x, opts), mask: this._outMask(x, opts.kmask ?? null) };
  }

  /** @internal checks a call input against the built shape */
  checkTensor(x: Tensor): void {
    const s = this._inShape!;
    if (x.dim !== s.length || s.some((v, i) => v !== null && i > 0 && x.shape[i] !== v)) {
      throw new RnnError(`${this.name}: expected an input of shape ${shapeRepr(s)}, got ${show(x.shape)}`);
    }
  }

  /** Trainable parameters (the underlying module's, PyTorch layout), for an optimizer. */
  parameters(): Parameter[] {
    if (!this.built || !this._trainable) return [];
    return this.allParameters().filter((p) => p.requiresGrad);
  }

  /** The PyTorch-style module that computes this layer (RNN/LSTM/GRU/Linear/Embedding), once built. */
  get module(): Module {
    this.requireBuilt('module');
    const m = this.getModule();
    if (!m) throw new RnnError(`${this.name}.module: expected a layer with weights, got a ${this.className} layer, which has none`);
    return m;
  }

  /** Frees the layer's weights now. */
  dispose(): void { if (this.built) this.getModule()?.dispose(); }

  protected requireBuilt(what: string): void {
    if (!this.built) throw new RnnError(`${this.name}.${what}: expected a built layer, got one that has not been built (give the first layer an inputShape, call model.build(shape), or run it on data)`);
  }

  /** @internal sets requiresGrad from trainable (and the layer's own frozen parameters) */
  protected syncTrainable(): void {
    const frozen = this.frozenParameters();
    for (const p of this.allParameters()) p.requiresGrad = this._trainable && !frozen.has(p);
  }

  abstract computeOutputShape(inputShape: Shape): Shape | Shape[];
  /** @internal */ abstract call(x: Tensor, opts: CallOptions): Tensor | Tensor[];
  /** @internal */ protected abstract checkInputShape(s: Shape): void;
  /** @internal */ protected abstract create(inputShape: Shape): void;
  /** @internal the Keras weight shapes for inputs of shape s */ protected abstract kerasShapes(s: Shape): number[][];
  /** @internal */ protected abstract readKeras(): Tensor[];
  /** @internal */ protected abstract writeKeras(ws: Tensor[]): void;
  /** @internal null for a layer without weights */ protected abstract getModule(): Module | null;
  /** @internal */ protected abstract allParameters(): Parameter[];
  /** @internal parameters fixed at zero because Keras has no such weight (the second RNN bias) */
  protected frozenParameters(): Set<Parameter> { return new Set(); }
}
