// TF.js 4.22 with its Wasm backend (one thread) on bench/realtask.ts's two real tasks, built with
// the layers API as a TF.js user would:
// TF.js's Wasm backend has no kernel for an Embedding's gradient (`Kernel 'UnsortedSegmentSum' not
// registered for backend 'wasm'`), so the embedding is what it computes: a bias-free dense layer on
// one-hot characters (tf.oneHot, outside the timed model but inside the timed step).
//   names:  one-hot (padding → all zeros) → masking (the padded steps are skipped, so the final state
//           is each name's own last step, like wasm-rnn's `lengths`) → dense(E, no bias) → gru →
//           dense(2), softmax cross-entropy, Adam, the same data, split and batch order as wasm-rnn.
//           TF.js's GRU has only resetAfter=false (a different cell of the same cost).
//   charlm: one-hot → dense(E, no bias) → lstm → lstm → dense(V) as a functional model whose initial states are inputs
//           and final states outputs, so truncated BPTT carries them from chunk to chunk (detached);
//           gradients clipped by global norm with tf ops, then Adam.
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { TextStream, batches, loadMobyDick, loadNames, split } from '../../examples/data/npm.js';
import type { CharLMBenchConfig, NamesBenchConfig } from '../realtask.js';

export async function initTfWasm(): Promise<string> {
  tf.enableProdMode();
  setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend failed to initialise');
  await tf.ready();
  return `TF.js ${tf.version.tfjs} wasm (${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}, 1 thread)`;
}

export async function tfNames(c: NamesBenchConfig): Promise<{ epochSeconds: number[]; testAccuracy: number }> {
  const data = loadNames();
  const seqs = data.names.map((n) => data.vocab.encode(n));
  const sp = split(data.names.length, 0.2, c.seed);
  const V = data.vocab.size;
  // one-hot without the padding column: a padded step is all zeros, which the masking layer skips
  const oneHot = (b: { ids: number[]; B: number; T: number }) => tf.tidy(() => tf.oneHot(tf.tensor2d(b.ids, [b.B, b.T], 'int32'), V).slice([0, 0, 1], [b.B, b.T, V - 1]));
  const model = tf.sequential({ layers: [
    tf.layers.masking({ maskValue: 0, inputShape: [null as unknown as number, V - 1] }),
    tf.layers.dense({ units: c.embed, useBias: false }),
    c.cell === 'gru'
      ? tf.layers.gru({ units: c.hidden, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' })
      : tf.layers.lstm({ units: c.hidden, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }),
    tf.layers.dense({ units: 2 }),
  ] });
  const opt = tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
  const step = (b: ReturnType<typeof batches>[number]) => {
    const x = oneHot(b);
    const y = tf.oneHot(tf.tensor1d(b.labels, 'int32'), 2);
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true);
    loss!.dataSync();
    tf.dispose([x, y, loss!]);
  };
  for (const b of batches(seqs, data.labels, sp.train, c.batch, 999).slice(0, c.warm)) step(b);
  const epochSeconds: number[] = [];
  for (let e = 0; e < c.epochs; e++) {
    const all = batches(seqs, data.labels, sp.train, c.batch, c.seed * 1000 + e);
    const t0 = performance.now();
    for (const b of all) step(b);
    epochSeconds.push((performance.now() - t0) / 1000);
  }
  let correct = 0;
  for (const b of batches(seqs, data.labels, sp.test, 512, null)) {
    const right = tf.tidy(() => {
      const pred = (model.predict(oneHot(b)) as tf.Tensor).argMax(1);
      return pred.equal(tf.tensor1d(b.labels, 'int32')).sum().dataSync()[0];
    });
    correct += right;
  }
  model.dispose();
  return { epochSeconds, testAccuracy: correct / sp.test.length };
}

export async function tfCharLM(c: CharLMBenchConfig): Promise<{ seconds: number; steps: number; charsPerSecond: number; lastLoss: number }> {
  const { text, vocab } = loadMobyDick();
  const V = vocab.size, { batch: B, bptt: T, hidden: H, embed: E, layers: L } = c;
  const stream = new TextStream(vocab.encode(text), B, T);
  // the layers called eagerly (a functional model with initialState inputs does not run eagerly in TF.js 4.22)
  const embed = tf.layers.dense({ units: E, useBias: false });
  const lstms = Array.from({ length: L }, () => tf.layers.lstm({ units: H, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform' }));
  const head = tf.layers.dense({ units: V });
  const forward = (xt: tf.Tensor, st: tf.Tensor[]) => {
    let seq = embed.apply(xt) as tf.Tensor;
    const finals: tf.Tensor[] = [];
    lstms.forEach((lstm, l) => {
      const [o, h, cc] = lstm.apply(seq, { initialState: [st[2 * l], st[2 * l + 1]] }) as tf.Tensor[];
      seq = o;
      finals.push(h, cc);
    });
    return [head.apply(seq) as tf.Tensor, ...finals];
  };
  let state: tf.Tensor[] = Array.from({ length: 2 * L }, () => tf.zeros([B, H]));
  tf.tidy(() => { forward(tf.zeros([B, T, V]), state); }); // builds the weights
  const model = { dispose: () => { for (const l of [embed, ...lstms, head]) l.dispose(); } };
  const opt = tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
  const vars = [embed, ...lstms, head].flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));

  const step = (k: number): number => {
    const { x: xi, y: yi } = stream.chunk(k);
    const xt = tf.tidy(() => tf.oneHot(tf.tensor2d(xi, [B, T], 'int32'), V));
    const yt = tf.oneHot(tf.tensor1d(yi, 'int32'), V);
    let next: tf.Tensor[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const [lg, ...st] = forward(xt, state);
      next = st.map((s) => tf.keep(s));
      return tf.losses.softmaxCrossEntropy(yt, lg.reshape([B * T, V])) as tf.Scalar;
    }, vars);
    // clip by global norm (clipGradNorm / clip_grad_norm_), then Adam
    const clipped = tf.tidy(() => {
      const gs = vars.map((v) => grads[v.name]);
      const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(c.clip), tf.add(norm, 1e-6)));
      const out: Record<string, tf.Tensor> = {};
      vars.forEach((v, i) => { out[v.name] = tf.keep(tf.mul(gs[i], scale)); });
      return out;
    });
    opt.applyGradients(clipped as any); // a NamedTensorMap, which applyGradients takes (its .d.ts says NamedVariableMap)
    const l = value.dataSync()[0];
    tf.dispose([xt, yt, value, ...Object.values(grads), ...Object.values(clipped), ...state]);
    state = next;
    return l;
  };
  for (let k = 0; k < c.warm; k++) step(k);
  const t0 = performance.now();
  let last = 0;
  for (let k = c.warm; k < c.warm + c.steps; k++) last = step(k);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose(state);
  model.dispose();
  return { seconds, steps: c.steps, charsPerSecond: (B * T * c.steps) / seconds, lastLoss: last };
}
