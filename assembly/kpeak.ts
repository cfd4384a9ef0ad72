// Benchmark helpers: the ceiling of each GEMM path, measured on its real kernels. `reps` calls of
// the driver on the same small operands (L1-resident), so what is timed is the micro-kernels'
// own rate with no cache misses and no JS call between GEMMs: a reference the GEMM phases of a
// workload, which run the same kernels on larger data, cannot exceed (bench/peak.ts picks the
// best of a few shapes). Operands are set up by the caller.
import { gemm_pb } from './gemm';
import { q8_gemm } from './q8gemm';

/** reps × gemm_pb(M, N, K): A (M × K), B (K × N) packed in Bp, C (M × N). */
export function kernel_peak_f32(reps: i32, M: i32, N: i32, K: i32, A: usize, Bp: usize, B: usize, C: usize): void {
  for (let r = 0; r < reps; r++) gemm_pb(M, N, K, A, K, Bp, B, N, C, N, 0);
}

/** reps × q8_gemm(M, N, K): A (M × Kp int16) with scales xs, W packed (Wp, ws), C (M × N). */
export function kernel_peak_q8(reps: i32, M: i32, N: i32, K: i32, A: usize, xs: usize, Wp: usize, ws: usize, C: usize): void {
  const kp = (K + 1) & ~1;
  for (let r = 0; r < reps; r++) q8_gemm(M, N, K, A, kp, xs, Wp, ws, C, N);
}
