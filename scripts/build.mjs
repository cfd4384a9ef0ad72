// Build: assembly/ -> build/wasm-rnn.wasm (asc), src/ -> dist/ (esbuild), .d.ts (tsc).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

mkdirSync(root + 'build', { recursive: true });
rmSync(root + 'dist', { recursive: true, force: true });   // `npm pack` ships dist/: only what this build wrote
mkdirSync(root + 'dist', { recursive: true });

// 1. Wasm: SIMD on, relaxed-SIMD off, stub runtime (no GC: the heap is ours, assembly/alloc.ts)
const asc = require.resolve('assemblyscript/bin/asc.js');
run(process.execPath, [asc, '--config', 'asconfig.json', '--target', 'release']);
copyFileSync(root + 'build/wasm-rnn.wasm', root + 'dist/wasm-rnn.wasm');

// 2. Bundles: index embeds the wasm bytes; slim embeds nothing (init(module) for edge runtimes).
// Not minified: an uncaught error prints `RnnError: …`, a short source line and a stack of real
// function names (`at RNN.checkState`); a user's bundler minifies for its own output anyway. No
// keepNames: its `__name(f, "f")` calls would defeat tree shaking in the user's bundle (an app that
// imports RNN alone doubled in size); test/dist.test.ts checks that every exported name survives.
const esbuild = require('esbuild');
const common = {
  bundle: true, format: 'esm', target: 'es2022', platform: 'neutral',
  minify: false, loader: { '.wasm': 'binary' }, alias: { 'wasm-rnn-embedded-bytes': root + 'build/wasm-rnn.wasm' }, sourcemap: false, legalComments: 'none', logLevel: 'warning',
};
// slim (the API) and onnx are self-contained; index keeps `./slim.js` as a run-time import
await esbuild.build({ ...common, entryPoints: { slim: root + 'src/slim.ts', onnx: root + 'src/onnx.ts' }, outdir: root + 'dist' });
await esbuild.build({ ...common, entryPoints: { index: root + 'src/index.ts' }, outdir: root + 'dist', external: ['./slim.js'] });

// 3. Type declarations
const tsc = require.resolve('typescript/bin/tsc');
run(process.execPath, [tsc, '-p', 'tsconfig.build.json']);
// the type of `import wasm from 'wasm-rnn/wasm'` (package.json exports "./wasm" → types)
copyFileSync(root + 'src/wasm-rnn.wasm.d.ts', root + 'dist/wasm-rnn.wasm.d.ts');

const sizes = ['wasm-rnn.wasm', 'index.js', 'slim.js', 'onnx.js'].map((f) => {
  const b = readFileSync(root + 'dist/' + f);
  return `${f} ${b.length} B (${gzipSync(b, { level: 9 }).length} B gzip)`;
});
writeFileSync(root + 'build/sizes.txt', sizes.join('\n') + '\n');
console.log('built: ' + sizes.join(', '));
