// Linear layer: y = x · Wᵀ + b. reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
// x (M, IN), W (OUT, IN), b (OUT) or 0, y (M, OUT).
import { alloc, free } from './alloc';
import { gemm, transpose } from './gemm';
import { add_bias_rows, colsum_acc } from './elementwise';

export function linear_forward(M: i32, IN: i32, OUT: i32, x: usize, w: usize, b: usize, y: usize): void {
  const wT = alloc(<usize>(IN * OUT) << 2);
  transpose(OUT, IN, w, IN, wT, OUT);
  gemm(M, OUT, IN, x, IN, wT, OUT, y, OUT, 0);
  if (b) add_bias_rows(M, OUT, y, OUT, b);
  free(wT);
}

/** dx = dy · W (written, or accumulated when dx_acc); dW += dyᵀ · x; db += Σ_rows dy. Zero pointers skip. */
export function linear_backward(M: i32, IN: i32, OUT: i32, x: usize, w: usize, dy: usize,
                                dx: usize, dx_acc: i32, dw: usize, db: usize): void {
  if (dx) gemm(M, IN, OUT, dy, OUT, w, IN, dx, IN, dx_acc);
  if (dw) {
    const dyT = alloc(<usize>(M * OUT) << 2);
    transpose(M, OUT, dy, OUT, dyT, M);
    gemm(OUT, IN, M, dyT, M, x, IN, dw, IN, 1);
    free(dyT);
  }
  if (db) colsum_acc(M, OUT, dy, OUT, db);
}
