// What every recurrent kernel shares: which rows are valid at a time step when sequences have
// their own lengths (PyTorch's packed-sequence semantics), and the state a step starts from.
//
// A row b is valid at time t when t < len[b] (len = T when `lengths` is 0). A forward direction
// walks t = 0 … T−1, a reverse one t = T−1 … 0; either way a row's state before its first valid
// step is its initial state, and its final state is the one after its last valid step.

import { alloc, free } from './alloc';
import { gemm, gemm_pb, transpose } from './gemm';

// Gate activation of LSTM and GRU gates (i, f, o; r, z): ga = 0 sigmoid (PyTorch, Keras),
// ga = 1 hard sigmoid clip(0.2·x + 0.5, 0, 1) (TF.js's default recurrentActivation); the forward
// applies it with vgate (activations.ts).
const HS_A: f32 = 0.2;
/** pre · gate'(…) from the gate's output y: pre·y·(1 − y), or pre·0.2 inside the hard sigmoid's ramp. */
@inline export function dgate(pre: f32, y: f32, ga: i32): f32 {
  if (!ga) return pre * y * (1 - y);
  return y > 0 && y < 1 ? pre * HS_A : 0;
}

/**
 * d[j] = (p[j] + q[j]) + (r[j] + s[j]) for j < n, d may be p: a gate's pre-activation from its
 * input side (p, bias q) and its hidden side (r, bias s). Absent biases are −0.0 vectors
 * (bias_or_negzero), which add nothing, so the sum is the one separate bias passes would give.
 */
export function pre_sum(n: i32, p: usize, q: usize, r: usize, s: usize, d: usize): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const k = <usize>j << 2;
    v128.store(d + k, f32x4.add(f32x4.add(v128.load(p + k), v128.load(q + k)), f32x4.add(v128.load(r + k), v128.load(s + k))));
  }
  for (; j < n; j++) {
    const k = <usize>j << 2;
    store<f32>(d + k, (load<f32>(p + k) + load<f32>(q + k)) + (load<f32>(r + k) + load<f32>(s + k)));
  }
}

/**
 * A bias vector, or when it is absent (0) n floats of −0.0: x + (−0.0) is x for every x
 * (+0 and −0 included), so one code path adds "no bias" exactly. Free the result only when
 * b was 0.
 */
export function bias_or_negzero(b: usize, n: i32): usize {
  if (b) return b;
  const p = alloc(<usize>n << 2);
  for (let j = 0; j < n; j++) store<u32>(p + (<usize>j << 2), 0x80000000);
  return p;
}

// The input projection of a recurrence (x_t · W_ihᵀ for every step) is one GEMM over all T·B
// rows when the backward needs it cached. Inference needs no cache, so it runs a chunk of
// steps at a time into a scratch of about PROJ_BYTES that is still in L2 when the steps read
// it. A GEMM row does not depend on the rows computed with it, so the bits are the same.
const PROJ_BYTES: i32 = 256 << 10;

/** Steps per input-projection chunk for rows of G floats (inference). */
export function proj_steps(T: i32, B: i32, G: i32): i32 {
  return max(1, min(T, (PROJ_BYTES >> 2) / (B * G)));   // B·G·4 could pass 2^31
}

/**
 * gx (n·B × G) = the input projections of processing steps [s, s + n): x rows of times
 * t0 … t0 + n − 1 (t0 = s forward, T − s − n reverse) times wT (I × G, packed as wP for
 * gemm_pb, or wP = 0). Returns t0: the row of (t, b) in gx is (t − t0)·B + b.
 */
export function project(T: i32, B: i32, I: i32, G: i32, s: i32, n: i32, reverse: i32,
                        x: usize, ldx: i32, wP: usize, wT: usize, gx: usize): i32 {
  const t0 = reverse ? T - s - n : s;
  gemm_pb(n * B, G, I, rowp(x, t0 * B, ldx), ldx, wP, wT, G, gx, G, 0);
  return t0;
}

/**
 * The transposed weights of one layer-direction, one block: W_ihᵀ (I × G) at dst, W_hhᵀ (P × G)
 * after it, then W_hrᵀ (H × P) when w_hr is given (an LSTM projection). The forward kernels
 * take such a block (`wT`) instead of transposing on every call: step() keeps one per layer,
 * redone only when the weights change.
 */
export function weights_t(G: i32, I: i32, P: i32, H: i32, w_ih: usize, w_hh: usize, w_hr: usize, dst: usize): void {
  transpose(G, I, w_ih, I, dst, G);
  transpose(G, P, w_hh, P, dst + (<usize>(I * G) << 2), G);
  if (w_hr) transpose(P, H, w_hr, H, dst + (<usize>((I + P) * G) << 2), P);
}

