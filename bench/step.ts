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

// A whole char model streamed through Sequential.step, one character per call (B = 1): latency per
// character, p50 and p99 of single calls, next to what a user wrote before Sequential.step (the
// Embedding row picked by forward, LSTM.step, then Linear.forward on a new tensor of its output).
{
  const V = 80;
  const model = new lib.Sequential(new lib.Embedding(V, 32), new lib.LSTM(32, 128, { numLayers: 2 }), new lib.Linear(128, V));
  const emb = model.get(0) as lib.Embedding, lstm = model.get(1) as lib.LSTM, fc = model.get(2) as lib.Linear;
  const pct = (f: (c: number) => void) => {
    for (let i = 0; i < 2000; i++) f(i % V);   // warm up
    const t: number[] = [];
    for (let i = 0; i < 10000; i++) {
      const t0 = process.hrtime.bigint();
      f((i * 7) % V);
      t.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    t.sort((a, b) => a - b);
    return [t[t.length >> 1], t[Math.floor(t.length * 0.99)]];
  };
  let st = model.step(0);
  const seq = pct((c) => { st = model.step(c, st); });
  let ls = lstm.step(new Float32Array(32));
  const manual = pct((c) => lib.noGrad(() => {
    ls = lstm.step(emb.forward([c]), ls);
    const h = lib.tensor(ls.output, [1, 128]);
    fc.forward(h).toFloat32Array();
  }));
  console.log('\n| char model: Embedding(80, 32) → LSTM(32, 128, 2 layers) → Linear(128, 80), B = 1 | p50 µs/char | p99 µs/char |');
  console.log('|---|---:|---:|');
  console.log(`| Sequential.step | ${seq[0].toFixed(1)} | ${seq[1].toFixed(1)} |`);
  console.log(`| by hand: Embedding.forward, LSTM.step, tensor(output), Linear.forward | ${manual[0].toFixed(1)} | ${manual[1].toFixed(1)} |`);
}
