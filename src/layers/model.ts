// sequential(): a stack of Keras-style layers with TF.js's model API — predict, summary,
// countParams, getWeights/setWeights, compile/fit/evaluate.
//
// x is batch-first, (N, T, F) for a recurrent first layer; predict returns the last layer's
// output for all N rows. Training runs the autograd tape of src/ and one of its optimizers; the
// cross-entropy losses are computed from the logits of a final softmax/sigmoid Dense layer, the
// way Keras does when it can (numerically stable, same value).
import { noGrad } from '../autograd.js';
import { RnnError, checkInt, fail, show } from '../errors.js';
import { bceWithLogits, crossEntropy, mseLoss } from '../loss.js';
import { Adam, Optimizer, SGD } from '../optim.js';
import { safePoint, Storage } from '../storage.js';
import { Parameter, Tensor, cat, tensor, type NestedArray } from '../tensor.js';
import { I32, w } from '../wasm.js';
import { Layer, asWeights, shapeRepr, uniqueName, type Shape, type WeightValue } from './base.js';
import { DenseLayer } from './core.js';
import type { Mask } from './mask.js';
import { gatherRows, oneHot } from './ops.js';
import { RecurrentLayer } from './recurrent.js';
import { summaryText } from './summary.js';
import { BidirectionalLayer, TimeDistributedLayer } from './wrappers.js';

/** Options of sequential(). */
export interface SequentialArgs {
  /** The layers, first to last (the first one carries the inputShape). */
  layers?: Layer[];
  /** Default 'sequential', 'sequential_1', … */
  name?: string;
}

/** Loss names (TF.js camelCase or Keras snake_case), or a function (yTrue, yPred) → scalar Tensor. */
export type LossArg = 'meanSquaredError' | 'mse' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy'
  | string | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/** Options of compile(). */
export interface CompileArgs {
  /** 'adam' (lr 0.001, eps 1e-7 as Keras), 'sgd' (lr 0.01), an Optimizer over model.parameters(), or a function params → Optimizer. */
  optimizer: 'adam' | 'sgd' | Optimizer | ((params: Parameter[]) => Optimizer);
  loss: LossArg;
  /** Optional: ['accuracy'] (or ['acc']) for categorical / sparse-categorical losses. */
  metrics?: string[];
}

/** The logs passed to callbacks and collected in History. */
export type Logs = Record<string, number>;

/** Training callbacks (TF.js's CustomCallbackArgs); each may return a Promise, which is awaited. */
export interface Callbacks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

/** Options of fit(). */
export interface FitArgs {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Shuffle the training rows every epoch with the seeded generator (manualSeed). Default true. */
  shuffle?: boolean;
  /** Fraction of the rows, taken from the end before shuffling, held out for val_loss. Default 0. */
  validationSplit?: number;
  /** [x, y] to compute val_loss on instead. */
  validationData?: [Tensor | NestedArray, Tensor | NestedArray | ArrayLike<number>];
  callbacks?: Callbacks | Callbacks[];
  /** 1 prints one line per epoch. Default 0. */
  verbose?: 0 | 1 | 2;
  /** Epoch to start counting from. Default 0. */
  initialEpoch?: number;
}

/** What fit() returns (TF.js's History). */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; initialEpoch: number; samples: number; batchSize: number; steps: number };
}

type LossKind = 'mse' | 'cce' | 'scce' | 'bce';
const LOSSES: Record<string, LossKind> = {
  meansquarederror: 'mse', mse: 'mse', categoricalcrossentropy: 'cce', sparsecategoricalcrossentropy: 'scce', binarycrossentropy: 'bce',
};

function asInput(x: unknown, arg: string): Tensor {
  if (x instanceof Tensor) return x;
  if (Array.isArray(x)) return tensor(x as NestedArray);
  return fail(arg, 'a Tensor or nested arrays', x);
}

function asTarget(y: unknown, arg: string): Tensor {
  if (y instanceof Tensor) return y;
  if (Array.isArray(y)) return tensor(y as NestedArray);
  if (ArrayBuffer.isView(y) && !(y instanceof DataView)) return tensor(Array.from(y as unknown as ArrayLike<number>));
  return fail(arg, 'a Tensor, nested arrays or a typed array', y);
}

