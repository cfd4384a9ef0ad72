// Wasm exports: elementwise activations over f32 arrays. The math is in vmath.ts.
//
// x, y: byte pointers to n f32 (any alignment); y may equal x (in place) but must not
// otherwise overlap it. Body: one f32x4 block per iteration (the iterations are independent,
// so the CPU overlaps them), then a scalar tail of 0..3 elements; the scalar functions give
// exactly the bits of a vector lane, so the result does not depend on n or on where an
// element falls.
import { exp4, exp1, tanh4, tanh1, sigmoid4, sigmoid1 } from './vmath';

/** y[i] = tanh(x[i]) for i < n; y may equal x. */
export function vtanh(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, tanh4(v128.load(x + o))); }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), tanh1(load<f32>(x + (<usize>i << 2))));
}

/** y[i] = sigmoid(x[i]) = 1 / (1 + e^-x[i]) for i < n; y may equal x. */
export function vsigmoid(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, sigmoid4(v128.load(x + o))); }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sigmoid1(load<f32>(x + (<usize>i << 2))));
}

/** y[i] = e^x[i] for i < n; y may equal x. */
export function vexp(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, exp4(v128.load(x + o))); }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), exp1(load<f32>(x + (<usize>i << 2))));
}
