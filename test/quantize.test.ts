// quantize(): int8 modules against their f32 originals (relative error on W1–W3-shaped models),
// the bit properties of the determinism contract (a row alone or in a batch, step() vs forward,
// any batch position), state dicts and safetensors of quantized models, the module-tree copy, errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, bitsEqual } from './helpers.js';

const { tensor, randn, manualSeed, quantize, noGrad } = lib;

/** ‖a − b‖ / ‖b‖ */
function relErr(a: Float32Array, b: Float32Array): number {
  assert.is(a.length, b.length, 'length');
  let n = 0, d = 0;
  for (let i = 0; i < a.length; i++) { n += (a[i] - b[i]) ** 2; d += b[i] ** 2; }
  return Math.sqrt(n / d);
}

type AnyRNN = lib.RNN | lib.LSTM | lib.GRU;
/** forward → [output, hN, cN?] as arrays */
function fwd(m: any, x: lib.Tensor, state?: any, opts?: any): Float32Array[] {
  const r = noGrad(() => m.forward(x, state, opts));
  const out = [r[0].toFloat32Array()];
  if (Array.isArray(r[1])) out.push(r[1][0].toFloat32Array(), r[1][1].toFloat32Array());
  else out.push(r[1].toFloat32Array());
  return out;
}

// W1–W3 shapes (bench/workloads.ts) with shorter sequences and batches
const SHAPES: [string, () => AnyRNN, number, number][] = [
  ['W1 RNN(32, 128)', () => new lib.RNN(32, 128), 32, 1],
  ['W2 LSTM(64, 128, 2 layers, bidirectional)', () => new lib.LSTM(64, 128, { numLayers: 2, bidirectional: true }), 12, 4],
  ['W3 GRU(64, 256)', () => new lib.GRU(64, 256), 16, 3],
];

for (const [name, make, T, B] of SHAPES) {
  test(`${name}: int8 output and final state within 2e-2 relative error of f32`, () => {
    manualSeed(11);
    const m = make();
    const q = quantize(m, { dtype: 'int8' });
    const x = randn([T, B, m.inputSize]);
    const ref = fwd(m, x), got = fwd(q, x);
    for (let i = 0; i < ref.length; i++) {
      const e = relErr(got[i], ref[i]);
      assert.ok(e < 2e-2, `part ${i}: relative error ${e}`);
      assert.ok(e > 1e-5, `part ${i}: suspiciously exact (${e}): is it still the f32 path?`);
    }
  });
}

const VARIANTS: [string, () => AnyRNN][] = [
  ['RNN relu, 2 layers, batchFirst', () => new lib.RNN(5, 12, { nonlinearity: 'relu', numLayers: 2, batchFirst: true })],
  ['RNN bidirectional, no bias', () => new lib.RNN(7, 9, { bidirectional: true, bias: false })],
  ['LSTM projSize, 2 layers', () => new lib.LSTM(6, 17, { projSize: 5, numLayers: 2 })],
  ['LSTM hardSigmoid, bidirectional, batchFirst', () => new lib.LSTM(4, 10, { gateActivation: 'hardSigmoid', bidirectional: true, batchFirst: true })],
  ['GRU resetAfter=false, 2 layers', () => new lib.GRU(5, 13, { resetAfter: false, numLayers: 2 })],
  ['GRU bidirectional, 3 layers', () => new lib.GRU(3, 9, { numLayers: 3, bidirectional: true })],
];

