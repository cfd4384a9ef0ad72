// Int8 accuracy on models trained here (a sequence classifier and a character-level language
// model): quantize() keeps classification accuracy within 1 point and language-model loss within
// 2% of the f32 model. Both models train in about a second, from the library's seeded generator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const { tensor, randn, manualSeed, quantize, noGrad, crossEntropy, Adam } = lib;

class Classifier extends lib.Module {
  rnn = new lib.LSTM(6, 32, { batchFirst: true });
  fc = new lib.Linear(32, 4);
  override forward(x: lib.Tensor): lib.Tensor {
    const [, [h]] = this.rnn.forward(x);
    return this.fc.forward(h.select(0, 0));
  }
}

/** Label: which of the first 4 features has the largest sum over the second half of the sequence. */
function labels(x: Float32Array, B: number, T: number, I: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    const s = [0, 0, 0, 0];
    for (let t = T >> 1; t < T; t++) for (let f = 0; f < 4; f++) s[f] += x[(b * T + t) * I + f];
    out.push(s.indexOf(Math.max(...s)));
  }
  return out;
}

const accuracy = (logits: lib.Tensor, y: number[]) => Array.from(logits.argmax(-1).toFloat32Array()).filter((p, i) => p === y[i]).length / y.length;

test('a trained LSTM classifier: int8 accuracy within 1 point of f32', () => {
  manualSeed(31);
  const T = 10, I = 6, B = 64;
  const model = new Classifier();
  const opt = new Adam(model.parameters(), { lr: 0.02 });
  for (let step = 0; step < 150; step++) {
    const x = randn([B, T, I]);
    const loss = crossEntropy(model.forward(x), labels(x.toFloat32Array(), B, T, I));
    opt.zeroGrad(); loss.backward(); opt.step();
  }
  const N = 2000;
  const xt = randn([N, T, I]);
  const yt = labels(xt.toFloat32Array(), N, T, I);
  model.eval();
  const accF = accuracy(noGrad(() => model.forward(xt)), yt);
  const q = quantize(model, { dtype: 'int8' });
  const accQ = accuracy(q.forward(xt), yt);
  console.log(`  classifier accuracy on ${N} held-out sequences: f32 ${(100 * accF).toFixed(2)}%, int8 ${(100 * accQ).toFixed(2)}%`);
  assert.ok(accF > 0.7, `the f32 model learned the task (accuracy ${accF})`);
  assert.ok(Math.abs(accQ - accF) <= 0.01, `int8 accuracy ${accQ} vs f32 ${accF}`);
});

const TEXT = 'the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ' +
  'all that glitters is not gold. the early bird catches the worm. ';

class CharLM extends lib.Module {
  rnn = new lib.LSTM(28, 64);
  head = new lib.Linear(64, 28);
  override forward(x: lib.Tensor): lib.Tensor {
    const [out] = this.rnn.forward(x);
    return this.head.forward(out);
  }
}

test('a trained character-level LSTM language model: int8 loss within 2% of f32', () => {
  manualSeed(32);
  const chars = [...new Set(TEXT)].sort();
  const V = 28;
  assert.ok(chars.length <= V);
  const ids = [...TEXT].map((c) => chars.indexOf(c));
  const oneHot = (seq: number[][]) => {   // seq: B sequences of T ids → (T, B, V)
    const T = seq[0].length, B = seq.length, a = new Float32Array(T * B * V);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) a[(t * B + b) * V + seq[b][t]] = 1;
    return tensor(a, [T, B, V]);
  };
  const model = new CharLM();
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const T = 24, B = 16;
  const STEPS = 100;
  const starts = lib.rand([STEPS * B]).toFloat32Array();
  for (let step = 0; step < STEPS; step++) {
    const seqs = Array.from({ length: B }, (_, b) => {
      const s = Math.floor(starts[step * B + b] * (ids.length - T - 1));
      return ids.slice(s, s + T + 1);
    });
    const x = oneHot(seqs.map((s) => s.slice(0, T)));
    const y = Array.from({ length: T * B }, (_, i) => seqs[i % B][Math.floor(i / B) + 1]);   // (T, B) order
    const loss = crossEntropy(model.forward(x).reshape(T * B, V), y);
    opt.zeroGrad(); loss.backward(); opt.step();
  }
  // evaluate on the whole text, one sequence
  const x = oneHot([ids.slice(0, -1)]);
  const y = ids.slice(1);
  model.eval();
  const lossF = noGrad(() => crossEntropy(model.forward(x).reshape(y.length, V), y)).item();
  const q = quantize(model, { dtype: 'int8' });
  const lossQ = crossEntropy(q.forward(x).reshape(y.length, V), y).item();
  console.log(`  char LM loss on the text: f32 ${lossF.toFixed(4)}, int8 ${lossQ.toFixed(4)} (${(100 * (lossQ / lossF - 1)).toFixed(2)}%)`);
  assert.ok(lossF < 2.0, `the f32 model learned from the text (loss ${lossF}; uniform is ${Math.log(chars.length).toFixed(2)})`);
  assert.ok(Math.abs(lossQ - lossF) <= 0.02 * lossF, `int8 loss ${lossQ} vs f32 ${lossF}`);
});

test.run();
