// The Keras-style layers API against TF.js 4.22 itself (cpu backend) on the same random weights, against
// PyTorch (GRU with resetAfter = Keras's default, via converted weights), and tutorial 002's models.
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, maxDiff, stateDict, T } from './helpers.js';

const { layers, sequential, RnnError } = lib;
await tf.setBackend('cpu');

const TOL = 1e-5;
let seed = 1;
/** uniform in (−0.7, 0.7), a fixed LCG so every run sees the same numbers */
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return ((seed / 2 ** 32) * 2 - 1) * 0.7; };
const arr = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd);
const sig = { recurrentActivation: 'sigmoid' as const };   // TF.js defaults to hardSigmoid; Keras (and wasm-rnn) use sigmoid

function close(name: string, ours: lib.Tensor, ref: { shape: number[]; dataSync(): ArrayLike<number> } | lib.Tensor, tol = TOL): void {
  const refShape = ref.shape, refData = ref instanceof lib.Tensor ? ref.toFloat32Array() : ref.dataSync();
  assert.equal(ours.shape, refShape, `${name}: shape`);
  const { err } = maxDiff(ours.toFloat32Array(), refData);
  assert.ok(err <= tol, `${name}: max |diff| ${err} > ${tol}`);
}

/** fn must throw an RnnError whose message has every fragment; unless `touches`, with the Wasm heap untouched. */
function rejects(fn: () => unknown, ...fragments: string[]): void { rejectsIf(false, fn, ...fragments); }
function rejectsIf(touches: boolean, fn: () => unknown, ...fragments: string[]): void {
  const before = lib.memoryStats().liveBytes;
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError, `expected RnnError, got ${err}`);
  for (const f of fragments) assert.ok((err as Error).message.includes(f), `message "${(err as Error).message}" lacks "${f}"`);
  if (!touches) assert.is(lib.memoryStats().liveBytes, before, `no Wasm memory touched (${fragments[0]})`);
}

/** Runs a TF.js layer and ours on the same input with the same random weights; compares every output. */
function sameAsTfjs(name: string, tfLayer: tf.layers.Layer, ours: lib.Layer, shape = [3, 5, 4]): void {
  test(`TF.js: ${name}`, () => {
    const x = arr(shape);
    tfLayer.apply(tf.tensor(x, shape));                                  // builds it
    const ws = tfLayer.getWeights().map((w) => arr(w.shape));
    tfLayer.setWeights(ws.map((a, i) => tf.tensor(a, tfLayer.getWeights()[i].shape)));
    const ty = tfLayer.apply(tf.tensor(x, shape)) as tf.Tensor | tf.Tensor[];
    ours.build([null, ...shape.slice(1)]);
    assert.equal(ours.weightShapes(), tfLayer.getWeights().map((w) => w.shape), 'Keras weight shapes');
    assert.is(ours.countParams(), tfLayer.countParams(), 'countParams');
    ours.setWeights(ws);
    ours.getWeights().forEach((w, i) => assert.equal(Array.from(w.toFloat32Array()), Array.from(ws[i]), `getWeights()[${i}] round trip`));
    const oy = ours.apply(lib.tensor(x, shape));
    const ta = Array.isArray(ty) ? ty : [ty], oa = Array.isArray(oy) ? oy : [oy];
    assert.is(oa.length, ta.length, 'number of outputs');
    ta.forEach((t, i) => close(`${name} output ${i}`, oa[i], t));
    assert.equal(ours.outputShape, Array.isArray(ty) ? ta.map((t) => [null, ...t.shape.slice(1)]) : [null, ...ta[0].shape.slice(1)], 'outputShape');
  });
}

// ---- single layers against TF.js ----
sameAsTfjs('simpleRNN', tf.layers.simpleRNN({ units: 6 }), layers.simpleRNN({ units: 6 }));
sameAsTfjs('simpleRNN relu, returnSequences, goBackwards, returnState',
  tf.layers.simpleRNN({ units: 6, activation: 'relu', returnSequences: true, goBackwards: true, returnState: true }),
  layers.simpleRNN({ units: 6, activation: 'relu', returnSequences: true, goBackwards: true, returnState: true }));
sameAsTfjs('simpleRNN without bias, T=1', tf.layers.simpleRNN({ units: 3, useBias: false }), layers.simpleRNN({ units: 3, useBias: false }), [2, 1, 4]);
sameAsTfjs('lstm returnState', tf.layers.lstm({ units: 6, ...sig, returnState: true }), layers.lstm({ units: 6, returnState: true }));
sameAsTfjs('lstm returnSequences goBackwards', tf.layers.lstm({ units: 7, ...sig, returnSequences: true, goBackwards: true }),
  layers.lstm({ units: 7, returnSequences: true, goBackwards: true }));
sameAsTfjs('gru (resetAfter: false) returnSequences returnState', tf.layers.gru({ units: 6, ...sig, returnSequences: true, returnState: true }),
  layers.gru({ units: 6, resetAfter: false, returnSequences: true, returnState: true }));
