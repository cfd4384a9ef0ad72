// Int8 RNN, LSTM, GRU and their cells: inference-only twins of rnn.ts / cells.ts, with the same
// forward / step signatures, shapes and options, whose weights are int8 with one f32 scale per
// output row and whose activations are quantized per row on the fly (assembly/q8rnn.ts).
// Built by quantize() (src/quantize.ts) from a float module, or by their constructors (zero
// weights) followed by loadStateDict() with a quantized state dict.
//
// State dict (safetensors names): PyTorch's parameter names, each weight as an Int8Tensor of its
// f32 shape (`weight_ih_l0`: (G, I), I8 in a file) plus `weight_ih_l0.scale` (G, F32); biases F32
// as in the float module. Outputs are plain f32 Tensors that do not require grad: gradients do
// not flow through a quantized module.
import { RnnError, checkInt, fail, show } from './errors.js';
import { QWeight, checkInt8Values, checkScales, checkQ8Cols } from './int8.js';
import { Module, readOptions, type StateSlot } from './module.js';
import type { ForwardOptions, GateActivation, GRUOptions, LSTMOptions, RNNOptions, StepState, StepWorkspace } from './rnn.js';
import { safePoint, Storage } from './storage.js';
import { Tensor, sameShape } from './tensor.js';
import { F32, I32, w } from './wasm.js';

type Mode = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };
const ACT_TANH = 0, ACT_RELU = 2;

/** @internal One layer-direction: int8 weights and f32 biases (null when bias = false). */
export interface QDir { wih: QWeight; whh: QWeight; whr: QWeight | null; bih: Storage | null; bhh: Storage | null }

/** @internal What quantize() hands a constructor instead of making zero weights: [layer][direction]. */
let given: QDir[][] | null = null;
/** @internal Builds a module around already quantized weights (quantize.ts). */
export function withWeights<T>(dirs: QDir[][], make: () => T): T {
  given = dirs;
  try { return make(); } finally { given = null; }
}

/** The f32 tensor view of a bias storage (shares it). */
const biasSlot = (get: () => Storage, n: number): StateSlot => ({
  shape: [n],
  get: () => new Tensor(get(), [n]),
  check: () => null,
  set: (v) => w().copy_rows(1, n, v.readPtr, n, get().ptr, n),
});

/** @internal The two slots of an int8 weight: `name` (int values) and `name.scale`; set() repacks on load. */
export function weightSlots(name: string, get: () => QWeight, put: (q: QWeight) => void, splits: () => number[]): [string, StateSlot][] {
  let pendingValues: Tensor | null = null, pendingScales: Tensor | null = null;
  const commit = () => {
    if (!pendingValues || !pendingScales) return;
    const old = get();
    put(QWeight.fromTensors(pendingValues, pendingScales, splits()));
    old.dispose();
    pendingValues = pendingScales = null;
  };
  const q = get();
  return [
    [name, {
      shape: [q.rows, q.cols],
      get: () => get().values(),
      check: checkInt8Values,
      set: (v) => { pendingValues = v; pendingScales ??= get().scales(); commit(); },
    }],
    [name + '.scale', {
      shape: [q.rows],
      get: () => get().scales(),
      check: checkScales,
      set: (v) => { pendingScales = v; pendingValues ??= get().values(); commit(); },
    }],
  ];
}

// ---- argument checks (the float modules' messages) --------------------------------------------

function checkLengths(opts: ForwardOptions | undefined, T: number, B: number): number[] | null {
  if (opts === undefined) return null;
  if (opts === null || typeof opts !== 'object') fail('options', 'an object like { lengths }', opts);
  for (const k of Object.keys(opts)) if (k !== 'lengths') throw new RnnError(`forward options: expected only lengths, got unknown option ${show(k)}`);
  const L = opts.lengths;
  if (L === undefined) return null;
  if (!L || typeof L.length !== 'number') fail('lengths', `an array of ${B} sequence lengths`, L);
  if (L.length !== B) fail('lengths', `${B} sequence lengths (one per batch entry)`, `${L.length}`, true);
  const out = Array.from(L);
  out.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 1 || v > T) throw new RnnError(`lengths[${i}]: expected an integer in [1, ${T}] (the sequence length), got ${show(v)}`);
  });
  return out;
}

