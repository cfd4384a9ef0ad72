// quantize(module, { dtype: 'int8' }): an inference-only copy of a module tree whose Linear, RNN,
// LSTM, GRU, their cells and Embedding hold int8 weights (the idea of PyTorch's torch.quantization.quantize_dynamic).
//
// Weights: symmetric, one f32 scale per output row: scale = max|row| / 127, q = roundHalfEven(w ·
// 127 / max|row|) in [−127, 127] (assembly/q8gemm.ts states the exact f32 sequence). Activations
// (each layer's input rows and state rows) are quantized the same way at run time, one row per
// timestep and sequence, so a row's result depends only on that row. Products are exact i32 sums,
// dequantized as f32(sum) · (xscale · wscale); biases, gates and states stay f32.
import { fail } from './errors.js';
import { QWeight, checkFinite, checkQ8Cols } from './int8.js';
import { Linear } from './linear.js';
import { Module, readOptions } from './module.js';
import { Embedding } from './embedding.js';
import { Sequential } from './sequential.js';
import { QuantizedEmbedding, QuantizedLinear, withEmbedding, withLinear } from './qlinear.js';
import { GRU, LSTM, RNN } from './rnn.js';
import { GRUCell, LSTMCell, RNNCell } from './cells.js';
import {
  QuantizedCellBase, QuantizedGRU, QuantizedGRUCell, QuantizedLSTM, QuantizedLSTMCell, QuantizedRNN, QuantizedRNNBase,
  QuantizedRNNCell, withWeights, type QDir,
} from './qrnn.js';
import { safePoint, Storage } from './storage.js';
import { Parameter, type Shape } from './tensor.js';
import { w } from './wasm.js';

type FloatRNN = RNN | LSTM | GRU;
type FloatCell = RNNCell | LSTMCell | GRUCell;
const isRNN = (m: Module): m is FloatRNN => m instanceof RNN || m instanceof LSTM || m instanceof GRU;
const isCell = (m: Module): m is FloatCell => m instanceof RNNCell || m instanceof LSTMCell || m instanceof GRUCell;
const isQuantized = (m: Module) => m instanceof QuantizedLinear || m instanceof QuantizedEmbedding || m instanceof QuantizedRNNBase || m instanceof QuantizedCellBase;

/** The float weights of a recurrent module: [layer][direction] with its parameters (rnn.ts DirParams). */
interface FloatDir { wih: Parameter; whh: Parameter; bih: Parameter | null; bhh: Parameter | null; whr: Parameter | null }
const dirsOf = (m: FloatRNN): FloatDir[][] => (m as unknown as { _dirs: FloatDir[][] })._dirs;
const codesOf = (m: Module): [number, number, number] => {
  const a = m as unknown as { _act: number; _lbr: number; _ga: number };
  return [a._act, a._lbr, a._ga];
};

/** Every check quantize() makes before it allocates anything: finite weights, K within the exact bound. */
function validate(m: Module, path: string, seen: Set<Module>): void {
  if (seen.has(m)) return;
  seen.add(m);
  const at = (k: string) => (path ? path + '.' : '') + k;
  const check = (k: string, p: Parameter) => { checkQ8Cols(at(k), p.shape[p.dim - 1]); checkFinite(at(k), p.readPtr, p.numel); };
  if (m instanceof Linear) { check('weight', m.weight); return; }
  if (m instanceof Embedding) { checkFinite(at('weight'), m.weight.readPtr, m.weight.numel); return; }
  if (isRNN(m)) {
    dirsOf(m).forEach((row, l) => row.forEach((p, d) => {
      const sfx = `_l${l}${d ? '_reverse' : ''}`;
      check('weight_ih' + sfx, p.wih); check('weight_hh' + sfx, p.whh);
      if (p.whr) check('weight_hr' + sfx, p.whr);
    }));
    return;
  }
  if (isCell(m)) { check('weight_ih', m.weight_ih); check('weight_hh', m.weight_hh); return; }
  for (const [k, c] of m.namedChildren()) validate(c, at(k), seen);
}

