// Training loops shared by the terminal programs (examples/names.ts, examples/charlm.ts) and the
// playground's Web Worker (examples/web/worker.ts). Each is a generator that yields after every
// batch, so a terminal loop draws a progress bar and a worker can answer messages in between.
// Every number is computed by wasm-rnn: losses, argmax, the confusion counts (a matmul of one-hot
// rows), their sums; this file only orders batches and reads scalars back for display.
import { Adam, Embedding, LSTM, Optimizer, Sequential, Tensor, clipGradNorm, crossEntropy, noGrad, sample, tensor, zeros, type SequentialStepState } from '../dist/index.js';
import { GENDERS, batches, type Batch, type NamesData, type TextStream, type Vocab } from './data/index.js';
import { lmForward, type NameClassifier } from './models.js';

/** One-hot rows of C classes: an Embedding holding the identity, looked up by class index. */
export function oneHot(C: number): Embedding {
  const eye = tensor(Array.from({ length: C }, (_, i) => Array.from({ length: C }, (_, j) => (i === j ? 1 : 0))));
  return Embedding.fromPretrained(eye);
}

/**
 * The confusion counts of a batch, (C, C): row = true class, column = predicted class (the argmax
 * of the logits), as onehot(labels)ᵀ · onehot(argmax(logits)), computed in Wasm.
 */
export function confusion(eye: Embedding, logits: Tensor, labels: ArrayLike<number>): Tensor {
  return noGrad(() => {
    const pred = logits.argmax(1);                                   // (B)
    const truth = eye.forward(labels, [labels.length]);              // (B, C)
    return truth.transpose(0, 1).matmul(eye.forward(pred));          // (C, C)
  });
}

/** Accuracy from confusion counts: trace / total, computed in Wasm, read back as a number. */
export function accuracy(eye: Embedding, conf: Tensor): number {
  return noGrad(() => conf.mul(eye.weight).sum().item() / conf.sum().item());
}

export interface NamesTrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  /** The batch order of epoch e is shuffled with seed·1000 + e (as in examples/pytorch/train_names.py). */
  seed?: number;
  /** Stop each epoch after this many batches (tests). */
  maxBatches?: number;
  /** Test-set batch size (one forward each, no gradient). */
  evalBatch?: number;
}

export interface BatchEvent {
  type: 'batch';
  epoch: number; epochs: number; batch: number; batches: number;
  /** Mean loss and accuracy of the epoch so far (running over the batches done). */
  loss: number; accuracy: number;
}
export interface EpochEvent {
  type: 'epoch';
  epoch: number; epochs: number;
  trainLoss: number; trainAccuracy: number;
  testLoss: number; testAccuracy: number;
  /** (C, C) counts on the test split, row = true class. */
  confusion: number[][];
  /** Time spent in the epoch's training steps, ms (evaluation excluded). */
  trainMs: number;
}

/** Test loss (mean), confusion and accuracy of `model` on the batches of `index`. */
export function evaluate(model: NameClassifier, eye: Embedding, seqs: number[][], labels: number[], index: number[], batchSize = 256) {
  return noGrad(() => {
    model.eval();
    let lossSum: Tensor | null = null, conf: Tensor | null = null;
    // by length, so that a batch pads little (the sums do not depend on the order much; the counts not at all)
    const byLength = [...index].sort((a, b) => seqs[a].length - seqs[b].length || a - b);
    for (const b of batches(seqs, labels, byLength, batchSize, null)) {
      const logits = model.logits(b);
      const l = crossEntropy(logits, b.labels).mul(b.B);
      lossSum = lossSum ? lossSum.add(l) : l;
      const c = confusion(eye, logits, b.labels);
      conf = conf ? conf.add(c) : c;
    }
    model.train();
    const n = conf!.sum().item();
    return { loss: lossSum!.item() / n, accuracy: accuracy(eye, conf!), confusion: conf!.toArray() as number[][] };
  });
}

/**
 * Trains `model` on `data`'s train split with Adam and cross-entropy, yielding a BatchEvent after
 * every step and an EpochEvent (with the test split's loss, accuracy and confusion) after every
 * epoch. Drive it with `for (const ev of trainNames(...))`.
 */