abstract class QuantizedRNNBase extends Module {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  /** kept for the repr: a quantized module is inference-only, so dropout never applies */
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  /** @internal */
  protected _act = ACT_TANH;
  /** @internal GRU: 1 reset-after (PyTorch), 0 reset-before */
  protected _lbr = 1;
  /** @internal 0 sigmoid, 1 hard sigmoid */
  protected _ga = 0;
  /** @internal [layer][direction] */
  _dirs: QDir[][] = [];
  /** @internal */
  private _stepWs: StepWorkspace | null = null;

  constructor(mode: Mode, inputSize: number, hiddenSize: number, o: Required<Omit<LSTMOptions, 'gateActivation'>>, act: number, lbr = 1) {
    super();
    this.mode = mode;
    this.inputSize = checkInt('inputSize', inputSize, 1);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1);
    this.numLayers = checkInt('numLayers', o.numLayers, 1);
    if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout <= 1)) fail('dropout', 'a number in [0, 1]', o.dropout);
    for (const k of ['bias', 'batchFirst', 'bidirectional'] as const) if (typeof o[k] !== 'boolean') fail(k, 'a boolean', o[k]);
    this.projSize = checkInt('projSize', o.projSize, 0);
    if (this.projSize >= this.hiddenSize && this.projSize > 0) fail('projSize', `an integer smaller than hiddenSize (${this.hiddenSize})`, this.projSize);
    this.bias = o.bias;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    this._act = act;
    this._lbr = lbr;
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, G = GATES[mode] * H;
    for (let l = 0; l < this.numLayers; l++) checkQ8Cols(`weight_ih_l${l}`, l === 0 ? this.inputSize : Ho * D);
    checkQ8Cols('weight_hh_l0', Math.max(H, Ho));
    if (given) { this._dirs = given; return; }
    for (let l = 0; l < this.numLayers; l++) {
      const row: QDir[] = [];
      const inl = l === 0 ? this.inputSize : Ho * D;
      for (let d = 0; d < D; d++) {
        row.push({
          wih: QWeight.zeros(G, inl), whh: QWeight.zeros(G, Ho, this.hhSplits()),
          whr: this.projSize ? QWeight.zeros(this.projSize, H) : null,
          bih: this.bias ? Storage.zeros(G, true) : null, bhh: this.bias ? Storage.zeros(G, true) : null,
        });
      }
      this._dirs.push(row);
    }
  }

  get numDirections(): number { return this.bidirectional ? 2 : 1; }
  /** Size of h (projSize for a projected LSTM, else hiddenSize). */
  get hiddenOut(): number { return this.projSize || this.hiddenSize; }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }

  /** @internal W_hh's row blocks packed apart: the reset-before GRU's (r, z) and n. */
  hhSplits(): number[] { return this.mode === 'GRU' && !this._lbr ? [2 * this.hiddenSize] : []; }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this._act === ACT_RELU) s += ', nonlinearity=relu';
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=True';
    if (this._ga) s += ', gate_activation=hardSigmoid';
    if (this.mode === 'GRU' && !this._lbr) s += ', reset_after=False';
    return s + ', dtype=int8';
  }

  /** @internal */
  protected setGate(v: unknown): void {
    if (v !== 'sigmoid' && v !== 'hardSigmoid') fail('gateActivation', `'sigmoid' or 'hardSigmoid'`, v);
    this._ga = v === 'hardSigmoid' ? 1 : 0;
  }

  /** @internal Keras SimpleRNN activations (see RNN._setActivation). */
  _setActivation(code: 0 | 1 | 2 | 3): void { this._act = code; }

  /** @internal activation codes (RNN nonlinearity, GRU variant, gate activation), copied from the float module by quantize() */
  _setCodes([act, lbr, ga]: [number, number, number]): void { this._act = act; this._lbr = lbr; this._ga = ga; }

  override _stateSlots(): [string, StateSlot][] {
    const out: [string, StateSlot][] = [];
    const G = GATES[this.mode] * this.hiddenSize;
    this._dirs.forEach((row, l) => row.forEach((p, d) => {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      const at = () => this._dirs[l][d];
      out.push(...weightSlots('weight_ih' + sfx, () => at().wih, (q) => { at().wih = q; }, () => []));
      out.push(...weightSlots('weight_hh' + sfx, () => at().whh, (q) => { at().whh = q; }, () => this.hhSplits()));
      if (p.bih) out.push(['bias_ih' + sfx, biasSlot(() => at().bih!, G)]);
      if (p.bhh) out.push(['bias_hh' + sfx, biasSlot(() => at().bhh!, G)]);
      if (p.whr) out.push(...weightSlots('weight_hr' + sfx, () => at().whr!, (q) => { at().whr = q; }, () => []));
    }));
    return out;
  }

  /** @internal frees the weights and step()'s buffers (dispose()) */
  override _freeBuffers(): void {
    this._stepWs?.bufs.forEach((s) => s.dispose());
    this._stepWs = null;
    for (const row of this._dirs) for (const p of row) {
      p.wih.dispose(); p.whh.dispose(); p.whr?.dispose(); p.bih?.dispose(); p.bhh?.dispose();
    }
  }

  /** Bytes of Wasm memory the weights hold (int8 values packed as int16 for the kernel, scales, biases). */
  get weightBytes(): number {
    let n = 0;
    for (const row of this._dirs) for (const p of row) {
      n += p.wih.bytes + p.whh.bytes + (p.whr?.bytes ?? 0) + 4 * ((p.bih?.length ?? 0) + (p.bhh?.length ?? 0));
    }
    return n;
  }

  private checkInput(input: Tensor): boolean {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if (input.dim !== 2 && input.dim !== 3) {
      fail('input', `a 3-D (${this.batchFirst ? 'B, T' : 'T, B'}, ${this.inputSize}) or 2-D (T, ${this.inputSize}) tensor`, `shape ${show(input.shape)}`, true);
    }
    if (input.shape[input.dim - 1] !== this.inputSize) fail('input', `last dimension ${this.inputSize} (inputSize)`, `shape ${show(input.shape)}`, true);
    if (input.numel === 0) fail('input', 'a non-empty sequence', `shape ${show(input.shape)}`, true);
    return input.dim === 3;
  }

  private checkState(name: string, t: Tensor | null | undefined, batched: boolean, B: number, n: number): Tensor | null {
    if (t === undefined || t === null) return null;
    if (!(t instanceof Tensor)) fail(name, 'a Tensor', t);
    const LD = this.numLayers * this.numDirections;
    const want = batched ? [LD, B, n] : [LD, n];
    if (!sameShape(t.shape, want)) fail(name, `shape ${show(want)}`, t.shape);
    return t;
  }

  /** The shared forward: [output, hN, cN | null] in the caller's layout (see rnn.ts). */
  protected run(input: Tensor, h0in: Tensor | null | undefined, c0in: Tensor | null | undefined, opts?: ForwardOptions): [Tensor, Tensor, Tensor | null] {
    const batched = this.checkInput(input);
    const T = input.shape[batched && this.batchFirst ? 1 : 0];
    const B = batched ? input.shape[this.batchFirst ? 0 : 1] : 1;
    const h0 = this.checkState('h0', h0in, batched, B, this.hiddenOut);
    const c0 = this.mode === 'LSTM' ? this.checkState('c0', c0in, batched, B, this.hiddenSize) : null;
    const lengths = checkLengths(opts, T, B);
    safePoint();
    // time-major copies without the graph (a quantized module records no backward)
    const copy = batched && this.batchFirst;
    const x = (copy ? input.detach().transpose(0, 1) : batched ? input : input.detach().unsqueeze(1)).detach();
    const [out, hN, cN] = this.stack(x, h0?.detach() ?? null, c0?.detach() ?? null, lengths);
    if (copy) x.dispose();
    const output = !batched ? out.squeeze(1) : copy ? out.transpose(0, 1) : out;
    if (copy) out.dispose();
    return [output, batched ? hN : hN.squeeze(1), cN ? (batched ? cN : cN.squeeze(1)) : null];
  }

  /** x (T, B, I) time-major; h0 (L·D, B, Hout) (or unbatched (L·D, Hout): same bytes) → [out (T, B, D·Hout), hN, cN]. */
  private stack(x: Tensor, h0: Tensor | null, c0: Tensor | null, lengths: number[] | null): [Tensor, Tensor, Tensor | null] {
    const e = w();
    const [T, B] = x.shape;
    const H = this.hiddenSize, Ho = this.hiddenOut, D = this.numDirections, L = this.numLayers, DH = D * Ho;
    const lstm = this.mode === 'LSTM';
    const lens = lengths ? Storage.alloc(B) : null;
    if (lens) I32().set(lengths!, lens.ptr >>> 2);
    const lp = lens?.ptr ?? 0;
    const hN = Storage.alloc(L * D * B * Ho);
    const cN = lstm ? Storage.alloc(L * D * B * H) : null;
    const cells = lstm ? Storage.alloc(T * B * H) : null;
    let inp = x.storage;
    let out: Storage | null = null;
    for (let l = 0; l < L; l++) {
      const I = l === 0 ? this.inputSize : DH;
      out = Storage.alloc(T * B * DH);
      for (let d = 0; d < D; d++) {
        const p = this._dirs[l][d];
        const so = (l * D + d) * B;
        const hp = h0 ? h0.readPtr + so * Ho * 4 : 0;
        const op = out.ptr + d * Ho * 4, hn = hN.ptr + so * Ho * 4;
        const [wi, wis] = p.wih.ptrs(), [wh, whs] = p.whh.ptrs();
        const bi = p.bih?.readPtr ?? 0, bh = p.bhh?.readPtr ?? 0;
        if (this.mode === 'RNN') {
          e.q8_rnn_forward(T, B, I, H, inp.readPtr, I, wi, wis, wh, whs, bi, bh, hp, op, DH, hn, lp, this._act, d);
        } else if (lstm) {
          const [wr, wrs] = p.whr ? p.whr.ptrs() : [0, 0];
          e.q8_lstm_forward(T, B, I, H, Ho, inp.readPtr, I, wi, wis, wh, whs, wr, wrs, bi, bh, hp, c0 ? c0.readPtr + so * H * 4 : 0,
            op, DH, hn, cN!.ptr + so * H * 4, cells!.ptr, lp, d, this._ga);
        } else {
          const [wn, wns] = this._lbr ? [0, 0] : p.whh.ptrs(1);
          e.q8_gru_forward(T, B, I, H, inp.readPtr, I, wi, wis, wh, whs, wn, wns, bi, bh, hp, op, DH, hn, lp, d, this._lbr, this._ga);
        }
      }
      if (l > 0) inp.dispose();
      inp = out;
    }
    cells?.dispose();
    lens?.dispose();
    return [new Tensor(out!, [T, B, DH]), new Tensor(hN, [L * D, B, Ho]), cN ? new Tensor(cN, [L * D, B, H]) : null];
  }

  /**
   * One timestep for a batch, for streaming: the float modules' step() (same arguments, state and
   * return value; see RNN.step). Running step T times gives the same bits as forward over the T steps.
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
    safePoint();
    const ws = this._stepWorkspace(B);
    const xp = ws.ptrs[0];
    if (x instanceof Tensor) w().copy_rows(1, n, x.readPtr, n, xp, n); else F32().set(x, xp >>> 2);
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

  /** @internal step()'s Wasm buffers for B rows (x, h, c, layer outputs, cells), kept while B stays the same. */
  _stepWorkspace(B: number): StepWorkspace {
    let ws = this._stepWs;
    if (!ws || ws.B !== B) {
      ws?.bufs.forEach((s) => s.dispose());
      const I = this.inputSize, H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers;
      const sizes = [B * I, L * B * Ho, L * B * H, L * B * Ho, B * H];
      const bufs = sizes.map((s) => Storage.alloc(Math.max(1, s), true));
      const none = new Float32Array(0);
      ws = this._stepWs = { B, bufs, ptrs: bufs.map((s) => s.ptr), viewsOf: null, h: none, c: none, out: none };
    }
    return ws;
  }

  /**
   * @internal One timestep of every layer from B·I floats at byte offset xp, the state from `state`
   * (zeros when undefined); returns the byte offset of the top layer's output (B·Hout floats).
   */
  _stepAt(ws: StepWorkspace, xp: number, state: StepState | undefined): number {
    const e = w();
    const I = this.inputSize, H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers, B = ws.B;
    const lstm = this.mode === 'LSTM';
    const [, hp, cp, op, cellp] = ws.ptrs;
    if (state) {
      F32().set(state.h, hp >>> 2);
      if (lstm) F32().set(state.c!, cp >>> 2);
    } else {
      e.fill(hp, L * B * Ho, 0);
      if (lstm) e.fill(cp, L * B * H, 0);
    }
    for (let l = 0; l < L; l++) {
      const p = this._dirs[l][0];
      const inp = l === 0 ? xp : op + (l - 1) * B * Ho * 4, Il = l === 0 ? I : Ho;
      const ho = hp + l * B * Ho * 4, lo = op + l * B * Ho * 4;
      const [wi, wis] = p.wih.ptrs(), [wh, whs] = p.whh.ptrs();
      const bi = p.bih?.readPtr ?? 0, bh = p.bhh?.readPtr ?? 0;
      if (this.mode === 'RNN') {
        e.q8_rnn_forward(1, B, Il, H, inp, Il, wi, wis, wh, whs, bi, bh, ho, lo, Ho, ho, 0, this._act, 0);
      } else if (lstm) {
        const co = cp + l * B * H * 4;
        const [wr, wrs] = p.whr ? p.whr.ptrs() : [0, 0];
        e.q8_lstm_forward(1, B, Il, H, Ho, inp, Il, wi, wis, wh, whs, wr, wrs, bi, bh, ho, co, lo, Ho, ho, co, cellp, 0, 0, this._ga);
      } else {
        const [wn, wns] = this._lbr ? [0, 0] : p.whh.ptrs(1);
        e.q8_gru_forward(1, B, Il, H, inp, Il, wi, wis, wh, whs, wn, wns, bi, bh, ho, lo, Ho, ho, 0, 0, this._lbr, this._ga);
      }
    }
    return op + (L - 1) * B * Ho * 4;
  }

  /** @internal Copies the workspace's h, c and top output into `state` (a new state when undefined). */
  _stepState(ws: StepWorkspace, state: StepState | undefined): StepState {
    const H = this.hiddenSize, Ho = this.hiddenOut, L = this.numLayers, B = ws.B;
    const lstm = this.mode === 'LSTM';
    const buf = w().memory.buffer;
    if (ws.viewsOf !== buf) {   // only after memory has grown: no JS allocation per step otherwise
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
 * Int8 Elman RNN: RNN's forward(input, h0?, { lengths }) → [output, hN] and step(), with int8
 * weights. `new QuantizedRNN(inputSize, hiddenSize, opts)` (RNN's options) starts from zero
 * weights, for loadStateDict(); quantize() builds one from a trained RNN.
 */
export class QuantizedRNN extends QuantizedRNNBase {
  static readonly reprName = 'QuantizedRNN';
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, nonlinearity: 'tanh' as 'tanh' | 'relu', bias: true, batchFirst: false, dropout: 0, bidirectional: false }, 'QuantizedRNN');
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    super('RNN', inputSize, hiddenSize, { ...o, projSize: 0 }, o.nonlinearity === 'relu' ? ACT_RELU : ACT_TANH);
    this.nonlinearity = o.nonlinearity;
  }
  /** Returns [output, hN] (see rnn.ts for the shapes). */
  override forward(input: Tensor, h0?: Tensor | null, opts?: ForwardOptions): [Tensor, Tensor] {
    const [o, h] = this.run(input, h0, null, opts);
    return [o, h];
  }
}

