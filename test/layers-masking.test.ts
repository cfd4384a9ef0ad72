// Keras masking and the whole-sequence layers (embedding, dropout, timeDistributed, flatten)
// against TF.js 4.22 itself (cpu backend) on the same random weights: predictions, layer outputs
// with returnState / initial states, a few fit() steps, summary() rows and loading TF.js's saved
// models. Inputs are padded index sequences: pre-padded (Keras padSequences' default),
// post-padded, zeros in the middle, a row of padding only, and a row without padding.
import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsEqual, lib, maxDiff, rejects } from './helpers.js';

const { layers, sequential, RnnError } = lib;
await tf.setBackend('cpu');

const TOL = 1e-5;
let seed = 7;
/** uniform in (−0.7, 0.7), a fixed LCG so every run sees the same numbers */
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return ((seed / 2 ** 32) * 2 - 1) * 0.7; };
const arr = (shape: number[]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd);
const sig = { recurrentActivation: 'sigmoid' as const };   // TF.js defaults to hardSigmoid; Keras (and wasm-rnn) use sigmoid

// vocabulary 9 (index 0 = padding), T = 6
const V = 9;
const X = [
  [0, 0, 3, 1, 2, 8],     // pre-padded
  [4, 2, 7, 1, 0, 0],     // post-padded
  [5, 0, 2, 0, 0, 1],     // zeros in the middle
  [0, 0, 0, 0, 0, 0],     // padding only
  [1, 2, 3, 4, 5, 6],     // no padding
  [0, 6, 0, 0, 0, 0],     // one step
];
const [B, T] = [X.length, X[0].length];

function close(name: string, ours: lib.Tensor, ref: tf.Tensor, tol = TOL): void {
  assert.equal(ours.shape, ref.shape, `${name}: shape`);
  const { err } = maxDiff(ours.toFloat32Array(), ref.dataSync());
  assert.ok(err <= tol, `${name}: max |diff| ${err} > ${tol}`);
}


/** Random weights into a TF.js model; the same values for ours. */
function randomWeights(tm: tf.LayersModel): Float32Array[] {
  const ws = tm.getWeights().map((w) => arr(w.shape));
  tm.setWeights(ws.map((a, i) => tf.tensor(a, tm.getWeights()[i].shape)));
  return ws;
}

/** TF.js summary rows: [output shape, params] per layer. */
function tfRows(tm: tf.LayersModel): [string, number][] {
  const rows: [string, number][] = [];
  tm.summary(200, [60, 110, 160, 200], (line: string) => {
    const m = /^(\S+) \((\w+)\)\s+\[.*?\]\]?\s+(\[[^\]]*\](?:,\[[^\]]*\])*)\s+(\d+)\s*$/.exec(line.trim());
    if (m) rows.push([m[3], Number(m[4])]);
  });
  return rows;
}

/** Our summary rows parsed back: [output shape as TF.js prints it, params]. */
function ourRows(m: lib.KerasSequential): [string, number][] {
  const lines = m.summary(200, [100, 160, 200], () => {}).split('\n');
  const rows: [string, number][] = [];
  for (const line of lines) {
    const r = /^ \S+ \(\w+\)\s+(\(.*?\))\s+(\d+)\s*$/.exec(line);
    if (r) rows.push([r[1].replace(/None/g, 'null').replace(/[()\s]/g, '').replace(/,$/, '').replace(/^/, '[') + ']', Number(r[2])]);
  }
  return rows;
}