const copyBias = (p: Parameter | null): Storage | null => {
  if (!p) return null;
  const s = Storage.alloc(p.numel, true);
  w().copy_rows(1, p.numel, p.readPtr, p.numel, s.ptr, p.numel);
  return s;
};

function quantizeRNN(m: FloatRNN): QuantizedRNNBase {
  const [act, lbr, ga] = codesOf(m);
  const splits = m instanceof GRU && !lbr ? [2 * m.hiddenSize] : [];
  const dirs: QDir[][] = dirsOf(m).map((row) => row.map((p) => ({
    wih: QWeight.quantize(p.wih.shape[0], p.wih.shape[1], p.wih.readPtr),
    whh: QWeight.quantize(p.whh.shape[0], p.whh.shape[1], p.whh.readPtr, splits),
    whr: p.whr ? QWeight.quantize(p.whr.shape[0], p.whr.shape[1], p.whr.readPtr) : null,
    bih: copyBias(p.bih), bhh: copyBias(p.bhh),
  })));
  const o = { numLayers: m.numLayers, bias: m.bias, batchFirst: m.batchFirst, dropout: m.dropout, bidirectional: m.bidirectional };
  const q = withWeights(dirs, () =>
    m instanceof RNN ? new QuantizedRNN(m.inputSize, m.hiddenSize, { ...o, nonlinearity: m.nonlinearity })
      : m instanceof LSTM ? new QuantizedLSTM(m.inputSize, m.hiddenSize, { ...o, projSize: m.projSize })
        : new QuantizedGRU(m.inputSize, m.hiddenSize, { ...o, resetAfter: lbr === 1 }));
  q._setCodes([act, lbr, ga]);
  return q;
}

function quantizeCell(m: FloatCell): QuantizedCellBase {
  const [act, lbr, ga] = codesOf(m);
  const G = m.weight_ih.shape[0], H = m.hiddenSize;
  const dir: QDir = {
    wih: QWeight.quantize(G, m.inputSize, m.weight_ih.readPtr),
    whh: QWeight.quantize(G, H, m.weight_hh.readPtr, m instanceof GRUCell && !lbr ? [2 * H] : []),
    whr: null, bih: copyBias(m.bias_ih), bhh: copyBias(m.bias_hh),
  };
  const q = withWeights([[dir]], () =>
    m instanceof RNNCell ? new QuantizedRNNCell(m.inputSize, H, { bias: m.bias, nonlinearity: m.nonlinearity })
      : m instanceof LSTMCell ? new QuantizedLSTMCell(m.inputSize, H, { bias: m.bias })
        : new QuantizedGRUCell(m.inputSize, H, { bias: m.bias, resetAfter: lbr === 1 }));
  q._setCodes([act, lbr, ga]);
  return q;
}

function quantizeLinear(m: Linear): QuantizedLinear {
  const v: [QWeight, Storage | null] = [QWeight.quantize(m.outFeatures, m.inFeatures, m.weight.readPtr), copyBias(m.bias)];
  return withLinear(v, () => new QuantizedLinear(m.inFeatures, m.outFeatures, { bias: m.bias !== null }));
}

function quantizeEmbedding(m: Embedding): QuantizedEmbedding {
  const e = w(), N = m.numEmbeddings, D = m.embeddingDim;
  const q = Storage.alloc(N * D), s = Storage.alloc(N, true), bytes = Storage.alloc(Math.ceil((N * D) / 4), true);
  e.q8_quantize(N, D, m.weight.readPtr, D, q.ptr, s.ptr);
  e.f32_to_i8(q.ptr, bytes.ptr, N * D);
  q.dispose();
  return withEmbedding([bytes, s], () => new QuantizedEmbedding(N, D, { paddingIdx: m.paddingIdx }));
}

