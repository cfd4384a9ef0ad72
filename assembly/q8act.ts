// The int8 path's gate math: sigmoid and tanh for inference, and the row updates of RNN, LSTM and
// GRU built on them (the f32 kernels' rows, lstm.ts / gru.ts, with these activations).
//
// Why not the f32 path's vsigmoid / vtanh (activations.ts): those are within 1 ulp, with both
// tanh branches computed and a double-word correction in sigmoid (40-45 vector operations per 4
// values); at int8 speed they took a third of a W2/W3 forward. The outputs of an int8 model carry
// quantization errors near 1e-2 relative, so an activation within a few 1e-7 is as good and needs
// about 26 operations. The bits stay fixed: only IEEE-exact Wasm operations (f32x4 add/sub/mul/
// div/pmin/pmax, i32x4 shift/add on bit patterns), no FMA, no relaxed SIMD, no tables.
//
//   e(y)       = e^y for y clamped to [−80, 80] (Cody & Waite reduction and the degree-6 minimax
//                polynomial of vmath.ts: n = round(y / ln 2), r = y − n ln 2 in two pieces,
//                e^r = 1 + r + r²Q(r), then 2^n put into the exponent bits)
//   sigmoid(x) = 1 / (1 + e(−x))
//   tanh(x)    = 1 − 2 / (1 + e(2x))
// Measured against float64 over 2^24 points spread over [−40, 40] (test/q8act.test.ts): sigmoid
// max absolute error 1.2e-7, tanh 2.4e-7 (tanh near 0 has an absolute, not a relative, bound:
// 1 − 2/(1 + e) cancels). Results stay in [0, 1] and [−1, 1]; sigmoid(0) = 0.5, tanh(0) = 0. The
// clamp keeps every intermediate a normal float (no denormals: slow on x86, and no garbage from
// the exponent trick). A NaN input gives a NaN (its sign and payload are not specified).
import { vhardsigmoid } from './activations';
import { pre_sum } from './seq';
import { unary } from './elementwise';

const LOG2E: f32 = 1.442695;           // 1/ln 2 (0x3fb8aa3b)
const SHIFTER: f32 = 12582912.0;       // 1.5 · 2^23: y·log2e + SHIFTER holds round(y / ln 2) in its low bits
const LN2_HI: f32 = 0.693359375;       // 355/512: n · LN2_HI exact for |n| < 2^15
const LN2_LO: f32 = -2.1219444e-4;     // ln 2 − 355/512
// e^r = 1 + r + r²(E0 + E1 r + E2 r² + E3 r³ + E4 r⁴), |r| ≤ 0.35 (vmath.ts's coefficients)
const E0: f32 = 0.49999994;
const E1: f32 = 0.16666515;
const E2: f32 = 0.041668456;
const E3: f32 = 0.00836941;
const E4: f32 = 0.0013813161;
const Y_MAX: f32 = 80.0;               // e^80 = 5.5e34; 1/(1 + e^80) = 1.8e-35: all normal
const ONE_BITS: i32 = 0x3f800000;

// Constants from memory: V8 rebuilds a v128 constant from immediates at every use in a loop
// (three instructions; see vmath.ts), a load is one.
const KT: usize = memory.data<f32>([
  -Y_MAX, -Y_MAX, -Y_MAX, -Y_MAX, Y_MAX, Y_MAX, Y_MAX, Y_MAX,
  LOG2E, LOG2E, LOG2E, LOG2E, SHIFTER, SHIFTER, SHIFTER, SHIFTER,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  E0, E0, E0, E0, E1, E1, E1, E1, E2, E2, E2, E2, E3, E3, E3, E3, E4, E4, E4, E4,
  1, 1, 1, 1, 2, 2, 2, 2,
], 16);
// @ts-ignore: decorator
@inline function k(i: i32): v128 { return v128.load(KT + (<usize>i << 4)); }

/** 1 / (1 + e^y) lane-wise. */
// @ts-ignore: decorator
@inline function inv1pexp(v: v128): v128 {
  const y = f32x4.pmin(f32x4.pmax(v, k(0)), k(1));
  const t = f32x4.add(f32x4.mul(y, k(2)), k(3));
  const n = f32x4.sub(t, k(3));
  const r = f32x4.sub(f32x4.sub(y, f32x4.mul(n, k(4))), f32x4.mul(n, k(5)));
  let q = f32x4.add(f32x4.mul(k(10), r), k(9));
  q = f32x4.add(f32x4.mul(q, r), k(8));
  q = f32x4.add(f32x4.mul(q, r), k(7));
  q = f32x4.add(f32x4.mul(q, r), k(6));
  const p = f32x4.add(k(11), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q)));
  const e = f32x4.mul(p, i32x4.add(i32x4.shl(t, 23), i32x4.splat(ONE_BITS)));   // p · 2^n, |n| ≤ 116
  return f32x4.div(k(11), f32x4.add(k(11), e));
}

// @ts-ignore: decorator
@inline function sig4(x: v128): v128 { return inv1pexp(f32x4.neg(x)); }
// @ts-ignore: decorator
@inline function tanh4(x: v128): v128 { return f32x4.sub(k(11), f32x4.mul(k(12), inv1pexp(f32x4.add(x, x)))); }

// Arrays: 4 lanes at a time; the 0-3 last elements go through the same vector code on a splat,
// so an element's bits never depend on n or on its position.

/** y[i] = sigmoid(x[i]) for i < n (y may be x). */
export function q8_sigmoid(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {   // two independent chains
    const o = <usize>i << 2;
    const a = sig4(v128.load(x + o)), b = sig4(v128.load(x + o, 16));
    v128.store(y + o, a); v128.store(y + o, b, 16);
  }
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, sig4(v128.load(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, f32x4.extract_lane(sig4(f32x4.splat(load<f32>(x + o))), 0)); }
}

