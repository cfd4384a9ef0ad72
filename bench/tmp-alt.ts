import * as lib from '../dist/index.js';
import { initTf, tfTrainModel, useBackend } from './peers/tfjs.js';
import { WORKLOADS } from './workloads.js';
const w = WORKLOADS.find((x) => x.id === 'W4')!;
await lib.init(); await initTf();
const now = () => performance.now();
lib.manualSeed(4);
class C extends lib.Module { rnn = new lib.RNN(32, 128, { numLayers: 2 }); fc = new lib.Linear(128, 10); forward(x: lib.Tensor) { const [o] = this.rnn.forward(x); return this.fc.forward(o.select(0, -1)); } }
const m = new C(); const opt = new lib.Adam(m.parameters(), { lr: 1e-3 });
const xs = new Float32Array(32 * 32 * 32).map((_, i) => Math.sin(i)); const lab = Array.from({ length: 32 }, (_, i) => i % 10);
const ours = () => { const x = lib.tensor(xs, [32, 32, 32]); const loss = lib.crossEntropy(m.forward(x), lab); opt.zeroGrad(); loss.backward(); opt.step(); const v = loss.item(); x.dispose(); return v; };
const sd: Record<string, Float32Array> = {}; for (const [k, v] of Object.entries(m.stateDict())) sd[k] = (v as lib.Tensor).toFloat32Array();
await useBackend('wasm'); const tfW = tfTrainModel(w, sd);
await useBackend('cpu'); const tfC = tfTrainModel(w, sd);
const xBT = new Float32Array(32 * 32 * 32), labels = Int32Array.from(lab);
const med = (s: number[]) => [...s].sort((a, b) => a - b)[s.length >> 1];
const S: Record<string, number[]> = { afterW: [], second: [], afterC: [], secondC: [], tfW: [] };
const t = (k: string) => { const a = now(); ours(); S[k].push(now() - a); };
for (let i = 0; i < 10; i++) ours();
for (let r = 0; r < +(process.env.R ?? 30); r++) {
  await useBackend('wasm'); let a = now(); tfW.step(xBT, labels); S.tfW.push(now() - a);
  await null; t('afterW'); await null; t('second');
  if (r % 3 === 0) { await useBackend('cpu'); tfC.step(xBT, labels); await null; t('afterC'); await null; t('secondC'); }
}
for (const [k, v] of Object.entries(S)) console.log(k.padEnd(8), 'median', med(v).toFixed(2), 'min', Math.min(...v).toFixed(2), 'n', v.length);
console.log(JSON.stringify(lib.memoryStats()));
