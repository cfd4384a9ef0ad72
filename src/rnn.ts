// RNN (Elman), LSTM and GRU with PyTorch's semantics, parameter names and shapes.
// references: https://pytorch.org/docs/stable/generated/torch.nn.RNN.html, …/torch.nn.LSTM.html,
// …/torch.nn.GRU.html
//
// Shapes (D = 2 if bidirectional else 1, L = numLayers, Hout = projSize || hiddenSize):
//   input  (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I)
//   h0     (L·D, B, Hout), or (L·D, Hout) unbatched; zeros when absent.  LSTM c0: (L·D, B, H)
//   output (T, B, D·Hout) / (B, T, D·Hout) / (T, D·Hout);  hN like h0;  LSTM cN like c0
// TypeScript stacks layers and directions; each layer-direction is one Wasm call forward and
// one backward (assembly/rnn.ts, lstm.ts, gru.ts), each timestep loop inside Wasm.
import { Node, leafGradPtr, recording } from './autograd.js';
import { MAX_FEATURES, MAX_HIDDEN, MAX_LAYERS, MAX_NUMEL, RnnError, bytesText, checkInt, className, fail, show } from './errors.js';
import { uniformParameter } from './init.js';
import { Module, readOptions } from './module.js';
import { checkParameters, memoryLeft, safePoint, Storage } from './storage.js';
import { Parameter, Tensor, sameShape } from './tensor.js';
import { F32, I32, setArgs, w } from './wasm.js';

type Mode = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };
const ACT_TANH = 0, ACT_RELU = 2;

export interface RNNOptions {
  numLayers?: number;
  nonlinearity?: 'tanh' | 'relu';
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}
/** Gate activation of LSTM/GRU: 'sigmoid' (PyTorch) or TF.js's default 'hardSigmoid', clip(0.2x + 0.5, 0, 1). */
export type GateActivation = 'sigmoid' | 'hardSigmoid';

export interface GRUOptions extends Omit<RNNOptions, 'nonlinearity'> {
  /** Not in PyTorch: 'hardSigmoid' computes the r and z gates as TF.js's default does. */
  gateActivation?: GateActivation;
  /**
   * true (default, PyTorch): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).
   * false (ONNX linear_before_reset = 0, Keras reset_after = False): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn).
   */
  resetAfter?: boolean;
}
export interface LSTMOptions extends Omit<RNNOptions, 'nonlinearity'> {
  projSize?: number;
  /** Not in PyTorch: 'hardSigmoid' computes the i, f, o gates as TF.js's default does. */
  gateActivation?: GateActivation;
}

/** Options of forward(): per-sequence lengths, PyTorch's pack_padded_sequence semantics. */
export interface ForwardOptions { lengths?: ArrayLike<number> }

/**
 * step()'s transposed weights of one layer (seq.ts weights_t), and the versions of the weights
 * they were made from: redone when an optimizer step, loadStateDict or anything else has taken
 * a writable pointer to them since.
 */
interface StepWeights { buf: Storage; vih: number; vhh: number; vhr: number }

/** step()'s Wasm buffers for one batch size, and Float32Array views of the state it returns. */
export interface StepWorkspace {
  B: number;
  bufs: Storage[];
  ptrs: number[];
  /** views of h, c and the top layer's output, re-made only when Wasm memory has grown */
  viewsOf: ArrayBuffer | null;
  h: Float32Array; c: Float32Array; out: Float32Array;
}

interface DirParams { wih: Parameter; whh: Parameter; bih: Parameter | null; bhh: Parameter | null; whr: Parameter | null }

/** Streaming state: plain arrays, (L, B, Hout) for h and (L, B, H) for c (LSTM), row-major. */
export interface StepState { h: Float32Array; c?: Float32Array; output: Float32Array }

/** out[i] = a[i] * b[i] over a Storage's length (a 1-D strided MUL). */
function mulInto(out: Storage, a: Storage, b: Storage): void {
  setArgs([[out.length], [1], [1], [1]]);
  w().strided(2, 1, a.ptr, b.ptr, out.ptr);
}

