// Keras ⇄ PyTorch weight layouts for SimpleRNN, LSTM, GRU and Dense. Only whole blocks move
// (transposes, gate permutations, one bias sum), all with Tensor ops, so every number stays in Wasm.
//
//   Keras (one layer, one direction)            PyTorch
//   kernel            (in, G·units)             weight_ih = kernelᵀ          (G·H, in)
//   recurrent_kernel  (units, G·units)          weight_hh = recurrent_kernelᵀ (G·H, H)
//   bias              (G·units)                 bias_ih = bias, bias_hh = 0
//   GRU reset_after:  bias (2, 3·units)         bias_ih = bias[0], bias_hh = bias[1]
//   gate blocks: LSTM i,f,c,o = PyTorch i,f,g,o (same order); GRU z,r,h ↔ PyTorch r,z,n (swap the
//   first two blocks). Dense: kernel (in, units) = weightᵀ, bias = bias.
// Going back, a PyTorch module's two biases become Keras's one as bias_ih + bias_hh (GRU with
// resetAfter keeps both).
import { noGrad } from '../autograd.js';
import { RnnError, fail, show } from '../errors.js';
import { Linear } from '../linear.js';
import { GRU, LSTM, RNN } from '../rnn.js';
import { Tensor, cat, stack, zeros } from '../tensor.js';
import { asWeights, type WeightValue } from './base.js';

export type RecurrentKind = 'SimpleRNN' | 'LSTM' | 'GRU';
export type KerasKind = RecurrentKind | 'Dense';

export const GATES: Record<RecurrentKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

/** One direction's PyTorch tensors. */
export interface DirWeights { wih: Tensor; whh: Tensor; bih: Tensor | null; bhh: Tensor | null }

/** GRU: swaps the first two gate blocks along dim 0 (z,r,h ⇄ r,z,n); other kinds unchanged. */
function gates(kind: RecurrentKind, t: Tensor, u: number): Tensor {
  if (kind !== 'GRU') return t;
  return cat([t.slice(0, u, 2 * u), t.slice(0, 0, u), t.slice(0, 2 * u, 3 * u)], 0);
}

/** Keras weight shapes of one direction. */
export function kerasShapes(kind: RecurrentKind, inDim: number, u: number, useBias: boolean, resetAfter: boolean): number[][] {
  const G = GATES[kind] * u;
  const s = [[inDim, G], [u, G]];
  if (useBias) s.push(kind === 'GRU' && resetAfter ? [2, G] : [G]);
  return s;
}

/** PyTorch → Keras for one direction: [kernel, recurrent_kernel, bias?]. */
export function dirToKeras(kind: RecurrentKind, u: number, d: DirWeights, resetAfter: boolean): Tensor[] {
  return noGrad(() => {
    const out = [gates(kind, d.wih, u).transpose(0, 1), gates(kind, d.whh, u).transpose(0, 1)];
    if (d.bih || d.bhh) {
      const bih = d.bih ?? zeros([GATES[kind] * u]), bhh = d.bhh ?? zeros([GATES[kind] * u]);
      if (kind === 'GRU' && resetAfter) out.push(stack([gates(kind, bih, u), gates(kind, bhh, u)], 0));
      else out.push(gates(kind, bih.add(bhh), u));
    }
    return out;
  });
}

/** Keras → PyTorch for one direction (bias_hh is zeros unless GRU with resetAfter). */
export function kerasToDir(kind: RecurrentKind, u: number, ws: Tensor[], resetAfter: boolean): DirWeights {
  return noGrad(() => {
    const [k, rk, b] = ws;
    const d: DirWeights = { wih: gates(kind, k.transpose(0, 1), u), whh: gates(kind, rk.transpose(0, 1), u), bih: null, bhh: null };
    if (b) {
      if (kind === 'GRU' && resetAfter) { d.bih = gates(kind, b.select(0, 0), u); d.bhh = gates(kind, b.select(0, 1), u); }
      else { d.bih = gates(kind, b, u); d.bhh = zeros([GATES[kind] * u]); }
    }
    return d;
  });
}