/** A TF.js model and ours with the same layers: same weights, outputs, summary rows. */
function sameModel(name: string, tfLayers: () => tf.layers.Layer[], ours: () => lib.Layer[], x: number[][] = X) {
  test(`TF.js parity: ${name}`, () => {
    const tm = tf.sequential({ layers: tfLayers() });
    const ws = randomWeights(tm);
    const m = sequential({ layers: ours() });
    assert.is(m.countParams(), tm.countParams(), 'countParams');
    assert.equal(m.getWeights().map((w) => w.shape), tm.getWeights().map((w) => w.shape), 'weight shapes');
    m.setWeights(ws);
    const xb = x.length, xt = x[0].length;
    close(name, m.predict(x), tm.predict(tf.tensor(x.flat(), [xb, xt])) as tf.Tensor);
    assert.equal(ourRows(m), tfRows(tm), 'summary rows (output shape, params)');
    // every row alone gives the bits it has in the batch
    const all = m.predict(x).toFloat32Array(), per = all.length / xb;
    for (let b = 0; b < xb; b++) bitsEqual(m.predict([x[b]]).toFloat32Array(), all.slice(b * per, (b + 1) * per), `${name} row ${b} alone`);
  });
}

const emb = (o = {}) => ({ inputDim: V, outputDim: 4, maskZero: true, inputLength: T, ...o });

// ---- recurrent layers after embedding(maskZero) ----
for (const rs of [false, true]) {
  for (const gb of [false, true]) {
    const o = { returnSequences: rs, goBackwards: gb };
    sameModel(`embedding(maskZero) → lstm ${JSON.stringify(o)}`,
      () => [tf.layers.embedding(emb()), tf.layers.lstm({ units: 5, ...sig, ...o })],
      () => [layers.embedding(emb()), layers.lstm({ units: 5, ...o })]);
    sameModel(`embedding(maskZero) → gru ${JSON.stringify(o)}`,
      () => [tf.layers.embedding(emb()), tf.layers.gru({ units: 3, ...sig, ...o })],
      () => [layers.embedding(emb()), layers.gru({ units: 3, resetAfter: false, ...o })]);
    sameModel(`embedding(maskZero) → simpleRNN ${JSON.stringify(o)}`,
      () => [tf.layers.embedding(emb()), tf.layers.simpleRNN({ units: 6, ...o })],
      () => [layers.embedding(emb()), layers.simpleRNN({ units: 6, ...o })]);
  }
}
sameModel('embedding(maskZero) → lstm with TF.js default gates (hardSigmoid)',
  () => [tf.layers.embedding(emb()), tf.layers.lstm({ units: 5, returnSequences: true })],
  () => [layers.embedding(emb()), layers.lstm({ units: 5, recurrentActivation: 'hardSigmoid', returnSequences: true })]);
for (const mode of ['concat', 'sum', 'mul', 'ave'] as const) {
  for (const rs of [false, true]) {
    sameModel(`embedding(maskZero) → bidirectional(lstm) mergeMode ${mode}, returnSequences ${rs}`,
      () => [tf.layers.embedding(emb()), tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, ...sig, returnSequences: rs }) as tf.RNN, mergeMode: mode })],
      () => [layers.embedding(emb()), layers.bidirectional({ layer: layers.lstm({ units: 4, returnSequences: rs }), mergeMode: mode })]);
  }
}
sameModel('embedding(maskZero) → bidirectional(gru, goBackwards) → bidirectional(simpleRNN)',
  () => [tf.layers.embedding(emb()), tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, ...sig, returnSequences: true, goBackwards: true }) as tf.RNN }),
    tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 2 }) as tf.RNN, mergeMode: 'sum' })],
  () => [layers.embedding(emb()), layers.bidirectional({ layer: layers.gru({ units: 3, resetAfter: false, returnSequences: true, goBackwards: true }) }),
    layers.bidirectional({ layer: layers.simpleRNN({ units: 2 }), mergeMode: 'sum' })]);
