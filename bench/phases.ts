// The GEMM phases of a forward workload (issue 4: "GEMM phases ≥ 85% of the measured SIMD
// peak"), run alone through the raw Wasm exports with the shapes, packing and chunking of the
// recurrent kernels (assembly/lstm.ts, gru.ts, rnn.ts under noGrad): per layer and direction,
// the input projection x_t · W_ihᵀ in chunks of proj_steps() steps against W_ihᵀ packed once,
// and one B × G × H product per step against the packed W_hhᵀ. The gate math between them is
// left out; that is the point: what the GEMMs alone reach. q8GemmPhases: the same for the int8
// path (quantize()).
import { GATES, rnnFlops, type Workload } from './workloads.js';

type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export interface Phases { run: () => number; flops: number; free: () => void }

export function gemmPhases(e: Exports, w: Workload): Phases {
  const { T, B, H, L, D } = w;
  const G = GATES[w.mode] * H;
  const blocks: number[] = [];
  const alloc = (n: number) => {
    const p = e.alloc(n * 4);
    // small normal values: timing must not meet denormals
    const v = new Float32Array(e.memory.buffer, p, n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1;
    blocks.push(p);
    return p;
  };
  const steps: (() => void)[] = [];
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? w.I : H * D;
    const x = alloc(T * B * I), wT = alloc(I * G), whT = alloc(H * G), h = alloc(B * H), acc = alloc(B * G);
    const TC = e.proj_steps(T, B, G);
    const gx = alloc(TC * B * G);
    const wP = e.pack_for(TC * B, I, G, wT, G), whP = e.pack_for(B, H, G, whT, G);
    blocks.push(wP, whP);
    for (let d = 0; d < D; d++) {
      steps.push(() => {
        for (let s = 0; s < T; s += TC) {
          const n = Math.min(TC, T - s);
          e.gemm_pb(n * B, G, I, x + s * B * I * 4, I, wP, wT, G, gx, G, 0);
        }
        for (let t = 0; t < T; t++) e.gemm_pb(B, G, H, h, H, whP, whT, G, acc, G, 0);
      });
    }
  }
  return {
    run: () => { for (const s of steps) s(); return 0; },
    flops: rnnFlops(w),
    free: () => { for (const p of blocks) e.free(p); },
  };
}

/**
 * The int8 path's GEMM phases (assembly/q8rnn.ts under quantize()): per layer and direction, the
 * input projection by q8_project (per-row quantization of the inputs + int8 GEMM) in the kernels'
 * chunks, and per step the quantization of the B state rows and one B × G × H int8 GEMM. The gate
 * math is left out, as in gemmPhases.
 */
export function q8GemmPhases(e: Exports, w: Workload): Phases {
  const { T, B, H, L, D } = w;
  const G = GATES[w.mode] * H;
  const blocks: number[] = [];
  const alloc = (n: number) => {
    const p = e.alloc(n * 4);
    const v = new Float32Array(e.memory.buffer, p, n);
    for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1;
    blocks.push(p);
    return p;
  };
  const pack = (N: number, K: number) => {
    const wf = alloc(N * K), q = alloc(N * K), s = alloc(N);
    e.q8_quantize(N, K, wf, K, q, s);
    const wp = e.alloc(e.q8_packed_bytes(N, K)), ws = alloc(Math.ceil(N / 8) * 8);
    blocks.push(wp);
    e.q8_pack(N, K, q, s, wp, ws);
    return [wp, ws];
  };
  const steps: (() => void)[] = [];
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? w.I : H * D;
    const x = alloc(T * B * I), h = alloc(B * H), acc = alloc(B * G);
    const [wi, wis] = pack(G, I), [wh, whs] = pack(G, H);
    const TC = e.proj_steps(T, B, G);
    const gx = alloc(TC * B * G), hq = alloc(B * H), hs = alloc(B);
    for (let d = 0; d < D; d++) {
      steps.push(() => {
        for (let s = 0; s < T; s += TC) {
          const n = Math.min(TC, T - s);
          e.q8_project(n * B, G, I, x + s * B * I * 4, I, wi, wis, gx, G);
        }
        for (let t = 0; t < T; t++) {
          e.q8_quant_rows(B, H, h, H, hq, H + (H & 1), hs);
          e.q8_gemm(B, G, H, hq, H + (H & 1), hs, wh, whs, acc, G);
        }
      });
    }
  }
  return {
    run: () => { for (const s of steps) s(); return 0; },
    flops: rnnFlops(w),
    free: () => { for (const p of blocks) e.free(p); },
  };
}

export interface Paired {
  /** median over pairs of (GEMM phases GFLOP/s) / (peak loop GFLOP/s), and its quartiles */
  ratio: number; q1: number; q3: number; pairs: number;
  /** each side's median and best call */
  median: number; min: number; gflops: number; peak: number; bestGflops: number; bestPeak: number;
}

/**
 * The GEMM phases against the SIMD peak loop as paired calls: each pair is one phases call and
 * one peak call of about the same length, back to back (order alternating), and gives one
 * ratio of their GFLOP/s. On a shared host the machine's speed drifts by 1.5x over seconds;
 * two calls a few ms apart see the same machine, so the median of the per-pair ratios is
 * steady where the ratio of two separately taken medians (or bests) is not.
 */
export function pairedVsPeak(p: Phases, peak: (iters: number) => unknown, peakFlops: (iters: number) => number): Paired {
  const now = () => performance.now();
  const time = (f: () => unknown) => { const t = now(); f(); return now() - t; };
  const warm = now();
  while (now() - warm < 300) { p.run(); peak(250_000); }
  // a peak call as long as a phases call
  const tg0 = Math.min(...Array.from({ length: 5 }, () => time(p.run)));
  const tp0 = Math.min(...Array.from({ length: 5 }, () => time(() => peak(250_000))));
  const iters = Math.max(50_000, Math.round(250_000 * tg0 / tp0));
  const rs: number[] = [], tg: number[] = [], tp: number[] = [];
  const start = now();
  for (let i = 0; (i < 40 || now() - start < 2000) && now() - start < 8000; i++) {
    let a: number, b: number;
    if (i & 1) { b = time(() => peak(iters)); a = time(p.run); } else { a = time(p.run); b = time(() => peak(iters)); }
    tg.push(a); tp.push(b);
    rs.push((p.flops / a) / (peakFlops(iters) / b));
  }
  const med = (v: number[]) => { const s = [...v].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const q = (v: number[], f: number) => [...v].sort((x, y) => x - y)[Math.floor(f * (v.length - 1))];
  const gMed = med(tg), pMed = med(tp), gMin = Math.min(...tg), pMin = Math.min(...tp);
  return {
    ratio: med(rs), q1: q(rs, 0.25), q3: q(rs, 0.75), pairs: rs.length,
    median: gMed, min: gMin, gflops: p.flops / (gMed * 1e6), peak: peakFlops(iters) / (pMed * 1e6),
    bestGflops: p.flops / (gMin * 1e6), bestPeak: peakFlops(iters) / (pMin * 1e6),
  };
}
