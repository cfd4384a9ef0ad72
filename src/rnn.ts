// RNN (Elman) and RNNCell with PyTorch's semantics, names and shapes.
// reference: https://pytorch.org/docs/stable/generated/torch.nn.RNN.html
//
// Shapes (D = 2 if bidirectional else 1, L = numLayers):
//   input  (T, B, I), or (B, T, I) with batchFirst, or unbatched (T, I)
//   h0     (L·D, B, H), or (L·D, H) unbatched; zeros when absent
//   output (T, B, D·H) / (B, T, D·H) / (T, D·H);  hN (L·D, B, H) / (L·D, H)
// TypeScript stacks layers and directions; each layer-direction is one Wasm call forward
// and one backward (assembly/rnn.ts).
import { Node, leafGradPtr, recording } from './autograd.js';
import { RnnError, checkInt, fail, show } from './errors.js';
import { uniformParameter } from './init.js';
import { Module, readOptions } from './module.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, Tensor, sameShape } from './tensor.js';
import { setArgs, w } from './wasm.js';

const ACT_TANH = 0, ACT_RELU = 2;

export interface RNNOptions {
  numLayers?: number;
  nonlinearity?: 'tanh' | 'relu';
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
}

interface LayerParams { wih: Parameter; whh: Parameter; bih: Parameter | null; bhh: Parameter | null }