// the mask passes through Dense, Dropout and TimeDistributed to the next recurrent layer
sameModel('embedding → lstm(seq) → dropout → timeDistributed(dense) → dense → gru → dropout → dense(softmax)',
  () => [tf.layers.embedding(emb({ outputDim: 5 })), tf.layers.lstm({ units: 4, ...sig, returnSequences: true }), tf.layers.dropout({ rate: 0.5 }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh' }) }), tf.layers.dense({ units: 4 }),
    tf.layers.gru({ units: 3, ...sig }), tf.layers.dropout({ rate: 0.3 }), tf.layers.dense({ units: 2, activation: 'softmax' })],
  () => [layers.embedding(emb({ outputDim: 5 })), layers.lstm({ units: 4, returnSequences: true }), layers.dropout({ rate: 0.5 }),
    layers.timeDistributed({ layer: layers.dense({ units: 3, activation: 'tanh' }) }), layers.dense({ units: 4 }),
    layers.gru({ units: 3, resetAfter: false }), layers.dropout({ rate: 0.3 }), layers.dense({ units: 2, activation: 'softmax' })]);
sameModel('embedding without maskZero → flatten → dense (no mask: padding is an ordinary index)',
  () => [tf.layers.embedding(emb({ maskZero: false })), tf.layers.flatten(), tf.layers.dense({ units: 3 })],
  () => [layers.embedding(emb({ maskZero: false })), layers.flatten(), layers.dense({ units: 3 })]);
sameModel('embedding(maskZero) → flatten (drops the mask) → dense',
  () => [tf.layers.embedding(emb()), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'sigmoid' })],
  () => [layers.embedding(emb()), layers.flatten(), layers.dense({ units: 2, activation: 'sigmoid' })]);
sameModel('embedding without inputLength → lstm (any T)',
  () => [tf.layers.embedding({ inputDim: V, outputDim: 3, maskZero: true }), tf.layers.lstm({ units: 3, ...sig, returnSequences: true })],
  () => [layers.embedding({ inputDim: V, outputDim: 3, maskZero: true }), layers.lstm({ units: 3, returnSequences: true })]);
sameModel('embedding without a mask → timeDistributed(dense softmax)',
  () => [tf.layers.embedding(emb({ maskZero: false })), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 5, activation: 'softmax' }) })],
  () => [layers.embedding(emb({ maskZero: false })), layers.timeDistributed({ layer: layers.dense({ units: 5, activation: 'softmax' }) })]);

// ---- layer.apply with a mask: returnState, initial states ----
test('TF.js parity: layer.apply(x, { mask }) with returnState and initialState, lstm / gru / bidirectional', () => {
  const F = 3, H = 4;
  const x = arr([B, T, F]);
  const maskRows = X.map((r) => r.map((v) => (v ? 1 : 0)));
  const tmask = tf.tensor(maskRows.flat(), [B, T], 'bool');
  const h0 = arr([B, H]), c0 = arr([B, H]), h1 = arr([B, H]), c1 = arr([B, H]);
  const cases: [string, () => tf.layers.Layer, () => lib.Layer, number][] = [
    ['lstm returnSequences returnState', () => tf.layers.lstm({ units: H, ...sig, returnSequences: true, returnState: true }), () => layers.lstm({ units: H, returnSequences: true, returnState: true }), 2],
    ['lstm goBackwards returnState', () => tf.layers.lstm({ units: H, ...sig, goBackwards: true, returnState: true }), () => layers.lstm({ units: H, goBackwards: true, returnState: true }), 2],
    ['gru returnState', () => tf.layers.gru({ units: H, ...sig, returnState: true, returnSequences: true }), () => layers.gru({ units: H, resetAfter: false, returnState: true, returnSequences: true }), 1],
    ['bidirectional(lstm) returnState', () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: H, ...sig, returnSequences: true, returnState: true }) as tf.RNN }),
      () => layers.bidirectional({ layer: layers.lstm({ units: H, returnSequences: true, returnState: true }) }), 4],
    ['bidirectional(gru, goBackwards) returnState, mergeMode null', () => tf.layers.bidirectional({ layer: tf.layers.gru({ units: H, ...sig, returnSequences: true, returnState: true, goBackwards: true }) as tf.RNN, mergeMode: null as unknown as 'concat' }),
      () => layers.bidirectional({ layer: layers.gru({ units: H, resetAfter: false, returnSequences: true, returnState: true, goBackwards: true }), mergeMode: null }), 2],
  ];
  for (const [name, mk, mine, nStates] of cases) {
    for (const withInit of [false, true]) {
      const tl = mk();
      tl.apply(tf.tensor(x, [B, T, F]));
      const ws = tl.getWeights().map((w) => arr(w.shape));
      tl.setWeights(ws.map((a, i) => tf.tensor(a, tl.getWeights()[i].shape)));
      const states = [h0, c0, h1, c1].slice(0, nStates);
      const tInit = withInit ? states.map((s) => tf.tensor(s, [B, H])) : undefined;
      const ty = tl.apply(tf.tensor(x, [B, T, F]), { mask: tmask, ...(tInit ? { initialState: tInit } : {}) }) as tf.Tensor[];
      const ol = mine();
      ol.build([null, T, F]);
      ol.setWeights(ws);
      const oy = ol.apply(lib.tensor(x, [B, T, F]), { mask: maskRows, ...(withInit ? { initialState: states.map((s) => lib.tensor(s, [B, H])) } : {}) }) as lib.Tensor[];
      assert.is(oy.length, ty.length, `${name}: outputs`);
      ty.forEach((t, i) => close(`${name}${withInit ? ' initialState' : ''} output ${i}`, oy[i], t));
    }
  }
});