export function* trainNames(model: NameClassifier, data: NamesData, split: { train: number[]; test: number[] },
  { epochs = 5, batchSize = 32, lr = 0.01, seed = 1, maxBatches = 0, evalBatch = 256 }: NamesTrainOptions = {}): Generator<BatchEvent | EpochEvent> {
  const seqs = data.names.map((n) => data.vocab.encode(n));
  const eye = oneHot(GENDERS.length);
  const opt = new Adam(model.parameters(), { lr });
  model.train();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let all: Batch[] = batches(seqs, data.labels, split.train, batchSize, seed * 1000 + epoch - 1);
    if (maxBatches) all = all.slice(0, maxBatches);
    let lossSum: Tensor | null = null, conf: Tensor | null = null, seen = 0;
    let trainMs = 0;
    for (let k = 0; k < all.length; k++) {
      const b = all[k];
      const t0 = performance.now();
      const logits = model.logits(b);
      const loss = crossEntropy(logits, b.labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      trainMs += performance.now() - t0;
      seen += b.B;
      const l = noGrad(() => loss.detach().mul(b.B));
      lossSum = lossSum ? noGrad(() => lossSum!.add(l)) : l;
      const c = confusion(eye, logits, b.labels);
      conf = conf ? noGrad(() => conf!.add(c)) : c;
      yield { type: 'batch', epoch, epochs, batch: k + 1, batches: all.length, loss: lossSum.item() / seen, accuracy: accuracy(eye, conf) };
    }
    const test = evaluate(model, eye, seqs, data.labels, split.test, evalBatch);
    yield {
      type: 'epoch', epoch, epochs, trainLoss: lossSum!.item() / seen, trainAccuracy: accuracy(eye, conf!),
      testLoss: test.loss, testAccuracy: test.accuracy, confusion: test.confusion, trainMs,
    };
  }
}

/** Class probabilities (softmax of the logits) and the predicted class (argmax) of each name, both computed in Wasm. */
export function classify(model: NameClassifier, names: string[]): { probs: number[][]; pred: number[] } {
  if (names.length === 0) return { probs: [], pred: [] };
  return noGrad(() => {
    model.eval();
    const seqs = names.map((n) => {
      const s = model.vocab.encode(n.trim().toLowerCase());
      return s.length ? s : [model.vocab.unkIdx];
    });
    const b = batches(seqs, seqs.map(() => 0), seqs.map((_, i) => i), seqs.length, null)[0];
    const logits = model.logits(b);
    const probs = logits.softmax(1).toArray() as number[][];
    const pred = logits.argmax(1).toArray() as number[];
    model.train();
    return { probs, pred };
  });
}

export interface CharLMTrainOptions {
  lr?: number;
  /** clipGradNorm's maxNorm. */
  clip?: number;
  /** The first chunk (a resumed run starts where the checkpoint stopped). */
  startChunk?: number;
  /** Chunks to train on (the stream wraps around at its end, with a fresh state). */
  steps?: number;
  /** The carried LSTM state to start from (a resumed run's), or null for zeros. */
  state?: [Tensor, Tensor] | null;
  /** Evaluate the held-out stream every this many steps (0: never). */
  evalEvery?: number;
  /** The held-out stream and how many of its chunks an evaluation reads. */
  test?: TextStream | null;
  evalChunks?: number;
}

export interface LmStepEvent {
  type: 'step';
  /** Steps done in this run, and the stream position (chunk index) of the next step. */
  step: number; chunk: number;
  loss: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  /** Characters predicted so far in this run (B·T per step) and the ms spent in training steps. */
  chars: number; trainMs: number;
  /** The held-out loss (nats per character) when this step ran an evaluation. */
  testLoss?: number;
  /** The state carried into the next chunk (detached). */
  state: [Tensor, Tensor];
}

