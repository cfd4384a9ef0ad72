// Keras's SimpleRNN, LSTM and GRU layers, computed by the PyTorch-style modules of src/rnn.ts
// (batchFirst) with the Keras weights converted on the way in and out (convert.ts).
//
//   input (B, T, F) → output (B, units) [last step], or (B, T, units) with returnSequences;
//   returnState adds the final states: [output, h] (SimpleRNN, GRU) or [output, h, c] (LSTM).
//   goBackwards runs the recurrence over the input reversed in time and, like Keras, returns
//   the sequence in that processing order.
// Keras has one bias where PyTorch has two: the module's bias_hh is kept at zero and frozen
// (GRU with resetAfter, the Keras default, uses both, as bias[0] and bias[1]).
import { checkInt, fail, show } from '../errors.js';
import { readOptions } from '../module.js';
import { GRU, LSTM, RNN } from '../rnn.js';
import { safePoint } from '../storage.js';
import { Parameter, Tensor, sameShape, stack } from '../tensor.js';
import { w } from '../wasm.js';
import { COMMON_DEFAULTS, Layer, readActivation, type ActivationName, type CallOptions, type LayerArgs, type Shape } from './base.js';
import { GATES, dirToKeras, kerasShapes, kerasToDir, type DirWeights, type RecurrentKind } from './convert.js';
import { flipMask, maskedRun, type Mask } from './mask.js';
import { flip } from './ops.js';

/** Options of layers.simpleRNN (TF.js names; Keras's snake_case names work too). */
export interface SimpleRNNLayerArgs extends LayerArgs {
  /** Size of the hidden state. */
  units: number;
  /** 'tanh' (default) or 'relu'. */
  activation?: ActivationName | null;
  /** Default true. */
  useBias?: boolean;
  /** Return the whole sequence (B, T, units) instead of the last output (B, units). Default false. */
  returnSequences?: boolean;
  /** Also return the final state(s). Default false. */
  returnState?: boolean;
  /** Process the input reversed in time. Default false. */
  goBackwards?: boolean;
  /** Only false. */
  stateful?: boolean;
  /** Accepted and ignored (the recurrence is one Wasm call either way). */
  unroll?: boolean;
  /** Dropout rates: accepted for inference (where Keras applies none); fit() needs 0. */
  dropout?: number;
  recurrentDropout?: number;
  /** Timesteps, with inputDim (Keras's input_length). */
  inputLength?: number | null;
}
/** Options of layers.lstm. */
export interface LSTMLayerArgs extends Omit<SimpleRNNLayerArgs, 'activation'> {
  /** Only 'tanh'. */
  activation?: 'tanh';
  /** 'sigmoid' (Keras's default, used when omitted) or 'hardSigmoid' (TF.js's default), for the i, f, o gates. */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** Initialise the forget-gate bias to 1 (Keras default true). */
  unitForgetBias?: boolean;
}
/** Options of layers.gru. */
export interface GRULayerArgs extends Omit<SimpleRNNLayerArgs, 'activation'> {
  activation?: 'tanh';
  /** 'sigmoid' (default) or 'hardSigmoid' (TF.js's default), for the r and z gates. */
  recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** true (Keras default, = PyTorch's GRU): reset gate applied after the recurrent product, bias (2, 3·units). false: Cho's variant (TF.js), bias (3·units). */
  resetAfter?: boolean;
}

const RNN_DEFAULTS = {
  ...COMMON_DEFAULTS, units: undefined as number | undefined, activation: undefined as unknown, useBias: true as boolean,
  returnSequences: false as boolean, returnState: false as boolean, goBackwards: false as boolean, stateful: false as boolean,
  unroll: false as boolean, dropout: 0, recurrentDropout: 0, inputLength: undefined as number | null | undefined,
  recurrentActivation: undefined as unknown, unitForgetBias: true as boolean, resetAfter: true as boolean,
  // Keras config fields a layer may carry that change nothing here
  implementation: undefined as unknown, timeMajor: false as boolean,
};

/** A recurrent layer: Keras's SimpleRNN, LSTM or GRU. */
export class RecurrentLayer extends Layer {
  readonly className: RecurrentKind;
  readonly units: number;
  readonly activation: ActivationName;
  readonly recurrentActivation: 'sigmoid' | 'hardSigmoid' | null;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  /** GRU only (true otherwise). */
  readonly resetAfter: boolean;
  readonly unitForgetBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** @internal */
  private _m: RNN | LSTM | GRU | null = null;