/** A copy of a Parameter (same shape, values and requiresGrad; its own storage). */
function cloneParameter(p: Parameter): Parameter {
  const s = Storage.alloc(p.numel, true);
  if (p.numel) w().copy_rows(1, p.numel, p.readPtr, p.numel, s.ptr, p.numel);
  const c = new Parameter(s, p.shape as Shape);
  c.requiresGrad = p.requiresGrad;
  return c;
}

interface Copier { modules: Map<Module, Module>; params: Map<Parameter, Parameter> }

function copyValue(v: unknown, c: Copier): unknown {
  if (v instanceof Module) return copyTree(v, c);
  if (v instanceof Parameter) {
    if (!c.params.has(v)) c.params.set(v, cloneParameter(v));
    return c.params.get(v);
  }
  if (Array.isArray(v) && v.length && v.every((m) => m instanceof Module)) return v.map((m) => copyTree(m as Module, c));
  if (v instanceof Map && [...v.values()].every((p) => p === null || p instanceof Parameter)) {
    return new Map([...v].map(([k, p]) => [k, p === null ? null : copyValue(p, c)]));
  }
  return v;
}

function copyTree(m: Module, c: Copier): Module {
  const done = c.modules.get(m);
  if (done) return done;
  let out: Module;
  if (m instanceof Linear) out = quantizeLinear(m);
  else if (m instanceof Embedding) out = quantizeEmbedding(m);
  else if (isRNN(m)) out = quantizeRNN(m);
  else if (isCell(m)) out = quantizeCell(m);
  else if (isQuantized(m)) out = m;
  else {
    out = Object.create(Object.getPrototypeOf(m)) as Module;
    c.modules.set(m, out);
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(m))) {
      if ('value' in d) d.value = copyValue(d.value, c);
      Object.defineProperty(out, k, d);
    }
    // Sequential.step's caches belong to the original (its buffers, its Linear weights): the copy makes its own
    if (out instanceof Sequential) Object.assign(out, { _stepSpec: null, _stepPlan: null, _stepLin: [] });
  }
  c.modules.set(m, out);
  return out;
}

/** Options of quantize(). */
export interface QuantizeOptions {
  /** 'int8' (the only one): int8 weights with one f32 scale per output row. */
  dtype?: 'int8';
}

/**
 * An inference-only copy of `module` in which every Linear, RNN, LSTM, GRU, RNNCell, LSTMCell,
 * GRUCell and Embedding is replaced by its int8 twin (QuantizedLinear, QuantizedRNN, …,
 * QuantizedEmbedding) with the same forward (and step) signature, like PyTorch's `quantize_dynamic(model, dtype=torch.qint8)`:
 *   const q = quantize(model, { dtype: 'int8' });  q.forward(x)   // f32 in, f32 out
 * The copy: the quantizable modules are new (int8 weights + f32 row scales, f32 biases copied);
 * your own Module subclasses and other modules are new objects of the same class whose fields are
 * copied: submodules (fields, arrays) recursively, Parameters cloned (tied ones stay tied), any
 * other value (numbers, functions, plain objects) shared. Modules that are already quantized are
 * shared. The copy is in eval mode, and its outputs do not require grad. The original is untouched.
 * Throws RnnError (before allocating anything) for a weight holding a NaN or an infinity, or a
 * weight with more than 131072 inputs (the bound for exact int8 sums).
 */
export function quantize<M extends Module>(module: M, opts?: QuantizeOptions): M {
  if (!(module instanceof Module)) fail('module', 'a Module', module);
  const o = readOptions(opts, { dtype: 'int8' as 'int8' }, 'quantize');
  if (o.dtype !== 'int8') fail('dtype', `'int8'`, o.dtype);
  validate(module, '', new Set());
  safePoint();
  const out = copyTree(module, { modules: new Map(), params: new Map() });
  out.eval();
  return out as M;
}