/** Mean cross-entropy (nats per character) of `model` over the first `chunks` chunks of `stream`, under noGrad. */
export function lmEvaluate(model: Sequential, stream: TextStream, chunks: number): number {
  return noGrad(() => {
    model.eval();
    let state: [Tensor, Tensor] | null = null;
    let sum: Tensor | null = null;
    const n = Math.min(chunks, stream.chunks);
    for (let k = 0; k < n; k++) {
      const { x, y } = stream.chunk(k);
      const [logits, hc] = lmForward(model, x, [stream.B, stream.T], state);
      const l = crossEntropy(logits.reshape([-1, logits.shape[2]]), y);
      sum = sum ? sum.add(l) : l;
      state = hc;
    }
    model.train();
    return sum!.item() / n;
  });
}

/**
 * Truncated BPTT over `stream`: each step reads chunk k (B rows × T characters), predicts every next
 * character with crossEntropy, back-propagates through those T steps only (the state it starts from
 * is the previous chunk's, detached), clips the gradient norm and takes an Adam step.
 */
export function* trainCharLM(model: Sequential, opt: Optimizer, stream: TextStream,
  { clip = 1, startChunk = 0, steps = 100, state = null, evalEvery = 0, test = null, evalChunks = 8 }: CharLMTrainOptions = {}): Generator<LmStepEvent> {
  const params = model.parameters();
  let chunk = startChunk % stream.chunks, chars = 0, trainMs = 0;
  model.train();
  for (let s = 1; s <= steps; s++) {
    const t0 = performance.now();
    const { x, y } = stream.chunk(chunk);
    const [logits, [h, c]] = lmForward(model, x, [stream.B, stream.T], state);
    const loss = crossEntropy(logits.reshape([-1, logits.shape[2]]), y);
    opt.zeroGrad();
    loss.backward();
    const gradNorm = clipGradNorm(params, clip);
    opt.step();
    state = [h.detach(), c.detach()];
    const l = loss.item();
    trainMs += performance.now() - t0;
    chars += stream.B * stream.T;
    chunk++;
    if (chunk >= stream.chunks) { chunk = 0; state = null; }  // wrapped: the rows start their text again
    const testLoss = evalEvery && test && s % evalEvery === 0 ? lmEvaluate(model, test, evalChunks) : undefined;
    yield { type: 'step', step: s, chunk, loss: l, gradNorm, chars, trainMs, testLoss, state: state ?? zeroState(model, stream.B) };
  }
}

/** Zeros for the LSTM state of `model` at batch size B. */
function zeroState(model: Sequential, B: number): [Tensor, Tensor] {
  const lstm = model.get(1) as LSTM;
  const z = () => zeros([lstm.numLayers, B, lstm.hiddenSize]);
  return [z(), z()];
}

export interface GenerateOptions { temperature: number; topK?: number | null }

/**
 * Generates text one character at a time with `model.step()` (the whole Embedding → LSTM → Linear
 * model streamed, logits in a reused Float32Array) and `sample(logits, { temperature, topK })`:
 * the prompt's characters are fed first (characters outside the vocabulary are skipped), then each
 * sampled character is fed back. Yields every sampled character with the microseconds its step +
 * sample took. `opts` is read before every character (a slider can change the temperature mid-way).
 * Deterministic for a given manualSeed.
 */
export function* generate(model: Sequential, vocab: Vocab, prompt: string, length: number, opts: () => GenerateOptions): Generator<{ ch: string; us: number }> {
  const ids = Array.from(prompt).filter((c) => vocab.chars.includes(c)).map((c) => vocab.id(c));
  if (ids.length === 0) ids.push(vocab.id(vocab.chars.includes('\n') ? '\n' : vocab.chars[0]));
  let state: SequentialStepState | undefined;
  for (const i of ids) state = model.step(i, state);           // the prompt: state.output = the next character's logits
  for (let k = 0; k < length; k++) {
    const t0 = performance.now();
    const { temperature, topK } = opts();
    const next = sample(state!.output, { temperature, topK: topK || null });
    state = model.step(next, state);
    const us = (performance.now() - t0) * 1000;
    yield { ch: vocab.decode([next]), us };
  }
}
