// PLACEHOLDER (scalar) — to be replaced by the register-blocked f32x4 kernel.
// Contract: C[i,j] = (accumulate ? C[i,j] : 0) then += A[i,k]*B[k,j] for k = 0..K-1 in order,
// f32 multiply then f32 add (no FMA). Row-major, leading dimensions in elements.
export function gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
                     C: usize, ldc: i32, accumulate: i32): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s: f32 = accumulate ? load<f32>(C + ((<usize>(i * ldc + j)) << 2)) : 0;
      for (let k = 0; k < K; k++) {
        s += load<f32>(A + ((<usize>(i * lda + k)) << 2)) * load<f32>(B + ((<usize>(k * ldb + j)) << 2));
      }
      store<f32>(C + ((<usize>(i * ldc + j)) << 2), s);
    }
  }
}

/** B[N x M] (leading dim ldb) = transpose of A[M x N] (leading dim lda). */
export function transpose(M: i32, N: i32, A: usize, lda: i32, B: usize, ldb: i32): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++)
      store<f32>(B + ((<usize>(j * ldb + i)) << 2), load<f32>(A + ((<usize>(i * lda + j)) << 2)));
}