for (const [name, make] of VARIANTS) {
  test(`${name}: int8 close to f32, a row alone = in a batch (bits), lengths`, () => {
    manualSeed(12);
    const m = make() as any;
    const q = quantize(m) as any;
    const T = 6, B = 5, bf = m.batchFirst;
    const x = randn(bf ? [B, T, m.inputSize] : [T, B, m.inputSize]);
    const Ho = m.projSize || m.hiddenSize, LD = m.numLayers * (m.bidirectional ? 2 : 1);
    const h0 = randn([LD, B, Ho]), c0 = randn([LD, B, m.hiddenSize]);
    const state = m instanceof lib.LSTM ? [h0, c0] : h0;
    const lengths = [6, 2, 5, 1, 3];
    for (const opts of [undefined, { lengths }]) {
      const ref = fwd(m, x, state, opts), got = fwd(q, x, state, opts);
      for (let i = 0; i < ref.length; i++) {
        const e = relErr(got[i], ref[i]);
        assert.ok(e < 3e-2, `part ${i}${opts ? ' (lengths)' : ''}: relative error ${e}`);
      }
      // each sequence alone: the same bits as its row of the batch
      for (let b = 0; b < B; b++) {
        const xb = bf ? x.slice(0, b, b + 1) : x.slice(1, b, b + 1);
        const sb = m instanceof lib.LSTM ? [h0.slice(1, b, b + 1), c0.slice(1, b, b + 1)] : h0.slice(1, b, b + 1);
        const one = fwd(q, xb, sb, opts ? { lengths: [lengths[b]] } : undefined);
        const L = opts ? lengths[b] : T;
        const o = got[0], D = o.length / (T * B);
        const rowOut = new Float32Array(T * D);
        for (let t = 0; t < T; t++) rowOut.set(o.subarray(((bf ? b * T + t : t * B + b)) * D, ((bf ? b * T + t : t * B + b) + 1) * D), t * D);
        bitsEqual(one[0], rowOut, `row ${b} output (alone vs batch, length ${L})`);
        for (let i = 1; i < got.length; i++) {
          const n = got[i].length / (LD * B), rows = new Float32Array(LD * n);
          for (let l = 0; l < LD; l++) rows.set(got[i].subarray((l * B + b) * n, (l * B + b + 1) * n), l * n);
          bitsEqual(one[i], rows, `row ${b} state ${i}`);
        }
      }
    }
  });
}

test('step() T times gives the bits of forward over T (RNN, LSTM with projection, GRU both variants)', () => {
  manualSeed(13);
  const mods: AnyRNN[] = [
    new lib.RNN(4, 6, { numLayers: 2, nonlinearity: 'relu' }), new lib.LSTM(4, 7, { numLayers: 2, projSize: 3 }),
    new lib.GRU(4, 5, { numLayers: 2 }), new lib.GRU(4, 9, { resetAfter: false }),
  ];
  for (const m of mods) {
    const q = quantize(m) as any;
    const T = 6, B = 3;
    const x = randn([T, B, 4]);
    const [out, h] = fwd(q, x);
    let st: lib.StepState | undefined;
    for (let t = 0; t < T; t++) {
      st = q.step(x.select(0, t), st);
      bitsEqual(st!.output, out.subarray(t * B * st!.output.length / B, (t + 1) * st!.output.length), `${m} step ${t}`);
    }
    bitsEqual(st!.h, h, `${m} final h`);
    // a Float32Array input and a restored state continue the same way
    const st2 = q.step(x.select(0, 0).toFloat32Array());
    const st1 = q.step(x.select(0, 0));
    bitsEqual(st2.output, st1.output, 'Float32Array input');
  }
});

test('cells: close to f32, the bits of the one-layer module with the same weights', () => {
  manualSeed(14);
  const B = 4, I = 6, H = 11;
  const pairs: [any, any][] = [
    [new lib.RNNCell(I, H, { nonlinearity: 'relu' }), new lib.RNN(I, H, { nonlinearity: 'relu' })],
    [new lib.LSTMCell(I, H), new lib.LSTM(I, H)],
    [new lib.GRUCell(I, H), new lib.GRU(I, H)],
    [new lib.GRUCell(I, H, { resetAfter: false }), new lib.GRU(I, H, { resetAfter: false })],
  ];
  for (const [cell, seq] of pairs) {
    const sd = cell.stateDict();
    seq.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, v]) => [k + '_l0', v])));
    const qc = quantize(cell) as any, qs = quantize(seq) as any;
    const x = randn([B, I]), h = randn([B, H]), c = randn([B, H]);
    const isL = cell instanceof lib.LSTMCell;
    const rc = noGrad(() => cell.forward(x, isL ? [h, c] : h));
    const gc = qc.forward(x, isL ? [h, c] : h);
    const r0 = isL ? rc[0].toFloat32Array() : rc.toFloat32Array(), g0 = isL ? gc[0].toFloat32Array() : gc.toFloat32Array();
    assert.ok(relErr(g0, r0) < 2e-2, `${cell}: ${relErr(g0, r0)}`);
    const [o] = fwd(qs, x.unsqueeze(0), isL ? [h.unsqueeze(0), c.unsqueeze(0)] : h.unsqueeze(0));
    bitsEqual(g0, o, `${qc} vs ${qs}`);
    if (isL) { const [, , cn] = fwd(qs, x.unsqueeze(0), [h.unsqueeze(0), c.unsqueeze(0)]); bitsEqual(gc[1].toFloat32Array(), cn, 'c'); }
    // unbatched input
    const u = qc.forward(x.select(0, 1), isL ? [h.select(0, 1), c.select(0, 1)] : h.select(0, 1));
    bitsEqual((isL ? u[0] : u).toFloat32Array(), g0.subarray(H, 2 * H), 'unbatched cell = its batch row');
  }
});