/** Int8 LSTM: LSTM's forward(input, [h0, c0]?, { lengths }) → [output, [hN, cN]] and step(). */
export class QuantizedLSTM extends QuantizedRNNBase {
  static readonly reprName = 'QuantizedLSTM';
  constructor(inputSize: number, hiddenSize: number, opts?: LSTMOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, projSize: 0, gateActivation: 'sigmoid' as GateActivation }, 'QuantizedLSTM');
    const { gateActivation, ...rest } = o;
    super('LSTM', inputSize, hiddenSize, rest, ACT_TANH);
    this.setGate(gateActivation);
  }
  override forward(input: Tensor, state?: [Tensor | null | undefined, Tensor | null | undefined] | null, opts?: ForwardOptions): [Tensor, [Tensor, Tensor]] {
    if (state !== undefined && state !== null && !Array.isArray(state)) fail('state', 'an array [h0, c0]', state);
    const [o, h, c] = this.run(input, state?.[0], state?.[1], opts);
    return [o, [h, c!]];
  }
}

/** Int8 GRU: GRU's forward(input, h0?, { lengths }) → [output, hN] and step(). */
export class QuantizedGRU extends QuantizedRNNBase {
  static readonly reprName = 'QuantizedGRU';
  constructor(inputSize: number, hiddenSize: number, opts?: GRUOptions | number) {
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, resetAfter: true, gateActivation: 'sigmoid' as GateActivation }, 'QuantizedGRU');
    if (typeof o.resetAfter !== 'boolean') fail('resetAfter', 'a boolean', o.resetAfter);
    const { resetAfter, gateActivation, ...rest } = o;
    super('GRU', inputSize, hiddenSize, { ...rest, projSize: 0 }, ACT_TANH, resetAfter ? 1 : 0);
    this.setGate(gateActivation);
  }
  get resetAfter(): boolean { return this._lbr === 1; }
  override forward(input: Tensor, h0?: Tensor | null, opts?: ForwardOptions): [Tensor, Tensor] {
    const [o, h] = this.run(input, h0, null, opts);
    return [o, h];
  }
}

