// Keras's Bidirectional wrapper, computed by one bidirectional module of src/rnn.ts: its reverse
// direction is Keras's backward layer with the output turned back in time, which is what the
// reverse direction of a PyTorch module already returns.
//
//   input (B, T, F) → merge(forward, backward): (B, [T,] 2·units) for 'concat', (B, [T,] units)
//   for 'sum' | 'mul' | 'ave'; mergeMode null returns [forward, backward].
//   With the inner layer's returnState the final states follow: [h_f, (c_f), h_b, (c_b)].
//   Weights: the forward layer's, then the backward layer's, each in Keras order.
import { RnnError, fail } from '../errors.js';
import { readOptions, type Module } from '../module.js';
import type { GRU, LSTM, RNN } from '../rnn.js';
import { Parameter, Tensor, cat } from '../tensor.js';
import { COMMON_DEFAULTS, Layer, shapeRepr, type CallOptions, type LayerArgs, type Shape } from './base.js';
import { DenseLayer, DropoutLayer } from './core.js';
import { dirToKeras, kerasShapes, kerasToDir } from './convert.js';
import type { Mask } from './mask.js';
import { RecurrentLayer, dirParams, frozenBiases, loadDir, makeModule, readInitialState, runMasked } from './recurrent.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

/** Options of layers.bidirectional. */
export interface BidirectionalLayerArgs extends LayerArgs {
  /** The recurrent layer to run in both directions (layers.simpleRNN/lstm/gru, not yet used). */
  layer: RecurrentLayer;
  /** How the two directions combine: 'concat' (default), 'sum', 'mul', 'ave', or null for both. */
  mergeMode?: MergeMode;
}

/** Keras's Bidirectional wrapper around a SimpleRNN, LSTM or GRU layer. */
export class BidirectionalLayer extends Layer {
  readonly className = 'Bidirectional';
  /** The wrapped layer (its options; the weights live in this wrapper). */
  readonly layer: RecurrentLayer;
  readonly mergeMode: MergeMode;
  /** @internal */
  private _m: RNN | LSTM | GRU | null = null;

  constructor(args: BidirectionalLayerArgs) {
    if (args === undefined || args === null || typeof args !== 'object') fail('bidirectional args', 'an object like { layer }', args);
    const o = readOptions(args, { ...COMMON_DEFAULTS, layer: undefined as unknown, mergeMode: 'concat' as unknown }, 'bidirectional');
    if (!(o.layer instanceof RecurrentLayer)) fail('layer', 'a recurrent layer (layers.simpleRNN, layers.lstm or layers.gru)', o.layer);
    const inner = o.layer as RecurrentLayer;
    if (inner._wrapped || inner.built || inner._owner) fail('layer', 'a layer not used anywhere else yet', `layer ${JSON.stringify(inner.name)}`, true);
    if (!['concat', 'sum', 'mul', 'ave', null].includes(o.mergeMode as string)) fail('mergeMode', "'concat', 'sum', 'mul', 'ave' or null", o.mergeMode);
    // Keras lets the wrapped layer carry the input shape too
    const own = o.batchInputShape ?? o.inputShape ?? o.inputDim;
    super(own === undefined && inner.batchInputShape ? { ...o, batchInputShape: inner.batchInputShape } : o, 'bidirectional', true);
    inner._wrapped = true;
    this.layer = inner;
    this.mergeMode = o.mergeMode as MergeMode;
  }

  override get numOutputs(): number { return (this.mergeMode === null ? 2 : 1) + (this.layer.returnState ? 2 * this.layer.numStates : 0); }

  computeOutputShape(s: Shape): Shape | Shape[] {
    const u = this.layer.units;
    const y = this.layer.seqShape(s, this.mergeMode === 'concat' ? 2 * u : u);
    const outs: Shape[] = this.mergeMode === null ? [y, y.slice()] : [y];
    if (this.layer.returnState) for (let i = 0; i < 2 * this.layer.numStates; i++) outs.push([s[0], u]);
    return outs.length === 1 ? outs[0] : outs;
  }

  protected checkInputShape(s: Shape): void { this.checkRank(s, 3, 'a 3-D input (batch, timesteps, features)'); }

  protected create(s: Shape): void { this._m = makeModule(this.layer, s[2]!, true); }

  protected kerasShapes(s: Shape): number[][] {
    const l = this.layer;
    const one = kerasShapes(l.className, s[2]!, l.units, l.useBias, l.resetAfter);
    return [...one, ...one];
  }

  protected readKeras(): Tensor[] {
    const l = this.layer;
    return [0, 1].flatMap((d) => dirToKeras(l.className, l.units, dirParams(this._m!, d), l.resetAfter));
  }

  protected writeKeras(ws: Tensor[]): void {
    const l = this.layer, per = ws.length / 2;
    for (let d = 0; d < 2; d++) loadDir(this._m!, d, kerasToDir(l.className, l.units, ws.slice(d * per, (d + 1) * per), l.resetAfter));
  }

  protected getModule(): RNN | LSTM | GRU { return this._m!; }

  protected allParameters(): Parameter[] { return this._m!.parameters(); }