test('QuantizedLinear: close to f32, batch invariant, any leading shape', () => {
  manualSeed(15);
  const f = new lib.Linear(37, 21);
  const q = quantize(f);
  const x = randn([3, 5, 37]);
  const ref = noGrad(() => f.forward(x)).toFloat32Array(), got = q.forward(x).toFloat32Array();
  assert.ok(relErr(got, ref) < 2e-2, `${relErr(got, ref)}`);
  assert.equal(q.forward(x).shape, [3, 5, 21]);
  const one = q.forward(x.select(0, 2).select(0, 4)).toFloat32Array();
  bitsEqual(one, got.subarray((2 * 5 + 4) * 21, (2 * 5 + 5) * 21), 'row alone vs in the batch');
  assert.not.ok(q.forward(x.requiresGrad_()).requiresGrad, 'no grad through a quantized module');
});

class Net extends lib.Module {
  rnn = new lib.GRU(8, 24, { batchFirst: true });
  heads = [new lib.Linear(24, 4), new lib.Linear(4, 4)];
  scale = new lib.Parameter(tensor([0.5, 2, 1, 3]));
  tag = 'mine';
  override forward(x: lib.Tensor): lib.Tensor {
    const [, h] = this.rnn.forward(x);
    return this.heads[1].forward(this.heads[0].forward(h.select(0, 0)).tanh().matmul(tensor(Array.from({ length: 16 }, (_, i) => (i % 5) / 4), [4, 4]))).mul(this.scale);
  }
}

test('quantize(): a copy of a user module tree; the original untouched and independent', () => {
  manualSeed(16);
  const net = new Net();
  const before = net.stateDict();
  const beforeVals = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, v.toFloat32Array()]));
  const q = quantize(net, { dtype: 'int8' });
  assert.ok(q instanceof Net, 'same class');
  assert.is(q.tag, 'mine');
  assert.ok(q.rnn instanceof lib.QuantizedGRU && q.heads[0] instanceof lib.QuantizedLinear && q.heads[1] instanceof lib.QuantizedLinear);
  assert.ok(net.rnn instanceof lib.GRU, 'the original keeps its float modules');
  assert.ok(q.scale !== net.scale && q.scale instanceof lib.Parameter, 'parameters cloned');
  assert.is(q.training, false, 'eval mode');
  const x = randn([3, 5, 8]);
  const ref = noGrad(() => net.forward(x)).toFloat32Array(), got = q.forward(x).toFloat32Array();
  assert.ok(relErr(got, ref) < 3e-2, `${relErr(got, ref)}`);
  for (const [k, v] of Object.entries(net.stateDict())) bitsEqual(v.toFloat32Array(), beforeVals[k], `original ${k} unchanged`);
  net.dispose();
  bitsEqual(q.forward(x).toFloat32Array(), got, 'the copy works after the original is disposed');
  assert.match(String(q), /QuantizedGRU\(8, 24, batch_first=True, dtype=int8\)/);
});

test('state dict and safetensors of a quantized model: I8 + F32 scales, loads without the f32 original', () => {
  manualSeed(17);
  const m = new lib.LSTM(64, 128, { numLayers: 2, bidirectional: true });
  const q = quantize(m);
  const sd = q.stateDict();
  assert.ok(sd['weight_ih_l0'] instanceof lib.Int8Tensor, 'int8 weight');
  assert.equal(sd['weight_ih_l0'].shape, [512, 64]);
  assert.equal(sd['weight_ih_l0.scale'].shape, [512]);
  assert.equal(sd['weight_hh_l1_reverse'].shape, [512, 128]);
  assert.ok(!(sd['bias_ih_l0'] instanceof lib.Int8Tensor));
  const keys = Object.keys(sd).sort();
  assert.equal(keys, Object.keys(m.stateDict()).flatMap((k) => k.startsWith('weight') ? [k, k + '.scale'] : [k]).sort());
  const bytes = lib.saveSafetensors(sd);
  const fbytes = lib.saveSafetensors(m.stateDict());
  assert.ok(bytes.length <= 0.3 * fbytes.length, `int8 file ${bytes.length} B vs f32 ${fbytes.length} B`);
  const hdr = lib.safetensorsHeader(bytes);
  assert.is(hdr.tensors['weight_ih_l0'].dtype, 'I8');
  assert.is(hdr.tensors['weight_ih_l0.scale'].dtype, 'F32');
  // a fresh quantized module (zero weights, no f32 original) loads the file
  const fresh = new lib.QuantizedLSTM(64, 128, { numLayers: 2, bidirectional: true });
  const x = randn([5, 3, 64]);
  fresh.loadStateDict(lib.loadSafetensors(bytes));
  const a = fwd(q, x), b = fwd(fresh, x);
  for (let i = 0; i < a.length; i++) bitsEqual(b[i], a[i], `loaded part ${i}`);
  // values round-trip exactly
  const sd2 = fresh.stateDict();
  for (const k of keys) bitsEqual(sd2[k].toFloat32Array(), sd[k].toFloat32Array(), k);
  // a user module: quantize() of a freshly built tree as the template
  manualSeed(18);
  const net = new Net();
  const qnet = quantize(net);
  const file = lib.saveSafetensors(qnet.stateDict());
  manualSeed(99);
  const other = quantize(new Net());
  other.loadStateDict(lib.loadSafetensors(file));
  const xs = randn([2, 4, 8]);
  bitsEqual(other.forward(xs).toFloat32Array(), qnet.forward(xs).toFloat32Array(), 'template + file');
});