/** A linear stack of layers (TF.js's tf.Sequential, Keras's Sequential). */
export class Sequential {
  readonly name: string;
  /** The layers, first to last. */
  readonly layers: Layer[] = [];
  /** Set to true (e.g. in a callback) to end fit() after the current epoch. */
  stopTraining = false;
  /** @internal */
  private _inShape: Shape | null = null;
  /** @internal */
  private _compiled: { loss: LossKind | ((yTrue: Tensor, yPred: Tensor) => Tensor); optimizer: CompileArgs['optimizer']; metrics: string[] } | null = null;
  /** @internal */
  private _opt: Optimizer | null = null;

  constructor(args: SequentialArgs = {}) {
    if (args === null || typeof args !== 'object') fail('sequential args', 'an object like { layers }', args);
    for (const k of Object.keys(args)) if (k !== 'layers' && k !== 'name') throw new RnnError(`sequential args: expected only layers and name, got unknown option ${show(k)}`);
    if (args.name !== undefined && (typeof args.name !== 'string' || !args.name)) fail('name', 'a non-empty string', args.name);
    if (args.layers !== undefined && !Array.isArray(args.layers)) fail('layers', 'an array of layers', args.layers);
    const ls = args.layers ?? [];
    // every layer's shapes checked before the first one allocates its weights
    let s = ls[0] instanceof Layer ? ls[0].batchInputShape : null;
    for (const l of ls) {
      if (!s || !(l instanceof Layer) || l.numOutputs !== 1 || l.built) break;
      s = l._plan(s).out as Shape;
    }
    this.name = args.name ?? uniqueName('sequential');
    for (const l of ls) this.add(l);
  }