// ---- cells -------------------------------------------------------------------------------------

abstract class QuantizedCellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** @internal */
  _p: QDir;
  /** @internal */
  protected _act = 0;
  /** @internal */
  protected _lbr = 1;
  /** @internal */
  protected _ga = 0;

  constructor(private kind: Mode, inputSize: number, hiddenSize: number, bias: boolean, lbr = 1) {
    super();
    this.inputSize = checkInt('inputSize', inputSize, 1);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1);
    if (typeof bias !== 'boolean') fail('bias', 'a boolean', bias);
    this.bias = bias;
    this._lbr = lbr;
    checkQ8Cols('weight_ih', this.inputSize);
    checkQ8Cols('weight_hh', this.hiddenSize);
    const H = this.hiddenSize, G = GATES[kind] * H;
    this._p = given ? given[0][0] : {
      wih: QWeight.zeros(G, this.inputSize), whh: QWeight.zeros(G, H, this.hhSplits()), whr: null,
      bih: bias ? Storage.zeros(G, true) : null, bhh: bias ? Storage.zeros(G, true) : null,
    };
  }

  /** @internal */
  hhSplits(): number[] { return this.kind === 'GRU' && !this._lbr ? [2 * this.hiddenSize] : []; }
  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }
  /** @internal */
  _setCodes([act, lbr, ga]: [number, number, number]): void { this._act = act; this._lbr = lbr; this._ga = ga; }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}${this._act === 2 ? ', nonlinearity=relu' : ''}, dtype=int8`;
  }

  override _stateSlots(): [string, StateSlot][] {
    const G = GATES[this.kind] * this.hiddenSize, p = this._p;
    return [
      ...weightSlots('weight_ih', () => this._p.wih, (q) => { this._p.wih = q; }, () => []),
      ...weightSlots('weight_hh', () => this._p.whh, (q) => { this._p.whh = q; }, () => this.hhSplits()),
      ...(p.bih ? [['bias_ih', biasSlot(() => this._p.bih!, G)] as [string, StateSlot]] : []),
      ...(p.bhh ? [['bias_hh', biasSlot(() => this._p.bhh!, G)] as [string, StateSlot]] : []),
    ];
  }

  override _freeBuffers(): void {
    const p = this._p;
    p.wih.dispose(); p.whh.dispose(); p.bih?.dispose(); p.bhh?.dispose();
  }

  private checkState(name: string, t: Tensor | null | undefined, batched: boolean, B: number): Tensor | null {
    if (t === undefined || t === null) return null;
    if (!(t instanceof Tensor)) fail(name, 'a Tensor', t);
    const want = batched ? [B, this.hiddenSize] : [this.hiddenSize];
    if (!sameShape(t.shape, want)) fail(name, `shape ${show(want)}`, t.shape);
    return t;
  }

  /** @internal one step → [h', c' | null] */
  protected cell(input: Tensor, hx: Tensor | null | undefined, cx: Tensor | null | undefined): [Tensor, Tensor | null] {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if ((input.dim !== 1 && input.dim !== 2) || input.shape[input.dim - 1] !== this.inputSize) {
      fail('input', `shape (B, ${this.inputSize}) or (${this.inputSize})`, `shape ${show(input.shape)}`, true);
    }
    const batched = input.dim === 2, B = batched ? input.shape[0] : 1, H = this.hiddenSize, I = this.inputSize;
    const h0 = this.checkState('hx', hx, batched, B);
    const c0 = this.kind === 'LSTM' ? this.checkState('cx', cx, batched, B) : null;
    safePoint();
    const e = w(), p = this._p;
    const shape = batched ? [B, H] : [H];
    const h = new Tensor(Storage.alloc(B * H), shape);
    const c = this.kind === 'LSTM' ? new Tensor(Storage.alloc(B * H), shape) : null;
    const hn = Storage.alloc(B * H);
    const [wi, wis] = p.wih.ptrs(), [wh, whs] = p.whh.ptrs();
    const bi = p.bih?.readPtr ?? 0, bh = p.bhh?.readPtr ?? 0, xp = input.readPtr, hp = h0?.readPtr ?? 0;
    if (this.kind === 'RNN') {
      e.q8_rnn_forward(1, B, I, H, xp, I, wi, wis, wh, whs, bi, bh, hp, h.ptr, H, hn.ptr, 0, this._act, 0);
    } else if (this.kind === 'LSTM') {
      e.q8_lstm_forward(1, B, I, H, H, xp, I, wi, wis, wh, whs, 0, 0, bi, bh, hp, c0?.readPtr ?? 0, h.ptr, H, hn.ptr, 0, c!.ptr, 0, 0, this._ga);
    } else {
      const [wn, wns] = this._lbr ? [0, 0] : p.whh.ptrs(1);
      e.q8_gru_forward(1, B, I, H, xp, I, wi, wis, wh, whs, wn, wns, bi, bh, hp, h.ptr, H, hn.ptr, 0, 0, this._lbr, this._ga);
    }
    hn.dispose();
    return [h, c];
  }
}

/** Int8 RNNCell: forward(input, hx?) → h'. */
export class QuantizedRNNCell extends QuantizedCellBase {
  static readonly reprName = 'QuantizedRNNCell';
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }) {
    w();
    const o = readOptions(opts, { bias: true, nonlinearity: 'tanh' as 'tanh' | 'relu' }, 'QuantizedRNNCell');
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    super('RNN', inputSize, hiddenSize, o.bias);
    this.nonlinearity = o.nonlinearity;
    this._act = o.nonlinearity === 'relu' ? 2 : 0;
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.cell(input, hx, null)[0]; }
}

/** Int8 LSTMCell: forward(input, [h, c]?) → [h', c']. */
export class QuantizedLSTMCell extends QuantizedCellBase {
  static readonly reprName = 'QuantizedLSTMCell';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; gateActivation?: 'sigmoid' | 'hardSigmoid' }) {
    w();
    const o = readOptions(opts, { bias: true, gateActivation: 'sigmoid' as 'sigmoid' | 'hardSigmoid' }, 'QuantizedLSTMCell');
    if (o.gateActivation !== 'sigmoid' && o.gateActivation !== 'hardSigmoid') fail('gateActivation', `'sigmoid' or 'hardSigmoid'`, o.gateActivation);
    super('LSTM', inputSize, hiddenSize, o.bias);
    this._ga = o.gateActivation === 'hardSigmoid' ? 1 : 0;
  }
  override forward(input: Tensor, hx?: [Tensor | null | undefined, Tensor | null | undefined] | null): [Tensor, Tensor] {
    if (hx !== undefined && hx !== null && !Array.isArray(hx)) fail('hx', 'an array [h, c]', hx);
    const [h, c] = this.cell(input, hx?.[0], hx?.[1]);
    return [h, c!];
  }
}

/** Int8 GRUCell: forward(input, hx?) → h'. */
export class QuantizedGRUCell extends QuantizedCellBase {
  static readonly reprName = 'QuantizedGRUCell';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; resetAfter?: boolean; gateActivation?: 'sigmoid' | 'hardSigmoid' }) {
    w();
    const o = readOptions(opts, { bias: true, resetAfter: true, gateActivation: 'sigmoid' as 'sigmoid' | 'hardSigmoid' }, 'QuantizedGRUCell');
    if (typeof o.resetAfter !== 'boolean') fail('resetAfter', 'a boolean', o.resetAfter);
    if (o.gateActivation !== 'sigmoid' && o.gateActivation !== 'hardSigmoid') fail('gateActivation', `'sigmoid' or 'hardSigmoid'`, o.gateActivation);
    super('GRU', inputSize, hiddenSize, o.bias, o.resetAfter ? 1 : 0);
    this._ga = o.gateActivation === 'hardSigmoid' ? 1 : 0;
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.cell(input, hx, null)[0]; }
}

export { QuantizedRNNBase, QuantizedCellBase };