// ---- training: gradients through the embedding and the masked recurrence ----
for (const opt of ['sgd', 'adam'] as const) {
  test(`TF.js parity: fit() with ${opt} on padded sequences (embedding(maskZero) → bidirectional(lstm) → timeDistributed(dense) → gru → dense softmax)`, async () => {
    const mk = () => [tf.layers.embedding(emb()), tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, ...sig, returnSequences: true }) as tf.RNN }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3 }) }), tf.layers.gru({ units: 4, ...sig }), tf.layers.dense({ units: 3, activation: 'softmax' })];
    const tm = tf.sequential({ layers: mk() });
    const ws = randomWeights(tm);
    const y = [0, 2, 1, 1, 0, 2];
    const lr = opt === 'sgd' ? 0.5 : 0.01;
    tm.compile({ optimizer: opt === 'sgd' ? tf.train.sgd(lr) : tf.train.adam(lr), loss: 'sparseCategoricalCrossentropy' });
    const th = await tm.fit(tf.tensor(X.flat(), [B, T]), tf.tensor(y, [B, 1]), { epochs: 4, batchSize: B, shuffle: false, verbose: 0 });
    const m = sequential({ layers: [layers.embedding(emb()), layers.bidirectional({ layer: layers.lstm({ units: 3, returnSequences: true }) }),
      layers.timeDistributed({ layer: layers.dense({ units: 3 }) }), layers.gru({ units: 4, resetAfter: false }), layers.dense({ units: 3, activation: 'softmax' })] });
    m.setWeights(ws);
    m.compile({ optimizer: (p) => (opt === 'sgd' ? new lib.SGD(p, { lr }) : new lib.Adam(p, { lr, eps: 1e-7 })), loss: 'sparseCategoricalCrossentropy' });
    const h = await m.fit(X, y, { epochs: 4, batchSize: B, shuffle: false });
    const tl = th.history.loss as number[];
    h.history.loss.forEach((l, i) => assert.ok(Math.abs(l - tl[i]) < 1e-5, `epoch ${i} loss ${l} vs TF.js ${tl[i]}`));
    assert.ok(tl[3] < tl[0] - 0.02, `the loss falls (${tl[0]} → ${tl[3]})`);
    const tw = tm.getWeights();
    m.getWeights().forEach((w, i) => close(`weight ${i} (${tm.weights[i].name}) after fit`, w, tw[i]));
    // the padding row of the embedding gets no gradient: masked steps never reach the loss
    assert.equal(Array.from(m.getWeights()[0].toFloat32Array().slice(0, 4)), Array.from(ws[0].slice(0, 4)));
  });
}