@inline export function rowp(p: usize, r: i32, ld: i32): usize { return p + (<usize>(r * ld) << 2); }

@inline export function lenOf(lengths: usize, b: i32, T: i32): i32 {
  return lengths ? load<i32>(lengths + (<usize>b << 2)) : T;
}

/** Time index of processing step s. */
@inline export function timeOf(s: i32, T: i32, reverse: i32): i32 { return reverse ? T - 1 - s : s; }

/**
 * dst (B × n, contiguous) = for every row b, the state row `src` holds for the step before t
 * (src rows are (t', b) with leading dimension lds), or init row b (n wide; zeros when init = 0)
 * when t is that row's first valid step.
 */
export function gather_prev(T: i32, B: i32, n: i32, t: i32, reverse: i32, lengths: usize,
                            src: usize, lds: i32, init: usize, dst: usize): void {
  const prev = reverse ? t + 1 : t - 1;
  for (let b = 0; b < B; b++) {
    const d = rowp(dst, b, n);
    if (prev >= 0 && prev < lenOf(lengths, b, T)) memory.copy(d, rowp(src, prev * B + b, lds), <usize>n << 2);
    else if (init) memory.copy(d, rowp(init, b, n), <usize>n << 2);
    else memory.fill(d, 0, <usize>n << 2);
  }
}

/**
 * The rows holding the state before step s (time t), n wide: the previous step's rows of src read
 * in place (leading dimension lds) when every sequence continues (s > 0, no lengths), else gathered
 * into tmp (B × n) by gather_prev. prev_ld gives the matching leading dimension.
 */
export function prev_rows(T: i32, B: i32, n: i32, s: i32, t: i32, reverse: i32, lengths: usize,
                          src: usize, lds: i32, init: usize, tmp: usize): usize {
  if (s > 0 && !lengths) return rowp(src, (reverse ? t + 1 : t - 1) * B, lds);
  gather_prev(T, B, n, t, reverse, lengths, src, lds, init, tmp);
  return tmp;
}
@inline export function prev_ld(s: i32, lengths: usize, lds: i32, n: i32): i32 { return s > 0 && !lengths ? lds : n; }

/** dst (B × n) = each row's final state: row (len−1, b) forward, row (0, b) reverse. */
export function gather_last(T: i32, B: i32, n: i32, reverse: i32, lengths: usize, src: usize, lds: i32, dst: usize): void {
  for (let b = 0; b < B; b++) {
    const t = reverse ? 0 : lenOf(lengths, b, T) - 1;
    memory.copy(rowp(dst, b, n), rowp(src, t * B + b, lds), <usize>n << 2);
  }
}

/** Zeroes the n-wide rows (t, b) of p that are past their sequence's end. */
export function zero_invalid(T: i32, B: i32, n: i32, t: i32, lengths: usize, p: usize, ld: i32): void {
  if (!lengths) return;
  for (let b = 0; b < B; b++) if (t >= lenOf(lengths, b, T)) memory.fill(rowp(p, t * B + b, ld), 0, <usize>n << 2);
}

/** Rows b invalid at t take `keep`'s row instead of `fresh`'s (B × n both): state carried through padding. */
export function carry_invalid(T: i32, B: i32, n: i32, t: i32, lengths: usize, keep: usize, fresh: usize): void {
  if (!lengths) return;
  for (let b = 0; b < B; b++) if (t >= lenOf(lengths, b, T)) memory.copy(rowp(fresh, b, n), rowp(keep, b, n), <usize>n << 2);
}

/** True when row b is valid at time t. */
@inline export function valid(lengths: usize, b: i32, t: i32, T: i32): bool { return t < lenOf(lengths, b, T); }

/** True when none of the n floats at p is an infinity or a NaN (x − x is 0 exactly for finite x). */
export function all_finite(p: usize, n: i32): bool {
  const zero = f32x4.splat(0);
  let bad = zero;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    bad = v128.or(bad, f32x4.ne(f32x4.sub(v, v), zero));
  }
  for (; i < n; i++) { const v = load<f32>(p + (<usize>i << 2)); if (v - v != 0) return false; }
  return !v128.any_true(bad);
}