test('GRU resetAfter=false: W_hh split for the kernel, one weight in the state dict', () => {
  manualSeed(19);
  const m = new lib.GRU(5, 9, { resetAfter: false });
  const q = quantize(m);
  const sd = q.stateDict();
  assert.equal(sd['weight_hh_l0'].shape, [27, 9]);
  const fresh = new lib.QuantizedGRU(5, 9, { resetAfter: false });
  fresh.loadStateDict(sd);
  const x = randn([4, 2, 5]);
  bitsEqual(fwd(fresh, x)[0], fwd(q, x)[0], 'reloaded');
});

test('errors: RnnError before anything changes', () => {
  manualSeed(20);
  const m = new lib.RNN(3, 4);
  assert.throws(() => quantize(m, { dtype: 'int4' as 'int8' }), (e: Error) => e instanceof lib.RnnError && /dtype: expected 'int8', got "int4"/.test(e.message));
  assert.throws(() => quantize(m, { bits: 8 } as object), (e: Error) => e instanceof lib.RnnError && /unknown option "bits"/.test(e.message));
  assert.throws(() => quantize({} as lib.Module), (e: Error) => e instanceof lib.RnnError && /module: expected a Module/.test(e.message));
  const bad = new lib.Linear(3, 2);
  bad.loadStateDict({ weight: [[1, 2, NaN], [0, 0, 0]], bias: [0, 0] });
  assert.throws(() => quantize(bad), (e: Error) => e instanceof lib.RnnError && /weight: expected finite values to quantize, got 1 NaN/.test(e.message));
  const q = quantize(m);
  const sd = q.stateDict();
  const before = fwd(q, randn([2, 1, 3]));
  const x = randn([2, 1, 3]);
  const ref = fwd(q, x);
  const w = sd['weight_ih_l0'].toFloat32Array();
  w[3] = 0.5;
  assert.throws(() => q.loadStateDict({ ...sd, weight_ih_l0: tensor(w, [4, 3]) }), (e: Error) => e instanceof lib.RnnError && /weight_ih_l0.*integers in \[-128, 127\]/.test(e.message));
  w[3] = 300;
  assert.throws(() => q.loadStateDict({ ...sd, weight_ih_l0: tensor(w, [4, 3]) }), (e: Error) => e instanceof lib.RnnError && /int8 values/.test(e.message));
  assert.throws(() => q.loadStateDict({ ...sd, 'weight_hh_l0.scale': tensor([1, NaN, 1, 1]) }), (e: Error) => e instanceof lib.RnnError && /finite scales/.test(e.message));
  assert.throws(() => q.loadStateDict({ ...sd, 'weight_hh_l0.scale': tensor([1, 1, 1]) }), (e: Error) => e instanceof lib.RnnError && /expected shape \[4\]/.test(e.message));
  const { ['weight_ih_l0.scale']: _, ...missing } = sd;
  assert.throws(() => q.loadStateDict(missing), (e: Error) => e instanceof lib.RnnError && /missing: weight_ih_l0.scale/.test(e.message));
  bitsEqual(fwd(q, x)[0], ref[0], 'unchanged after the failed loads');
  assert.ok(before.length === 2);
  assert.throws(() => (q as any).forward(randn([2, 1, 4])), (e: Error) => e instanceof lib.RnnError && /last dimension 3/.test(e.message));
  assert.throws(() => (quantize(new lib.LSTM(3, 4, { bidirectional: true })) as any).step(new Float32Array(3)), (e: Error) => e instanceof lib.RnnError && /unidirectional/.test(e.message));
  // the exact-i32 bound: at most 131072 inputs (131072 · 128 · 127 < 2^31)
  const wide = new lib.Linear(131073, 1);
  assert.throws(() => quantize(wide), (e: Error) => e instanceof lib.RnnError && /weight: expected at most 131072 inputs/.test(e.message));
  assert.throws(() => new lib.QuantizedLinear(131073, 2), (e: Error) => e instanceof lib.RnnError && /at most 131072 inputs/.test(e.message));
  assert.ok(quantize(new lib.Linear(131072, 1)) instanceof lib.QuantizedLinear, '131072 inputs are fine');
});