sameAsTfjs('gru (resetAfter: false) no bias, goBackwards', tf.layers.gru({ units: 5, ...sig, useBias: false, goBackwards: true }),
  layers.gru({ units: 5, resetAfter: false, useBias: false, goBackwards: true }));
// TF.js's own defaults: hardSigmoid gates (LSTM, GRU), and SimpleRNN sigmoid / linear
sameAsTfjs('lstm with TF.js default gates (hardSigmoid)', tf.layers.lstm({ units: 6, returnSequences: true, returnState: true }),
  layers.lstm({ units: 6, recurrentActivation: 'hardSigmoid', returnSequences: true, returnState: true }));
sameAsTfjs('gru with TF.js default gates (hardSigmoid), goBackwards', tf.layers.gru({ units: 5, returnSequences: true, goBackwards: true }),
  layers.gru({ units: 5, resetAfter: false, recurrentActivation: 'hardSigmoid', returnSequences: true, goBackwards: true }));
sameAsTfjs('simpleRNN sigmoid', tf.layers.simpleRNN({ units: 5, activation: 'sigmoid', returnSequences: true }),
  layers.simpleRNN({ units: 5, activation: 'sigmoid', returnSequences: true }));
sameAsTfjs('simpleRNN linear', tf.layers.simpleRNN({ units: 5, activation: 'linear', returnSequences: true }),
  layers.simpleRNN({ units: 5, activation: 'linear', returnSequences: true }));
for (const mode of ['concat', 'sum', 'mul', 'ave', null] as const) {
  for (const rs of [true, false]) {
    sameAsTfjs(`bidirectional(lstm) mergeMode ${mode}, returnSequences ${rs}`,
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, ...sig, returnSequences: rs }) as tf.RNN, mergeMode: mode as 'concat' }),
      layers.bidirectional({ layer: layers.lstm({ units: 5, returnSequences: rs }), mergeMode: mode }));
  }
}
sameAsTfjs('bidirectional(simpleRNN) mergeMode mul, goBackwards', tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }) as tf.RNN, mergeMode: 'mul' }),
  layers.bidirectional({ layer: layers.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }), mergeMode: 'mul' }));
sameAsTfjs('bidirectional(gru) returnState', tf.layers.bidirectional({ layer: tf.layers.gru({ units: 5, ...sig, returnSequences: true, returnState: true }) as tf.RNN }),
  layers.bidirectional({ layer: layers.gru({ units: 5, resetAfter: false, returnSequences: true, returnState: true }) }));
sameAsTfjs('bidirectional(lstm) goBackwards returnState, sum', tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, ...sig, goBackwards: true, returnState: true }) as tf.RNN, mergeMode: 'sum' }),
  layers.bidirectional({ layer: layers.lstm({ units: 5, goBackwards: true, returnState: true }), mergeMode: 'sum' }));
for (const act of ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const) {
  sameAsTfjs(`dense ${act} on (B, T, F)`, tf.layers.dense({ units: 4, activation: act }), layers.dense({ units: 4, activation: act }));
}
sameAsTfjs('dense without bias on (B, F)', tf.layers.dense({ units: 3, useBias: false }), layers.dense({ units: 3, useBias: false }), [4, 6]);

test('TF.js: initialState (Keras initial_state) for lstm and bidirectional gru', () => {
  const x = arr([2, 4, 3]), h = arr([2, 5]), c = arr([2, 5]), hb = arr([2, 5]);
  const tl = tf.layers.lstm({ units: 5, ...sig, returnSequences: true });
  tl.apply(tf.tensor(x, [2, 4, 3]));
  const ws = tl.getWeights().map((w) => arr(w.shape));
  tl.setWeights(ws.map((a, i) => tf.tensor(a, tl.getWeights()[i].shape)));
  const ty = tl.apply(tf.tensor(x, [2, 4, 3]), { initialState: [tf.tensor(h, [2, 5]), tf.tensor(c, [2, 5])] }) as tf.Tensor;
  const ol = layers.lstm({ units: 5, returnSequences: true, weights: ws, inputShape: [4, 3] });
  close('lstm initialState', ol.apply(lib.tensor(x, [2, 4, 3]), { initialState: [lib.tensor(h, [2, 5]), lib.tensor(c, [2, 5])] }) as lib.Tensor, ty);
  const tb = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 5, ...sig }) as tf.RNN });
  tb.apply(tf.tensor(x, [2, 4, 3]));
  const wb = tb.getWeights().map((w) => arr(w.shape));
  tb.setWeights(wb.map((a, i) => tf.tensor(a, tb.getWeights()[i].shape)));
  const tyb = tb.apply(tf.tensor(x, [2, 4, 3]), { initialState: [tf.tensor(h, [2, 5]), tf.tensor(hb, [2, 5])] }) as tf.Tensor;
  const ob = layers.bidirectional({ layer: layers.gru({ units: 5, resetAfter: false }) });
  ob.build([null, 4, 3]);
  ob.setWeights(wb);
  close('bidirectional gru initialState', ob.apply(lib.tensor(x, [2, 4, 3]), { initialState: [lib.tensor(h, [2, 5]), lib.tensor(hb, [2, 5])] }) as lib.Tensor, tyb);
});

