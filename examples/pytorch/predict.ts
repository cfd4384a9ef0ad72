// The JavaScript half of the PyTorch round trip: loads the state_dict that
// examples/pytorch/train_names.py saved (safetensors) into wasm-rnn's NameClassifier, unchanged,
// and classifies names. When PyTorch's logits for its probe names sit beside the file
// (FILE.logits.json, written by train_names.py), it compares them with wasm-rnn's.
//
//   /usr/bin/python3 examples/pytorch/train_names.py --out /tmp/m.safetensors
//   node examples/pytorch/predict.ts /tmp/m.safetensors                 # probe names: logits vs PyTorch's
//   node examples/pytorch/predict.ts /tmp/m.safetensors Alex Maria      # and these names
// Exits with status 1 when a logit differs from PyTorch's by more than 1e-5.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, noGrad, tensor } from '../../dist/index.js';
import { batches, loadNames } from '../data/npm.js';
import { NameClassifier } from '../models.js';
import { printPredictions } from '../names.js';

/** wasm-rnn's logits (N, 2) for `names`, padded into one batch as train_names.py does. */
export function logitsOf(model: NameClassifier, names: string[]): number[][] {
  const seqs = names.map((n) => model.vocab.encode(n.toLowerCase()));
  const b = batches(seqs, seqs.map(() => 0), seqs.map((_, i) => i), seqs.length, null)[0];
  return noGrad(() => { model.eval(); return model.logits(b).toArray() as number[][]; });
}

/** Loads FILE (and FILE.logits.json if present); returns the largest |logit difference| (NaN without PyTorch's logits). */
export function compareWithPytorch(file: string): { model: NameClassifier; maxDiff: number; names: string[]; ours: number[][]; theirs: number[][] } {
  const model = NameClassifier.load(readFileSync(file), loadNames().vocab); // the vocabulary from __metadata__, else the data set's
  const ref = file + '.logits.json';
  if (!existsSync(ref)) return { model, maxDiff: NaN, names: [], ours: [], theirs: [] };
  const j = JSON.parse(readFileSync(ref, 'utf8')) as { names: string[]; logits: number[][] };
  const ours = logitsOf(model, j.names);
  // the largest |difference|, computed in Wasm: sqrt(max((ours - theirs)²))
  const d = tensor(ours).sub(tensor(j.logits));
  const maxDiff = Math.sqrt(d.mul(d).max().item());
  return { model, maxDiff, names: j.names, ours, theirs: j.logits };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, ...names] = process.argv.slice(2);
  if (!file) { console.error('usage: node examples/pytorch/predict.ts FILE.safetensors [names…]'); process.exit(2); }
  await init();
  const { model, maxDiff, names: probes, ours, theirs } = compareWithPytorch(file);
  console.log(`loaded ${file} into wasm-rnn:\n${model}`);
  if (probes.length) {
    console.log(`\n${'name'.padEnd(13)} ${'PyTorch logits'.padEnd(24)} wasm-rnn logits`);
    probes.forEach((n, i) => console.log(`${n.padEnd(13)} ${theirs[i].map((v) => v.toFixed(6).padStart(10)).join(' ')}    ${ours[i].map((v) => v.toFixed(6).padStart(10)).join(' ')}`));
    console.log(`\nlargest |difference| ${maxDiff.toExponential(2)} over ${probes.length} names (${maxDiff <= 1e-5 ? 'within' : 'NOT within'} 1e-5)`);
  }
  const show = names.length ? names : probes;
  if (show.length) { console.log(''); printPredictions(model, show); }
  if (maxDiff > 1e-5) process.exit(1);
}
