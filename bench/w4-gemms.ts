// Workbench: W4's GEMMs alone (the 133 gemm / gemm_pb calls one training step of a 2-layer RNN,
// B = 32, T = 32, H = 128 makes, with the kernels' shapes, leading dimensions, packing and
// accumulate flags; data is random), each batch paired with a peak-loop call of the same FLOPs,
// then each call kind on its own. What the step's GEMM time would be with nothing else around it.
//   node --import tsx bench/w4-gemms.ts   (after node scripts/build.mjs)
import { loadWasm, f32 } from '../test/wasm';
const w = loadWasm() as any;
const buf = (n: number) => { const p = w.alloc(n * 4); const v = f32(w, p, n); for (let i = 0; i < n; i++) v[i] = Math.random() * 2 - 1; return p; };
const TB = 1024, H = 128;
const x0 = buf(TB * 32), out0 = buf(TB * H), out1 = buf(TB * H), wih0 = buf(32 * H), wih1 = buf(H * H), whh = buf(H * H);
const acc = buf(32 * H), dG = buf(TB * H), dGT = buf(TB * H), dx = buf(TB * H), dw = buf(H * H), dw0 = buf(H * 32);
const P = w.pack_for(32, H, H, whh, H);
let flops = 0;
const calls: (() => void)[] = [];
const g = (M: number, N: number, K: number, f: () => void) => { flops += 2 * M * N * K; calls.push(f); };
// forward
g(TB, H, 32, () => w.gemm(TB, H, 32, x0, 32, wih0, H, out0, H, 0));
for (let s = 1; s < 32; s++) g(32, H, H, () => w.gemm_pb(32, H, H, out0 + (s - 1) * 32 * H * 4, H, P, whh, H, acc, H, 0));
g(TB, H, H, () => w.gemm(TB, H, H, out0, H, wih1, H, out1, H, 0));
for (let s = 1; s < 32; s++) g(32, H, H, () => w.gemm_pb(32, H, H, out1 + (s - 1) * 32 * H * 4, H, P, whh, H, acc, H, 0));
// backward L1 and L0
for (const L of [1, 0]) {
  for (let s = 31; s >= 1; s--) g(32, H, H, () => w.gemm_pb(32, H, H, dG + s * 32 * H * 4, H, P, whh, H, acc, H, 0));
  if (L === 1) g(TB, H, H, () => w.gemm(TB, H, H, dG, H, wih1, H, dx, H, 0));
  const I = L ? H : 32, X = L ? out0 : x0;
  g(H, I, TB, () => w.gemm(H, I, TB, dGT, TB, X, I, L ? dw : dw0, I, 1));
  g(H, H, 32, () => w.gemm(H, H, 32, dGT + 32 * 4, TB, out1, H, dw, H, 1));
  g(H, H, TB - 64, () => w.gemm(H, H, TB - 64, dGT + 64 * 4, TB, out1 + 32 * H * 4, H, dw, H, 1));
}
const all = () => { for (const c of calls) c(); };
const iters = Math.round(flops / 64);
const peak = () => w.simd_peak(iters);
const now = () => performance.now();
for (let i = 0; i < 30; i++) { all(); peak(); }
const r: number[] = [], gt: number[] = [];
for (let i = 0; i < 200; i++) {
  const o = i & 1;
  let ta = 0, tb = 0;
  if (o) { let t = now(); peak(); tb = now() - t; t = now(); all(); ta = now() - t; }
  else { let t = now(); all(); ta = now() - t; t = now(); peak(); tb = now() - t; }
  r.push(tb / ta); gt.push(ta);
}
r.sort((a, b) => a - b); gt.sort((a, b) => a - b);
console.log(`W4 GEMMs: ${(flops / 1e6).toFixed(1)} MFLOP, ${calls.length} calls, median ${gt[100].toFixed(2)} ms (min ${gt[0].toFixed(2)}), ${(flops / gt[0] / 1e6).toFixed(1)} GFLOP/s best; % of peak (paired median) ${(100 * r[100]).toFixed(1)} [${(100 * r[50]).toFixed(1)}, ${(100 * r[150]).toFixed(1)}]`);
// per call kind: best of many
const kinds = new Map<string, { f: () => void; fl: number }[]>();
{
  const add = (k: string, fl: number, f: () => void) => { if (!kinds.has(k)) kinds.set(k, []); kinds.get(k)!.push({ f, fl }); };
  add('proj L0 1024x128x32', 2 * TB * H * 32, () => w.gemm(TB, H, 32, x0, 32, wih0, H, out0, H, 0));
  add('proj L1 / dX 1024x128x128', 2 * TB * H * H, () => w.gemm(TB, H, H, out0, H, wih1, H, out1, H, 0));
  add('step 32x128x128 packed', 2 * 32 * H * H, () => w.gemm_pb(32, H, H, out0, H, P, whh, H, acc, H, 0));
  add('dW 128x128x1024 acc', 2 * TB * H * H, () => w.gemm(H, H, TB, dGT, TB, out0, H, dw, H, 1));
  add('dW L0 128x32x1024 acc', 2 * TB * H * 32, () => w.gemm(H, 32, TB, dGT, TB, x0, 32, dw0, 32, 1));
}
for (const [k, fs] of kinds) {
  const t: number[] = [];
  for (let i = 0; i < 300; i++) { const a = now(); for (const c of fs) c.f(); t.push(now() - a); }
  t.sort((a, b) => a - b);
  const fl = fs.reduce((s, c) => s + c.fl, 0);
  console.log(k.padEnd(30), 'best', (fl / t[0] / 1e6).toFixed(1), 'GFLOP/s, median', (fl / t[150] / 1e6).toFixed(1));
}
const pt: number[] = []; for (let i = 0; i < 100; i++) { const a = now(); w.simd_peak(100000); pt.push(now() - a); } pt.sort((a, b) => a - b);
console.log('peak best', (6.4e6 / pt[0] / 1e6).toFixed(1), 'median', (6.4e6 / pt[50] / 1e6).toFixed(1));
