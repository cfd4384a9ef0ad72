// The playground's name-classifier worker: loads names.json (the npm data sets, built by
// scripts/build-web.mjs), trains examples/models.ts's NameClassifier with the same loop as the
// terminal program (examples/train.ts), posts progress and plot points, and classifies whatever
// the page sends, between two training steps.
import { init, manualSeed } from '../../dist/index.js';
import { GENDERS, namesDataset, split, type NamesData } from '../data/index.js';
import { NameClassifier } from '../models.js';
import { classify, evaluate, oneHot, trainNames } from '../train.js';

export interface TrainRequest { type: 'train'; epochs: number; batchSize: number; lr: number; seed: number; pointsPerEpoch: number }
export interface ClassifyRequest { type: 'classify'; id: number; text: string }
export type NamesWorkerIn = TrainRequest | ClassifyRequest;
export type NamesWorkerOut =
  | { type: 'ready'; names: number; ambiguous: number; train: number; test: number; vocab: number }
  | { type: 'model'; repr: string; params: number }
  | { type: 'progress'; epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; ms: number }
  | { type: 'point'; x: number; trainLoss: number; trainAccuracy: number; testLoss: number; testAccuracy: number }
  | { type: 'epoch'; epoch: number; testAccuracy: number; testLoss: number; confusion: number[][] }
  | { type: 'done'; testAccuracy: number; trainMs: number; ms: number; confusion: number[][] }
  | { type: 'probs'; id: number; text: string; probs: number[]; pred: number; classes: string[] }
  | { type: 'error'; message: string };

const post = (m: NamesWorkerOut) => (self as unknown as Worker).postMessage(m);

let data: NamesData;
let sp: { train: number[]; test: number[] };
let model: NameClassifier | null = null;
let run = 0;
const queue: ClassifyRequest[] = [];

/** Lets the worker's event loop deliver messages (a MessageChannel tick: no 4 ms timer clamp). */
const tick = () => new Promise<void>((r) => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });

function answer() {
  while (queue.length) {
    const q = queue.shift()!;
    if (!model) continue;
    const { probs: [probs], pred: [pred] } = classify(model, [q.text]);
    post({ type: 'probs', id: q.id, text: q.text, probs, pred, classes: [...GENDERS] });
  }
}

async function train(r: TrainRequest) {
  const me = ++run;
  manualSeed(r.seed);
  model?.dispose();
  const m = new NameClassifier({ vocab: data.vocab });
  model = m;
  post({ type: 'model', repr: String(m), params: m.numParameters() });
  const eye = oneHot(GENDERS.length);
  const seqs = data.names.map((n) => data.vocab.encode(n));
  const t0 = performance.now();
  let trainMs = 0, lastYield = performance.now(), lastProgress = 0, final = 0, confusion: number[][] = [];
  for (const ev of trainNames(m, data, sp, { epochs: r.epochs, batchSize: r.batchSize, lr: r.lr, seed: r.seed })) {
    if (me !== run) return; // a newer run started
    if (ev.type === 'batch') {
      const every = Math.max(1, Math.round(ev.batches / r.pointsPerEpoch));
      if (ev.batch % every === 0 && ev.batch !== ev.batches) {
        const t = evaluate(m, eye, seqs, data.labels, sp.test);
        post({ type: 'point', x: ev.epoch - 1 + ev.batch / ev.batches, trainLoss: ev.loss, trainAccuracy: ev.accuracy, testLoss: t.loss, testAccuracy: t.accuracy });
      }
      const now = performance.now();
      if (now - lastProgress > 50 || ev.batch === ev.batches) {
        lastProgress = now;
        post({ type: 'progress', epoch: ev.epoch, epochs: ev.epochs, batch: ev.batch, batches: ev.batches, loss: ev.loss, accuracy: ev.accuracy, ms: now - t0 });
      }
    } else {
      trainMs += ev.trainMs;
      final = ev.testAccuracy;
      confusion = ev.confusion;
      post({ type: 'point', x: ev.epoch, trainLoss: ev.trainLoss, trainAccuracy: ev.trainAccuracy, testLoss: ev.testLoss, testAccuracy: ev.testAccuracy });
      post({ type: 'epoch', epoch: ev.epoch, testAccuracy: ev.testAccuracy, testLoss: ev.testLoss, confusion: ev.confusion });
    }
    if (performance.now() - lastYield > 25) { // let classify requests in, ~40 times a second
      await tick();
      answer();
      lastYield = performance.now();
    }
  }
  eye.dispose();
  if (me === run) post({ type: 'done', testAccuracy: final, trainMs, ms: performance.now() - t0, confusion });
}

const ready = (async () => {
  await init();
  const j = await (await fetch(new URL('./names.json', import.meta.url))).json() as { male: string[]; female: string[] };
  data = namesDataset(j.male, j.female);
  sp = split(data.names.length, 0.2, 1);
  post({ type: 'ready', names: data.names.length, ambiguous: data.ambiguous.length, train: sp.train.length, test: sp.test.length, vocab: data.vocab.size });
})();

self.onmessage = async (e: MessageEvent<NamesWorkerIn>) => {
  try {
    await ready;
    const m = e.data;
    if (m.type === 'train') await train(m);
    else { queue.push(m); if (queue.length > 1) queue.splice(0, queue.length - 1); answer(); }
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
};