// ---- dropout ----
test('dropout: identity at inference, inverted dropout in training (seeded, noiseShape broadcast, gradient = mask)', () => {
  const l = layers.dropout({ rate: 0.25, inputShape: [50, 40] });
  const x = lib.tensor(arr([2, 50, 40]), [2, 50, 40], { requiresGrad: true });
  bitsEqual((l.apply(x) as lib.Tensor).toFloat32Array(), x.toFloat32Array(), 'inference output');
  lib.manualSeed(3);
  const y = l.apply(x, { training: true }) as lib.Tensor;
  const xv = x.toFloat32Array(), yv = y.toFloat32Array();
  let zeros = 0;
  for (let i = 0; i < xv.length; i++) {
    if (yv[i] === 0) zeros++;
    else assert.ok(Math.abs(yv[i] - xv[i] / 0.75) <= 1e-6 * Math.abs(xv[i]) + 1e-7, `kept value ${i} scaled by 1/(1 − rate)`);
  }
  assert.ok(Math.abs(zeros / xv.length - 0.25) < 0.02, `dropped fraction ${zeros / xv.length}`);
  lib.manualSeed(3);
  bitsEqual((l.apply(x, { training: true }) as lib.Tensor).toFloat32Array(), yv, 'same seed, same mask');
  y.sum().backward();
  const g = x.grad!.toFloat32Array();
  for (let i = 0; i < g.length; i++) assert.is(g[i] === 0, yv[i] === 0 && xv[i] !== 0, `gradient ${i} is the mask`);
  // noiseShape [null, 1, 40]: one mask per (batch, feature), the same for every timestep
  const ln = layers.dropout({ rate: 0.5, noiseShape: [null, 1, 40] });
  const yn = (ln.apply(lib.ones([2, 50, 40]), { training: true }) as lib.Tensor).toFloat32Array();
  for (let b = 0; b < 2; b++) for (let t = 1; t < 50; t++) for (let f = 0; f < 40; f++) assert.is(yn[(b * 50 + t) * 40 + f], yn[b * 50 * 40 + f]);
  assert.ok(new Set(yn).size === 2, 'values 0 and 2');
  rejects(() => layers.dropout({ rate: 1 }), 'rate', '[0, 1)');
  const ones = lib.ones([2, 50, 40]);
  rejects(() => layers.dropout({ rate: 0.5, noiseShape: [null, 3, 40] }).apply(ones), 'noiseShape');
});

test('dropout in fit(): active (the loss differs from the dropout-free model), reproducible with manualSeed; predict is unaffected', async () => {
  const mk = (rate: number) => {
    lib.manualSeed(11);
    const m = sequential({ layers: [layers.embedding(emb()), layers.lstm({ units: 4 }), layers.dropout({ rate }), layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    return m;
  };
  const y = [0, 1, 1, 0, 1, 0];
  const [a, b, c] = [mk(0.5), mk(0.5), mk(0)];
  bitsEqual(a.predict(X).toFloat32Array(), c.predict(X).toFloat32Array(), 'predict ignores dropout');
  const run = async (m: lib.KerasSequential) => { lib.manualSeed(5); return (await m.fit(X, y, { epochs: 2, batchSize: 3 })).history.loss; };
  const [la, lb, lc] = [await run(a), await run(b), await run(c)];
  assert.equal(la, lb, 'same seed, same losses');
  assert.ok(la[0] !== lc[0], `dropout changes the training loss (${la[0]} vs ${lc[0]})`);
});

// ---- summary ----
test("summary(): Keras's table for embedding, dropout, timeDistributed, flatten", () => {
  lib.clearSession();
  const m = sequential({ layers: [
    layers.embedding({ inputDim: 1000, outputDim: 64, maskZero: true, inputLength: 20 }),
    layers.bidirectional({ layer: layers.lstm({ units: 32, returnSequences: true }) }),
    layers.dropout({ rate: 0.2 }),
    layers.timeDistributed({ layer: layers.dense({ units: 8, activation: 'relu' }) }),
    layers.flatten(),
    layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  const text = m.summary(undefined, undefined, () => {});
  assert.equal(text.split('\n'), [
    'Model: "sequential"',
    '_________________________________________________________________',
    ' Layer (type)                Output Shape              Param #   ',
    '=================================================================',
    ' embedding (Embedding)       (None, 20, 64)            64000     ',
    '                                                                 ',
    ' bidirectional (Bidirectiona  (None, 20, 64)           24832     ',
    ' l)                                                              ',
    '                                                                 ',
    ' dropout (Dropout)           (None, 20, 64)            0         ',
    '                                                                 ',
    ' time_distributed (TimeDistr  (None, 20, 8)            520       ',
    ' ibuted)                                                         ',
    '                                                                 ',
    ' flatten (Flatten)           (None, 160)               0         ',
    '                                                                 ',
    ' dense_1 (Dense)             (None, 1)                 161       ',
    '                                                                 ',
    '=================================================================',
    'Total params: 89,513',
    'Trainable params: 89,513',
    'Non-trainable params: 0',
    '_________________________________________________________________',
  ]);
});

// ---- loading TF.js models with these layers ----
test('TF.js model.save() with embedding, dropout, timeDistributed, flatten → loadLayersModelFromJSON predicts the same', async () => {
  for (const mk of [
    () => [tf.layers.embedding(emb()), tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as tf.RNN }), tf.layers.dropout({ rate: 0.5 }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: 'relu' }) }), tf.layers.gru({ units: 3 }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    () => [tf.layers.embedding(emb({ maskZero: false })), tf.layers.flatten(), tf.layers.dropout({ rate: 0.1, noiseShape: [null, 1] as unknown as number[] }), tf.layers.dense({ units: 3 })],
  ]) {
    const tm = tf.sequential({ layers: mk() });
    randomWeights(tm);
    let art: tf.io.ModelArtifacts | null = null;
    await tm.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const a = art! as tf.io.ModelArtifacts & { weightData: ArrayBuffer };
    const json = JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }] });
    const m = lib.loadLayersModelFromJSON(json, a.weightData);
    assert.equal(m.layers.map((l) => l.className), tm.layers.map((l) => l.getClassName()));
    assert.is(m.countParams(), tm.countParams());
    close('loaded model', m.predict(X), tm.predict(tf.tensor(X.flat(), [B, T])) as tf.Tensor);
  }
});

