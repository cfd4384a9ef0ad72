// Int8 inference of RNN, LSTM, GRU and Linear: the f32 kernels' loops (rnn.ts, lstm.ts, gru.ts)
// with every weight product done by the exact int8 GEMM of q8gemm.ts. One layer-direction per call.
//
// What changes against the f32 forward: the input rows x_t, the state rows h_{t−1} (and, for an
// LSTM projection, r_t; for the reset-before GRU, r ⊙ h) are quantized one row at a time, right
// before their product; the products come out dequantized in f32 (q8gemm.ts's contract); the
// gate math is the f32 rows' with faster activations (q8act.ts); the biases, the cell update and
// the lengths handling are the f32 path's own code. A row's bits depend only on that row (never
// on the batch) and on nothing engine-specific.
//
// Weights are given packed (q8_pack): `w*` the packed int16 panels, `w*s` the row scales. Biases,
// states and outputs are f32, laid out as in the f32 kernels (see rnn.ts). Inference only: no
// caches, nothing for a backward. The input projection runs a chunk of steps at a time into a
// scratch (proj_steps, as the f32 inference path does); a GEMM row never depends on its chunk.
import { alloc, free } from './alloc';
import { add_bias_rows } from './elementwise';
import { q8_act, q8_lstm_row, q8_gru_row, q8_gru_rz, q8_gru_n } from './q8act';
import { q8_quant_rows, q8_gemm, q8_project } from './q8gemm';
import { bias_or_negzero, pre_sum, proj_steps, prev_rows, prev_ld, rowp, timeOf, gather_last, zero_invalid } from './seq';

/** Even row length of quantized int16 rows of k values. */
// @ts-ignore: decorator
@inline function kp(k: i32): i32 { return (k + 1) & ~1; }

/**
 * acc (B × N, leading dim ldc) = dequantized q(h rows) · Wᵀ for the B state rows at h (leading dim
 * ldh, k wide), quantized into hq / hs first.
 */
// @ts-ignore: decorator
@inline function state_gemm(B: i32, N: i32, k: i32, h: usize, ldh: i32, hq: usize, hs: usize, w: usize, ws: usize, acc: usize, ldc: i32): void {
  q8_quant_rows(B, k, h, ldh, hq, kp(k), hs);
  q8_gemm(B, N, k, hq, kp(k), hs, w, ws, acc, ldc);
}

/**
 * Input projection of processing steps [s, s + n) into gx (n·B × G): returns t0, the time of gx's
 * first rows (s forward, T − s − n reverse).
 */
// @ts-ignore: decorator
@inline function project_steps(T: i32, B: i32, I: i32, G: i32, s: i32, n: i32, reverse: i32, x: usize, ldx: i32, w: usize, ws: usize, gx: usize): i32 {
  const t0 = reverse ? T - s - n : s;
  q8_project(n * B, G, I, rowp(x, t0 * B, ldx), ldx, w, ws, gx, G);
  return t0;
}

/** y (M × OUT) = q(x rows) · Wᵀ (+ b): a quantized Linear. x (M × IN), b (OUT) or 0. */
export function q8_linear_forward(M: i32, IN: i32, OUT: i32, x: usize, w: usize, ws: usize, b: usize, y: usize): void {
  q8_project(M, OUT, IN, x, IN, w, ws, y, OUT);
  if (b) add_bias_rows(M, OUT, y, OUT, b);
}

/** Elman RNN, one layer-direction: out (T·B × H, leading dim ldo), hN (B × H). act as in rnn_forward. */
export function q8_rnn_forward(T: i32, B: i32, I: i32, H: i32, x: usize, ldx: i32,
                               wih: usize, wihs: usize, whh: usize, whhs: usize, b_ih: usize, b_hh: usize,
                               h0: usize, out: usize, ldo: i32, hN: usize, lengths: usize, act: i32, reverse: i32): void {
  const hp = alloc(<usize>(B * H) << 2), acc = alloc(<usize>(B * H) << 2);
  const hq = alloc(<usize>(B * kp(H)) << 1), hs = alloc(<usize>B << 2);
  const bi = bias_or_negzero(b_ih, H), bh = bias_or_negzero(b_hh, H);
  // the input projection of every timestep at once, into out (biases join in the row sums)
  q8_project(T * B, H, I, x, ldx, wih, wihs, out, ldo);
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    const h = prev_rows(T, B, H, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, H);
    state_gemm(B, H, H, h, hl, hq, hs, whh, whhs, acc, H);
    for (let b = 0; b < B; b++) pre_sum(H, rowp(out, t * B + b, ldo), bi, rowp(acc, b, H), bh, rowp(out, t * B + b, ldo));
    if (ldo == H) q8_act(act, rowp(out, t * B, H), B * H);
    else for (let b = 0; b < B; b++) q8_act(act, rowp(out, t * B + b, ldo), H);
    zero_invalid(T, B, H, t, lengths, out, ldo);
  }
  gather_last(T, B, H, reverse, lengths, out, ldo, hN);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  free(hs); free(hq); free(acc); free(hp);
}

