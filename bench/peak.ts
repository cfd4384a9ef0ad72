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