test('a Keras-converter model.json (model_config, an int32 InputLayer, Keras weight names) with an Embedding loads', async () => {
  const tm = tf.sequential({ layers: [tf.layers.embedding(emb()), tf.layers.lstm({ units: 3, ...sig, returnSequences: true }),
    tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'softmax' }) })] });
  randomWeights(tm);
  let art: tf.io.ModelArtifacts | null = null;
  await tm.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const a = art! as tf.io.ModelArtifacts & { weightData: ArrayBuffer };
  const topo = JSON.parse(JSON.stringify(a.modelTopology));
  const ls = topo.config.layers;
  delete ls[0].config.batch_input_shape;
  ls.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, T], dtype: 'int32', sparse: false, ragged: false, name: 'embedding_input' } });
  const names = ['embedding/embeddings', 'lstm/lstm_cell/kernel', 'lstm/lstm_cell/recurrent_kernel', 'lstm/lstm_cell/bias', 'time_distributed/kernel', 'time_distributed/bias'];
  const specs = a.weightSpecs!.map((w, i) => ({ ...w, name: names[i] }));
  const json = { format: 'layers-model', generatedBy: 'keras v2.9.0', convertedBy: 'TensorFlow.js Converter v3.18.0',
    modelTopology: { keras_version: '2.9.0', backend: 'tensorflow', model_config: topo }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }] };
  const m = lib.loadLayersModelFromJSON(json, a.weightData);
  close('Keras-converter model', m.predict(X), tm.predict(tf.tensor(X.flat(), [B, T])) as tf.Tensor);
  // integer inputs feed only an Embedding
  const bad = JSON.parse(JSON.stringify(json));
  bad.modelTopology.model_config.config.layers.splice(1, 1);
  bad.weightsManifest[0].weights = specs.slice(1);
  rejects(() => lib.loadLayersModelFromJSON(bad, a.weightData.slice(V * 4 * 4)), 'layers[0].config.dtype', 'Embedding', 'LSTM');
});

