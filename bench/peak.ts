/// <reference types="node" />
// Measured single-thread Wasm SIMD peak: a tight f32x4 mul+add loop.
// Uses wasm-rnn's own `simd_peak(iters)` (assembly/gemm.ts, 64 flops per iteration) when the
// built module exports it; otherwise compiles the same loop here with asc, in memory.
import { median } from './harness.js';

// the fallback kernel: 8 independent f32x4 accumulators, 4 splat loads per step (as gemm.ts)
const PEAK_AS = `
const buf: usize = memory.data(4096 + 64, 64);
export function simd_peak(iters: i32): f32 {
  const b0 = v128.load(buf + 4096), b1 = v128.load(buf + 4096, 16);
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  let p: usize = buf;
  const end = buf + 4096;
  for (let i = 0; i < iters; i++) {
    let s = v128.load32_splat(p);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 4);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 8);
    x20 = f32x4.add(x20, f32x4.mul(s, b0)); x21 = f32x4.add(x21, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 12);
    x30 = f32x4.add(x30, f32x4.mul(s, b0)); x31 = f32x4.add(x31, f32x4.mul(s, b1));
    p += 16;
    if (p == end) p = buf;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x00, x01), f32x4.add(x10, x11)),
                      f32x4.add(f32x4.add(x20, x21), f32x4.add(x30, x31)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
`;

async function compilePeak(): Promise<(iters: number) => number> {
  const asc = await import('assemblyscript/asc'); // import-only export: no require.resolve
  const r = await asc.compileString({ 'peak.ts': PEAK_AS }, {
    runtime: 'stub', use: ['abort='], enable: ['simd'], optimizeLevel: 3, shrinkLevel: 0, noAssert: true,
  });
  if (!r.binary) throw new Error('asc failed to compile the SIMD peak loop:\n' + r.stderr.toString());
  const { instance } = await WebAssembly.instantiate(new Uint8Array(r.binary), {});
  return instance.exports.simd_peak as (iters: number) => number;
}

/** The peak loop: wasm-rnn's export if the built module has it, else compiled here. */
export async function peakFunction(exports: Record<string, unknown>): Promise<{ fn: (iters: number) => number; source: string }> {
  const fn = exports.simd_peak as ((iters: number) => number) | undefined;
  if (fn) return { fn, source: 'wasm-rnn simd_peak (assembly/gemm.ts)' };
  return { fn: await compilePeak(), source: 'bench/peak.ts loop compiled with asc' };
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