abstract class RNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** @internal 'tanh' | 'relu' for RNN */
  protected _act = ACT_TANH;
  /** @internal GRU: 1 = PyTorch's reset-after candidate, 0 = reset before the recurrent product */
  protected _lbr = 1;
  /** @internal LSTM/GRU gate activation: 0 sigmoid, 1 hard sigmoid */
  protected _ga = 0;
  /** @internal [layer][direction] */
  protected _dirs: DirParams[][] = [];
  /** @internal streaming workspace, kept per batch size */
  private _stepWs: StepWorkspace | null = null;
  /** @internal step()'s transposed weights, per layer */
  private _stepW: StepWeights[] = [];

  constructor(mode: Mode, inputSize: number, hiddenSize: number, o: Required<Omit<LSTMOptions, 'gateActivation'>>, act: number) {
    super();
    this.mode = mode;
    this.inputSize = checkInt('inputSize', inputSize, 1, MAX_FEATURES);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1, MAX_HIDDEN);
    this.numLayers = checkInt('numLayers', o.numLayers, 1, MAX_LAYERS);
    if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout <= 1)) fail('dropout', 'a number in [0, 1]', o.dropout);
    for (const k of ['bias', 'batchFirst', 'bidirectional'] as const) if (typeof o[k] !== 'boolean') fail(k, 'a boolean', o[k]);
    this.projSize = checkInt('projSize', o.projSize, 0);
    if (this.projSize >= this.hiddenSize && this.projSize > 0) fail('projSize', `an integer smaller than hiddenSize (${this.hiddenSize})`, this.projSize);
    this.bias = o.bias;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    this._act = act;
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, G = GATES[mode] * H;
    const k = H;   // init fan: uniform(−1/√H, 1/√H)
    // sizes first, nothing allocated until they are known to fit (README "Memory")
    const what = `${className(this.constructor)}(${this.extraRepr()})`, shapes: [string, number[]][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inl = l === 0 ? this.inputSize : Ho * D;
      const layer = (inl + Ho) * G + (this.projSize ? this.projSize * H : 0);   // one layer-direction's weights (step()'s transposed copy)
      if (layer > MAX_NUMEL) {
        throw new RnnError(`${l === 0 && this.inputSize > H ? 'inputSize' : 'hiddenSize'}: expected the weights of one layer to hold at most ${MAX_NUMEL} ` +
          `elements (2 GiB) in all, got ${what} with ${layer} in layer ${l} (${bytesText(4 * layer)})`);
      }
      for (let d = 0; d < D; d++) {
        shapes.push(['w_ih', [G, inl]], ['w_hh', [G, Ho]]);
        if (this.bias) shapes.push(['b_ih', [G]], ['b_hh', [G]]);
        if (this.projSize) shapes.push(['w_hr', [this.projSize, H]]);
      }
    }
    checkParameters(() => (this.numLayers > 1 ? 'numLayers' : 'hiddenSize'), what, shapes);
    for (let l = 0; l < this.numLayers; l++) {
      const row: DirParams[] = [];
      const inl = l === 0 ? this.inputSize : Ho * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        // PyTorch's registration (and init) order: w_ih, w_hh, b_ih, b_hh, w_hr
        const p: DirParams = {
          wih: uniformParameter([G, inl], k), whh: uniformParameter([G, Ho], k),
          bih: this.bias ? uniformParameter([G], k) : null, bhh: this.bias ? uniformParameter([G], k) : null,
          whr: this.projSize ? uniformParameter([this.projSize, H], k) : null,
        };
        this.registerParameter('weight_ih' + sfx, p.wih);
        this.registerParameter('weight_hh' + sfx, p.whh);
        if (p.bih) this.registerParameter('bias_ih' + sfx, p.bih);
        if (p.bhh) this.registerParameter('bias_hh' + sfx, p.bhh);
        if (p.whr) this.registerParameter('weight_hr' + sfx, p.whr);
        row.push(p);
      }
      this._dirs.push(row);
    }
  }

  get numDirections(): number { return this.bidirectional ? 2 : 1; }
  /** Size of h (projSize for a projected LSTM, else hiddenSize). */
  get hiddenOut(): number { return this.projSize || this.hiddenSize; }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    // (PyTorch 1.13's RNN repr does not show nonlinearity; RNNCell's does)
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=True';
    if (this._ga) s += ', gate_activation=hardSigmoid';
    return s;
  }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }

  /** @internal Keras SimpleRNN activations the Wasm kernel also computes: 1 sigmoid, 3 identity. */
  _setActivation(code: 0 | 1 | 2 | 3): void { this._act = code; }

  /** @internal */
  protected setGate(v: unknown): void {
    if (v !== 'sigmoid' && v !== 'hardSigmoid') fail('gateActivation', `'sigmoid' or 'hardSigmoid'`, v);
    this._ga = v === 'hardSigmoid' ? 1 : 0;
  }

  protected checkInput(input: Tensor): boolean {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if (input.dim !== 2 && input.dim !== 3) {
      fail('input', `a 3-D (${this.batchFirst ? 'B, T' : 'T, B'}, ${this.inputSize}) or 2-D (T, ${this.inputSize}) tensor`, `shape ${show(input.shape)}`, true);
    }
    if (input.shape[input.dim - 1] !== this.inputSize) fail('input', `last dimension ${this.inputSize} (inputSize)`, `shape ${show(input.shape)}`, true);
    if (input.numel === 0) fail('input', 'a non-empty sequence', `shape ${show(input.shape)}`, true);
    return input.dim === 3;
  }

  protected checkState(name: string, t: Tensor | null | undefined, batched: boolean, B: number, n: number, input?: Tensor): Tensor | null {
    if (t === undefined || t === null) return null;
    if (!(t instanceof Tensor)) fail(name, 'a Tensor', t);
    const LD = this.numLayers * this.numDirections;
    const want = batched ? [LD, B, n] : [LD, n];
    if (!sameShape(t.shape, want)) {
      const other = batched && input ? input.shape[this.batchFirst ? 1 : 0] : B;   // T: what B is if the layout is the other one
      const swapped = other !== B && sameShape(t.shape, [LD, other, n]);
      fail(name, `shape ${show(want)}`, `${show(t.shape)}${swapped ? this.layoutHint(input!) : ''}`, true);
    }
    return t;
  }

  /** For a state or lengths that would fit with the input's two leading dimensions swapped: how the input was read. */
  private layoutHint(input: Tensor): string {
    const [a, b, i] = input.shape;
    return this.batchFirst
      ? ` (input shape ${show(input.shape)} is read as (B, T, I) = (${a}, ${b}, ${i}) since batchFirst is true; for a (T, B, I) input, leave batchFirst false)`
      : ` (input shape ${show(input.shape)} is read as (T, B, I) = (${a}, ${b}, ${i}) since batchFirst is false; for a (B, T, I) input, set batchFirst: true)`;
  }

  protected checkLengths(opts: ForwardOptions | undefined, T: number, B: number, input?: Tensor): number[] | null {
    if (opts === undefined) return null;
    if (opts === null || typeof opts !== 'object') fail('options', 'an object like { lengths }', opts);
    for (const k of Object.keys(opts)) if (k !== 'lengths') throw new RnnError(`forward options: expected only lengths, got unknown option ${show(k)}`);
    const L = opts.lengths;
    if (L === undefined) return null;
    if (!L || typeof L.length !== 'number') fail('lengths', `an array of ${B} sequence lengths`, L);
    if (L.length !== B) fail('lengths', `${B} sequence lengths (one per batch entry)`, `${L.length}${L.length === T && input ? this.layoutHint(input) : ''}`, true);
    const out = Array.from(L);
    out.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 1 || v > T) throw new RnnError(`lengths[${i}]: expected an integer in [1, ${T}] (the sequence length), got ${show(v)}`);
    });
    return out;
  }

  /**
   * The shared forward: returns [output, hN, cN | null] in the caller's layout.
   */
  protected run(input: Tensor, h0in: Tensor | null | undefined, c0in: Tensor | null | undefined, opts?: ForwardOptions): [Tensor, Tensor, Tensor | null] {
    const batched = this.checkInput(input);
    const T = input.shape[batched && this.batchFirst ? 1 : 0];
    const B = batched ? input.shape[this.batchFirst ? 0 : 1] : 1;
    const h0 = this.checkState('h0', h0in, batched, B, this.hiddenOut, input);
    const c0 = this.mode === 'LSTM' ? this.checkState('c0', c0in, batched, B, this.hiddenSize, input) : null;
    const lengths = this.checkLengths(opts, T, B, batched ? input : undefined);
    const params = this.parameters();
    this.checkForwardSize(input.shape, T, B, recording(input, h0, c0, ...params));
    for (const p of params) p._live();
    safePoint(input, h0, c0);
    const x = batched ? (this.batchFirst ? input.transpose(0, 1) : input) : input.unsqueeze(1);
    const h = h0 && !batched ? h0.unsqueeze(1) : h0;
    const c = c0 && !batched ? c0.unsqueeze(1) : c0;
    const [out, hN, cN] = this.stack(x, h, c, lengths);
    const output = !batched ? out.squeeze(1) : this.batchFirst ? out.transpose(0, 1) : out;
    return [output, batched ? hN : hN.squeeze(1), cN ? (batched ? cN : cN.squeeze(1)) : null];
  }

  /**
   * Before a forward over T steps of B sequences allocates anything: every buffer it (and, when
   * recording, its backward) makes within MAX_NUMEL, and an estimate of their peak within the
   * memory left; else an RnnError naming the input shape and the bytes (README "Memory").
   */
  private checkForwardSize(shape: number[], T: number, B: number, rec: boolean): void {
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, L = this.numLayers, DH = D * Ho;
    const G = GATES[this.mode] * H, TB = T * B, lstm = this.mode === 'LSTM', gru = this.mode === 'GRU';
    const what = `${className(this.constructor)}(${this.extraRepr()})`;
    const gl = ['', 'G = H', 'G = 4H', 'G = 3H'][GATES[this.mode] === 1 ? 1 : GATES[this.mode] === 4 ? 2 : 3];
    const maxI = Math.max(this.inputSize, DH);
    const buffers: [string, number][] = [['a layer output (T·B·D·Hout floats)', TB * DH], [`the gates of one step (B·G floats, ${gl})`, B * G]];
    if (lstm) buffers.push(['the cell cache (T·B·H floats)', TB * H]);
    if (rec) buffers.push([`the gate cache that backward needs (T·B·G floats, ${gl})`, TB * G], ['an input gradient (T·B·I floats)', TB * maxI]);
    const advice = rec ? '; run the forward under noGrad (it keeps no gate cache) or in shorter pieces of the sequence (truncated BPTT)' : '; use shorter sequences or smaller batches';
    for (const [name, n] of buffers) {
      if (n > MAX_NUMEL) {
        throw new RnnError(`input: expected a forward whose buffers hold at most ${MAX_NUMEL} elements (2 GiB) each, got shape ${show(shape)}: ` +
          `${what}${rec ? ', recording gradients,' : ''} needs ${name} = ${n} (${bytesText(4 * n)})${advice}`);
      }
    }
    // the peak, roughly: layer outputs, caches, dropout masks, states, and backward's largest scratch
    const perDir = (lstm ? TB * H * (this.projSize ? 2 : 1) : 0) + (rec && (lstm || gru) ? TB * G + (gru ? TB * H : 0) : 0);
    const drop = this.training && this.dropout > 0 && L > 1 ? 2 * TB * DH : 0;
    const floats = (rec ? L * (TB * DH + D * perDir + drop) + 3 * TB * G + TB * maxI + 3 * TB * Ho : 2 * TB * DH + D * perDir + drop) +
      2 * L * D * B * H;
    const left = memoryLeft();
    if (4 * floats > left) {
      throw new RnnError(`input: expected a forward that fits in WebAssembly memory (${bytesText(left)} left of 4 GiB), got shape ${show(shape)}: ` +
        `${what}${rec ? ', recording gradients,' : ''} needs about ${bytesText(4 * floats)}${advice}`);
    }
  }

  /** x (T, B, I) time-major; h0 (L·D, B, Hout); c0 (L·D, B, H) → [out (T, B, D·Hout), hN, cN]. */
  private stack(x: Tensor, h0: Tensor | null, c0: Tensor | null, lengths: number[] | null): [Tensor, Tensor, Tensor | null] {
    const e = w();
    const [T, B] = x.shape;
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, L = this.numLayers, DH = D * Ho;
    const lstm = this.mode === 'LSTM';
    const params = this.parameters();
    const rec = recording(x, h0, c0, ...params);
    const drop = this.training && this.dropout > 0 && L > 1;
    const lens = lengths ? Storage.alloc(B) : null;
    if (lens) I32().set(lengths!, lens.ptr >>> 2);
    const hN = Storage.alloc(L * D * B * Ho);
    const cN = lstm ? Storage.alloc(L * D * B * H) : null;
    const ins: Storage[] = [x.storage];       // input of each layer
    const outs: Storage[] = [];               // output of each layer (also a backward cache)
    const masks: (Storage | null)[] = [];     // dropout mask applied to each layer's output
    const caches: Storage[][][] = [];         // [layer][direction] gate caches
    for (let l = 0; l < L; l++) {
      // what only the graph holds is recomputable (storage.ts): the gate caches, inner outputs
      const out = Storage.alloc(T * B * DH);
      if (rec && l < L - 1) out.recomputable();
      const lc = this.forwardLayer(l, T, B, ins[l], out, hN, cN, h0, c0, lens?.ptr ?? 0, rec);
      caches.push(lc);
      outs.push(out);
      if (!rec) {
        // inference: nothing will run backward, so free what this layer consumed and cached now
        for (const dc of lc) for (const c of dc) c.dispose();
        lc.length = 0;
        if (l > 0) {
          if (masks[l - 1]) { ins[l].dispose(); masks[l - 1]!.dispose(); }
          outs[l - 1].dispose();
        }
      }
      if (l < L - 1) {
        if (drop) {
          const m = Storage.alloc(T * B * DH);
          e.rng_dropout_mask(m.ptr, m.length, this.dropout);
          const next = Storage.alloc(T * B * DH);
          if (rec) next.recomputable();
          mulInto(next, out, m);
          masks.push(m);
          ins.push(next);
        } else {
          masks.push(null);
          ins.push(out);
        }
      }
    }
    const output = new Tensor(outs[L - 1], [T, B, DH]);
    const hn = new Tensor(hN, [L * D, B, Ho]);
    const cn = cN ? new Tensor(cN, [L * D, B, H]) : null;
    const release = () => {
      for (let l = 0; l < L - 1; l++) { if (masks[l]) { ins[l + 1].dispose(); masks[l]!.dispose(); } outs[l].dispose(); }
      for (const lc of caches) for (const dc of lc) for (const s of dc) s.dispose();
      lens?.dispose();
    };
    if (!rec) { lens?.dispose(); return [output, hn, cn]; }
    const node = new Node(this.mode === 'RNN' ? 'RnnBackward' : this.mode + 'Backward', [x, h0, c0, ...params], lstm ? 3 : 2,
      ([gOut, gHN, gCN]) => {
        // eviction may have dropped recomputable caches: run the forward again (same kernels, same
        // inputs, so the same bits) into new caches; the top layer's output is the user's tensor
        // (never dropped), so its recomputed copy goes to a scratch block
        const recomputable = [...outs.slice(0, L - 1), ...ins.slice(1), ...caches.flat(2)];
        if (recomputable.some((s) => s.dropped)) {
          for (const s of new Set(recomputable)) s.dispose();
          const hS = Storage.alloc(L * D * B * Ho), cS = lstm ? Storage.alloc(L * D * B * H) : null;
          for (let l = 0; l < L; l++) {
            const out = l < L - 1 ? Storage.alloc(T * B * DH).recomputable() : Storage.alloc(T * B * DH);
            caches[l] = this.forwardLayer(l, T, B, ins[l], out, hS, cS, h0, c0, lens?.ptr ?? 0, true);
            if (l === L - 1) { out.dispose(); break; }
            outs[l] = out;
            if (masks[l]) { ins[l + 1] = Storage.alloc(T * B * DH).recomputable(); mulInto(ins[l + 1], out, masks[l]!); } else ins[l + 1] = out;
          }
          hS.dispose(); cS?.dispose();
        }
        let dOut: Storage | null = gOut;
        const lp = lens?.ptr ?? 0;   // lens may have been evicted since the forward: take its pointer now
        const dh0 = h0?.requiresGrad ? Storage.alloc(L * D * B * Ho) : null;
        const dc0 = c0?.requiresGrad ? Storage.alloc(L * D * B * H) : null;
        for (let l = L - 1; l >= 0; l--) {
          const I = l === 0 ? this.inputSize : DH;
          const dIn = l > 0 || x.requiresGrad ? Storage.alloc(T * B * I) : null;
          for (let d = 0; d < D; d++) {
            const p = this._dirs[l][d];
            const so = (l * D + d) * B;
            const ho = so * Ho * 4, co = so * H * 4;
            const hp = h0 ? h0.ptr + ho : 0;
            const op = outs[l].ptr + d * Ho * 4, dop = dOut ? dOut.ptr + d * Ho * 4 : 0;
            const dhn = gHN ? gHN.ptr + ho : 0, dxp = dIn?.ptr ?? 0, dh0p = dh0 ? dh0.ptr + ho : 0;
            const [gw, gwh, gb, gbh] = [leafGradPtr(p.wih), leafGradPtr(p.whh), leafGradPtr(p.bih), leafGradPtr(p.bhh)];
            const cc = caches[l][d];
            if (this.mode === 'RNN') {
              e.rnn_backward(T, B, I, H, ins[l].ptr, I, p.wih.readPtr, p.whh.readPtr, hp, op, DH, lp, dop, DH, dhn, this._act, d,
                dxp, I, d, dh0p, gw, gwh, gb, gbh);
            } else if (lstm) {
              e.lstm_backward(T, B, I, H, Ho, ins[l].ptr, I, p.wih.readPtr, p.whh.readPtr, p.whr?.readPtr ?? 0, hp, c0 ? c0.ptr + co : 0,
                op, DH, cc[0].ptr, cc[1].ptr, cc[2]?.ptr ?? 0, lp, dop, DH, dhn, gCN ? gCN.ptr + co : 0, d,
                dxp, I, d, dh0p, dc0 ? dc0.ptr + co : 0, gw, gwh, gb, gbh, leafGradPtr(p.whr), this._ga);
            } else {
              e.gru_backward(T, B, I, H, ins[l].ptr, I, p.wih.readPtr, p.whh.readPtr, hp, op, DH, cc[0].ptr, cc[1].ptr, lp,
                dop, DH, dhn, d, dxp, I, d, dh0p, gw, gwh, gb, gbh, this._lbr, this._ga);
            }
          }
          if (dIn && l > 0 && masks[l - 1]) mulInto(dIn, dIn, masks[l - 1]!);
          if (dOut && dOut !== gOut) dOut.dispose();
          dOut = dIn;
        }
        return [dOut, dh0, dc0];
      }, release);
    for (const [t, i] of [[output, 0], [hn, 1], [cn, 2]] as [Tensor | null, number][]) {
      if (!t) continue;
      t._node = node; t._out = i; t.requiresGrad = true;
    }
    return [output, hn, cn];
  }

  /**
   * Layer l's forward, every direction, over x (T·B rows of its input width): writes out (T, B, D·Hout)
   * and the layer's rows of hN / cN; returns the caches backward reads, per direction (none
   * when not recording, except LSTM's cells, which each step reads).
   */
  private forwardLayer(l: number, T: number, B: number, x: Storage, out: Storage, hN: Storage, cN: Storage | null,
                       h0: Tensor | null, c0: Tensor | null, lp: number, rec: boolean): Storage[][] {
    const e = w();
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, DH = D * Ho, G = GATES[this.mode] * H;
    const I = l === 0 ? this.inputSize : DH;
    const lc: Storage[][] = [];
    for (let d = 0; d < D; d++) {
      const p = this._dirs[l][d];
      const so = (l * D + d) * B;
      const hp = h0 ? h0.ptr + so * Ho * 4 : 0, cp = c0 ? c0.ptr + so * H * 4 : 0;
      const op = out.ptr + d * Ho * 4, hn = hN.ptr + so * Ho * 4;
      const wih = p.wih.readPtr, whh = p.whh.readPtr, bih = p.bih?.readPtr ?? 0, bhh = p.bhh?.readPtr ?? 0;
      // caches only the graph holds: recomputable (storage.ts)
      const cache = (n: number) => { const s = Storage.alloc(n); return rec ? s.recomputable() : s; };
      if (this.mode === 'RNN') {
        e.rnn_forward(T, B, I, H, x.ptr, I, wih, whh, bih, bhh, hp, op, DH, hn, lp, this._act, d);
        lc.push([]);
      } else if (this.mode === 'LSTM') {
        // inference caches no gates (the kernel projects the input a chunk at a time); the cells
        // are always written, as each step reads the one before
        const gates = rec ? cache(T * B * G) : null, cells = cache(T * B * H);
        const hraw = p.whr ? cache(T * B * H) : null;
        e.lstm_forward(T, B, I, H, Ho, x.ptr, I, wih, whh, bih, bhh, p.whr?.readPtr ?? 0,
          hp, cp, op, DH, hn, cN!.ptr + so * H * 4, gates?.ptr ?? 0, cells.ptr, hraw?.ptr ?? 0, lp, d, this._ga);
        lc.push([...(gates ? [gates] : []), cells, ...(hraw ? [hraw] : [])]);   // backward reads [gates, cells, hraw?]
      } else {
        const gates = rec ? cache(T * B * G) : null, hnc = rec ? cache(T * B * H) : null;
        e.gru_forward(T, B, I, H, x.ptr, I, wih, whh, bih, bhh, hp, op, DH, hn, gates?.ptr ?? 0, hnc?.ptr ?? 0, lp, d, this._lbr, this._ga);
        lc.push(gates ? [gates, hnc!] : []);
      }
    }
    return lc;
  }

  /** @internal step()'s buffers (freed by dispose(); a later step() makes them again). */
  override _freeBuffers(): void {
    this._stepWs?.bufs.forEach((s) => s.dispose());
    this._stepW.forEach((c) => c.buf.dispose());
    this._stepWs = null;
    this._stepW = [];
  }

  /** Byte offset of layer l's transposed weights for step(), transposed again only if they changed. */
  private stepWeights(l: number, Il: number): number {
    const p = this._dirs[l][0];
    const wih = p.wih.storage, whh = p.whh.storage, whr = p.whr?.storage ?? null;   // fixed per module
    let c = this._stepW[l];
    if (!c || c.vih !== wih.version || c.vhh !== whh.version || c.vhr !== (whr?.version ?? 0)) {
      const G = GATES[this.mode] * this.hiddenSize, H = this.hiddenSize, Ho = this.hiddenOut;
      c ??= this._stepW[l] = { buf: Storage.alloc((Il + Ho) * G + (whr ? H * Ho : 0), true), vih: 0, vhh: 0, vhr: 0 };
      w().weights_t(G, Il, Ho, H, wih.readPtr, whh.readPtr, whr?.readPtr ?? 0, c.buf.readPtr);
      c.vih = wih.version; c.vhh = whh.version; c.vhr = whr?.version ?? 0;
    }
    return c.buf.readPtr;
  }

  /**
   * One timestep for a batch, synchronous, for streaming (audio worklets, edge handlers).
   * x: (B, I) or (I) as a Tensor or a Float32Array of B·I values. state: the object a previous
   * step returned (or one you restored: h of L·B·Hout floats, c of L·B·H for LSTM); omitted
   * means zeros. Returns the state, updated in place when given: `output` (B·Hout) is the top
   * layer's h and is overwritten by the next call. Running step T times gives the same bits as
   * forward over the T steps. No gradients; after the first call with a given B it allocates
   * nothing (no Wasm memory, no JS arrays). Keeps a transposed copy of the weights (the layout
   * the kernel reads), made again only after they change (an optimizer step, loadStateDict).
   */
  step(x: Tensor | Float32Array, state?: StepState): StepState {
    if (this.bidirectional) throw new RnnError('step: expected a unidirectional module (a reverse direction needs the whole sequence), got bidirectional = true');
    const I = this.inputSize;
    let n: number;
    if (x instanceof Tensor) {
      if ((x.dim !== 1 && x.dim !== 2) || x.shape[x.dim - 1] !== I) fail('x', `shape (B, ${I}) or (${I})`, `shape ${show(x.shape)}`, true);
      n = x.numel;
    } else if (x instanceof Float32Array) {
      n = x.length;
      if (n === 0 || n % I !== 0) fail('x', `a Float32Array of B·${I} values`, `length ${n}`, true);
    } else {
      fail('x', 'a Tensor or a Float32Array', x);
    }
    const B = n / I;
    this._checkStepState(state, B, 'state');
    for (let l = 0; l < this.numLayers; l++) {   // parameters not disposed (indexed: step() allocates nothing)
      const p = this._dirs[l][0];
      p.wih._live(); p.whh._live(); p.bih?._live(); p.bhh?._live(); p.whr?._live();
    }
    safePoint(x instanceof Tensor ? x : null);
    const ws = this._stepWorkspace(B);
    const xp = ws.ptrs[0];
    if (x instanceof Tensor) w().copy_rows(1, n, x.ptr, n, xp, n); else F32().set(x, xp >>> 2);
    this._stepAt(ws, xp, state);
    return this._stepState(ws, state);
  }

  /** @internal step()'s checks of a state for B rows (RnnError naming `arg`); undefined passes. */
  _checkStepState(state: StepState | undefined, B: number, arg: string): void {
    if (state === undefined) return;
    const H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers;
    if (!state || !(state.h instanceof Float32Array) || state.h.length !== L * B * Ho) {
      fail(`${arg}.h`, `a Float32Array of ${L * B * Ho} values (L·B·Hout)`, state?.h instanceof Float32Array ? `length ${state.h.length}` : state?.h, true);
    }
    if (this.mode === 'LSTM' && (!(state.c instanceof Float32Array) || state.c.length !== L * B * H)) {
      fail(`${arg}.c`, `a Float32Array of ${L * B * H} values (L·B·H)`, state.c instanceof Float32Array ? `length ${state.c.length}` : state.c, true);
    }
    if (!(state.output instanceof Float32Array) || state.output.length !== B * Ho) {
      fail(`${arg}.output`, `a Float32Array of ${B * Ho} values`, state.output, true);
    }
  }

  /**
   * @internal step()'s Wasm buffers for B rows — x, h (L,B,Ho), c (L,B,H), layer outputs, gate
   * caches — kept while B stays the same (persistent: their pointers never move).
   */
  _stepWorkspace(B: number): StepWorkspace {
    let ws = this._stepWs;
    if (!ws || ws.B !== B) {
      const I = this.inputSize, H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers;
      const G = GATES[this.mode] * H;
      // checked before anything is allocated (README "Memory")
      const total = 4 * (B * I + 3 * L * B * Math.max(H, Ho) + B * G + 2 * B * H + B);
      if (L * B * Math.max(H, Ho) > MAX_NUMEL || B * Math.max(G, I) > MAX_NUMEL || total > memoryLeft()) {
        throw new RnnError(`x: expected a batch whose step() workspace fits in WebAssembly memory (each buffer at most ${MAX_NUMEL} elements, ` +
          `${bytesText(memoryLeft())} left), got B = ${B} for ${className(this.constructor)}(${this.extraRepr()}): ${bytesText(total)}`);
      }
      ws?.bufs.forEach((s) => s.dispose());
      const sizes = [B * I, L * B * Ho, L * B * H, L * B * Ho, B * G, B * H, B * H, B];
      const bufs = sizes.map((s) => Storage.alloc(Math.max(1, s), true));
      const none = new Float32Array(0);
      ws = this._stepWs = { B, bufs, ptrs: bufs.map((s) => s.ptr), viewsOf: null, h: none, c: none, out: none };
    }
    return ws;
  }

  /**
   * @internal One timestep of every layer, reading B·I floats at byte offset xp (any Wasm buffer),
   * the state from `state` (zeros when undefined). Leaves h, c in the workspace and returns the byte
   * offset of the top layer's output (B·Hout floats, in the workspace).
   */
  _stepAt(ws: StepWorkspace, xp: number, state: StepState | undefined): number {
    const e = w();
    const I = this.inputSize, H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers, B = ws.B;
    const lstm = this.mode === 'LSTM';
    const ptrs = ws.ptrs;
    const hp = ptrs[1], cp = ptrs[2], op = ptrs[3], gp = ptrs[4], cellp = ptrs[5], rawp = ptrs[6];
    const f32 = F32();
    if (state) {
      f32.set(state.h, hp >>> 2);
      if (lstm) f32.set(state.c!, cp >>> 2);
    } else {
      e.fill(hp, L * B * Ho, 0);
      if (lstm) e.fill(cp, L * B * H, 0);
    }
    for (let l = 0; l < L; l++) {
      const p = this._dirs[l][0];
      const inp = l === 0 ? xp : op + (l - 1) * B * Ho * 4, Il = l === 0 ? I : Ho;
      const ho = hp + l * B * Ho * 4, lo = op + l * B * Ho * 4;
      const wT = this.stepWeights(l, Il);
      const bi = p.bih?.readPtr ?? 0, bh = p.bhh?.readPtr ?? 0;
      if (this.mode === 'RNN') {
        e.rnn_forward(1, B, Il, H, inp, Il, 0, 0, bi, bh, ho, lo, Ho, ho, 0, this._act, 0, wT);
      } else if (lstm) {
        const co = cp + l * B * H * 4;
        e.lstm_forward(1, B, Il, H, Ho, inp, Il, 0, 0, bi, bh, p.whr?.readPtr ?? 0,
          ho, co, lo, Ho, ho, co, gp, cellp, rawp, 0, 0, this._ga, wT);
      } else {
        e.gru_forward(1, B, Il, H, inp, Il, 0, 0, bi, bh, ho, lo, Ho, ho, gp, cellp, 0, 0, this._lbr, this._ga, wT);
      }
    }
    return op + (L - 1) * B * Ho * 4;
  }

  /** @internal Copies the workspace's h, c and top output into `state` (a new state when undefined). */
  _stepState(ws: StepWorkspace, state: StepState | undefined): StepState {
    const H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers, B = ws.B;
    const lstm = this.mode === 'LSTM';
    const buf = w().memory.buffer;
    if (ws.viewsOf !== buf) {           // only after memory has grown: no JS allocation per step otherwise
      ws.h = new Float32Array(buf, ws.ptrs[1], L * B * Ho);
      ws.c = new Float32Array(buf, ws.ptrs[2], lstm ? L * B * H : 0);
      ws.out = new Float32Array(buf, ws.ptrs[3] + (L - 1) * B * Ho * 4, B * Ho);
      ws.viewsOf = buf;
    }
    const st = state ?? { h: new Float32Array(L * B * Ho), ...(lstm ? { c: new Float32Array(L * B * H) } : {}), output: new Float32Array(B * Ho) };
    st.h.set(ws.h);
    if (lstm) st.c!.set(ws.c);
    st.output.set(ws.out);
    return st;
  }
}