  constructor(kind: RecurrentKind, args: SimpleRNNLayerArgs | LSTMLayerArgs | GRULayerArgs) {
    const where = { SimpleRNN: 'simpleRNN', LSTM: 'lstm', GRU: 'gru' }[kind];
    const keys = { ...RNN_DEFAULTS } as Partial<typeof RNN_DEFAULTS>;
    if (kind !== 'LSTM') delete keys.unitForgetBias;
    if (kind !== 'GRU') delete keys.resetAfter;
    if (kind === 'SimpleRNN') delete keys.recurrentActivation;
    if (args === undefined || args === null || typeof args !== 'object') fail(`${where} args`, 'an object like { units }', args);
    const o = readOptions(args, keys as typeof RNN_DEFAULTS, where);
    super(o, { SimpleRNN: 'simple_rnn', LSTM: 'lstm', GRU: 'gru' }[kind], true);
    this.className = kind;
    this.units = checkInt('units', o.units, 1);
    this.activation = readActivation('activation', o.activation, kind === 'SimpleRNN' ? ['tanh', 'relu', 'sigmoid', 'linear'] : ['tanh'], 'tanh');
    this.recurrentActivation = kind === 'SimpleRNN' ? null
      : readActivation('recurrentActivation', o.recurrentActivation, ['sigmoid', 'hardSigmoid'], 'sigmoid') as 'sigmoid' | 'hardSigmoid';
    for (const k of ['useBias', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'unitForgetBias', 'resetAfter', 'timeMajor'] as const) {
      if (k in o && typeof o[k] !== 'boolean') fail(k, 'a boolean', o[k]);
    }
    if (o.stateful) fail('stateful', 'false (stateful recurrent layers are not supported; use module.step() for streaming)', o.stateful);
    if (o.timeMajor) fail('timeMajor', 'false (inputs are batch-first)', o.timeMajor);
    for (const k of ['dropout', 'recurrentDropout'] as const) {
      if (typeof o[k] !== 'number' || !(o[k] >= 0 && o[k] < 1)) fail(k, 'a number in [0, 1)', o[k]);
    }
    this.useBias = o.useBias;
    this.returnSequences = o.returnSequences;
    this.returnState = o.returnState;
    this.goBackwards = o.goBackwards;
    this.resetAfter = kind === 'GRU' ? o.resetAfter : true;
    this.unitForgetBias = kind === 'LSTM' ? o.unitForgetBias : false;
    this.dropout = o.dropout;
    this.recurrentDropout = o.recurrentDropout;
  }

  /** Number of state tensors (h, and c for LSTM). */
  get numStates(): number { return this.className === 'LSTM' ? 2 : 1; }
  override get numOutputs(): number { return 1 + (this.returnState ? this.numStates : 0); }

  /** @internal the layer's output shape for one direction of `units` features */
  seqShape(s: Shape, features: number): Shape { return this.returnSequences ? [s[0], s[1], features] : [s[0], features]; }

  computeOutputShape(s: Shape): Shape | Shape[] {
    const y = this.seqShape(s, this.units);
    if (!this.returnState) return y;
    return [y, ...Array.from({ length: this.numStates }, () => [s[0], this.units])];
  }

  protected checkInputShape(s: Shape): void { this.checkRank(s, 3, 'a 3-D input (batch, timesteps, features)'); }

  protected create(s: Shape): void { this._m = makeModule(this, s[2]!, false); }

  protected kerasShapes(s: Shape): number[][] { return kerasShapes(this.className, s[2]!, this.units, this.useBias, this.resetAfter); }

  protected readKeras(): Tensor[] { return dirToKeras(this.className, this.units, dirParams(this._m!, 0), this.resetAfter); }

  protected writeKeras(ws: Tensor[]): void { loadDir(this._m!, 0, kerasToDir(this.className, this.units, ws, this.resetAfter)); }

  protected getModule(): RNN | LSTM | GRU { return this._m!; }

  protected allParameters(): Parameter[] { return this._m!.parameters(); }

  protected override frozenParameters(): Set<Parameter> { return frozenBiases(this, this._m!); }

  override get supportsMasking(): boolean { return true; }

  /** @internal the mask goes on with the sequence (returnSequences), not with the last output */
  override _outMask(_x: Tensor, m: Mask | null): Mask | null { return this.returnSequences ? m : null; }