test('TF.js: stacked model (returnSequences), model.setWeights/getWeights, predict in batches', () => {
  const tm = tf.sequential({ layers: [
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, ...sig, returnSequences: true }) as tf.RNN, inputShape: [6, 3], mergeMode: 'ave' }),
    tf.layers.lstm({ units: 5, ...sig, returnSequences: true, goBackwards: true }),
    tf.layers.simpleRNN({ units: 4, returnSequences: true }),
    tf.layers.simpleRNN({ units: 4 }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  const ws = tm.getWeights().map((w) => arr(w.shape));
  tm.setWeights(ws.map((a, i) => tf.tensor(a, tm.getWeights()[i].shape)));
  const m = sequential({ layers: [
    layers.bidirectional({ layer: layers.gru({ units: 4, resetAfter: false, returnSequences: true }), inputShape: [6, 3], mergeMode: 'ave' }),
    layers.lstm({ units: 5, returnSequences: true, goBackwards: true }),
    layers.simpleRNN({ units: 4, returnSequences: true }),
    layers.simpleRNN({ units: 4 }),
    layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  assert.is(m.countParams(), tm.countParams());
  m.setWeights(ws);
  assert.equal(m.getWeights().map((w) => w.shape), tm.getWeights().map((w) => w.shape));
  const x = arr([70, 6, 3]);
  const ty = tm.predict(tf.tensor(x, [70, 6, 3])) as tf.Tensor;
  const y = m.predict(lib.tensor(x, [70, 6, 3]));
  close('stacked predict', y, ty);
  // batch size never changes the bits
  assert.equal(Array.from(m.predict(lib.tensor(x, [70, 6, 3]), { batchSize: 7 }).toFloat32Array()), Array.from(y.toFloat32Array()));
  assert.equal(m.outputShape, [null, 3]);
});

// ---- PyTorch: GRU with resetAfter (Keras's default) is PyTorch's GRU; LSTM and SimpleRNN too ----
function torchCase(path: string, kind: 'gru' | 'lstm' | 'simpleRNN', bidir = false) {
  test(`PyTorch ${path}: converted weights (toKerasWeights) give PyTorch's output`, () => {
    const c = loadCase(path);
    const cfg = c.meta.config;
    const opts = { bias: cfg.bias, batchFirst: cfg.batch_first, bidirectional: cfg.bidirectional, numLayers: cfg.num_layers };
    const m = kind === 'gru' ? new lib.GRU(cfg.input_size, cfg.hidden_size, opts) : kind === 'lstm' ? new lib.LSTM(cfg.input_size, cfg.hidden_size, opts) : new lib.RNN(cfg.input_size, cfg.hidden_size, opts);
    m.loadStateDict(stateDict(c));
    const kw = lib.toKerasWeights(m);
    const inner = () => layers[kind]({ units: cfg.hidden_size, useBias: cfg.bias, returnSequences: true, returnState: true });
    const x = cfg.batch_first ? T(c, 'x') : T(c, 'x').transpose(0, 1);            // Keras is batch-first
    const layer = bidir ? layers.bidirectional({ layer: inner(), inputShape: x.shape.slice(1) }) : inner();
    layer.build([null, ...x.shape.slice(1)]);
    layer.setWeights(kw);
    const B = x.shape[0], H = cfg.hidden_size;
    const init = c.meta.has_h0 ? Array.from({ length: bidir ? 2 : 1 }, (_, d) => T(c, 'h0').select(0, d)) : undefined;
    const [out, ...states] = layer.apply(x, { initialState: init }) as lib.Tensor[];
    close(`${path} output`, cfg.batch_first ? out : out.transpose(0, 1), lib.tensor(c.f32('ref.output'), c.shape('ref.output')));
    const k = kind === 'lstm' ? 2 : 1;     // states: [h, (c)] per direction
    close(`${path} h_n`, lib.stack(states.filter((_, i) => i % k === 0), 0), lib.tensor(c.f32('ref.h_n'), [bidir ? 2 : 1, B, H]));
    if (k === 2) close(`${path} c_n`, lib.stack(states.filter((_, i) => i % k === 1), 0), lib.tensor(c.f32('ref.c_n'), [bidir ? 2 : 1, B, H]));
    // and back: fromKerasWeights gives the state dict again (GRU: bit for bit, a permutation)
    const sd = lib.fromKerasWeights(kind === 'simpleRNN' ? 'SimpleRNN' : kind.toUpperCase(), layer.getWeights());
    if (kind === 'gru') for (const [k, p] of m.namedParameters()) assert.equal(Array.from(sd[k].toFloat32Array()), Array.from(p.toFloat32Array()), k);
  });
}
torchCase('gru/gru_basic.json', 'gru');
torchCase('gru/gru_batch_first_h0.json', 'gru');
torchCase('gru/gru_bidir_h0.json', 'gru', true);
torchCase('gru/gru_nobias_bidir.json', 'gru', true);
torchCase('lstm/lstm_basic.json', 'lstm');
torchCase('rnn/rnn_tanh_basic.json', 'simpleRNN');

test('PyTorch: a 3-layer GRU is three stacked Keras GRU layers (toKerasWeights of a multi-layer module)', () => {
  const c = loadCase('gru/gru_3layer.json');
  const cfg = c.meta.config;
  const m = new lib.GRU(cfg.input_size, cfg.hidden_size, { numLayers: 3 });
  m.loadStateDict(stateDict(c));
  const x = T(c, 'x').transpose(0, 1);
  const model = sequential({ layers: [0, 1, 2].map((l) => layers.gru({ units: cfg.hidden_size, returnSequences: true, ...(l ? {} : { inputShape: x.shape.slice(1) }) })) });
  model.setWeights(lib.toKerasWeights(m));
  close('3-layer output', model.predict(x).transpose(0, 1), lib.tensor(c.f32('ref.output'), c.shape('ref.output')));
  // fromKerasWeights with layer: l rebuilds the multi-layer state dict
  const ws = model.getWeights();
  const sd = Object.assign({}, ...[0, 1, 2].map((l) => lib.fromKerasWeights('GRU', ws.slice(3 * l, 3 * l + 3), { layer: l })));
  const m2 = new lib.GRU(cfg.input_size, cfg.hidden_size, { numLayers: 3 });
  m2.loadStateDict(sd);
  for (const [k, p] of m.namedParameters()) assert.equal(Array.from(m2.stateDict()[k].toFloat32Array()), Array.from(p.toFloat32Array()), k);
});

test('fromKerasWeights / toKerasWeights: layouts, Dense, GRU resetAfter from the bias rank, errors', () => {
  const k = arr([4, 9]), rk = arr([3, 9]), b = arr([9]), b2 = arr([2, 9]);
  const t = (a: Float32Array, s: number[]) => lib.tensor(a, s);
  const sd = lib.fromKerasWeights('GRU', [t(k, [4, 9]), t(rk, [3, 9]), t(b, [9])]);
  assert.equal(Object.keys(sd), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
  const g = new lib.GRU(4, 3, { resetAfter: false });
  g.loadStateDict(sd);
  const back = lib.toKerasWeights(g);
  assert.equal(back.map((w) => w.shape), [[4, 9], [3, 9], [9]], 'resetAfter: false keeps a 1-D bias');
  assert.equal(Array.from(back[0].toFloat32Array()), Array.from(k));
  const sd2 = lib.fromKerasWeights('gru', [t(k, [4, 9]), t(rk, [3, 9]), t(b2, [2, 9])], { prefix: 'rnn.' });
  assert.equal(Object.keys(sd2), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0']);
  // the z, r, h blocks of a Keras kernel column are PyTorch's r, z, n rows
  const kt = t(k, [4, 9]).transpose(0, 1).toArray() as number[][], wih = sd2['rnn.weight_ih_l0'].toArray() as number[][];
  assert.equal(wih.slice(0, 3), kt.slice(3, 6)); assert.equal(wih.slice(3, 6), kt.slice(0, 3)); assert.equal(wih.slice(6), kt.slice(6));
  const bi = lib.fromKerasWeights('LSTM', [t(arr([2, 8]), [2, 8]), t(arr([2, 8]), [2, 8]), t(arr([2, 8]), [2, 8]), t(arr([2, 8]), [2, 8])]);
  assert.equal(Object.keys(bi), ['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse'], 'bidirectional, no bias');
  const d = lib.fromKerasWeights('Dense', [[[1, 2, 3], [4, 5, 6]], [7, 8, 9]]);
  assert.equal(d.weight.toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.equal(lib.toKerasWeights(new lib.Linear(2, 3)).map((w) => w.shape), [[2, 3], [3]]);
  const [tk, trk, tb, t8] = [t(k, [4, 9]), t(rk, [3, 9]), t(b, [9]), t(arr([8]), [8])];
  rejects(() => lib.fromKerasWeights('Conv1D', []), 'kind', "'SimpleRNN'");
  rejects(() => lib.fromKerasWeights('LSTM', [tk]), 'kerasWeights', '2, 3, 4 or 6 arrays');
  rejects(() => lib.fromKerasWeights('LSTM', [tk, trk, tb]), 'kerasWeights[1]', '(units, 4·units)', '[3, 9]');
  rejects(() => lib.fromKerasWeights('GRU', [tk, trk, t8]), 'kerasWeights[2]', 'shape [9]', '[8]');
  rejects(() => lib.fromKerasWeights('GRU', [tk, trk, tb], { resetAfter: true }), 'kerasWeights[2]', 'shape [2, 9]');
  rejects(() => lib.fromKerasWeights('GRU', [tk, [[1, 2]], tb]), 'kerasWeights[1]', '[1, 2]');
  const proj = new lib.LSTM(3, 4, { projSize: 2 });
  rejects(() => lib.toKerasWeights(proj), 'projSize');
});

// ---- tutorial 002 (wikidocs.net/22886, Keras 2.9): every model's summary and output shape ----
// The tutorial's text lost Keras's '=' rules in its rendering; every other line is reproduced verbatim.
const TUTORIAL: string[][] = [
  [
    `Model: "sequential"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` simple_rnn (SimpleRNN)      (None, 3)                 42        `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 42`,
    `Trainable params: 42`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],
  [
    `Model: "sequential_1"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` simple_rnn_1 (SimpleRNN)    (8, 3)                    42        `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 42`,
    `Trainable params: 42`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],
  [
    `Model: "sequential_2"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` simple_rnn_2 (SimpleRNN)    (8, 2, 3)                 42        `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 42`,
    `Trainable params: 42`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],
  [
    `Model: "sequential_3"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` simple_rnn_3 (SimpleRNN)    (None, 10, 8)             112       `,
    `                                                                 `,
    ` simple_rnn_4 (SimpleRNN)    (None, 10, 8)             136       `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 248`,
    `Trainable params: 248`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],
  [
    `Model: "sequential_4"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` bidirectional (Bidirectiona  (None, 10, 16)           224       `,
    ` l)                                                              `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 224`,
    `Trainable params: 224`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],
  [
    `Model: "sequential_5"`,
    `_________________________________________________________________`,
    ` Layer (type)                Output Shape              Param #   `,
    `=================================================================`,
    ` bidirectional_1 (Bidirectio  (None, 10, 16)           224       `,
    ` nal)                                                            `,
    `                                                                 `,
    ` bidirectional_2 (Bidirectio  (None, 10, 16)           400       `,
    ` nal)                                                            `,
    `                                                                 `,
    ` bidirectional_3 (Bidirectio  (None, 10, 16)           400       `,
    ` nal)                                                            `,
    `                                                                 `,
    ` bidirectional_4 (Bidirectio  (None, 10, 16)           400       `,
    ` nal)                                                            `,
    `                                                                 `,
    `=================================================================`,
    `Total params: 1,424`,
    `Trainable params: 1,424`,
    `Non-trainable params: 0`,
    `_________________________________________________________________`,
  ],];

test("tutorial 002: every model's summary() character for character, output shapes from predict", () => {
  lib.clearSession();
  const h = 8, quiet = () => {};
  const models = [
    () => { const m = sequential(); m.add(layers.simpleRNN({ units: 3, inputShape: [2, 10] })); return m; },
    () => { const m = sequential(); m.add(layers.simpleRNN({ units: 3, batchInputShape: [8, 2, 10] })); return m; },
    () => { const m = sequential(); m.add(layers.simpleRNN({ units: 3, batchInputShape: [8, 2, 10], returnSequences: true })); return m; },
    () => sequential({ layers: [layers.simpleRNN({ units: h, inputLength: 10, inputDim: 5, returnSequences: true }), layers.simpleRNN({ units: h, returnSequences: true })] }),
    () => sequential({ layers: [layers.bidirectional({ layer: layers.simpleRNN({ units: h, returnSequences: true }), inputShape: [10, 5] })] }),
    () => sequential({ layers: [
      layers.bidirectional({ layer: layers.simpleRNN({ units: h, returnSequences: true }), inputShape: [10, 5] }),
      ...[0, 1, 2].map(() => layers.bidirectional({ layer: layers.simpleRNN({ units: h, return_sequences: true } as never) })),
    ] }),
  ];
  const params = [[42], [42], [42], [112, 136], [224], [224, 400, 400, 400]];
  const shapes = [[8, 3], [8, 3], [8, 2, 3], [8, 10, 8], [8, 10, 16], [8, 10, 16]];
  models.forEach((make, i) => {
    const m = make();
    const printed: string[] = [];
    const text = m.summary(undefined, undefined, (l) => printed.push(l));
    assert.equal(printed, TUTORIAL[i], `model ${i} summary`);
    assert.is(text, TUTORIAL[i].join('\n'));
    assert.equal(m.layers.map((l) => l.countParams()), params[i]);
    assert.is(m.countParams(), params[i].reduce((a, b) => a + b));
    const x = lib.randn([8, ...(m.inputShape.slice(1) as number[])]);
    assert.equal(m.predict(x).shape, shapes[i], `model ${i} output shape`);
    if (i === 0) { m.summary(undefined, undefined, quiet); }
  });
  // the numpy RNN of section 2, as a SimpleRNN(8) on (10, 4) inputs: (timesteps, output_dim) = (10, 8)
  const rnn = layers.simpleRNN({ units: 8, returnSequences: true, inputShape: [10, 4] });
  assert.equal((rnn.apply(lib.rand([1, 10, 4])) as lib.Tensor).shape, [1, 10, 8]);
});

test('summary(): non-trainable layers, comma thousands, wrapped list shapes', () => {
  lib.clearSession();
  const m = sequential({ name: 'big', layers: [layers.lstm({ units: 32, inputShape: [null, 20], returnSequences: true }), layers.dense({ units: 10, activation: 'softmax', trainable: false })] });
  const text = m.summary(undefined, undefined, () => {});
  assert.ok(text.includes(' lstm (LSTM)                 (None, None, 32)          6784      '), text);
  assert.ok(text.includes('Total params: 7,114\nTrainable params: 6,784\nNon-trainable params: 330'), text);
  assert.is(m.parameters().length, 3, 'frozen Dense and the zero second LSTM bias are not trainable');
  const l = layers.lstm({ units: 3, returnState: true, inputShape: [4, 2] });
  l.build([null, 4, 2]);
  assert.equal(l.outputShape, [[null, 3], [null, 3], [null, 3]]);
});

// ---- loading a model saved by TF.js ----
async function savedTfjsModel() {
  const tm = tf.sequential({ layers: [
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, ...sig, returnSequences: true }) as tf.RNN, inputShape: [6, 3], mergeMode: 'concat' }),
    tf.layers.lstm({ units: 5, ...sig, returnSequences: true, goBackwards: true }),
    tf.layers.simpleRNN({ units: 4, activation: 'relu' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  tm.setWeights(tm.getWeights().map((w) => tf.tensor(arr(w.shape), w.shape)));
  let art: tf.io.ModelArtifacts | null = null;
  await tm.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return { tm, art: art! as tf.io.ModelArtifacts & { weightData: ArrayBuffer } };
}

test('TF.js model.save() → loadLayersModelFromJSON(model.json, shards) predicts the same', async () => {
  const { tm, art } = await savedTfjsModel();
  const modelJson = { format: art.format, generatedBy: art.generatedBy, convertedBy: art.convertedBy, modelTopology: art.modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: art.weightSpecs }] };
  // two shards, split mid-weight, as TF.js does for big models
  const all = new Uint8Array(art.weightData), cut = 100;
  const m = lib.loadLayersModelFromJSON(JSON.stringify(modelJson), [all.slice(0, cut).buffer, all.slice(cut).buffer]);
  assert.equal(m.layers.map((l) => l.className), ['Bidirectional', 'LSTM', 'SimpleRNN', 'Dense']);
  assert.is(m.countParams(), tm.countParams());
  const x = arr([9, 6, 3]);
  close('loaded model', m.predict(lib.tensor(x, [9, 6, 3])), tm.predict(tf.tensor(x, [9, 6, 3])) as tf.Tensor);
  // the artifacts a save handler gets load the same
  const m2 = lib.loadLayersModelFromJSON(art);
  assert.equal(m2.getWeights().map((w) => Array.from(w.toFloat32Array())), m.getWeights().map((w) => Array.from(w.toFloat32Array())));
});

test('TF.js weights quantized to float16 are widened in Wasm', async () => {
  const { tm, art } = await savedTfjsModel();
  // weights that float16 holds exactly: k/256, |k| < 256
  const ws = tm.getWeights().map((w) => Float32Array.from(arr(w.shape), (v) => Math.round(v * 256) / 256));
  const f16 = (v: number) => {
    if (v === 0) return 0;
    const s = v < 0 ? 0x8000 : 0, a = Math.abs(v), e = Math.floor(Math.log2(a));
    return s | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
  };
  const bytes = new Uint8Array(ws.reduce((n, w) => n + 2 * w.length, 0));
  let at = 0;
  for (const w of ws) for (const v of w) { const b = f16(v); bytes[at++] = b & 255; bytes[at++] = b >> 8; }
  const specs = art.weightSpecs!.map((s) => ({ ...s, quantization: { dtype: 'float16' } }));
  const m = lib.loadLayersModelFromJSON({ modelTopology: art.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }, bytes);
  m.getWeights().forEach((w, i) => assert.equal(Array.from(w.toFloat32Array()), Array.from(ws[i]), `weight ${i}`));
});

test('loadLayersModelFromJSON: what it cannot represent is an RnnError', async () => {
  const { art } = await savedTfjsModel();
  const topo = JSON.parse(JSON.stringify(art.modelTopology));
  const json = (t: unknown, specs = art.weightSpecs) => ({ modelTopology: t, weightsManifest: [{ paths: ['w'], weights: specs }] });
  const hard = JSON.parse(JSON.stringify(topo));
  hard.config.layers[1].config.recurrent_activation = 'softsign';
  rejects(() => lib.loadLayersModelFromJSON(json(hard), art.weightData), 'recurrentActivation', "'sigmoid'", '"softsign"');
  const conv = JSON.parse(JSON.stringify(topo));
  conv.config.layers[2].class_name = 'Conv1D';
  rejects(() => lib.loadLayersModelFromJSON(json(conv), art.weightData), 'layers[2].class_name', '"Conv1D"');
  rejects(() => lib.loadLayersModelFromJSON(json({ ...topo, class_name: 'Model' }), art.weightData), "'Sequential'");
  rejects(() => lib.loadLayersModelFromJSON(json(topo), art.weightData.slice(0, 64)), 'weightData', 'bytes');
  const renamed = art.weightSpecs!.map((s, i) => (i === 1 ? { ...s, name: 'x/gamma' } : s));
  rejects(() => lib.loadLayersModelFromJSON(json(topo, renamed), art.weightData), 'weights[1].name', '"recurrent_kernel"');
  const reshaped = art.weightSpecs!.map((s, i) => (i === 0 ? { ...s, shape: [3, 13] } : s));
  rejects(() => lib.loadLayersModelFromJSON(json(topo, reshaped), art.weightData), 'weights[0].shape');
  const q8 = art.weightSpecs!.map((s) => ({ ...s, quantization: { dtype: 'uint8' as const, scale: 1, min: 0 } }));
  rejects(() => lib.loadLayersModelFromJSON(json(topo, q8), art.weightData), 'quantization', 'uint8');
  rejects(() => lib.loadLayersModelFromJSON('{nope', art.weightData), 'modelJson', 'invalid JSON');
});

// ---- training ----
type LossName = 'meanSquaredError' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy';
const defaultAct = (loss: LossName) => (loss === 'meanSquaredError' ? 'tanh' : loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax');

/** The same model, weights and data in TF.js and here; both fitted with plain SGD. `deep` adds goBackwards/bidirectional/stacking. */
async function trainBoth(loss: LossName, act: 'tanh' | 'sigmoid' | 'softmax' = defaultAct(loss), deep = false) {
  const tm = tf.sequential({ layers: deep ? [
    tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }) as tf.RNN, mergeMode: 'ave', inputShape: [6, 3] }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, ...sig, returnSequences: true }) as tf.RNN, mergeMode: 'concat' }),
    tf.layers.lstm({ units: 4, ...sig, goBackwards: true }),
    tf.layers.dense({ units: 3, activation: act }),
  ] : [tf.layers.gru({ units: 5, ...sig, inputShape: [6, 3] }), tf.layers.dense({ units: 3, activation: act })] });
  const ws = tm.getWeights().map((w) => arr(w.shape));
  tm.setWeights(ws.map((a, i) => tf.tensor(a, tm.getWeights()[i].shape)));
  const m = sequential({ layers: deep ? [
    layers.bidirectional({ layer: layers.simpleRNN({ units: 4, returnSequences: true, goBackwards: true }), mergeMode: 'ave', inputShape: [6, 3] }),
    layers.bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true }), mergeMode: 'concat' }),
    layers.lstm({ units: 4, goBackwards: true }),
    layers.dense({ units: 3, activation: act }),
  ] : [layers.gru({ units: 5, resetAfter: false, inputShape: [6, 3] }), layers.dense({ units: 3, activation: act })] });
  m.setWeights(ws);
  const N = 11, X = arr([N, 6, 3]);
  const labels = Array.from({ length: N }, (_, i) => (i * 7) % 3);
  const [Y, yShape] = loss === 'meanSquaredError' ? [arr([N, 3]), [N, 3]]
    : loss === 'binaryCrossentropy' ? [Float32Array.from({ length: 3 * N }, (_, i) => (i * 5) % 2), [N, 3]]
      : loss === 'categoricalCrossentropy' ? [Float32Array.from(labels.flatMap((l) => [0, 1, 2].map((c) => +(c === l)))), [N, 3]]
        : [Float32Array.from(labels), [N, 1]];
  tm.compile({ optimizer: tf.train.sgd(0.2), loss });
  const fitArgs = { epochs: 6, batchSize: 4, shuffle: false, validationSplit: 0.25 };
  const th = await tm.fit(tf.tensor(X, [N, 6, 3]), tf.tensor(Y, yShape), fitArgs);
  m.compile({ optimizer: (p) => new lib.SGD(p, { lr: 0.2 }), loss });
  const epochs: number[] = [];
  const h = await m.fit(lib.tensor(X, [N, 6, 3]), lib.tensor(Y, yShape), { ...fitArgs, callbacks: { onEpochEnd: async (e, logs) => { epochs.push(e); assert.ok(logs.loss > 0); } } });
  return { th, h, tm, m, epochs };
}

