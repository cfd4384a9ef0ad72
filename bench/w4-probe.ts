// Probe for issue 4's W4 (a 2-layer RNN training step): wasm-rnn's step time alone, right after
// a TF.js wasm step, and right after a full GC. In `npm run bench` W4 runs ~18 ms interleaved with
// the TF.js engines against ~12 ms alone; here a full gc() before the call alone costs 1.5-3 ms.
//   node --expose-gc --import tsx bench/w4-probe.ts
import * as lib from '../dist/index.js';
import { initTf, tfTrainModel, useBackend } from './peers/tfjs.js';
import { WORKLOADS } from './workloads.js';
const w = WORKLOADS.find((x) => x.id === 'W4')!;
await lib.init(); await initTf();
const now = () => performance.now();
lib.manualSeed(4);
class C extends lib.Module { rnn = new lib.RNN(32, 128, { numLayers: 2 }); fc = new lib.Linear(128, 10); override forward(x: lib.Tensor) { const [o] = this.rnn.forward(x); return this.fc.forward(o.select(0, -1)); } }
const m = new C(); const opt = new lib.Adam(m.parameters(), { lr: 1e-3 });
const xs = new Float32Array(32 * 32 * 32).map((_, i) => Math.sin(i)); const lab = Array.from({ length: 32 }, (_, i) => i % 10);
const ours = () => { const x = lib.tensor(xs, [32, 32, 32]); const loss = lib.crossEntropy(m.forward(x), lab); opt.zeroGrad(); loss.backward(); opt.step(); const v = loss.item(); x.dispose(); return v; };
const sd: Record<string, Float32Array> = {}; for (const [k, v] of Object.entries(m.stateDict())) sd[k] = (v as lib.Tensor).toFloat32Array();
await useBackend('wasm');
const tfW = tfTrainModel(w, sd);
const xBT = new Float32Array(32 * 32 * 32), labels = Int32Array.from(lab);
const med = (s: number[]) => s.sort((a, b) => a - b)[s.length >> 1];
for (const mode of ['alone', 'after tfjs-wasm', 'alone', 'after tfjs-wasm', 'after gc', 'after tfjs-wasm + gc']) {
  const s: number[] = [];
  for (let i = 0; i < 40; i++) {
    if (mode.includes('tfjs')) tfW.step(xBT, labels);
    if (mode.includes('gc')) (globalThis as any).gc();
    const t = now(); ours(); s.push(now() - t);
  }
  console.log(mode.padEnd(22), 'median', med(s).toFixed(2), 'min', s[0].toFixed(2));
}
console.log(JSON.stringify(lib.memoryStats()));
