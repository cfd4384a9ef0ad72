// The GEMM phases of a forward workload (issue 4: "GEMM phases ≥ 85% of the measured SIMD
// peak"), run alone through the raw Wasm exports with the shapes, packing and chunking of the
// recurrent kernels (assembly/lstm.ts, gru.ts, rnn.ts under noGrad): per layer and direction,
// the input projection x_t · W_ihᵀ in chunks of proj_steps() steps against W_ihᵀ packed once,
// and one B × G × H product per step against the packed W_hhᵀ. The gate math between them is
// left out; that is the point: what the GEMMs alone reach.
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