const TRAIN: [string, LossName, ('tanh' | 'sigmoid' | 'softmax')?, boolean?][] = [
  ['meanSquaredError', 'meanSquaredError'],
  ['categoricalCrossentropy', 'categoricalCrossentropy'],
  ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'],
  ['binaryCrossentropy', 'binaryCrossentropy'],
  ['meanSquaredError on a softmax output (softmax backward)', 'meanSquaredError', 'softmax'],
  ['meanSquaredError through bidirectional, goBackwards and stacked layers', 'meanSquaredError', 'tanh', true],
  ['categoricalCrossentropy through bidirectional, goBackwards and stacked layers', 'categoricalCrossentropy', 'softmax', true],
];
for (const [name, loss, act, deep] of TRAIN) {
  test(`fit() with SGD, ${name}, follows TF.js: per-epoch loss, val_loss and final weights`, async () => {
    const { th, h, tm, m, epochs } = await trainBoth(loss, act, deep);
    assert.equal(epochs, [0, 1, 2, 3, 4, 5]);
    assert.equal(h.epoch, [0, 1, 2, 3, 4, 5]);
    for (const key of ['loss', 'val_loss']) {
      const a = th.history[key] as number[], b = h.history[key];
      assert.is(b.length, 6, key);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= 1e-5, `${key}[${i}]: ${b[i]} vs TF.js ${v}`));
    }
    assert.ok(h.history.loss[5] < h.history.loss[0], 'it learns');
    m.getWeights().forEach((w, i) => close(`final weight ${i}`, w, tm.getWeights()[i]));
  });
}

