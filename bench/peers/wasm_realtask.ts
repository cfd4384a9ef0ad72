// wasm-rnn on bench/realtask.ts's two real tasks, with the examples' own models and loops.
import { Adam, crossEntropy, init, manualSeed } from '../../dist/index.js';
import { TextStream, batches, loadMobyDick, loadNames, split } from '../../examples/data/npm.js';
import { NameClassifier, charLM } from '../../examples/models.js';
import { evaluate, oneHot, trainCharLM } from '../../examples/train.js';
import type { CharLMBenchConfig, NamesBenchConfig } from '../realtask.js';

export async function wasmVersion(): Promise<string> {
  await init();
  return 'wasm-rnn (Wasm SIMD, 1 thread)';
}

/** Training epochs timed alone (forward, cross-entropy, backward, Adam: what PyTorch's loop does). */
export function wasmNames(c: NamesBenchConfig): { epochSeconds: number[]; testAccuracy: number } {
  manualSeed(c.seed);
  const data = loadNames();
  const seqs = data.names.map((n) => data.vocab.encode(n));
  const sp = split(data.names.length, 0.2, c.seed);
  const model = new NameClassifier({ vocab: data.vocab, embed: c.embed, hidden: c.hidden, cell: c.cell });
  const opt = new Adam(model.parameters(), { lr: c.lr });
  const step = (b: ReturnType<typeof batches>[number]) => {
    const loss = crossEntropy(model.logits(b), b.labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    loss.item();
  };
  for (const b of batches(seqs, data.labels, sp.train, c.batch, 999).slice(0, c.warm)) step(b);
  const epochSeconds: number[] = [];
  for (let e = 0; e < c.epochs; e++) {
    const all = batches(seqs, data.labels, sp.train, c.batch, c.seed * 1000 + e);
    const t0 = performance.now();
    for (const b of all) step(b);
    epochSeconds.push((performance.now() - t0) / 1000);
  }
  const eye = oneHot(2);
  const t = evaluate(model, eye, seqs, data.labels, sp.test);
  return { epochSeconds, testAccuracy: t.accuracy };
}

export function wasmCharLM(c: CharLMBenchConfig): { seconds: number; steps: number; charsPerSecond: number; lastLoss: number } {
  manualSeed(c.seed);
  const { text, vocab } = loadMobyDick();
  const stream = new TextStream(vocab.encode(text), c.batch, c.bptt);
  const model = charLM({ vocabSize: vocab.size, embed: c.embed, hidden: c.hidden, layers: c.layers });
  const opt = new Adam(model.parameters(), { lr: c.lr });
  const run = trainCharLM(model, opt, stream, { clip: c.clip, steps: c.warm + c.steps });
  for (let k = 0; k < c.warm; k++) run.next();
  const t0 = performance.now();
  let last = 0;
  for (const ev of run) last = ev.loss;
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, steps: c.steps, charsPerSecond: (c.batch * c.bptt * c.steps) / seconds, lastLoss: last };
}