export class RNN extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** @internal [layer][direction] */
  protected _layers: LayerParams[][] = [];

  /**
   * new RNN(inputSize, hiddenSize, { numLayers = 1, nonlinearity = 'tanh', bias = true,
   *   batchFirst = false, dropout = 0, bidirectional = false }); PyTorch's snake_case names work too.
   */
  constructor(inputSize: number, hiddenSize: number, opts?: RNNOptions | number) {
    super();
    w();
    const o = readOptions(typeof opts === 'number' ? { numLayers: opts } : opts,
      { numLayers: 1, nonlinearity: 'tanh' as 'tanh' | 'relu', bias: true, batchFirst: false, dropout: 0, bidirectional: false }, 'RNN');
    this.inputSize = checkInt('inputSize', inputSize, 1);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1);
    this.numLayers = checkInt('numLayers', o.numLayers, 1);
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    if (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout <= 1)) fail('dropout', 'a number in [0, 1]', o.dropout);
    for (const k of ['bias', 'batchFirst', 'bidirectional'] as const) if (typeof o[k] !== 'boolean') fail(k, 'a boolean', o[k]);
    this.nonlinearity = o.nonlinearity;
    this.bias = o.bias;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.bidirectional = o.bidirectional;
    const H = this.hiddenSize, D = this.numDirections, k = 1 / Math.sqrt(H);
    for (let l = 0; l < this.numLayers; l++) {
      const row: LayerParams[] = [];
      const inl = l === 0 ? this.inputSize : H * D;
      for (let d = 0; d < D; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        const p: LayerParams = {
          wih: uniformParameter([H, inl], k), whh: uniformParameter([H, H], k),
          bih: this.bias ? uniformParameter([H], k) : null, bhh: this.bias ? uniformParameter([H], k) : null,
        };
        this.registerParameter('weight_ih' + sfx, p.wih);
        this.registerParameter('weight_hh' + sfx, p.whh);
        if (p.bih) this.registerParameter('bias_ih' + sfx, p.bih);
        if (p.bhh) this.registerParameter('bias_hh' + sfx, p.bhh);
        row.push(p);
      }
      this._layers.push(row);
    }
  }

  get numDirections(): number { return this.bidirectional ? 2 : 1; }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (this.nonlinearity !== 'tanh') s += `, nonlinearity=${this.nonlinearity}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ', bidirectional=True';
    return s;
  }

  /**
   * Runs the whole sequence. input (T, B, I) | (B, T, I) with batchFirst | (T, I);
   * h0 (L·D, B, H) | (L·D, H). Returns [output, hN].
   */
  forward(input: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    const { x, batched } = this.checkInput(input);
    const B = batched ? x.shape[this.batchFirst ? 0 : 1] : 1;
    const LD = this.numLayers * this.numDirections, H = this.hiddenSize;
    if (h0 !== undefined && h0 !== null) {
      if (!(h0 instanceof Tensor)) fail('h0', 'a Tensor', h0);
      const want = batched ? [LD, B, H] : [LD, H];
      if (!sameShape(h0.shape, want)) fail('h0', `shape ${show(want)}`, h0.shape);
    }
    safePoint();
    // to time-major (T, B, I)
    let xt = batched ? (this.batchFirst ? x.transpose(0, 1) : x) : x.unsqueeze(1);
    const h = h0 ? (batched ? h0 : h0.unsqueeze(1)) : null;
    const [out, hN] = this.runStack(xt, h);
    let output = out;
    if (!batched) output = out.squeeze(1);
    else if (this.batchFirst) output = out.transpose(0, 1);
    return [output, batched ? hN : hN.squeeze(1)];
  }

  protected checkInput(input: Tensor): { x: Tensor; batched: boolean } {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if (input.dim !== 2 && input.dim !== 3) {
      fail('input', `a 3-D (${this.batchFirst ? 'B, T' : 'T, B'}, ${this.inputSize}) or 2-D (T, ${this.inputSize}) tensor`, `shape ${show(input.shape)}`, true);
    }
    const I = input.shape[input.dim - 1];
    if (I !== this.inputSize) fail('input', `last dimension ${this.inputSize} (inputSize)`, `shape ${show(input.shape)}`, true);
    if (input.numel === 0) fail('input', 'a non-empty sequence', `shape ${show(input.shape)}`, true);
    return { x: input, batched: input.dim === 3 };
  }

  /** x (T, B, I) time-major, h0 (L·D, B, H) or null → [out (T, B, D·H), hN (L·D, B, H)]. */
  protected runStack(x: Tensor, h0: Tensor | null): [Tensor, Tensor] {
    const e = w();
    const [T, B] = x.shape;
    const H = this.hiddenSize, D = this.numDirections, L = this.numLayers, DH = D * H;
    const act = this.nonlinearity === 'relu' ? ACT_RELU : ACT_TANH;
    const params = this.parameters();
    const rec = recording(x, h0, ...params);
    const drop = this.training && this.dropout > 0 && L > 1;
    const hN = Storage.alloc(L * D * B * H);
    const ins: Storage[] = [x.storage];     // input of each layer
    const outs: Storage[] = [];             // output of each layer (also its backward cache)
    const masks: (Storage | null)[] = [];   // dropout mask applied to each layer's output
    for (let l = 0; l < L; l++) {
      const I = l === 0 ? this.inputSize : DH;
      const out = Storage.alloc(T * B * DH);
      for (let d = 0; d < D; d++) {
        const p = this._layers[l][d];
        const hp = h0 ? h0.ptr + (l * D + d) * B * H * 4 : 0;
        e.rnn_forward(T, B, I, H, ins[l].ptr, I, p.wih.ptr, p.whh.ptr, p.bih?.ptr ?? 0, p.bhh?.ptr ?? 0,
          hp, out.ptr + d * H * 4, DH, act, d);
        const last = d ? 0 : T - 1;     // where this direction's final h sits
        e.copy_rows(B, H, out.ptr + (last * B * DH + d * H) * 4, DH, hN.ptr + (l * D + d) * B * H * 4, H);
      }
      outs.push(out);
      if (l < L - 1) {
        if (drop) {
          const m = Storage.alloc(T * B * DH);
          e.rng_dropout_mask(m.ptr, m.length, this.dropout);
          const next = Storage.alloc(T * B * DH);
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
    const hn = new Tensor(hN, [L * D, B, H]);
    if (!rec) {
      for (let l = 0; l < L - 1; l++) { if (masks[l]) { ins[l + 1].dispose(); masks[l]!.dispose(); } outs[l].dispose(); }
      return [output, hn];
    }
    const node = new Node('RnnBackward', [x, h0, ...params], 2, ([gOut, gHN]) => {
      let dOut: Storage | null = gOut;
      let dh0: Storage | null = null;
      if (h0?.requiresGrad) dh0 = Storage.alloc(L * D * B * H);
      for (let l = L - 1; l >= 0; l--) {
        const I = l === 0 ? this.inputSize : DH;
        const needDx = l > 0 || x.requiresGrad;
        const dIn = needDx ? Storage.alloc(T * B * I) : null;
        for (let d = 0; d < D; d++) {
          const p = this._layers[l][d];
          const off = (l * D + d) * B * H * 4;
          e.rnn_backward(T, B, I, H, ins[l].ptr, I, p.wih.ptr, p.whh.ptr, h0 ? h0.ptr + off : 0,
            outs[l].ptr + d * H * 4, DH, dOut ? dOut.ptr + d * H * 4 : 0, DH, gHN ? gHN.ptr + off : 0, act, d,
            dIn?.ptr ?? 0, I, d, dh0 ? dh0.ptr + off : 0,
            leafGradPtr(p.wih), leafGradPtr(p.whh), leafGradPtr(p.bih), leafGradPtr(p.bhh));
        }
        if (dIn && l > 0 && masks[l - 1]) mulInto(dIn, dIn, masks[l - 1]!);
        if (dOut && dOut !== gOut) dOut.dispose();
        dOut = dIn;
      }
      return [dOut, dh0];
    }, () => {
      // the graph is done with the caches of the inner layers
      for (let l = 0; l < L - 1; l++) { if (masks[l]) { ins[l + 1].dispose(); masks[l]!.dispose(); } outs[l].dispose(); }
    });
    output._node = node; output._out = 0; output.requiresGrad = true;
    hn._node = node; hn._out = 1; hn.requiresGrad = true;
    return [output, hn];
  }
}

/** out[i] = a[i] * b[i] over a Storage's length (a 1-D strided MUL). */
function mulInto(out: Storage, a: Storage, b: Storage): void {
  setArgs([[out.length], [1], [1], [1]]);
  w().strided(2, 1, a.ptr, b.ptr, out.ptr);
}

export interface RNNCellOptions { bias?: boolean; nonlinearity?: 'tanh' | 'relu' }

/**
 * One Elman step: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
 * input (B, I) or (I); hx (B, H) or (H), zeros when absent; returns h' of hx's shape.
 */
export class RNNCell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;

  constructor(inputSize: number, hiddenSize: number, opts?: RNNCellOptions) {
    super();
    w();
    const o = readOptions(opts, { bias: true, nonlinearity: 'tanh' as 'tanh' | 'relu' }, 'RNNCell');
    this.inputSize = checkInt('inputSize', inputSize, 1);
    this.hiddenSize = checkInt('hiddenSize', hiddenSize, 1);
    if (o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu') fail('nonlinearity', `'tanh' or 'relu'`, o.nonlinearity);
    if (typeof o.bias !== 'boolean') fail('bias', 'a boolean', o.bias);
    this.bias = o.bias;
    this.nonlinearity = o.nonlinearity;
    const H = this.hiddenSize, k = 1 / Math.sqrt(H);
    this.weight_ih = uniformParameter([H, this.inputSize], k);
    this.weight_hh = uniformParameter([H, H], k);
    this.bias_ih = o.bias ? uniformParameter([H], k) : null;
    this.bias_hh = o.bias ? uniformParameter([H], k) : null;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=False'}${this.nonlinearity === 'relu' ? ', nonlinearity=relu' : ''}`;
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    if (!(input instanceof Tensor)) fail('input', 'a Tensor', input);
    if ((input.dim !== 1 && input.dim !== 2) || input.shape[input.dim - 1] !== this.inputSize) {
      fail('input', `shape (B, ${this.inputSize}) or (${this.inputSize})`, `shape ${show(input.shape)}`, true);
    }
    const batched = input.dim === 2;
    const B = batched ? input.shape[0] : 1, H = this.hiddenSize;
    if (hx !== undefined && hx !== null) {
      if (!(hx instanceof Tensor)) fail('hx', 'a Tensor', hx);
      const want = batched ? [B, H] : [H];
      if (!sameShape(hx.shape, want)) fail('hx', `shape ${show(want)}`, hx.shape);
    }
    safePoint();
    const e = w();
    const x = input, h0 = hx ?? null;
    const act = this.nonlinearity === 'relu' ? ACT_RELU : ACT_TANH;
    const out = new Tensor(Storage.alloc(B * H), batched ? [B, H] : [H]);
    const [wih, whh, bih, bhh] = [this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh];
    e.rnn_forward(1, B, this.inputSize, H, x.ptr, this.inputSize, wih.ptr, whh.ptr, bih?.ptr ?? 0, bhh?.ptr ?? 0,
      h0?.ptr ?? 0, out.ptr, H, act, 0);
    const params = this.parameters();
    if (!recording(x, h0, ...params)) return out;
    out._node = new Node('RnnCellBackward', [x, h0, ...params], 1, ([g]) => {
      const dx = x.requiresGrad ? Storage.alloc(x.numel) : null;
      const dh = h0?.requiresGrad ? Storage.alloc(B * H) : null;
      e.rnn_backward(1, B, this.inputSize, H, x.ptr, this.inputSize, wih.ptr, whh.ptr, h0?.ptr ?? 0, out.ptr, H,
        g!.ptr, H, 0, act, 0, dx?.ptr ?? 0, this.inputSize, 0, dh?.ptr ?? 0,
        leafGradPtr(wih), leafGradPtr(whh), leafGradPtr(bih), leafGradPtr(bhh));
      return [dx, dh];
    });
    out.requiresGrad = true;
    return out;
  }
}

export { RnnError };