  /** Appends a layer (built at once when the model's input shape is known). */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) fail('layer', 'a layer (layers.embedding, simpleRNN, lstm, gru, bidirectional, dense, dropout, timeDistributed, flatten)', layer);
    if (layer._owner || layer._wrapped) fail('layer', 'a layer not in another model or wrapper', `layer ${JSON.stringify(layer.name)}`, true);
    if (layer.numOutputs !== 1) {
      throw new RnnError(`layer ${JSON.stringify(layer.name)}: expected a layer with one output in a sequential model, got ${layer.numOutputs} (returnState, or mergeMode null); call it with layer.apply(x) instead`);
    }
    if (this.layers.some((l) => l.name === layer.name)) fail('layer', `a unique name in model ${JSON.stringify(this.name)}`, layer.name);
    if (this.layers.length === 0) {
      if (layer.batchInputShape) {
        layer.build(layer.batchInputShape);
        this._inShape = layer.batchInputShape.slice();
      }
    } else if (this._inShape) {
      layer.build(this.layers[this.layers.length - 1].outputShape as Shape);
    }
    layer._owner = this;
    this.layers.push(layer);
    this._opt = null;
  }

  /** Whether every layer has its weights. */
  get built(): boolean { return this._inShape !== null && this.layers.length > 0; }

  /** Builds every layer for inputs of `inputShape` (batch first), e.g. [null, 10, 5]. */
  build(inputShape?: Shape): void {
    if (!this.layers.length) throw new RnnError(`${this.name}.build: expected a model with at least one layer, got none`);
    const s = inputShape ?? this.layers[0].batchInputShape;
    if (!s) throw new RnnError(`${this.name}.build: expected an input shape (give the first layer an inputShape, or pass one), got none`);
    let cur: Shape = s.slice();
    for (const l of this.layers) { l.build(cur); cur = l.outputShape as Shape; }
    this._inShape = s.slice();
  }

  private requireBuilt(what: string): void {
    if (!this.built) {
      throw new RnnError(`${this.name}.${what}: expected a built model, got one that has not been built yet (give the first layer an inputShape or batchInputShape, call build(shape), or run it on data)`);
    }
  }

  /** The model's input shape (batch first). */
  get inputShape(): Shape { this.requireBuilt('inputShape'); return this._inShape!.slice(); }
  /** The last layer's output shape. */
  get outputShape(): Shape { this.requireBuilt('outputShape'); return this.layers[this.layers.length - 1].outputShape as Shape; }

  /** A layer by name or index. */
  getLayer(nameOrIndex: string | number): Layer {
    const l = typeof nameOrIndex === 'number' ? this.layers[nameOrIndex] : this.layers.find((x) => x.name === nameOrIndex);
    if (!l) fail('getLayer', `a layer name or index of ${this.name} (${this.layers.map((x) => x.name).join(', ')})`, nameOrIndex);
    return l!;
  }

  /**
   * Prints and returns Keras's summary table: Layer (type), Output Shape, Param #, then Total /
   * Trainable / Non-trainable params. printFn (default console.log) gets each line.
   */
  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = (s) => console.log(s)): string {
    this.requireBuilt('summary');
    return summaryText(this.name, this.layers, lineLength, positions, printFn);
  }

  /** Total number of weight values (Keras's count_params). */
  countParams(): number {
    this.requireBuilt('countParams');
    return this.layers.reduce((a, l) => a + l.countParams(), 0);
  }

  /** Every layer's weights, in order, in Keras layout (new tensors). */
  getWeights(): Tensor[] { return this.layers.flatMap((l) => l.getWeights()); }

  /** Sets every layer's weights from a flat list in Keras order (what getWeights returns). */
  setWeights(weights: WeightValue[]): void {
    this.requireBuilt('setWeights');
    const shapes = this.layers.flatMap((l) => l.weightShapes());
    const ws = asWeights(`${this.name} weights`, weights, shapes);
    let k = 0;
    for (const l of this.layers) {
      const n = l.weightShapes().length;
      l.setWeights(ws.slice(k, k + n));
      k += n;
    }
  }

  /** The trainable parameters of every layer (PyTorch layout), e.g. for your own Optimizer. */
  parameters(): Parameter[] { return this.layers.flatMap((l) => l.parameters()); }

  /** The model's input as a Tensor, checked by the first layer first (an Embedding's indices) */
  private input(x: unknown, arg: string): Tensor {
    this.layers[0]?._checkInput(x, arg);
    return asInput(x, arg);
  }

  private prepare(x: Tensor, arg: string): void {
    if (!this.layers.length) throw new RnnError(`${this.name}: expected a model with at least one layer, got none`);
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    const s = this._inShape!;
    if (x.dim !== s.length || s.some((v, i) => i > 0 && v !== null && x.shape[i] !== v)) {
      throw new RnnError(`${arg}: expected shape ${shapeRepr(s)} (the model's input), got ${show(x.shape)}`);
    }
    if (x.shape[0] === 0) fail(arg, 'at least one row', `shape ${show(x.shape)}`, true);
  }

  /**
   * @internal runs every layer, each with the mask the one before made (Keras's masking: an
   * Embedding with maskZero starts one); `logits` skips the last layer's activation; `training`
   * turns Dropout on
   */
  private forward(x: Tensor, logits = false, training = false): Tensor {
    let y = x;
    let mask: Mask | null = null;
    this.layers.forEach((l, i) => {
      const r = l._forward(y, { logits: logits && i === this.layers.length - 1, training, kmask: mask });
      y = r.y as Tensor;
      mask = r.mask;
    });
    return y;
  }

  /**
   * Runs the model on x (batch first) recording gradients, for your own training loop;
   * `training: true` turns Dropout on (default false).
   */
  apply(x: Tensor | NestedArray, opts: { training?: boolean } = {}): Tensor {
    if (opts === null || typeof opts !== 'object') fail('options', 'an object like { training }', opts);
    if (opts.training !== undefined && typeof opts.training !== 'boolean') fail('training', 'a boolean', opts.training);
    const t = this.input(x, 'x');
    this.prepare(t, 'x');
    return this.forward(t, false, opts.training ?? false);
  }

  /** The model's outputs for x (batch first), computed batchSize rows at a time (default 32; the result does not depend on it). */
  predict(x: Tensor | NestedArray, opts: { batchSize?: number; verbose?: number } = {}): Tensor {
    const bs = checkInt('batchSize', opts.batchSize ?? 32, 1);
    const t = this.input(x, 'x');
    this.prepare(t, 'x');
    return noGrad(() => {
      const N = t.shape[0];
      if (N <= bs) return this.forward(t);
      const parts: Tensor[] = [];
      for (let i = 0; i < N; i += bs) parts.push(this.forward(t.slice(0, i, i + bs)));
      return cat(parts, 0);
    });
  }

  /**
   * Sets the loss and optimizer for fit(). Losses: 'meanSquaredError', 'binaryCrossentropy'
   * (last layer: Dense with sigmoid), 'categoricalCrossentropy' (one-hot targets) and
   * 'sparseCategoricalCrossentropy' (class indices) (last layer: Dense with softmax), or a
   * function (yTrue, yPred) → scalar Tensor.
   */
  compile(args: CompileArgs): void {
    if (args === null || typeof args !== 'object') fail('compile args', 'an object like { optimizer, loss }', args);
    for (const k of Object.keys(args)) if (!['optimizer', 'loss', 'metrics'].includes(k)) throw new RnnError(`compile args: expected optimizer, loss and metrics, got unknown option ${show(k)}`);
    const { optimizer, loss } = args;
    let kind: LossKind | ((a: Tensor, b: Tensor) => Tensor);
    if (typeof loss === 'function') kind = loss;
    else if (typeof loss === 'string' && LOSSES[loss.replace(/_/g, '').toLowerCase()]) kind = LOSSES[loss.replace(/_/g, '').toLowerCase()];
    else return fail('loss', "'meanSquaredError', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy' or a function", loss);
    if (!(optimizer instanceof Optimizer) && typeof optimizer !== 'function' && optimizer !== 'adam' && optimizer !== 'sgd') {
      fail('optimizer', "'adam', 'sgd', an Optimizer or a function params → Optimizer", optimizer);
    }
    const metrics = args.metrics ?? [];
    if (!Array.isArray(metrics) || metrics.some((m) => m !== 'accuracy' && m !== 'acc')) fail('metrics', "[] or ['accuracy']", metrics);
    if (metrics.length && kind !== 'cce' && kind !== 'scce') fail('metrics', "'accuracy' with a categorical loss", `${show(metrics)} with loss ${show(typeof loss === 'string' ? loss : 'a function')}`, true);
    this._compiled = { loss: kind, optimizer, metrics };
    this._opt = null;
    if (this.built) this.checkLossHead();
  }

  private checkLossHead(): void {
    const kind = this._compiled!.loss;
    if (typeof kind === 'function' || kind === 'mse') return;
    const want = kind === 'bce' ? 'sigmoid' : 'softmax';
    const layer = this.layers[this.layers.length - 1];
    // a Dense layer, or one inside TimeDistributed (the activation is its)
    const last = layer instanceof TimeDistributedLayer ? layer.layer : layer;
    if (!(last instanceof DenseLayer) || last.activation !== want) {
      const got = last instanceof DenseLayer ? `activation '${last.activation}'` : last.className;
      throw new RnnError(`loss ${kind === 'bce' ? "'binaryCrossentropy'" : kind === 'cce' ? "'categoricalCrossentropy'" : "'sparseCategoricalCrossentropy'"}: expected the last layer to be a Dense layer with activation '${want}' (the loss is computed from its logits), got ${last.name} (${got})`);
    }
  }

  /** Targets as what the loss needs: class indices for the categorical losses. */
  private targets(yIn: unknown, N: number, arg: string): Tensor {
    const y = asTarget(yIn, arg);
    if (y.dim === 0 || y.shape[0] !== N) fail(arg, `${N} rows (one per input row)`, `shape ${show(y.shape)}`, true);
    const kind = this._compiled!.loss;
    const out = this.outputShape;
    const C = out[out.length - 1]!;
    if (kind === 'cce') {
      if (y.dim !== out.length || out.some((v, i) => i > 0 && v !== null && y.shape[i] !== v)) {
        fail(arg, `one-hot targets with ${C} classes in the last dimension (the output's ${shapeRepr(out)})`, `shape ${show(y.shape)}`, true);
      }
      // one-hot: y equals the one-hot rows of its own argmax (checked in Wasm, exactly)
      return noGrad(() => {
        const rows = y.reshape([-1, C]);
        const idx = rows.argmax(1).toFloat32Array();
        if (mseLoss(rows, oneHot(idx, C)).item() !== 0) fail(arg, 'one-hot rows for categoricalCrossentropy (use sparseCategoricalCrossentropy with class indices otherwise)', 'rows that are not one-hot', true);
        return tensor(Float32Array.from(idx), y.shape.slice(0, -1));
      });
    }
    return y;
  }

  /** The loss (and the logits / outputs it came from) for one batch. */
  private lossOf(xb: Tensor, yb: Tensor, training = false): { loss: Tensor; out: Tensor } {
    const kind = this._compiled!.loss;
    const fused = kind === 'cce' || kind === 'scce' || kind === 'bce';
    const out = this.forward(xb, fused, training);
    if (typeof kind === 'function') {
      const l = kind(yb, out);
      if (!(l instanceof Tensor) || l.numel !== 1) fail('loss function', 'a one-element Tensor', l);
      return { loss: l.reshape([]), out };
    }
    if (kind === 'mse') {
      const y = yb.numel === out.numel && yb.shape.length !== out.shape.length ? yb.reshape(out.shape) : yb;
      return { loss: mseLoss(out, y), out };
    }
    if (kind === 'bce') {
      if (yb.numel !== out.numel) fail('y', `targets of shape ${show(out.shape)} (the output's)`, `shape ${show(yb.shape)}`, true);
      return { loss: bceWithLogits(out, yb.reshape(out.shape)), out };
    }
    const C = out.shape[out.dim - 1];
    const logits = out.reshape([-1, C]);
    if (yb.numel !== logits.shape[0]) fail('y', `${logits.shape[0]} class indices (one per output row)`, `shape ${show(yb.shape)}`, true);
    return { loss: crossEntropy(logits, yb.reshape([-1])), out: logits };
  }

  /** Correct predictions among the rows of `logits` (N, C) for class indices y. */
  private correct(logits: Tensor, y: Tensor): number {
    const C = logits.shape[1];
    const idx = y.reshape([-1]).toFloat32Array();
    return noGrad(() => oneHot(logits.argmax(-1).toFloat32Array(), C).mul(oneHot(idx, C)).sum().item());
  }

  private makeOptimizer(): Optimizer {
    if (this._opt) return this._opt;
    const o = this._compiled!.optimizer;
    const params = this.parameters();
    if (o instanceof Optimizer) return (this._opt = o);
    if (!params.length) throw new RnnError(`${this.name}.fit: expected trainable weights, got none (every layer has trainable = false)`);
    if (typeof o === 'function') {
      const opt = o(params);
      if (!(opt instanceof Optimizer)) fail('optimizer function', 'to return an Optimizer', opt);
      return (this._opt = opt);
    }
    return (this._opt = o === 'adam' ? new Adam(params, { lr: 0.001, eps: 1e-7 }) : new SGD(params, { lr: 0.01 }));
  }

  /** Mean loss (and accuracy) over all rows, batchSize at a time, without gradients. */
  private evalLoss(x: Tensor, y: Tensor, bs: number): Logs {
    return noGrad(() => {
      const N = x.shape[0], metrics = this._compiled!.metrics;
      let sum = 0, right = 0;
      for (let i = 0; i < N; i += bs) {
        const j = Math.min(N, i + bs);
        const { loss, out } = this.lossOf(x.slice(0, i, j), y.slice(0, i, j));
        sum += loss.item() * (j - i);
        if (metrics.length) right += this.correct(out, y.slice(0, i, j));
      }
      const logs: Logs = { loss: sum / N };
      for (const m of metrics) logs[m] = right / (y.numel);
      return logs;
    });
  }

  /**
   * Evaluates the compiled loss on (x, y) without training: a scalar Tensor, or [loss, accuracy]
   * with metrics.
   */
  evaluate(x: Tensor | NestedArray, y: Tensor | NestedArray | ArrayLike<number>, opts: { batchSize?: number } = {}): Tensor | Tensor[] {
    if (!this._compiled) throw new RnnError(`${this.name}.evaluate: expected a compiled model (call compile({ optimizer, loss }) first), got none`);
    const X = this.input(x, 'x');
    const bs = checkInt('batchSize', opts.batchSize ?? 32, 1);
    this.prepare(X, 'x');
    this.checkLossHead();
    const logs = this.evalLoss(X, this.targets(y, X.shape[0], 'y'), bs);
    const m = this._compiled.metrics;
    return m.length ? [tensor(logs.loss), ...m.map((k) => tensor(logs[k]))] : tensor(logs.loss);
  }

  /**
   * Trains for `epochs` epochs of mini-batches (TF.js's model.fit): each batch runs forward,
   * the loss, backward and one optimizer step. Resolves to the History: per-epoch `loss` (the
   * batch losses averaged over the rows), `val_loss` with validation data, and the metrics.
   */
  async fit(x: Tensor | NestedArray, y: Tensor | NestedArray | ArrayLike<number>, args: FitArgs = {}): Promise<History> {
    if (!this._compiled) throw new RnnError(`${this.name}.fit: expected a compiled model (call compile({ optimizer, loss }) first), got none`);
    if (args === null || typeof args !== 'object') fail('fit args', 'an object', args);
    const known = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'initialEpoch', 'yieldEvery'];
    for (const k of Object.keys(args)) if (!known.includes(k)) throw new RnnError(`fit args: expected one of ${known.join(', ')}, got unknown option ${show(k)}`);
    const epochs = checkInt('epochs', args.epochs ?? 1, 1);
    const bs = checkInt('batchSize', args.batchSize ?? 32, 1);
    const initialEpoch = checkInt('initialEpoch', args.initialEpoch ?? 0, 0);
    const shuffle = args.shuffle ?? true;
    if (typeof shuffle !== 'boolean') fail('shuffle', 'a boolean', shuffle);
    const split = args.validationSplit ?? 0;
    if (typeof split !== 'number' || !(split >= 0 && split < 1)) fail('validationSplit', 'a number in [0, 1)', split);
    const cbs = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    cbs.forEach((c, i) => { if (c === null || typeof c !== 'object') fail(`callbacks[${i}]`, 'an object of callback functions', c); });
    const X = this.input(x, 'x');
    this.prepare(X, 'x');
    this.checkLossHead();
    for (const l of this.layers) {
      const r = l instanceof RecurrentLayer ? l : l instanceof BidirectionalLayer ? l.layer : null;
      if (r && (r.dropout || r.recurrentDropout)) fail(`${l.name} dropout`, '0 for fit() (dropout in recurrent layers is not implemented)', r.dropout || r.recurrentDropout);
    }
    const N = X.shape[0];
    const Y = this.targets(y, N, 'y');
    let Xt = X, Yt = Y, Xv: Tensor | null = null, Yv: Tensor | null = null;
    if (args.validationData !== undefined) {
      const vd = args.validationData;
      if (!Array.isArray(vd) || vd.length !== 2) fail('validationData', 'a pair [x, y]', vd);
      Xv = this.input(vd[0], 'validationData[0]');
      this.prepare(Xv, 'validationData[0]');
      Yv = this.targets(vd[1], Xv.shape[0], 'validationData[1]');
    } else if (split > 0) {
      const at = Math.floor(N * (1 - split));
      if (at < 1 || at >= N) fail('validationSplit', `a split leaving rows on both sides of ${N} rows`, split);
      Xt = X.slice(0, 0, at); Yt = Y.slice(0, 0, at); Xv = X.slice(0, at); Yv = Y.slice(0, at);
    }
    const opt = this.makeOptimizer();
    const n = Xt.shape[0], steps = Math.ceil(n / bs);
    const metrics = this._compiled.metrics;
    const history: History = { epoch: [], history: { loss: [] }, params: { epochs, initialEpoch, samples: n, batchSize: bs, steps } };
    const call = async (name: keyof Callbacks, ...a: unknown[]) => { for (const c of cbs) { const f = c[name] as ((...v: unknown[]) => unknown) | undefined; if (f) await f.apply(c, a); } };
    this.stopTraining = false;
    await call('onTrainBegin', {});
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      await call('onEpochBegin', epoch, {});
      const order = shuffle ? permutation(n) : null;
      let sum = 0, right = 0;
      for (let b = 0; b < steps; b++) {
        const lo = b * bs, hi = Math.min(n, lo + bs);
        const [xb, yb] = order ? [gatherRows(Xt, order.subarray(lo, hi)), gatherRows(Yt, order.subarray(lo, hi))] : [Xt.slice(0, lo, hi), Yt.slice(0, lo, hi)];
        await call('onBatchBegin', b, { batch: b, size: hi - lo });
        const { loss, out } = this.lossOf(xb, yb, true);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        const lv = loss.item();
        sum += lv * (hi - lo);
        if (metrics.length) right += this.correct(out.detach(), yb);
        await call('onBatchEnd', b, { batch: b, size: hi - lo, loss: lv });
      }
      const logs: Logs = { loss: sum / n };
      for (const m of metrics) logs[m] = right / Yt.numel;
      if (Xv && Yv) {
        const v = this.evalLoss(Xv, Yv, bs);
        for (const [k, val] of Object.entries(v)) logs['val_' + k] = val;
      }
      history.epoch.push(epoch);
      for (const [k, val] of Object.entries(logs)) (history.history[k] ??= []).push(val);
      if (args.verbose) console.log(`Epoch ${epoch + 1} / ${epochs} - ` + Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - '));
      await call('onEpochEnd', epoch, logs);
      if (this.stopTraining) break;
    }
    await call('onTrainEnd', {});
    return history;
  }

  /** Frees every layer's weights now. */
  dispose(): void { for (const l of this.layers) l.dispose(); }
}

/** A random permutation of 0 … n−1 from the seeded generator (Fisher–Yates in Wasm). */
function permutation(n: number): Int32Array {
  safePoint();
  const s = Storage.alloc(n);
  w().rng_permutation(s.ptr, n);
  const p = s.ptr >> 2;
  const out = I32().slice(p, p + n);
  s.dispose();
  return out;
}
