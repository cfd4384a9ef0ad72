// Loader scaling (issue 12 item 4): each loader on a file of size n and 4n, built in memory by
// test/filebuild.ts; the ratio of the times should stay near 4 (linear). Also how fast the files
// just past a documented limit are refused.
//
//   node scripts/build.mjs && node --import tsx bench/loaders.ts
//
// Times are medians of 3 runs of CPU time (process.cpuUsage), on whatever else the machine runs.
import * as lib from '../dist/index.js';
import * as onnx from '../dist/onnx.js';
import * as fb from '../test/filebuild.js';

await lib.init();

function cpuMs(fn: () => unknown): number {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = process.cpuUsage();
    try { fn(); } catch (e) { if (!(e instanceof lib.RnnError)) throw e; }
    const d = process.cpuUsage(c);
    runs.push((d.user + d.system) / 1000);
  }
  return runs.sort((a, b) => a - b)[1];
}

interface Row { what: string; n: number; ms: number; ms4: number }
const rows: Row[] = [];
function scale(what: string, n: number, make: (n: number) => unknown, run: (file: any) => unknown): void {
  const a = make(n), b = make(4 * n);
  rows.push({ what, n, ms: cpuMs(() => run(a)), ms4: cpuMs(() => run(b)) });
}

scale('loadSafetensors, empty tensors', 16_384, (n) => fb.safetensorsMany(n), (f) => lib.loadSafetensors(f));
scale('loadSafetensors, 1-float tensors', 16_384, (n) => fb.safetensorsMany(n, false), (f) => lib.loadSafetensors(f));
scale('parseOnnx, Identity nodes', 25_000, (n) => fb.onnxModel(new Array(n).fill(fb.onnxNode({ op: 'Identity', inputs: ['x'], outputs: ['o'] })), [], ['x'], []), (f) => onnx.parseOnnx(f));
scale('loadOnnx, bidirectional LSTM nodes', 256, (n) => fb.onnxManyNodes(n), (f) => { const m = onnx.loadOnnx(f, lib); m.modules.forEach((x) => x.dispose()); });
scale('loadOnnx, a chain of LSTM nodes (stacks)', 256, (n) => fb.onnxChain(n), (f) => { const m = onnx.loadOnnx(f, lib); m.modules.forEach((x) => x.dispose()); });
scale('loadLayersModelFromJSON, Dense layers', 2_500, (n) => fb.tfjsDenseStack(n), (d) => lib.loadLayersModelFromJSON(d.json, d.data));

console.log('| loader | n | ms (n) | ms (4n) | ratio |\n| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${r.ms.toFixed(0)} | ${r.ms4.toFixed(0)} | ${(r.ms4 / r.ms).toFixed(1)} |`);

const past: [string, () => unknown][] = [
  ['65,537 safetensors tensors', () => lib.loadSafetensors(fb.safetensorsMany(65_537))],
  ['1,025 ONNX LSTM nodes', () => onnx.loadOnnx(fb.onnxManyNodes(1025), lib)],
  ['100,001 ONNX nodes', () => onnx.parseOnnx(fb.onnxModel(new Array(100_001).fill(fb.onnxNode({ op: 'Identity', inputs: ['x'], outputs: ['o'] })), [], ['x'], []))],
  ['10,001 TF.js layers', () => { const d = fb.tfjsDenseStack(10_001); lib.loadLayersModelFromJSON(d.json, d.data); }],
  ['JSON nested 5,000 deep (model.json text)', () => lib.loadLayersModelFromJSON(`{"modelTopology": ${fb.deepJson(5000)}}`)],
];
console.log('\n| refused file | ms (build + refuse) |\n| --- | ---: |');
for (const [what, fn] of past) console.log(`| ${what} | ${cpuMs(fn).toFixed(0)} |`);