/**
 * The state GEMM of a step that starts from a zero state (s = 0, no h0) when it can be skipped:
 * every row of the state is +0 or −0, so each sum of the GEMM starts at +0 and adds only ±0
 * products, and stays +0 (the blocked-summation contract), unless a weight is infinite or NaN
 * (0 · ∞ is NaN). So when the nw floats at wT (the GEMM's weights, or a block holding them) are
 * finite, the result is exactly +0 and acc (B rows of N, leading dim ldc) is filled instead of
 * computed; returns false (nothing done) otherwise. Only for B ≥ 4: below that the GEMM is a
 * matrix-vector pass over the weights, no dearer than the check.
 */
export function zero_state(B: i32, N: i32, wT: usize, nw: i32, acc: usize, ldc: i32): bool {
  if (B < 4 || !all_finite(wT, nw)) return false;
  for (let b = 0; b < B; b++) memory.fill(rowp(acc, b, ldc), 0, <usize>N << 2);
  return true;
}

// Summation block of gemm.ts (its contract): a GEMM may be split along k only at multiples of it.
const KB: i32 = 64;

/**
 * C (G × P) += A · H_prev, where A (G × T·B, leading dim lda) is dGᵀ and H_prev row k = t·B + b
 * is the state before step t of row b: an `out` row (P wide, leading dim ldo), or row b of init
 * (zeros when init = 0) at the row's first step. The same bits as one gemm over a gathered H_prev.
 * Without lengths or init, and with B < KB, H_prev is the out rows shifted by one step plus B zero
 * rows that share one summation block with out rows; when A is finite over them, their products
 * are ±0, which leave a sum from +0 at +0 (before the out rows) or unchanged (after them: such a
 * sum is never −0), so the zero rows are left out and the out rows read in place, in two gemms
 * split at a summation-block edge (gemm's blocks start where each call starts).
 */
export function hprev_gemm(T: i32, B: i32, G: i32, P: i32, A: usize, lda: i32, out: usize, ldo: i32,
                           init: usize, lengths: usize, reverse: i32, C: usize): void {
  const TB = T * B;
  const z0 = reverse ? TB - B : 0;                      // the zero rows: [z0, z0 + B)
  const k0 = reverse ? 0 : B, k1 = reverse ? TB - B : TB;   // the out rows: row k is out row k ∓ B
  const e = reverse ? k1 / KB * KB : KB;                // the block edge to split at
  if (!lengths && !init && T > 1 && B < KB && (!reverse || (e < k1 && TB - e <= KB)) &&
      all_finite_cols(A, lda, G, z0, z0 + B)) {
    const sh = reverse ? B : -B;
    if (e > k0) gemm(G, P, min(e, k1) - k0, A + (<usize>k0 << 2), lda, rowp(out, k0 + sh, ldo), ldo, C, P, 1);
    if (k1 > e) gemm(G, P, k1 - e, A + (<usize>e << 2), lda, rowp(out, e + sh, ldo), ldo, C, P, 1);
    return;
  }
  const hp = alloc(<usize>(TB * P) << 2);   // h_{t−1} of every row, in time order
  for (let t = 0; t < T; t++) gather_prev(T, B, P, t, reverse, lengths, out, ldo, init, rowp(hp, t * B, P));
  gemm(G, P, TB, A, lda, hp, P, C, P, 1);
  free(hp);
}

/** True when A's columns [k0, k1) (G rows, leading dim lda) are all finite. */
function all_finite_cols(A: usize, lda: i32, G: i32, k0: i32, k1: i32): bool {
  for (let i = 0; i < G; i++) if (!all_finite(rowp(A, i, lda) + (<usize>k0 << 2), k1 - k0)) return false;
  return true;
}

/**
 * The weight gradients of a recurrence, as big GEMMs over all T·B rows: dw_ih += dGᵀ · X and
 * dw_hh += dGᵀ · H_prev, where dG (T·B × G, leading dim G) is the gradient w.r.t. the gates'
 * pre-activations and H_prev row (t, b) is the state before step t (out rows, or h0; P wide;
 * see hprev_gemm). Zero pointers skip.
 */
export function weight_grads(T: i32, B: i32, I: i32, G: i32, P: i32, dG: usize, x: usize, ldx: i32,
                             out: usize, ldo: i32, h0: usize, lengths: usize, reverse: i32,
                             dw_ih: usize, dw_hh: usize): void {
  if (!dw_ih && !dw_hh) return;
  const TB = T * B;
  const dGT = alloc(<usize>(TB * G) << 2);
  transpose(TB, G, dG, G, dGT, TB);
  if (dw_ih) gemm(G, I, TB, dGT, TB, x, ldx, dw_ih, I, 1);
  if (dw_hh) hprev_gemm(T, B, G, P, dGT, TB, out, ldo, h0, lengths, reverse, dw_hh);
  free(dGT);
}