/**
 * Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act = tanh | relu.
 * new RNN(inputSize, hiddenSize, { numLayers = 1, nonlinearity = 'tanh', bias = true,
 *   batchFirst = false, dropout = 0, bidirectional = false }) — snake_case names work too;
 * a number as third argument is numLayers, like nn.RNN(5, 10, 4).
 * Limits (README "Memory"; RnnError past them, before anything is allocated): inputSize ≤ 2^24,
 * hiddenSize ≤ 65536, numLayers ≤ 1024, one layer-direction's weights ≤ 2^29 floats, all of them
 * within the memory left; forward's buffers (T·B·D·Hout, and T·B·G when recording) ≤ 2^29 floats.
 */
export class RNN extends RNNBase {
  static readonly reprName = 'RNN';
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, nonlinearity: 'tanh' as 'tanh' | 'relu', bias: true, batchFirst: false, dropout: 0, bidirectional: false }, 'RNN');
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    super('RNN', inputSize, hiddenSize, { ...o, projSize: 0 }, o.nonlinearity === 'relu' ? ACT_RELU : ACT_TANH);
    this.nonlinearity = o.nonlinearity;
  }

  /** Returns [output, hN]; see the shapes at the top of this file. */
  override forward(input: Tensor, h0?: Tensor | null, opts?: ForwardOptions): [Tensor, Tensor] {
    const [o, h] = this.run(input, h0, null, opts);
    return [o, h];
  }
}

