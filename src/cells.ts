// RNNCell, LSTMCell, GRUCell: one step, PyTorch's semantics and names (weight_ih, weight_hh,
// bias_ih, bias_hh), computed by the same Wasm kernels as the sequence modules with T = 1.
//   input (B, I) or (I);  hx (B, H) or (H), zeros when absent;  returns h' (LSTMCell: [h', c'])
import { Node, leafGradPtr, recording } from './autograd.js';
import { checkInt, fail, show } from './errors.js';
import { uniformParameter } from './init.js';
import { Module, readOptions } from './module.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, Tensor, sameShape } from './tensor.js';
import { w } from './wasm.js';

type Kind = 'RNN' | 'LSTM' | 'GRU';
const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };

abstract class CellBase extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;
  /** @internal */
  protected _act = 0;
  /** @internal GRU variant (see GRUOptions.resetAfter) */
  protected _lbr = 1;
  /** @internal gate activation (see LSTMOptions.gateActivation): 0 sigmoid, 1 hard sigmoid */
  protected _ga = 0;
  /** @internal */
  protected setGate(v: unknown): void {
    if (v !== 'sigmoid' && v !== 'hardSigmoid') fail('gateActivation', `'sigmoid' or 'hardSigmoid'`, v);
    this._ga = v === 'hardSigmoid' ? 1 : 0;
  }

  constructor(private kind: Kind, inputSize: number, hiddenSize: number, bias: boolean) {
    super();
    this.inputSize = checkInt('inputSize', inputSize, 1);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1);
    if (typeof bias !== 'boolean') fail('bias', 'a boolean', bias);
    this.bias = bias;
    const H = this.hiddenSize, G = GATES[kind] * H, k = H;   // init fan: uniform(−1/√H, 1/√H)
    this.weight_ih = uniformParameter([G, this.inputSize], k);
    this.weight_hh = uniformParameter([G, H], k);
    this.bias_ih = bias ? uniformParameter([G], k) : null;
    this.bias_hh = bias ? uniformParameter([G], k) : null;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}${this._act === 2 ? ', nonlinearity=relu' : ''}`;
  }

  /** @internal Sequential passes this module a recurrent layer's output sequence. */
  override _accepts(): 'tensor' | 'indices' | 'any' { return 'tensor'; }

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
    const e = w();
    const x = input, G = GATES[this.kind] * H;
    const shape = batched ? [B, H] : [H];
    const [wih, whh, bih, bhh] = [this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh];
    const h = new Tensor(Storage.alloc(B * H), shape);
    const c = this.kind === 'LSTM' ? new Tensor(Storage.alloc(B * H), shape) : null;
    const gates = this.kind === 'RNN' ? null : Storage.alloc(B * G);
    const aux = this.kind === 'GRU' ? Storage.alloc(B * H) : null;
    const hn = Storage.alloc(B * H);        // the kernels' final-state output (equal to h here)
    if (this.kind === 'RNN') {
      e.rnn_forward(1, B, I, H, x.ptr, I, wih.ptr, whh.ptr, bih?.ptr ?? 0, bhh?.ptr ?? 0, h0?.ptr ?? 0, h.ptr, H, hn.ptr, 0, this._act, 0);
    } else if (this.kind === 'LSTM') {
      e.lstm_forward(1, B, I, H, H, x.ptr, I, wih.ptr, whh.ptr, bih?.ptr ?? 0, bhh?.ptr ?? 0, 0, h0?.ptr ?? 0, c0?.ptr ?? 0,
        h.ptr, H, hn.ptr, 0, gates!.ptr, c!.ptr, 0, 0, 0, this._ga);
    } else {
      e.gru_forward(1, B, I, H, x.ptr, I, wih.ptr, whh.ptr, bih?.ptr ?? 0, bhh?.ptr ?? 0, h0?.ptr ?? 0, h.ptr, H, hn.ptr,
        gates!.ptr, aux!.ptr, 0, 0, this._lbr, this._ga);
    }
    hn.dispose();
    const params = this.parameters();
    const release = () => { gates?.dispose(); aux?.dispose(); };
    if (!recording(x, h0, c0, ...params)) { release(); return [h, c]; }
    const node = new Node(this.kind + 'CellBackward', [x, h0, c0, ...params], c ? 2 : 1, ([gh, gc]) => {
      const dx = x.requiresGrad ? Storage.alloc(x.numel) : null;
      const dh = h0?.requiresGrad ? Storage.alloc(B * H) : null;
      const dc = c0?.requiresGrad ? Storage.alloc(B * H) : null;
      const grads = [leafGradPtr(wih), leafGradPtr(whh), leafGradPtr(bih), leafGradPtr(bhh)] as const;
      if (this.kind === 'RNN') {
        e.rnn_backward(1, B, I, H, x.ptr, I, wih.ptr, whh.ptr, h0?.ptr ?? 0, h.ptr, H, 0, gh?.ptr ?? 0, H, 0, this._act, 0,
          dx?.ptr ?? 0, I, 0, dh?.ptr ?? 0, ...grads);
      } else if (this.kind === 'LSTM') {
        e.lstm_backward(1, B, I, H, H, x.ptr, I, wih.ptr, whh.ptr, 0, h0?.ptr ?? 0, c0?.ptr ?? 0, h.ptr, H, gates!.ptr, c!.ptr, 0, 0,
          gh?.ptr ?? 0, H, 0, gc?.ptr ?? 0, 0, dx?.ptr ?? 0, I, 0, dh?.ptr ?? 0, dc?.ptr ?? 0, ...grads, 0, this._ga);
      } else {
        e.gru_backward(1, B, I, H, x.ptr, I, wih.ptr, whh.ptr, h0?.ptr ?? 0, h.ptr, H, gates!.ptr, aux!.ptr, 0,
          gh?.ptr ?? 0, H, 0, 0, dx?.ptr ?? 0, I, 0, dh?.ptr ?? 0, ...grads, this._lbr, this._ga);
      }
      return [dx, dh, dc];
    }, release);
    h._node = node; h._out = 0; h.requiresGrad = true;
    if (c) { c._node = node; c._out = 1; c.requiresGrad = true; }
    return [h, c];
  }
}

/** One Elman step: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). new RNNCell(I, H, { bias, nonlinearity }). */
export class RNNCell extends CellBase {
  static readonly reprName = 'RNNCell';
  readonly nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }) {
    w();
    const o = readOptions(opts, { bias: true, nonlinearity: 'tanh' as 'tanh' | 'relu' }, 'RNNCell');
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    super('RNN', inputSize, hiddenSize, o.bias);
    this.nonlinearity = o.nonlinearity;
    this._act = o.nonlinearity === 'relu' ? 2 : 0;
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.cell(input, hx, null)[0]; }
}

/** One LSTM step; hx = [h, c] (either may be null). Returns [h', c']. */
export class LSTMCell extends CellBase {
  static readonly reprName = 'LSTMCell';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; gateActivation?: 'sigmoid' | 'hardSigmoid' }) {
    w();
    const o = readOptions(opts, { bias: true, gateActivation: 'sigmoid' as 'sigmoid' | 'hardSigmoid' }, 'LSTMCell');
    super('LSTM', inputSize, hiddenSize, o.bias);
    this.setGate(o.gateActivation);
  }
  override forward(input: Tensor, hx?: [Tensor | null | undefined, Tensor | null | undefined] | null): [Tensor, Tensor] {
    if (hx !== undefined && hx !== null && !Array.isArray(hx)) fail('hx', 'an array [h, c]', hx);
    const [h, c] = this.cell(input, hx?.[0], hx?.[1]);
    return [h, c!];
  }
}

/** One GRU step: returns h'. resetAfter as in GRU (default true, PyTorch). */
export class GRUCell extends CellBase {
  static readonly reprName = 'GRUCell';
  constructor(inputSize: number, hiddenSize: number, opts?: { bias?: boolean; resetAfter?: boolean; gateActivation?: 'sigmoid' | 'hardSigmoid' }) {
    w();
    const o = readOptions(opts, { bias: true, resetAfter: true, gateActivation: 'sigmoid' as 'sigmoid' | 'hardSigmoid' }, 'GRUCell');
    if (typeof o.resetAfter !== 'boolean') fail('resetAfter', 'a boolean', o.resetAfter);
    super('GRU', inputSize, hiddenSize, o.bias);
    this._lbr = o.resetAfter ? 1 : 0;
    this.setGate(o.gateActivation);
  }
  override forward(input: Tensor, hx?: Tensor | null): Tensor { return this.cell(input, hx, null)[0]; }
}
