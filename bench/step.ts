// Workbench: latency of step(), the streaming call (one timestep for a batch, e.g. one audio
// frame in an AudioWorklet), for a few sizes, next to forward() over a whole sequence per step.
// Run: node --import tsx bench/step.ts   (after node scripts/build.mjs)
import * as lib from '../dist/index.js';

await lib.init();
lib.manualSeed(1);

type Mode = 'RNN' | 'LSTM' | 'GRU';
const CASES: [Mode, number, number, number, number][] = [
  // mode, I, H, layers, B
  ['RNN', 32, 128, 1, 1],
  ['LSTM', 32, 128, 1, 1],
  ['LSTM', 64, 256, 2, 1],
  ['GRU', 64, 256, 1, 1],
  ['GRU', 64, 256, 1, 16],
];
const G: Record<Mode, number> = { RNN: 1, LSTM: 4, GRU: 3 };

const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];

/** µs per call of f: batches of calls for ~20 ms each, median of 15 batches after a warm-up. */
function usPerCall(f: () => unknown): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    if (performance.now() - t0 > 20) break;
    n *= 2;
  }
  const s: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    s.push(((performance.now() - t0) * 1000) / n);
  }
  return median(s);
}

console.log('| module | B | step() µs | GFLOP/s | forward(T = 1) µs |');
console.log('|---|---:|---:|---:|---:|');
for (const [mode, I, H, L, B] of CASES) {
  const m = new lib[mode](I, H, { numLayers: L });
  const x = new Float32Array(B * I).map((_, i) => Math.sin(i));
  const st = m.step(x);
  const xt = lib.tensor(x, [1, B, I]);
  const stepUs = usPerCall(() => m.step(x, st));
  const free = (v: unknown): void => { if (Array.isArray(v)) v.forEach(free); else (v as lib.Tensor).dispose(); };
  const fwdUs = usPerCall(() => lib.noGrad(() => free(m.forward(xt))));
  let flops = 0;
  for (let l = 0; l < L; l++) flops += 2 * B * G[mode] * H * ((l === 0 ? I : H) + H);
  console.log(`| ${mode}(${I}, ${H}${L > 1 ? `, ${L} layers` : ''}) | ${B} | ${stepUs.toFixed(2)} | ${(flops / stepUs / 1e3).toFixed(1)} | ${fwdUs.toFixed(2)} |`);
  m.dispose();
}