function readKind(kind: unknown): KerasKind {
  const k = typeof kind === 'string' ? kind.replace(/_/g, '').toLowerCase() : '';
  const m: Record<string, KerasKind> = { simplernn: 'SimpleRNN', rnn: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU', dense: 'Dense', linear: 'Dense' };
  if (!m[k]) fail('kind', "'SimpleRNN', 'LSTM', 'GRU' or 'Dense'", kind);
  return m[k];
}

/** Options of fromKerasWeights. */
export interface FromKerasOptions {
  /** GRU only: Keras's reset_after. Default: read off the bias (2-D: true, 1-D: false). */
  resetAfter?: boolean;
  /** Layer index in the PyTorch names (`_l{layer}`), for stacking Keras layers into one module. Default 0. */
  layer?: number;
  /** Prepended to every name, e.g. 'rnn.'. */
  prefix?: string;
}

/**
 * Keras (or TF.js) weights of one layer → a PyTorch-style state dict.
 * kind: 'SimpleRNN' | 'LSTM' | 'GRU' | 'Dense'. kerasWeights: the layer's `get_weights()` in
 * order — [kernel, recurrent_kernel, bias?] for one direction, twice that (forward, then backward)
 * for a Bidirectional wrapper; [kernel, bias?] for Dense. Returns { weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0 (zeros unless GRU resetAfter), …_l0_reverse } or { weight, bias },
 * ready for `new LSTM(in, units, { bidirectional, bias, resetAfter }).loadStateDict(...)`.
 */
export function fromKerasWeights(kind: KerasKind | string, kerasWeights: WeightValue[], opts: FromKerasOptions = {}): Record<string, Tensor> {
  const k = readKind(kind);
  if (!Array.isArray(kerasWeights)) fail('kerasWeights', 'an array of weights in Keras order', kerasWeights);
  if (opts === null || typeof opts !== 'object') fail('opts', 'an object', opts);
  const layer = opts.layer ?? 0, prefix = opts.prefix ?? '';
  if (!Number.isInteger(layer) || layer < 0) fail('opts.layer', 'an integer >= 0', layer);
  if (typeof prefix !== 'string') fail('opts.prefix', 'a string', prefix);
  const n = kerasWeights.length;
  const shapeOf = (v: unknown, i: number): number[] => {
    if (v instanceof Tensor) return v.shape;
    if (Array.isArray(v)) {
      // the sizes along the first elements; stops past 8 levels (a cyclic or absurdly deep array)
      const s: number[] = [];
      let a: unknown = v;
      while (Array.isArray(a) && s.length <= 8) { s.push(a.length); a = a[0]; }
      return s;
    }
    return fail(`kerasWeights[${i}]`, 'a Tensor or nested arrays (typed arrays carry no shape here)', v);
  };
  if (k === 'Dense') {
    if (n !== 1 && n !== 2) fail('kerasWeights', 'Dense weights [kernel, bias?] (1 or 2 arrays)', `${n} arrays`, true);
    const ks = shapeOf(kerasWeights[0], 0);
    if (ks.length !== 2 || ks[0] < 1 || ks[1] < 1) fail('kerasWeights[0]', 'a 2-D kernel (in, units) with in, units >= 1', ks);
    const [kernel, bias] = asWeights('kerasWeights', kerasWeights, [ks, [ks[1]]].slice(0, n));
    const out: Record<string, Tensor> = { [prefix + 'weight']: noGrad(() => kernel.transpose(0, 1)) };
    if (bias) out[prefix + 'bias'] = noGrad(() => bias.clone());
    return out;
  }
  if (![2, 3, 4, 6].includes(n)) {
    fail('kerasWeights', `${k} weights [kernel, recurrent_kernel, bias?] for one direction, or twice that for Bidirectional (2, 3, 4 or 6 arrays)`, `${n} arrays`, true);
  }
  const D = n >= 4 ? 2 : 1, per = n / D, useBias = per === 3;
  const G = GATES[k];
  const ks = shapeOf(kerasWeights[0], 0), rs = shapeOf(kerasWeights[1], 1);
  if (rs.length !== 2 || rs[0] < 1 || rs[1] !== G * rs[0]) fail('kerasWeights[1]', `a recurrent_kernel of shape (units, ${G}·units) with units >= 1`, rs);
  const u = rs[0];
  if (ks.length !== 2 || ks[0] < 1 || ks[1] !== G * u) fail('kerasWeights[0]', `a kernel of shape (in, ${G * u}) with in >= 1`, ks);
  let resetAfter = opts.resetAfter;
  if (resetAfter !== undefined && typeof resetAfter !== 'boolean') fail('opts.resetAfter', 'a boolean', resetAfter);
  if (k === 'GRU' && resetAfter === undefined) resetAfter = useBias ? shapeOf(kerasWeights[2], 2).length === 2 : true;
  const shapes = kerasShapes(k, ks[0], u, useBias, !!resetAfter);
  const ws = asWeights('kerasWeights', kerasWeights, kerasWeights.map((_, i) => shapes[i % per]));
  const out: Record<string, Tensor> = {};
  for (let d = 0; d < D; d++) {
    const dw = kerasToDir(k, u, ws.slice(d * per, d * per + per), !!resetAfter);
    const sfx = `_l${layer}${d ? '_reverse' : ''}`;
    out[prefix + 'weight_ih' + sfx] = dw.wih;
    out[prefix + 'weight_hh' + sfx] = dw.whh;
    if (dw.bih) out[prefix + 'bias_ih' + sfx] = dw.bih;
    if (dw.bhh) out[prefix + 'bias_hh' + sfx] = dw.bhh;
  }
  return out;
}

/**
 * A PyTorch-style module's weights in Keras order and layout: for RNN/LSTM/GRU, per layer and
 * direction (forward, then backward) [kernel, recurrent_kernel, bias?]; for Linear [kernel, bias?].
 * A GRU gives Keras's reset_after = true bias (2, 3·units) — or (3·units) for one built with
 * resetAfter: false. Biases are summed (bias_ih + bias_hh) for SimpleRNN and LSTM. An LSTM with
 * projSize has no Keras equivalent (RnnError).
 */
export function toKerasWeights(module: RNN | LSTM | GRU | Linear): Tensor[] {
  if (module instanceof Linear) {
    return noGrad(() => {
      const out = [module.weight.transpose(0, 1)];
      if (module.bias) out.push(module.bias.clone());
      return out;
    });
  }
  if (!(module instanceof RNN || module instanceof LSTM || module instanceof GRU)) fail('module', 'an RNN, LSTM, GRU or Linear', module);
  const kind: RecurrentKind = module instanceof LSTM ? 'LSTM' : module instanceof GRU ? 'GRU' : 'SimpleRNN';
  if (module instanceof LSTM && module.projSize) {
    throw new RnnError(`module: expected an LSTM without projection (Keras has none), got projSize = ${show(module.projSize)}`);
  }
  const resetAfter = module instanceof GRU ? module.resetAfter !== false : true;
  const p = Object.fromEntries(module.namedParameters());
  const out: Tensor[] = [];
  for (let l = 0; l < module.numLayers; l++) {
    for (let d = 0; d < module.numDirections; d++) {
      const s = `_l${l}${d ? '_reverse' : ''}`;
      out.push(...dirToKeras(kind, module.hiddenSize, { wih: p['weight_ih' + s], whh: p['weight_hh' + s], bih: p['bias_ih' + s] ?? null, bhh: p['bias_hh' + s] ?? null }, resetAfter));
    }
  }
  return out;
}
