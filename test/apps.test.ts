// The applications of examples/ on their real data, in tiny configurations: the data module, the
// PyTorch round trip (committed fixtures), the name classifier (training lowers the loss, the
// checkpoint gives the same bits, the CLI trains and predicts) and the Moby Dick character model
// (training lowers the loss, the checkpoint resumes with the same bits, generation is deterministic).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Adam, init, manualSeed, noGrad } from '../dist/index.js';
import { TextStream, Vocab, batches, loadMobyDick, loadNames, padBatch, split } from '../examples/data/npm.js';
import { NameClassifier, charLM, lmForward, loadLm, saveLm } from '../examples/models.js';
import { compareWithPytorch } from '../examples/pytorch/predict.js';
import { classify, generate, lmEvaluate, trainCharLM, trainNames, type EpochEvent, type LmStepEvent } from '../examples/train.js';
import { bitsEqual } from './helpers.js';

await init();
const root = new URL('..', import.meta.url).pathname;
const names = loadNames();

test('names data: both lists read, names in both dropped, vocabulary with padding and unknown', () => {
  assert.ok(names.names.length > 7000, `${names.names.length} names`);
  assert.ok(names.ambiguous.length > 100 && names.ambiguous.includes('robin'), 'robin is in both lists');
  const set = new Set(names.names);
  assert.is(set.size, names.names.length, 'no duplicates');
  for (const a of names.ambiguous) assert.not.ok(set.has(a), `${a} was dropped`);
  assert.is(names.labels[names.names.indexOf('maria')], 1);
  assert.is(names.labels[names.names.indexOf('john')], 0);
  assert.is(names.vocab.padIdx, 0);
  assert.is(names.vocab.unkIdx, 1);
  assert.equal(names.vocab.encode('aé'), [names.vocab.id('a'), 1]);
  assert.is(names.vocab.decode(names.vocab.encode('anne-marie')), 'anne-marie');
});