  /** @internal */
  call(x: Tensor, opts: CallOptions = {}): Tensor | Tensor[] {
    const B = x.shape[0], u = this.units;
    const init = readInitialState(this, opts.initialState, B, 1);
    const [out, h, c] = runMasked(this._m!, x, opts.kmask ?? null, this.goBackwards, init);
    const hl = h.reshape([B, u]);
    const y = this.returnSequences ? out : hl;
    if (!this.returnState) return y;
    return c ? [y, hl, c.reshape([B, u])] : [y, hl];
  }
}

/** The module computing a recurrent layer (batch-first), with Keras's initialisation. */
export function makeModule(l: RecurrentLayer, inDim: number, bidirectional: boolean): RNN | LSTM | GRU {
  const common = { batchFirst: true, bias: l.useBias, bidirectional };
  const gateActivation = l.recurrentActivation ?? 'sigmoid';
  const m = l.className === 'SimpleRNN' ? new RNN(inDim, l.units, { ...common, nonlinearity: l.activation === 'relu' ? 'relu' : 'tanh' })
    : l.className === 'LSTM' ? new LSTM(inDim, l.units, { ...common, gateActivation })
      : new GRU(inDim, l.units, { ...common, resetAfter: l.resetAfter, gateActivation });
  // Keras SimpleRNN activations beyond PyTorch's two, computed by the same Wasm kernel
  if (l.activation === 'sigmoid') (m as RNN)._setActivation(1);
  else if (l.activation === 'linear') (m as RNN)._setActivation(3);
  // Keras's defaults: kernels glorot-uniform (the recurrent kernel too, where Keras uses an
  // orthogonal matrix), biases zero, the LSTM forget-gate bias one (unitForgetBias)
  safePoint();
  const e = w();
  const G = GATES[l.className] * l.units;
  for (let d = 0; d < (bidirectional ? 2 : 1); d++) {
    const p = dirParams(m, d);
    const glorot = (t: Tensor, fanIn: number) => e.rng_uniform_sym(t.ptr, t.numel, 6 / (fanIn + G), 1);
    glorot(p.wih, inDim);
    glorot(p.whh, l.units);
    if (p.bih) e.fill(p.bih.ptr, G, 0);
    if (p.bhh) e.fill(p.bhh.ptr, G, 0);
    if (p.bih && l.className === 'LSTM' && l.unitForgetBias) e.fill(p.bih.ptr + l.units * 4, l.units, 1);
  }
  return m;
}

/**
 * Runs a layer's module on x (B, T, F) with initial states [h0, c0?] (or none) and per-row
 * lengths (pack_padded semantics, or none): [output, hN, cN | null].
 */
export function runModule(m: RNN | LSTM | GRU, x: Tensor, init: Tensor[] | null, lengths?: number[]): [Tensor, Tensor, Tensor | null] {
  const opts = lengths ? { lengths } : undefined;
  if (m instanceof LSTM) {
    const [out, [h, c]] = m.forward(x, init ? [init[0], init[1]] : undefined, opts);
    return [out, h, c];
  }
  const [out, h] = m.forward(x, init ? init[0] : undefined, opts);
  return [out, h, null];
}

/**
 * A layer's recurrence over x (B, T, F) with a Keras mask (or none), in processing order:
 * goBackwards reverses the input and the mask together, as TF.js's rnn() does. Masked steps
 * carry the state and repeat the last output (mask.ts).
 */
export function runMasked(m: RNN | LSTM | GRU, x: Tensor, mask: Mask | null, backwards: boolean, init: Tensor[] | null): [Tensor, Tensor, Tensor | null] {
  const xin = backwards ? flip(x, 1) : x;
  if (!mask) return runModule(m, xin, init);
  return maskedRun(m, xin, backwards ? flipMask(mask) : mask, init, runModule);
}

/** One direction's parameters of a one-layer module. */
export function dirParams(m: RNN | LSTM | GRU, d: number): DirWeights {
  const p = Object.fromEntries(m.namedParameters());
  const s = d ? '_l0_reverse' : '_l0';
  return { wih: p['weight_ih' + s], whh: p['weight_hh' + s], bih: p['bias_ih' + s] ?? null, bhh: p['bias_hh' + s] ?? null };
}

/** Writes one direction's PyTorch-layout tensors into the module. */
export function loadDir(m: RNN | LSTM | GRU, d: number, dw: DirWeights): void {
  const s = d ? '_l0_reverse' : '_l0';
  const sd: Record<string, Tensor> = { ['weight_ih' + s]: dw.wih, ['weight_hh' + s]: dw.whh };
  if (dw.bih) sd['bias_ih' + s] = dw.bih;
  if (dw.bhh) sd['bias_hh' + s] = dw.bhh;
  m.loadStateDict(sd, { strict: false });
}

/** The bias_hh parameters Keras does not have (all but GRU with resetAfter). */
export function frozenBiases(l: RecurrentLayer, m: RNN | LSTM | GRU): Set<Parameter> {
  const out = new Set<Parameter>();
  if (l.className === 'GRU' && l.resetAfter) return out;
  for (const [k, p] of m.namedParameters()) if (k.startsWith('bias_hh')) out.add(p);
  return out;
}

/**
 * Keras initial states (each (B, units), D directions × [h] or [h, c]) as the module's
 * [h0, c0] of shape (D, B, units); null when none are given.
 */
export function readInitialState(l: RecurrentLayer, states: Tensor[] | undefined, B: number, D: number): Tensor[] | null {
  if (states === undefined || states === null) return null;
  const n = l.numStates * D;
  if (!Array.isArray(states) || states.length !== n) {
    fail('initialState', `an array of ${n} tensors (${D === 2 ? 'forward then backward ' : ''}${l.numStates === 2 ? '[h, c]' : '[h]'})`, states);
  }
  states.forEach((t, i) => {
    if (!(t instanceof Tensor)) fail(`initialState[${i}]`, 'a Tensor', t);
    if (!sameShape(t.shape, [B, l.units])) fail(`initialState[${i}]`, `shape ${show([B, l.units])}`, t.shape);
  });
  const k = l.numStates;
  const out: Tensor[] = [];
  for (let j = 0; j < k; j++) out.push(stack(Array.from({ length: D }, (_, d) => states[d * k + j]), 0));
  return out;
}

