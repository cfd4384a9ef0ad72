/// <reference types="node" />
// Workbench: the int8 path (quantize()) against the f32 path, paired. For each forward workload
// (W1–W3), four calls alternate — f32 forward, f32 GEMM phases, int8 forward, int8 GEMM phases —
// and every ratio is the median of per-round ratios, which stays meaningful on a shared host
// whose speed drifts (calls a few ms apart see the same machine). Then the GEMM kernels alone on
// the workloads' shapes (one call each, paired).
// Run: node --import tsx bench/q8.ts [W1 W2 W3]   (after node scripts/build.mjs)
import { readFileSync } from 'node:fs';
import * as lib from '../dist/index.js';
import { gemmPhases, q8GemmPhases } from './phases.js';
import { GATES, WORKLOADS } from './workloads.js';

await lib.init();
const WASM = new URL('../dist/wasm-rnn.wasm', import.meta.url);
const side = () => new WebAssembly.Instance(new WebAssembly.Module(readFileSync(WASM)), {}).exports as any;
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const q = (a: number[], f: number) => [...a].sort((x, y) => x - y)[Math.floor(f * (a.length - 1))];
const time = (f: () => unknown) => { const t = performance.now(); f(); return performance.now() - t; };
const ids = process.argv.slice(2).filter((a) => /^W[123]$/.test(a));

console.log('| workload | f32 ms | int8 ms | f32 / int8 (quartiles) | GEMM phases f32 / int8 | GEMM share f32, int8 | rounds |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const w of WORKLOADS.filter((x) => x.kind === 'forward' && (!ids.length || ids.includes(x.id)))) {
  lib.manualSeed(4);
  const opts = { numLayers: w.L, bidirectional: w.D === 2 };
  const m = w.mode === 'RNN' ? new lib.RNN(w.I, w.H, opts) : w.mode === 'LSTM' ? new lib.LSTM(w.I, w.H, opts) : new lib.GRU(w.I, w.H, opts);
  const qm = lib.quantize(m, { dtype: 'int8' });
  const xs = lib.randn([w.T, w.B, w.I]).toFloat32Array();
  const run = (mod: typeof m) => () => {
    const x = lib.tensor(xs, [w.T, w.B, w.I]);
    const [y, h] = lib.noGrad(() => mod.forward(x)) as [lib.Tensor, lib.Tensor | lib.Tensor[]];
    y.toFloat32Array();
    x.dispose(); y.dispose();
    for (const t of Array.isArray(h) ? h : [h]) t.dispose();
  };
  const fns = [run(m), gemmPhases(side(), w).run, run(qm), q8GemmPhases(side(), w).run];
  const warm = performance.now();
  while (performance.now() - warm < 1000) fns.forEach((f) => f());
  const ts: number[][] = [[], [], [], []];
  const start = performance.now();
  for (let i = 0; (i < 20 || performance.now() - start < 4000) && performance.now() - start < 15000; i++) {
    const order = i & 1 ? [3, 2, 1, 0] : [0, 1, 2, 3];
    for (const k of order) ts[k].push(time(fns[k]));
  }
  const ratio = (a: number, b: number) => ts[a].map((v, i) => v / ts[b][i]);
  const r = ratio(0, 2);
  console.log(`| ${w.id} | ${med(ts[0]).toFixed(3)} | ${med(ts[2]).toFixed(3)} | ${med(r).toFixed(2)} (${q(r, 0.25).toFixed(2)}–${q(r, 0.75).toFixed(2)}) | ${med(ratio(1, 3)).toFixed(2)} | ${(100 * med(ratio(1, 0))).toFixed(0)}%, ${(100 * med(ratio(3, 2))).toFixed(0)}% | ${r.length} |`);
}

// the GEMM calls of the workloads, alone: f32 gemm_pb vs int8 (quantize the rows + q8_gemm)
const e = side();
const fill = (p: number, n: number) => { const v = new Float32Array(e.memory.buffer, p, n); for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1; };
console.log('\n| GEMM M×N×K | f32 GMAC/s | int8 GMAC/s (quantize + GEMM) | paired speed-up |');
console.log('|---|---:|---:|---:|');
const shapes = new Map<string, [number, number, number]>();
for (const w of WORKLOADS.filter((x) => x.kind === 'forward' && (!ids.length || ids.includes(x.id)))) {
  const G = GATES[w.mode] * w.H, TC = e.proj_steps(w.T, w.B, G);
  shapes.set(`${w.B}x${G}x${w.H}`, [w.B, G, w.H]);                 // a step's state product
  shapes.set(`${TC * w.B}x${G}x${w.I}`, [TC * w.B, G, w.I]);       // an input-projection chunk
}
for (const [name, [M, N, K]] of shapes) {
  const A = e.alloc(M * K * 4), B = e.alloc(K * N * 4), C = e.alloc(M * N * 4);
  fill(A, M * K); fill(B, K * N);
  const Bp = e.pack_for(M, K, N, B, N);
  const Wf = e.alloc(N * K * 4), qv = e.alloc(N * K * 4), s = e.alloc(N * 4);
  fill(Wf, N * K);
  e.q8_quantize(N, K, Wf, K, qv, s);
  const Wp = e.alloc(e.q8_packed_bytes(N, K)), ws = e.alloc(Math.ceil(N / 8) * 32);
  e.q8_pack(N, K, qv, s, Wp, ws);
  const kp = K + (K & 1), Aq = e.alloc(M * kp * 2 + 16), xs = e.alloc(M * 4);
  const reps = Math.max(1, Math.round(2e6 / (M * N * K)));
  const f = () => { for (let r = 0; r < reps; r++) e.gemm_pb(M, N, K, A, K, Bp, B, N, C, N, 0); };
  const g = () => { for (let r = 0; r < reps; r++) { e.q8_quant_rows(M, K, A, K, Aq, kp, xs); e.q8_gemm(M, N, K, Aq, kp, xs, Wp, ws, C, N); } };
  for (let i = 0; i < 50; i++) { f(); g(); }
  const tf: number[] = [], tg: number[] = [], r: number[] = [];
  for (let i = 0; i < 200; i++) { const a = time(f), b = time(g); tf.push(a); tg.push(b); r.push(a / b); }
  const mac = M * N * K * reps;
  console.log(`| ${name} | ${(mac / med(tf) / 1e6).toFixed(1)} | ${(mac / med(tg) / 1e6).toFixed(1)} | ${med(r).toFixed(2)} |`);
}