/** y[i] = tanh(x[i]) for i < n (y may be x). */
export function q8_tanh(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = tanh4(v128.load(x + o)), b = tanh4(v128.load(x + o, 16));
    v128.store(y + o, a); v128.store(y + o, b, 16);
  }
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, tanh4(v128.load(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; store<f32>(y + o, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + o))), 0)); }
}

/** Gate activation in place: ga = 0 sigmoid (above), 1 the hard sigmoid of activations.ts. */
function gate(p: usize, n: i32, ga: i32): void {
  if (ga) vhardsigmoid(p, p, n); else q8_sigmoid(p, p, n);
}

/** RNN activation in place over n floats: 0 tanh, 1 sigmoid (these two as above); 2 relu, 3 identity (elementwise.ts's, exact). */
export function q8_act(act: i32, p: usize, n: i32): void {
  if (act == 0) q8_tanh(p, p, n);
  else if (act == 1) q8_sigmoid(p, p, n);
  else unary(act, p, p, n);
}

@inline function ldv(p: usize, j: i32): v128 { return v128.load(p + (<usize>j << 2)); }
@inline function stv(p: usize, j: i32, v: v128): void { v128.store(p + (<usize>j << 2), v); }
@inline function ldf(p: usize, j: i32): f32 { return load<f32>(p + (<usize>j << 2)); }
@inline function stf(p: usize, j: i32, v: f32): void { store<f32>(p + (<usize>j << 2), v); }

/**
 * LSTM row (lstm.ts lstm_row with these activations): gates gx + bi + a4 + bh in gx, activated
 * (i, f, g, o), c = f·c_prev + i·g, r = o·tanh(c).
 */
export function q8_lstm_row(H: i32, gx: usize, bi: usize, a4: usize, bh: usize, cp: usize, c: usize, r: usize, ga: i32): void {
  const o1 = <usize>H << 2, o2 = <usize>(2 * H) << 2, o3 = <usize>(3 * H) << 2;
  pre_sum(4 * H, gx, bi, a4, bh, gx);
  gate(gx, 2 * H, ga);
  q8_tanh(gx + o2, gx + o2, H);
  gate(gx + o3, H, ga);
  let j = 0;
  for (; j + 4 <= H; j += 4) stv(c, j, f32x4.add(f32x4.mul(ldv(gx + o1, j), ldv(cp, j)), f32x4.mul(ldv(gx, j), ldv(gx + o2, j))));
  for (; j < H; j++) stf(c, j, ldf(gx + o1, j) * ldf(cp, j) + ldf(gx, j) * ldf(gx + o2, j));
  q8_tanh(c, r, H);
  for (j = 0; j + 4 <= H; j += 4) stv(r, j, f32x4.mul(ldv(gx + o3, j), ldv(r, j)));
  for (; j < H; j++) stf(r, j, ldf(gx + o3, j) * ldf(r, j));
}

/** h' = (h − n)⊙z + n from the activated z and n of a row (gx + H, gx + 2H). */
function gru_out(H: i32, gx: usize, h: usize, hy: usize): void {
  const o1 = <usize>H << 2, o2 = <usize>(2 * H) << 2;
  let j = 0;
  for (; j + 4 <= H; j += 4) { const n = ldv(gx + o2, j); stv(hy, j, f32x4.add(f32x4.mul(f32x4.sub(ldv(h, j), n), ldv(gx + o1, j)), n)); }
  for (; j < H; j++) { const n = ldf(gx + o2, j); stf(hy, j, (ldf(h, j) - n) * ldf(gx + o1, j) + n); }
}

/** GRU row, reset after the product (gru.ts gru_row with these activations); hn receives W_hn h + b_hn. */
export function q8_gru_row(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, hy: usize, hn: usize, ga: i32): void {
  const o2 = <usize>(2 * H) << 2;
  pre_sum(2 * H, gx, bi, a3, bh, gx);
  gate(gx, 2 * H, ga);
  let j = 0;
  for (; j + 4 <= H; j += 4) {
    const a = f32x4.add(ldv(a3 + o2, j), ldv(bh + o2, j));
    stv(hn, j, a);
    stv(gx + o2, j, f32x4.add(f32x4.add(ldv(gx + o2, j), ldv(bi + o2, j)), f32x4.mul(a, ldv(gx, j))));
  }
  for (; j < H; j++) {
    const a = ldf(a3 + o2, j) + ldf(bh + o2, j);
    stf(hn, j, a);
    stf(gx + o2, j, (ldf(gx + o2, j) + ldf(bi + o2, j)) + a * ldf(gx, j));
  }
  q8_tanh(gx + o2, gx + o2, H);
  gru_out(H, gx, h, hy);
}

/** GRU, reset before the product, first half: r, z; rh = r ⊙ h. */
export function q8_gru_rz(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, rh: usize, ga: i32): void {
  pre_sum(2 * H, gx, bi, a3, bh, gx);
  gate(gx, 2 * H, ga);
  let j = 0;
  for (; j + 4 <= H; j += 4) stv(rh, j, f32x4.mul(ldv(gx, j), ldv(h, j)));
  for (; j < H; j++) stf(rh, j, ldf(gx, j) * ldf(h, j));
}

/** GRU, reset before the product, second half: n = tanh(input n + hidden n), h' = (h − n)⊙z + n. */
export function q8_gru_n(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, hy: usize): void {
  const o2 = <usize>(2 * H) << 2;
  pre_sum(H, gx + o2, bi + o2, a3 + o2, bh + o2, gx + o2);
  q8_tanh(gx + o2, gx + o2, H);
  gru_out(H, gx, h, hy);
}