test('split: fixed for a seed, disjoint, complete; another seed gives another split', () => {
  const a = split(1000, 0.2, 7), b = split(1000, 0.2, 7), c = split(1000, 0.2, 8);
  assert.equal(a, b);
  assert.is(a.test.length, 200);
  assert.equal([...a.train, ...a.test].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.not.equal(a.test, c.test);
});

test('padded batches: true lengths, padding after each end, every example once per epoch', () => {
  const seqs = [[5, 6, 7], [8], [9, 10]];
  const b = padBatch(seqs, [0, 1, 0], [2, 0, 1]);
  assert.equal([b.B, b.T], [3, 3]);
  assert.equal(b.ids, [9, 10, 0, 5, 6, 7, 8, 0, 0]);
  assert.equal(b.lengths, [2, 3, 1]);
  assert.equal(b.labels, [0, 0, 1]);
  const enc = names.names.map((n) => names.vocab.encode(n));
  const sp = split(names.names.length, 0.2, 1);
  const ep = batches(enc, names.labels, sp.train, 32, 5);
  assert.equal(ep.flatMap((x) => x.index).sort((x, y) => x - y), sp.train);
  assert.not.equal(ep[0].index, batches(enc, names.labels, sp.train, 32, 6)[0].index, 'another epoch, another order');
  for (const x of ep.slice(0, 20)) assert.is(x.T, Math.max(...x.lengths));
});

test('text stream: rows read the text in order across chunks; targets are the next characters', () => {
  const ids = Array.from({ length: 1001 }, (_, i) => i);
  const s = new TextStream(ids, 4, 10);
  assert.equal([s.rowLen, s.chunks], [250, 25]);
  const c0 = s.chunk(0), c1 = s.chunk(1);
  assert.equal(c0.x.slice(10, 20), ids.slice(250, 260));
  assert.equal(c0.y.slice(10, 20), ids.slice(251, 261));
  assert.equal(c1.x.slice(0, 10), ids.slice(10, 20), 'chunk 1 continues row 0 where chunk 0 stopped');
  const moby = loadMobyDick();
  assert.ok(moby.text.length > 1_000_000 && moby.text.startsWith('ETYMOLOGY') && moby.text.includes('\n\nCall me Ishmael.'));
  assert.is(new Vocab(moby.vocab.chars).decode(moby.vocab.encode(moby.test.slice(0, 100))), moby.test.slice(0, 100));
});

test('PyTorch round trip: the committed state_dicts (GRU; 2-layer LSTM) give PyTorch 1.13\'s logits within 1e-5', () => {
  for (const f of ['names-gru', 'names-lstm2']) {
    const { model, maxDiff, names: probes } = compareWithPytorch(join(root, 'examples/pytorch/fixture', `${f}.safetensors`));
    assert.is(probes.length, 14);
    assert.ok(maxDiff <= 1e-5, `${f}: largest |difference| ${maxDiff}`);
    model.dispose();
  }
});

test('name classifier: a few batches lower the test loss; the checkpoint reloads with the same bits', () => {
  manualSeed(3);
  const sp = split(names.names.length, 0.2, 1);
  const small = { train: sp.train.slice(0, 1600), test: sp.test.slice(0, 400) };
  const model = new NameClassifier({ vocab: names.vocab, embed: 8, hidden: 24 });
  const seqs = names.names.map((n) => names.vocab.encode(n));
  const before = noGrad(() => model.logits(batches(seqs, names.labels, small.test, 400, null)[0]));
  const epochs = [...trainNames(model, names, small, { epochs: 2, batchSize: 32, maxBatches: 40 })].filter((e): e is EpochEvent => e.type === 'epoch');
  assert.is(epochs.length, 2);
  assert.ok(epochs[1].testLoss < epochs[0].testLoss && epochs[0].testLoss < 0.69, `test loss ${epochs.map((e) => e.testLoss)}`);
  assert.ok(epochs[1].testAccuracy > 0.6, `test accuracy ${epochs[1].testAccuracy}`);
  const total = epochs[1].confusion.flat().reduce((a, v) => a + v, 0);
  assert.is(total, 400, 'the confusion counts every test name once');

  const reloaded = NameClassifier.load(model.save());
  const b = batches(seqs, names.labels, small.test, 400, null)[0];
  const x = noGrad(() => model.logits(b)).toFloat32Array(), y = noGrad(() => reloaded.logits(b)).toFloat32Array();
  bitsEqual(x, y, 'logits after save → load');
  const b0 = before.toFloat32Array();
  assert.ok(x.some((v, i) => v !== b0[i]), 'training changed the logits');
  const { probs: p, pred } = classify(reloaded, ['Maria', 'xq']);
  assert.ok(Math.abs(p[0][0] + p[0][1] - 1) < 1e-6 && Math.abs(p[1][0] + p[1][1] - 1) < 1e-6);
  assert.equal(pred, p.map((r) => (r[1] > r[0] ? 1 : 0)), 'the predicted class is the likelier one');
});

test('names CLI: trains (tiny), prints test accuracy and the confusion table, then --predict reads the checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-names-'));
  try {
    const out = join(dir, 'n.safetensors');
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'examples/names.ts', ...args], { cwd: root, encoding: 'utf8' });
    const t = run('--epochs', '1', '--max-batches', '20', '--hidden', '16', '--out', out);
    assert.is(t.status, 0, t.stderr);
    assert.match(t.stdout, /test accuracy \d+\.\d%/);
    assert.match(t.stdout, /confusion on the test split/);
    const p = run('--predict', '--checkpoint', out, 'Alex', 'Maria');
    assert.is(p.status, 0, p.stderr);
    const lines = p.stdout.trim().split('\n');
    assert.is(lines.length, 2);
    assert.match(lines[0], /Alex\s+male\s+\d+\.\d%\s+female\s+\d+\.\d%\s+→ (male|female)/);
    assert.ok(readFileSync(out).length > 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('character model: TBPTT lowers the loss; a checkpoint resumes with the same bits; generation is fixed by the seed', () => {
  const moby = loadMobyDick();
  const ids = moby.vocab.encode(moby.train.slice(0, 200_000));
  const stream = new TextStream(ids, 8, 32), held = new TextStream(moby.vocab.encode(moby.test.slice(0, 20_000)), 4, 32);
  const cfg = { embed: 16, hidden: 32, layers: 2 };
  manualSeed(5);
  const model = charLM({ vocabSize: moby.vocab.size, ...cfg });
  const before = lmEvaluate(model, held, 4);
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const evs: LmStepEvent[] = [...trainCharLM(model, opt, stream, { steps: 40, clip: 1 })];
  const after = lmEvaluate(model, held, 4);
  assert.ok(before > 4 && after < before - 0.8, `held-out loss ${before} → ${after}`);
  assert.ok(evs[39].loss < evs[0].loss, 'training loss fell');
  assert.is(evs[39].chunk, 40);
  assert.ok(evs.every((e) => e.gradNorm > 0 && Number.isFinite(e.gradNorm)));
  // the state handed to the next chunk is the LSTM's final state of this one (detached)
  assert.equal(evs[39].state[0].shape, [2, 8, 32]);
  assert.not.ok(evs[39].state[0].requiresGrad);

  // checkpoint after step 40 → a fresh model: the resumed step's forward gives the bits the
  // uninterrupted run computes for step 41 (same weights, same carried state, same chunk)
  const ck = loadLm(saveLm({ model, vocab: moby.vocab, config: { ...cfg, batch: 8, bptt: 32 }, step: 40, chunk: evs[39].chunk, state: evs[39].state }));
  assert.equal([ck.step, ck.chunk], [40, 40]);
  const { x } = stream.chunk(ck.chunk);
  const a = noGrad(() => lmForward(model, x, [8, 32], evs[39].state)[0]).toFloat32Array();
  const b = noGrad(() => lmForward(ck.model, x, [8, 32], ck.state)[0]).toFloat32Array();
  bitsEqual(a, b, 'logits of the resumed chunk');
  const cont = trainCharLM(model, opt, stream, { steps: 1, startChunk: 40, state: evs[39].state }).next().value as LmStepEvent;
  const res = trainCharLM(ck.model, new Adam(ck.model.parameters(), { lr: 0.01 }), stream, { steps: 1, startChunk: ck.chunk, state: ck.state }).next().value as LmStepEvent;
  assert.is(res.loss, cont.loss, 'the resumed run\'s first loss is the uninterrupted run\'s');

  const text = (seed: number, temperature: number, topK = 0) => {
    manualSeed(seed);
    return [...generate(ck.model, ck.vocab, 'Call me ', 80, () => ({ temperature, topK }))].map((c) => c.ch).join('');
  };
  const t1 = text(7, 0.8);
  assert.is(t1.length, 80);
  assert.is(text(7, 0.8), t1, 'same seed, same text');
  assert.is.not(text(8, 0.8), t1, 'another seed, another text');
  const greedy = text(9, 0.8, 1);
  assert.is(text(10, 0.8, 1), greedy, 'topK 1 is greedy: no randomness left');
});

test.run();