/**
 * LSTM with PyTorch's gates (i, f, g, o) and optional projection (projSize): returns
 * [output, [hN, cN]]; h has projSize features when projSize > 0, c always hiddenSize.
 * Limits as RNN's (projSize < hiddenSize; the gate cache T·B·4H ≤ 2^29 floats when recording).
 */
export class LSTM extends RNNBase {
  static readonly reprName = 'LSTM';
  constructor(inputSize: number, hiddenSize: number, opts?: LSTMOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0, gateActivation: 'sigmoid' as GateActivation }, 'LSTM');
    const { gateActivation, ...rest } = o;
    super('LSTM', inputSize, hiddenSize, rest, ACT_TANH);
    this.setGate(gateActivation);
  }

  /** state: [h0, c0] (either may be omitted/null for zeros). */
  override forward(input: Tensor, state?: [Tensor | null | undefined, Tensor | null | undefined] | null, opts?: ForwardOptions): [Tensor, [Tensor, Tensor]] {
    if (state !== undefined && state !== null && !Array.isArray(state)) fail('state', 'an array [h0, c0]', state);
    const [o, h, c] = this.run(input, state?.[0], state?.[1], opts);
    return [o, [h, c!]];
  }
}

/**
 * GRU with PyTorch's gates (r, z, n), b_hn inside the reset product. Returns [output, hN].
 * Limits as RNN's (the gate cache T·B·3H ≤ 2^29 floats when recording).
 */
export class GRU extends RNNBase {
  static readonly reprName = 'GRU';
  constructor(inputSize: number, hiddenSize: number, opts?: GRUOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, resetAfter: true, gateActivation: 'sigmoid' as GateActivation }, 'GRU');
    if (typeof o.resetAfter !== 'boolean') fail('resetAfter', 'a boolean', o.resetAfter);
    const { resetAfter, gateActivation, ...rest } = o;
    super('GRU', inputSize, hiddenSize, { ...rest, projSize: 0 }, ACT_TANH);
    this._lbr = resetAfter ? 1 : 0;
    this.setGate(gateActivation);
  }

  /** false for the reset-before-product GRU variant (see GRUOptions.resetAfter). */
  get resetAfter(): boolean { return this._lbr === 1; }

  override extraRepr(): string { return super.extraRepr() + (this._lbr ? '' : ', reset_after=False'); }

  override forward(input: Tensor, h0?: Tensor | null, opts?: ForwardOptions): [Tensor, Tensor] {
    const [o, h] = this.run(input, h0, null, opts);
    return [o, h];
  }
}

export { RnnError };