  protected override frozenParameters(): Set<Parameter> { return frozenBiases(this.layer, this._m!); }

  override get supportsMasking(): boolean { return true; }

  /** @internal as TF.js: the mask goes on with the sequences (returnSequences) */
  override _outMask(_x: Tensor, m: Mask | null): Mask | null { return this.layer.returnSequences ? m : null; }

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor | Tensor[] {
    const l = this.layer, B = x.shape[0], u = l.units;
    const init = readInitialState(l, opts.initialState, B, 2);
    // an inner goBackwards layer swaps the roles: both directions see the reversed input (and
    // mask) and the outputs stay in that order (Keras's forward layer then goes backwards, its
    // backward one forwards). Both directions get the same mask (TF.js's Bidirectional.call).
    const [out, h, c] = runMasked(this._m!, x, opts.kmask ?? null, l.goBackwards, init);
    const hf = h.select(0, 0), hb = h.select(0, 1);
    let y: Tensor | Tensor[];
    if (this.mergeMode === 'concat' && l.returnSequences) y = out;
    else {
      const [f, b] = l.returnSequences ? [out.slice(2, 0, u), out.slice(2, u, 2 * u)] : [hf, hb];
      switch (this.mergeMode) {
        case 'concat': y = cat([f, b], 1); break;   // the last outputs: (B, 2·units)
        case 'sum': y = f.add(b); break;
        case 'mul': y = f.mul(b); break;
        case 'ave': y = f.add(b).mul(0.5); break;
        default: y = [f, b];
      }
    }
    const ys = Array.isArray(y) ? y : [y];
    if (!l.returnState) return ys.length === 1 ? ys[0] : ys;
    const states = c ? [hf, c.select(0, 0), hb, c.select(0, 1)] : [hf, hb];
    return [...ys, ...states];
  }
}


/** Options of layers.timeDistributed. */
export interface TimeDistributedLayerArgs extends LayerArgs {
  /** The layer to apply to every timestep: layers.dense (or layers.dropout), not yet used. */
  layer: DenseLayer | DropoutLayer;
}

/**
 * Keras's TimeDistributed wrapper: the inner layer applied to every timestep, (B, T, …) →
 * (B, T, inner output). A Dense inside computes x·kernel + bias over the last dimension of all
 * B·T steps at once (the same numbers as step by step). Weights: the inner layer's, in Keras
 * order (TimeDistributed(Dense): kernel (F, units), bias (units)). Passes masks on.
 */
export class TimeDistributedLayer extends Layer {
  readonly className = 'TimeDistributed';
  /** The wrapped layer (its weights are this layer's weights). */
  readonly layer: DenseLayer | DropoutLayer;

  constructor(args: TimeDistributedLayerArgs) {
    if (args === undefined || args === null || typeof args !== 'object') fail('timeDistributed args', 'an object like { layer }', args);
    const o = readOptions(args, { ...COMMON_DEFAULTS, layer: undefined as unknown }, 'timeDistributed');
    if (!(o.layer instanceof DenseLayer) && !(o.layer instanceof DropoutLayer)) fail('layer', 'a layers.dense (or layers.dropout) layer', o.layer);
    const inner = o.layer as DenseLayer | DropoutLayer;
    if (inner._wrapped || inner.built || inner._owner) fail('layer', 'a layer not used anywhere else yet', `layer ${JSON.stringify(inner.name)}`, true);
    const own = o.batchInputShape ?? o.inputShape ?? o.inputDim;
    super(own === undefined && inner.batchInputShape ? { ...o, batchInputShape: inner.batchInputShape } : o, 'time_distributed', true);
    inner._wrapped = true;
    this.layer = inner;
  }

  /** (B, T, …) → (B, T, inner output of (B, …)) */
  computeOutputShape(s: Shape): Shape {
    const inner = this.layer._plan([s[0], ...s.slice(2)]).out as Shape;
    return [inner[0], s[1], ...inner.slice(1)];
  }

  protected checkInputShape(s: Shape): void {
    if (s.length < 3) throw new RnnError(`${this.name}: expected an input of at least 3 dimensions (batch, timesteps, …), got shape ${shapeRepr(s)} (ndim=${s.length})`);
    this.layer._plan([s[0], ...s.slice(2)]);
  }

  protected create(s: Shape): void { this.layer.build([s[0], ...s.slice(2)]); }

  protected kerasShapes(s: Shape): number[][] { return this.layer._plan([s[0], ...s.slice(2)]).shapes; }

  protected readKeras(): Tensor[] { return this.layer.getWeights(); }

  protected writeKeras(ws: Tensor[]): void { this.layer.setWeights(ws); }

  protected getModule(): Module | null { return this.layer instanceof DenseLayer ? this.layer.module : null; }

  protected allParameters(): Parameter[] { return this.layer instanceof DenseLayer ? this.layer.module.parameters() : []; }

  override get supportsMasking(): boolean { return true; }

  /** @internal every timestep at once: Dense and Dropout work over any leading dimensions */
  call(x: Tensor, opts: CallOptions = {}): Tensor {
    return this.layer.call(x, { logits: opts.logits, training: opts.training }) as Tensor;
  }
}
