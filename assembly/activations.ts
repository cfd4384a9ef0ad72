// Wasm exports: elementwise activations over f32 arrays. The math is in vmath.ts. The recurrent
// kernels call these on the gate blocks of a row (L1-resident), so they are the hot loops of
// every forward pass.
//
// x, y: byte pointers to n f32 (any alignment); y may equal x (in place) but must not
// otherwise overlap it. Body: 8 elements per iteration as two independent f32x4 chains (each
// function is a long chain of dependent operations; two side by side keep more of the CPU's
// execution ports busy: about 15% here), then one f32x4 block if 4..7 remain, then a scalar
// tail of 0..3 elements. The scalar functions give exactly the bits of a vector lane, so the
// result does not depend on n or on where an element falls.
import { exp4, exp1, tanh4, tanh1, sigmoid4, sigmoid1 } from './vmath';

/** y[i] = tanh(x[i]) for i < n; y may equal x. */
export function vtanh(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = tanh4(v128.load(x + o)), b = tanh4(v128.load(x + o, 16));
    v128.store(y + o, a); v128.store(y + o, b, 16);
  }
  if (i + 4 <= n) { const o = <usize>i << 2; v128.store(y + o, tanh4(v128.load(x + o))); i += 4; }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), tanh1(load<f32>(x + (<usize>i << 2))));
}

/** y[i] = sigmoid(x[i]) = 1 / (1 + e^-x[i]) for i < n; y may equal x. */
export function vsigmoid(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = sigmoid4(v128.load(x + o)), b = sigmoid4(v128.load(x + o, 16));
    v128.store(y + o, a); v128.store(y + o, b, 16);
  }
  if (i + 4 <= n) { const o = <usize>i << 2; v128.store(y + o, sigmoid4(v128.load(x + o))); i += 4; }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sigmoid1(load<f32>(x + (<usize>i << 2))));
}

/** y[i] = e^x[i] for i < n; y may equal x. */
export function vexp(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, exp4(v128.load(x + o))); }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), exp1(load<f32>(x + (<usize>i << 2))));
}

// Hard sigmoid, clip(0.2·x + 0.5, 0, 1) (TF.js's default recurrent activation): one f32 mul,
// one add, then Wasm min/max, lane and scalar alike.
const HS_A: f32 = 0.2, HS_B: f32 = 0.5;

/** y[i] = clip(0.2·x[i] + 0.5, 0, 1) for i < n; y may equal x. */
export function vhardsigmoid(x: usize, y: usize, n: i32): void {
  const a = f32x4.splat(HS_A), b = f32x4.splat(HS_B), lo = f32x4.splat(0), hi = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v128.load(x + o), a), b), lo), hi));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), min<f32>(max<f32>(load<f32>(x + (<usize>i << 2)) * HS_A + HS_B, 0), 1));
}

/** The gate activation of LSTM/GRU gates in place over n floats: ga = 0 sigmoid, 1 hard sigmoid. */
export function vgate(p: usize, n: i32, ga: i32): void {
  if (ga) vhardsigmoid(p, p, n); else vsigmoid(p, p, n);
}