test('int8 values and scales: what the state dict holds is the contract (scale = max|row| / 127)', () => {
  manualSeed(21);
  const f = new lib.Linear(5, 3);
  f.loadStateDict({ weight: [[1, -2, 0.5, 0, 2], [0, 0, 0, 0, 0], [-0.25, 0.125, 0.1, 0, 0]], bias: [0, 0, 0] });
  const sd = quantize(f).stateDict();
  assert.equal(Array.from(sd['weight'].toFloat32Array()), [64, -127, 32, 0, 127, 0, 0, 0, 0, 0, -127, 64, 51, 0, 0]);
  bitsEqual(sd['weight.scale'].toFloat32Array(), Float32Array.from([2 / 127, 0, 0.25 / 127]), 'scales');
});

test('Embedding and Sequential: int8 table, forward close to f32, step() = forward (bits), state dict round trip', () => {
  manualSeed(22);
  const V = 30;
  const model = new lib.Sequential(new lib.Embedding(V, 16, { paddingIdx: 0 }), new lib.LSTM(16, 32, { numLayers: 2 }), new lib.Linear(32, V));
  const q = quantize(model, { dtype: 'int8' });
  assert.ok(q instanceof lib.Sequential && q.get(0) instanceof lib.QuantizedEmbedding && q.get(1) instanceof lib.QuantizedLSTM && q.get(2) instanceof lib.QuantizedLinear);
  assert.ok(model.get(0) instanceof lib.Embedding, 'original untouched');
  const T = 7, B = 3;
  const ids = Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => (t * 7 + b * 11 + 1) % V));
  const ref = noGrad(() => model.forward(ids)).toFloat32Array(), got = q.forward(ids).toFloat32Array();
  assert.ok(relErr(got, ref) < 2e-2, `relative error ${relErr(got, ref)}`);
  // the embedding alone: dequantized rows within half a step of the f32 rows, padding row exactly 0
  const e32 = (model.get(0) as lib.Embedding).forward([0, 5, 29]).toFloat32Array(), e8 = (q.get(0) as lib.QuantizedEmbedding).forward([0, 5, 29]).toFloat32Array();
  for (let i = 0; i < 16; i++) assert.is(e8[i], 0, 'padding row');
  assert.ok(relErr(e8, e32) < 1e-2, `embedding ${relErr(e8, e32)}`);
  // streaming, token by token: the bits of forward
  let st: lib.SequentialStepState | undefined;
  for (let t = 0; t < T; t++) {
    st = q.step(ids[t], st);
    bitsEqual(st.output, got.subarray(t * B * V, (t + 1) * B * V), `step ${t}`);
  }
  // state dict: int8 tables and weights, loadable into another quantized copy
  const sd = q.stateDict();
  assert.ok(sd['0.weight'] instanceof lib.Int8Tensor && sd['1.weight_ih_l1'] instanceof lib.Int8Tensor && sd['2.weight'] instanceof lib.Int8Tensor);
  assert.equal(sd['0.weight.scale'].shape, [V]);
  manualSeed(23);
  const other = quantize(new lib.Sequential(new lib.Embedding(V, 16, { paddingIdx: 0 }), new lib.LSTM(16, 32, { numLayers: 2 }), new lib.Linear(32, V)));
  other.loadStateDict(lib.loadSafetensors(lib.saveSafetensors(sd)));
  bitsEqual(other.forward(ids).toFloat32Array(), got, 'reloaded');
  assert.match(String(q), /QuantizedEmbedding\(30, 16, padding_idx=0, dtype=int8\)/);
});

test.run();