test('fit(): Adam, shuffling from manualSeed (reproducible), accuracy metric, evaluate, stopTraining', async () => {
  const run = async () => {
    lib.manualSeed(5);
    const m = sequential({ layers: [layers.lstm({ units: 8, inputShape: [5, 2] }), layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    lib.manualSeed(6);
    const x = lib.randn([40, 5, 2]);
    const y = lib.tensor(Array.from({ length: 40 }, (_, i) => i % 2));
    const h = await m.fit(x, y, { epochs: 4, batchSize: 8 });
    return { m, h, x, y };
  };
  const a = await run(), b = await run();
  assert.equal(a.h.history.loss, b.h.history.loss, 'same seed, same curve');
  assert.equal(Object.keys(a.h.history), ['loss', 'accuracy']);
  a.h.history.accuracy.forEach((v) => assert.ok(v >= 0 && v <= 1));
  const ev = a.m.evaluate(a.x, a.y) as lib.Tensor[];
  assert.is(ev.length, 2);
  const logits = a.m.predict(a.x);
  assert.equal(logits.shape, [40, 2]);
  let stopped = 0;
  const m = a.m;
  const h = await m.fit(a.x, a.y, { epochs: 10, callbacks: [{ onEpochEnd: () => { stopped++; if (stopped === 2) m.stopTraining = true; } }] });
  assert.is(h.epoch.length, 2, 'stopTraining ends fit');
});

test('trainable: false layers keep their weights through fit()', async () => {
  const m = sequential({ layers: [layers.simpleRNN({ units: 4, inputShape: [3, 2], trainable: false }), layers.dense({ units: 1 })] });
  const before = m.layers[0].getWeights().map((w) => Array.from(w.toFloat32Array()));
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  await m.fit(lib.randn([6, 3, 2]), lib.randn([6, 1]), { epochs: 2 });
  assert.equal(m.layers[0].getWeights().map((w) => Array.from(w.toFloat32Array())), before);
});

// ---- bad input ----
test('bad options, shapes, weights and losses are RnnErrors naming the argument', () => {
  rejects(() => layers.simpleRNN({ units: 0 }), 'units', '>= 1');
  rejects(() => layers.simpleRNN({ units: 3, activation: 'softplus' as never }), 'activation', "'tanh', 'relu'", '"softplus"');
  rejects(() => layers.lstm({ units: 3, recurrentActivation: 'relu' as never }), 'recurrentActivation', "'sigmoid'", "'hardSigmoid'");
  rejects(() => layers.gru({ units: 3, kernelSize: 3 } as never), 'gru options', 'unknown option "kernelSize"');
  rejects(() => layers.simpleRNN({ units: 3, stateful: true }), 'stateful');
  rejects(() => layers.simpleRNN({ units: 3, inputShape: [2, 0] }), 'inputShape');
  rejects(() => layers.dense({ units: 2, activation: 'elu' as never }), 'activation', '"elu"');
  rejects(() => layers.bidirectional({ layer: layers.dense({ units: 2 }) as never }), 'layer', 'recurrent layer');
  rejects(() => layers.bidirectional({ layer: layers.lstm({ units: 2 }), mergeMode: 'max' as never }), 'mergeMode');
  const unbuilt = sequential({ layers: [layers.simpleRNN({ units: 3 })] });
  rejects(() => unbuilt.summary(), 'summary', 'not been built');
  rejects(() => sequential({ layers: [layers.lstm({ units: 3, returnState: true, inputShape: [2, 3] })] }), 'one output', 'layer.apply');
  rejectsIf(true, () => sequential({ layers: [layers.dense({ units: 3, inputShape: [4] }), layers.simpleRNN({ units: 2 })] }), 'ndim=3', '(None, 3)');
  const m = sequential({ layers: [layers.simpleRNN({ units: 3, inputShape: [2, 4] }), layers.dense({ units: 2 })] });
  const z = lib.zeros([5, 2, 5]), k = lib.zeros([4, 3]), r = lib.zeros([3, 3]), b4 = lib.zeros([4]);
  rejects(() => m.predict(z), 'x', '(None, 2, 4)', '[5, 2, 5]');
  rejects(() => m.setWeights([k]), 'weights', 'expected 5 weights');
  rejects(() => m.layers[0].setWeights([k, r, b4]), 'weights[2]', 'shape [3]', '[4]');
  rejects(() => m.layers[0].setWeights([k, [[1, 2, 3]], [0, 0, 0]]), 'weights[1]', 'shape [3, 3]', '[1, 3]');
  rejects(() => m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' }), 'categoricalCrossentropy', "activation 'softmax'", 'dense');
  rejects(() => m.compile({ optimizer: 'rmsprop' as never, loss: 'mse' }), 'optimizer');
  rejects(() => m.compile({ optimizer: 'adam', loss: 'huber' }), 'loss');
  const c = sequential({ layers: [layers.simpleRNN({ units: 3, inputShape: [2, 4] }), layers.dense({ units: 2, activation: 'softmax' })] });
  c.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const z2 = lib.zeros([2, 2, 4]);
  rejectsIf(true, () => c.evaluate(z2, [[0.5, 0.5], [1, 0]]), 'one-hot');   // a check on the values: computed first
  rejects(() => layers.lstm({ units: 2 }).setWeights([]), 'setWeights', 'not been built');
});

test.run();
