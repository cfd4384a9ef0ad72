// Wasm exports: elementwise activations over arrays. The math is in vmath.ts.
import { tanh1, sigmoid1 } from './vmath';
/** y[i] = tanh(x[i]) for i < n; y may equal x. */
export function vtanh(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), tanh1(load<f32>(x + (<usize>i << 2))));
}
/** y[i] = sigmoid(x[i]) for i < n; y may equal x. */
export function vsigmoid(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), sigmoid1(load<f32>(x + (<usize>i << 2))));
}
