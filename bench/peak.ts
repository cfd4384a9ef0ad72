/// <reference types="node" />
// Measured single-thread Wasm SIMD peak: a tight f32x4 mul+add loop.
// wasm-rnn's own `simd_peak(iters)` (assembly/gemm.ts): the 4x8 GEMM microkernel's mul/add mix on
// registers, 64 flops per iteration.
import { median } from './harness.js';

/** The peak loop exported by the built module. */
export async function peakFunction(exports: Record<string, unknown>): Promise<{ fn: (iters: number) => number; source: string }> {
  const fn = exports.simd_peak as ((iters: number) => number) | undefined;
  if (!fn) throw new Error('the built wasm-rnn module does not export simd_peak (assembly/gemm.ts); rebuild with npm run build');
  return { fn, source: 'wasm-rnn simd_peak (assembly/gemm.ts)' };
}

/** FLOPs of one simd_peak(iters) call: 16 f32x4 mul + add per iteration. */
export const peakFlops = (iters: number) => 64 * iters;

/** Standalone GFLOP/s of the peak loop: ≥ 0.5 s warm-up, then median and best of 25 calls. */
export async function simdPeak(exports: Record<string, unknown>): Promise<{ median: number; best: number; source: string }> {
  const { fn, source } = await peakFunction(exports);
  const iters = 1_000_000; // 64 MFLOP per call
  const call = () => { const t0 = performance.now(); fn(iters); return performance.now() - t0; };
  const start = performance.now();
  while (performance.now() - start < 500) call();
  const t: number[] = [];
  for (let i = 0; i < 25; i++) t.push(call());
  return { median: peakFlops(iters) / (median(t) * 1e6), best: peakFlops(iters) / (Math.min(...t) * 1e6), source };
}

/** One GEMM path's ceiling: fn(iters) runs a number of kernel calls proportional to iters. */
export interface KernelPeak {
  fn: (iters: number) => unknown;
  flops: (iters: number) => number;
  /** the shape chosen (the fastest), for the report */
  source: string;
  /** GFLOP/s (int8: 2 ops per multiply-add) of every shape tried, median of its calls */
  tried: Record<string, number>;
}

// L1-resident shapes through the real drivers (M × N × K): the 4-row 4x8 path, the 2-row 2x16
// path, the 1-row 1x24 path. Each operand set is ≤ 40 KiB.
const F32_SHAPES: [number, number, number][] = [[16, 32, 64], [32, 32, 64], [64, 16, 64], [2, 64, 64], [1, 96, 64]];
const Q8_SHAPES: [number, number, number][] = [[16, 32, 128], [32, 32, 128], [64, 32, 128], [16, 32, 256], [2, 64, 128], [1, 96, 128]];

/**
 * The honest ceilings of the f32 and int8 GEMM paths (assembly/kpeak.ts): for each path, the
 * fastest of a few real micro-kernel shapes on L1-resident operands, each shape called many times
 * inside Wasm. A workload's GEMM phases run these same kernels on bigger operands (cache misses,
 * more driver work), so they stay at or below it; the old `simd_peak` loop (one 8-chain f32x4
 * mul/add loop) was latency-bound and sat below what the GEMM phases reach on a 4-pipe core.
 * Also returns the standalone median GFLOP/s of each chosen shape.
 */
export function kernelPeaks(e: Record<string, any> & { memory: WebAssembly.Memory }): { f32: KernelPeak; int8: KernelPeak } {
  const fill = (p: number, n: number) => {
    const v = new Float32Array(e.memory.buffer, p, n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1;
  };
  const now = () => performance.now();
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const choose = (make: (s: [number, number, number]) => (reps: number) => unknown, shapes: [number, number, number][], label: string): KernelPeak => {
    const tried: Record<string, number> = {};
    // each shape: reps for a call of about 0.5 ms, then 3 interleaved rounds of 7 calls per shape
    const runs = shapes.map((s) => {
      const run = make(s), mac = s[0] * s[1] * s[2];
      let reps = 16;
      for (;;) { const t = now(); run(reps); if (now() - t > 0.5 || reps > 1 << 22) break; reps *= 2; }
      const t0 = now();
      while (now() - t0 < 40) run(reps);
      return { s, run, mac, reps, ts: [] as number[] };
    });
    for (let round = 0; round < 3; round++) {
      for (const r of runs) for (let i = 0; i < 7; i++) { const t = now(); r.run(r.reps); r.ts.push((now() - t) / r.reps); }
    }
    let best = { g: 0, run: (_: number): unknown => 0, mac: 0, name: '' };
    for (const r of runs) {
      const g = (2 * r.mac) / (median(r.ts) * 1e6), name = r.s.join('x');
      tried[name] = g;
      if (g > best.g) best = { g, run: r.run, mac: r.mac, name };
    }
    // iters = 250 000 is about a 1 ms call (as simd_peak(250 000) was)
    const reps1ms = (best.g * 1e6) / (2 * best.mac);
    const reps = (iters: number) => Math.max(1, Math.round((reps1ms * iters) / 250_000));
    return {
      fn: (iters) => best.run(reps(iters)),
      flops: (iters) => 2 * best.mac * reps(iters),
      source: `${label} ${best.name} (M×N×K), best of ${shapes.map((s) => s.join('x')).join(', ')} on L1-resident operands (assembly/kpeak.ts)`,
      tried,
    };
  };
  const f32 = choose(([M, N, K]) => {
    const A = e.alloc(M * K * 4), B = e.alloc(K * N * 4), C = e.alloc(M * N * 4);
    fill(A, M * K); fill(B, K * N);
    const Bp = e.alloc(Math.max(1, (N & ~7) * K) * 4);
    e.gemm_pack_b(K, N, B, N, Bp);
    return (reps) => e.kernel_peak_f32(reps, M, N, K, A, Bp, B, C);
  }, F32_SHAPES, 'f32 gemm_pb');
  const int8 = choose(([M, N, K]) => {
    const X = e.alloc(M * K * 4), Wf = e.alloc(N * K * 4), q = e.alloc(N * K * 4), s = e.alloc(N * 4);
    fill(X, M * K); fill(Wf, N * K);
    const A = e.alloc(M * K * 2 + 4), xs = e.alloc(M * 4);
    e.q8_quant_rows(M, K, X, K, A, K + (K & 1), xs);
    e.q8_quantize(N, K, Wf, K, q, s);
    const Wp = e.alloc(e.q8_packed_bytes(N, K)), ws = e.alloc(Math.ceil(N / 8) * 32), C = e.alloc(M * N * 4);
    e.q8_pack(N, K, q, s, Wp, ws);
    return (reps) => e.kernel_peak_q8(reps, M, N, K, A, xs, Wp, ws, C);
  }, Q8_SHAPES, 'int8 q8_gemm');
  return { f32, int8 };
}
