// Build: assembly/ -> build/wasm-rnn.wasm (asc), src/ -> dist/ (esbuild), .d.ts (tsc).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

mkdirSync(root + 'build', { recursive: true });
mkdirSync(root + 'dist', { recursive: true });

// 1. Wasm: SIMD on, relaxed-SIMD off, stub runtime (no GC: the heap is ours, assembly/alloc.ts)
const asc = require.resolve('assemblyscript/bin/asc.js');
run(process.execPath, [asc, '--config', 'asconfig.json', '--target', 'release']);
copyFileSync(root + 'build/wasm-rnn.wasm', root + 'dist/wasm-rnn.wasm');

// 2. Bundles: index embeds the wasm bytes; slim embeds nothing (init(module) for edge runtimes)
const esbuild = require('esbuild');
const common = {
  bundle: true, format: 'esm', target: 'es2022', platform: 'neutral',
  minify: true, loader: { '.wasm': 'binary' }, alias: { 'wasm-rnn-embedded-bytes': root + 'build/wasm-rnn.wasm' }, sourcemap: false, legalComments: 'none', logLevel: 'warning',
};
// slim (the API) and onnx are self-contained; index keeps `./slim.js` as a run-time import
await esbuild.build({ ...common, entryPoints: { slim: root + 'src/slim.ts', onnx: root + 'src/onnx.ts' }, outdir: root + 'dist' });
await esbuild.build({ ...common, entryPoints: { index: root + 'src/index.ts' }, outdir: root + 'dist', external: ['./slim.js'] });

// 3. Type declarations
const tsc = require.resolve('typescript/bin/tsc');
run(process.execPath, [tsc, '-p', 'tsconfig.build.json']);

const sizes = ['wasm-rnn.wasm', 'index.js', 'slim.js'].map((f) => {
  const b = readFileSync(root + 'dist/' + f);
  return `${f} ${b.length} B (${gzipSync(b, { level: 9 }).length} B gzip)`;
});
writeFileSync(root + 'build/sizes.txt', sizes.join('\n') + '\n');
console.log('built: ' + sizes.join(', '));