/**
 * LSTM, one layer-direction (gates i, f, g, o; projection to P = projSize when whr, else P = H):
 * out (T·B × P, leading dim ldo), hN (B × P), cN (B × H) or 0; `cells` (T·B × H) receives every
 * c_t (each step reads the one before).
 */
export function q8_lstm_forward(T: i32, B: i32, I: i32, H: i32, P: i32, x: usize, ldx: i32,
                                wih: usize, wihs: usize, whh: usize, whhs: usize, whr: usize, whrs: usize,
                                b_ih: usize, b_hh: usize, h0: usize, c0: usize, out: usize, ldo: i32, hN: usize, cN: usize,
                                cells: usize, lengths: usize, reverse: i32, ga: i32): void {
  const G = 4 * H, K = max(P, H);
  const hp = alloc(<usize>(B * P) << 2), cp = alloc(<usize>(B * H) << 2), acc = alloc(<usize>(B * G) << 2);
  const hq = alloc(<usize>(B * kp(K)) << 1), hs = alloc(<usize>B << 2);
  const r = whr ? alloc(<usize>(B * H) << 2) : 0;
  const bi = bias_or_negzero(b_ih, G), bh = bias_or_negzero(b_hh, G);
  const TC = proj_steps(T, B, G);
  const gx = alloc(<usize>(TC * B * G) << 2);
  let t0 = 0;
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    if (s % TC == 0) t0 = project_steps(T, B, I, G, s, min(TC, T - s), reverse, x, ldx, wih, wihs, gx);
    const h = prev_rows(T, B, P, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, P);
    const c = prev_rows(T, B, H, s, t, reverse, lengths, cells, H, c0, cp);
    state_gemm(B, G, P, h, hl, hq, hs, whh, whhs, acc, G);
    for (let b = 0; b < B; b++) {
      q8_lstm_row(H, rowp(gx, (t - t0) * B + b, G), bi, rowp(acc, b, G), bh, rowp(c, b, H), rowp(cells, t * B + b, H),
               r ? rowp(r, b, H) : rowp(out, t * B + b, ldo), ga);
    }
    // h_t = q(r_t) · W_hrᵀ
    if (r) state_gemm(B, P, H, r, H, hq, hs, whr, whrs, rowp(out, t * B, ldo), ldo);
    zero_invalid(T, B, P, t, lengths, out, ldo);
  }
  gather_last(T, B, P, reverse, lengths, out, ldo, hN);
  if (cN) gather_last(T, B, H, reverse, lengths, cells, H, cN);
  free(gx);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  if (r) free(r);
  free(hs); free(hq); free(acc); free(cp); free(hp);
}

/**
 * GRU, one layer-direction (gates r, z, n): out (T·B × H, leading dim ldo), hN (B × H).
 * lbr = 1 (PyTorch): whh holds all 3H rows of W_hh, whn = 0. lbr = 0 (reset before the product):
 * whh holds W_hh's first 2H rows (r, z) and whn its last H rows (n), packed apart.
 */
export function q8_gru_forward(T: i32, B: i32, I: i32, H: i32, x: usize, ldx: i32,
                               wih: usize, wihs: usize, whh: usize, whhs: usize, whn: usize, whns: usize,
                               b_ih: usize, b_hh: usize, h0: usize, out: usize, ldo: i32, hN: usize,
                               lengths: usize, reverse: i32, lbr: i32, ga: i32): void {
  const G = 3 * H;
  const hp = alloc(<usize>(B * H) << 2), acc = alloc(<usize>(B * G) << 2), aux = alloc(<usize>(B * H) << 2);
  const hq = alloc(<usize>(B * kp(H)) << 1), hs = alloc(<usize>B << 2);
  const bi = bias_or_negzero(b_ih, G), bh = bias_or_negzero(b_hh, G);
  const TC = proj_steps(T, B, G);
  const gx = alloc(<usize>(TC * B * G) << 2);
  const an = acc + (<usize>(2 * H) << 2);
  let t0 = 0;
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    if (s % TC == 0) t0 = project_steps(T, B, I, G, s, min(TC, T - s), reverse, x, ldx, wih, wihs, gx);
    const g = rowp(gx, (t - t0) * B, G);
    const h = prev_rows(T, B, H, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, H);
    if (lbr) {
      state_gemm(B, G, H, h, hl, hq, hs, whh, whhs, acc, G);
      for (let b = 0; b < B; b++) {
        q8_gru_row(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(h, b, hl), rowp(out, t * B + b, ldo), rowp(aux, b, H), ga);
      }
    } else {
      // r and z from h; then the candidate from q(r ⊙ h)
      state_gemm(B, 2 * H, H, h, hl, hq, hs, whh, whhs, acc, G);
      for (let b = 0; b < B; b++) q8_gru_rz(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(h, b, hl), rowp(aux, b, H), ga);
      state_gemm(B, H, H, aux, H, hq, hs, whn, whns, an, G);
      for (let b = 0; b < B; b++) q8_gru_n(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(h, b, hl), rowp(out, t * B + b, ldo));
    }
    zero_invalid(T, B, H, t, lengths, out, ldo);
  }
  gather_last(T, B, H, reverse, lengths, out, ldo, hN);
  free(gx);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  free(hs); free(hq); free(aux); free(acc); free(hp);
}
