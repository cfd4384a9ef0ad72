// npm run demo — the name classifier of examples/names.ts on real data (the npm registry's lists of
// English first names): trained with a progress bar, its test accuracy and confusion table, a few
// names classified; then the PyTorch round trip on the committed state_dict. Arguments are passed to
// examples/names.ts (e.g. `npm run demo -- --cell lstm --epochs 6`).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, trainMain } from './names.js';
import { compareWithPytorch } from './pytorch/predict.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const { testAccuracy, seconds } = await trainMain(parseArgs(process.argv.slice(2)));

const fixture = resolve(root, 'examples/pytorch/fixture/names-gru.safetensors');
const { maxDiff, names } = compareWithPytorch(fixture);
console.log(`\nPyTorch round trip: a NameClassifier trained by PyTorch 1.13 (examples/pytorch/train_names.py), loaded from its ` +
  `state_dict (safetensors) unchanged, gives PyTorch's logits for ${names.length} names within ${maxDiff.toExponential(1)}.`);

console.log(`
Summary: test accuracy ${(100 * testAccuracy).toFixed(1)}% after ${seconds.toFixed(1)} s of training on one thread.
Next:
  node examples/names.ts --predict Alex Maria       classify names with the checkpoint just saved
  node examples/charlm.ts                           a character model of Moby Dick: train, resume, generate
  npm run build:web && npm run serve                the playground: train and classify in the browser`);
