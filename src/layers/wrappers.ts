// Keras's Bidirectional wrapper, computed by one bidirectional module of src/rnn.ts: its reverse
// direction is Keras's backward layer with the output turned back in time, which is what the
// reverse direction of a PyTorch module already returns.
//
//   input (B, T, F) → merge(forward, backward): (B, [T,] 2·units) for 'concat', (B, [T,] units)
//   for 'sum' | 'mul' | 'ave'; mergeMode null returns [forward, backward].
//   With the inner layer's returnState the final states follow: [h_f, (c_f), h_b, (c_b)].
//   Weights: the forward layer's, then the backward layer's, each in Keras order.
import { fail } from '../errors.js';
import { readOptions } from '../module.js';
import type { GRU, LSTM, RNN } from '../rnn.js';
import { Parameter, Tensor, cat } from '../tensor.js';
import { COMMON_DEFAULTS, Layer, type CallOptions, type LayerArgs, type Shape } from './base.js';
import { dirToKeras, kerasShapes, kerasToDir } from './convert.js';
import { flip } from './ops.js';
import { RecurrentLayer, dirParams, frozenBiases, loadDir, makeModule, readInitialState, runModule } from './recurrent.js';

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

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor | Tensor[] {
    const l = this.layer, B = x.shape[0], u = l.units;
    const init = readInitialState(l, opts.initialState, B, 2);
    // an inner goBackwards layer swaps the roles: both directions see the reversed input and the
    // outputs stay in that order (Keras's forward layer then goes backwards, its backward one forwards)
    const xin = l.goBackwards ? flip(x, 1) : x;
    const [out, h, c] = runModule(this._m!, xin, init);
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