// ---- the API around masks ----
test('embedding: computeMask, weights, init, any-rank indices', () => {
  const l = layers.embedding({ inputDim: V, outputDim: 3, maskZero: true });
  assert.equal(l.computeMask(X)!.toArray(), X.map((r) => r.map((v) => (v ? 1 : 0))));
  assert.is(layers.embedding({ inputDim: V, outputDim: 3 }).computeMask(X), null);
  assert.equal(l.weightShapes(), [[V, 3]]);
  assert.equal(l.outputShape, [null, null, 3]);
  const w = l.getWeights()[0].toFloat32Array();
  assert.ok(w.every((v) => v >= -0.05 && v < 0.05) && new Set(w).size > 20, 'uniform(−0.05, 0.05)');
  const z = layers.embedding({ inputDim: 4, outputDim: 2, embeddingsInitializer: 'zeros', inputShape: [2, 3] });
  z.build([null, 2, 3]);
  z.setWeights([[[0, 1], [2, 3], [4, 5], [6, 7]]]);
  assert.equal((z.apply([[[1, 3, 0], [2, 2, 1]]]) as lib.Tensor).toArray(), [[[[2, 3], [6, 7], [0, 1]], [[4, 5], [4, 5], [2, 3]]]]);
  // without inputLength the time may vary; build() may fix it
  const mv = sequential({ layers: [layers.embedding({ inputDim: V, outputDim: 3, maskZero: true }), layers.gru({ units: 2 })] });
  assert.equal(mv.predict(X).shape, [B, 2]);
  assert.equal(mv.predict([[1, 2, 0, 0]]).shape, [1, 2]);
  mv.build([null, 4]);
  assert.equal(mv.inputShape, [null, 4]);
  // the gradient of repeated indices adds up
  const e = layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3 });
  const y = e.apply([[1, 1, 3]]) as lib.Tensor;
  y.mul(lib.tensor([[[1, 2], [3, 4], [5, 6]]])).sum().backward();
  assert.equal(e.module.parameters()[0].grad!.toArray(), [[0, 0], [4, 6], [0, 0], [5, 6]]);
});

test('errors: out-of-range and non-integer indices, bad masks, bad options — RnnError before any Wasm memory is touched', () => {
  const m = sequential({ layers: [layers.embedding(emb()), layers.lstm({ units: 2 })] });
  m.predict(X);
  rejects(() => m.predict([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 9]]), 'x[1][5]', '[0, 8]', '9');
  rejects(() => m.predict([[1, 2, -1, 4, 5, 6]]), 'x[0][2]', '-1');
  rejects(() => m.predict([[1, 2, 1.5, 4, 5, 6]]), 'x[0][2]', '1.5');
  const bad = lib.tensor([[1, 2, 3, 4, 5, 6], [1, 2, 3, 10, 5, 6]]);
  rejects(() => m.predict(bad), 'x[1][3]', '10');
  rejects(() => m.layers[0].apply(bad), 'x[1][3]', '10');
  rejects(() => m.predict([[1, 2, 3]]), 'shape (None, 6)', '[1, 3]');
  const l = layers.lstm({ units: 2 });
  l.build([null, T, 3]);
  const x = lib.tensor(arr([B, T, 3]), [B, T, 3]);
  rejects(() => l.apply(x, { mask: [[1, 0]] }), 'mask', 'shape [6, 6]');
  rejects(() => l.apply(x, { mask: 'no' as never }), 'mask');
  rejects(() => l.apply(x, { maks: [] } as never), 'unknown option', 'maks');
  rejects(() => layers.embedding({ inputDim: 0, outputDim: 2 }), 'inputDim');
  rejects(() => layers.embedding({ inputDim: 3, outputDim: 2, embeddingsInitializer: 'orthogonal' as never }), 'embeddingsInitializer');
  rejects(() => layers.timeDistributed({ layer: layers.lstm({ units: 2 }) as never }), 'layer', 'dense');
  rejects(() => sequential({ layers: [layers.embedding({ inputDim: 3, outputDim: 2 }), layers.flatten()] }), 'flatten', 'fixed');
});

test.run();
