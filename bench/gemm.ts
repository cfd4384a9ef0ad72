// GEMM workbench: GFLOP/s of build/wasm-rnn.wasm's gemm on the shapes the library uses,
// against the measured register peak of the same f32x4 mul+add mix (simd_peak), plus
// transpose bandwidth.
//   node --import tsx bench/gemm.ts [--quick]
// Every case is warmed up first (V8 starts in Liftoff and tiers up to TurboFan), then timed
// in ROUNDS interleaved rounds: each round takes one sample (>= SAMPLE_MS of back-to-back
// calls) of every case, so a burst of load from other processes hits all rows alike. The
// table shows the median sample and the best one; on a shared machine the best sample is
// the figure least disturbed by other processes (the load average is printed).
import { loadavg, cpus } from 'node:os';
import { loadWasm, f32 } from '../test/wasm';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 7 : 21;
const SAMPLE_MS = 20;
const WARMUP_MS = quick ? 100 : 250;

const w = loadWasm();
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

interface Case {
  name: string;
  what: string;
  work: number;           // flops (gemm, peak) or bytes moved (transpose) per call
  run: () => void;
  inner: number;          // calls per sample
  samples: number[];      // ms per call
}

function rand(ptr: number, n: number) {
  const v = f32(w, ptr, n);
  for (let i = 0; i < n; i++) v[i] = Math.random() * 2 - 1;
}

const cases: Case[] = [];
const add = (name: string, what: string, work: number, run: () => void) =>
  cases.push({ name, what, work, run, inner: 1, samples: [] });

// peak: 16 f32x4 mul/add per iteration on registers (64 flops), the 4x8 kernel's mix
const PEAK_ITERS = 100_000;
add('simd_peak', 'f32x4 mul+add on registers', 64 * PEAK_ITERS, () => w.simd_peak(PEAK_ITERS));

const shapes: [number, number, number, string][] = [
  [2048, 512, 64, 'input projection (T*B x 4H x I)'],
  [32, 512, 128, 'recurrence step, B = 32'],
  [1, 512, 128, 'recurrence step, B = 1 (LSTM, H = 128)'],
  [1, 128, 128, 'recurrence step, B = 1 (RNN, H = 128)'],
  [512, 64, 2048, 'weight gradient (4H x I x T*B)'],
  [512, 128, 2048, 'weight gradient (4H x H x T*B)'],
  [2048, 64, 512, 'input gradient (T*B x I x 4H)'],
  [3, 512, 128, 'recurrence step, B = 3 (row tails)'],
  [67, 129, 131, 'odd sizes (every tail)'],
];
const ptrs: number[] = [];
for (const [M, N, K, what] of shapes) {
  const A = w.alloc(M * K * 4), B = w.alloc(K * N * 4), C = w.alloc(M * N * 4);
  ptrs.push(A, B, C);
  rand(A, M * K); rand(B, K * N);
  add(`${M}x${N}x${K}`, what, 2 * M * N * K, () => w.gemm(M, N, K, A, K, B, N, C, N, 0));
}
const transposes: [number, number][] = [[512, 128], [128, 512], [2048, 512], [67, 129]];
for (const [M, N] of transposes) {
  const A = w.alloc(M * N * 4), B = w.alloc(M * N * 4);
  ptrs.push(A, B);
  rand(A, M * N);
  add(`T ${M}x${N}`, 'transpose', 8 * M * N, () => w.transpose(M, N, A, N, B, M));
}

// warm-up, and calls per sample
for (const c of cases) {
  const t0 = now();
  let calls = 0;
  while (now() - t0 < WARMUP_MS || calls < 5) { c.run(); calls++; }
  const t1 = now();
  for (let i = 0; i < 3; i++) c.run(); // per-call time after tier-up
  c.inner = Math.max(1, Math.ceil(SAMPLE_MS / ((now() - t1) / 3)));
}
for (let r = 0; r < ROUNDS; r++) {
  for (const c of cases) {
    const t = now();
    for (let i = 0; i < c.inner; i++) c.run();
    c.samples.push((now() - t) / c.inner);
  }
}
for (const p of ptrs) w.free(p);

const rate = (c: Case) => {
  const s = [...c.samples].sort((a, b) => a - b);
  return { med: c.work / s[s.length >> 1] / 1e6, best: c.work / s[0] / 1e6 }; // GFLOP/s or GB/s
};
const peak = rate(cases[0]);

const f = (x: number) => x.toFixed(1).padStart(6);
const pct = (x: number, y: number) => `${((100 * x) / y).toFixed(0)}%`.padStart(5);
const load = loadavg()[0], ncpu = cpus().length;
console.log(`Node ${process.version}; ${ROUNDS} interleaved rounds of >= ${SAMPLE_MS} ms samples after ` +
  `${WARMUP_MS} ms warm-up; load average ${load.toFixed(1)} on ${ncpu} CPUs` +
  (load > ncpu - 0.5 ? ' (busy machine: medians are disturbed, see "best")' : ''));
console.log(`peak (simd_peak, ${cases[0].what}): median ${peak.med.toFixed(1)}, best ${peak.best.toFixed(1)} GFLOP/s`);
console.log('');
console.log('gemm M x N x K     GFLOP/s: median   best   %peak: median   best   use');
for (const c of cases.slice(1, 1 + shapes.length)) {
  const r = rate(c);
  console.log(`${c.name.padEnd(18)}        ${f(r.med)} ${f(r.best)}          ${pct(r.med, peak.med)}  ${pct(r.best, peak.best)}   ${c.what}`);
}
console.log('');
console.log('transpose M x N    GB/s (read + write): median   best');
for (const c of cases.slice(1 + shapes.length)) {
  const r = rate(c);
  console.log(`${c.name.slice(2).padEnd(18)}                        ${f(r.med)} ${f(r.best)}`);
}
