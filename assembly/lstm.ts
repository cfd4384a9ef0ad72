// LSTM, one layer and one direction over a whole sequence, forward and backward.
// reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html (gate order i, f, g, o)
//   gates = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh            (B × 4H)
//   i, f, o = σ(·) (or the hard sigmoid, ga = 1: seq.ts), g = tanh(·);  c_t = f⊙c_{t−1} + i⊙g;  r_t = o⊙tanh(c_t)
//   h_t = r_t·W_hrᵀ with a projection (P = projSize), else h_t = r_t (P = H)
//
// Caches the backward needs, written by the forward: `gates` (T·B × 4H, the activated i f g o;
// 0 for inference, which caches nothing there), `cells` (T·B × H, c_t, always: the next step reads it) and, with a projection, `hraw` (T·B × H, r_t). Layouts as in rnn.ts.
import { alloc, free } from './alloc';
import { gemm, gemm_pb, pack_for, transpose } from './gemm';
import { colsum_acc2, fill, add_to } from './elementwise';
import { vtanh, vgate } from './activations';
import { weight_grads, zero_state, weights_t, bias_or_negzero, pre_sum, proj_steps, project, dgate, prev_rows, prev_ld, rowp, timeOf, valid, gather_prev, gather_last, zero_invalid, carry_invalid } from './seq';

@inline function ldf(p: usize, j: i32): f32 { return load<f32>(p + (<usize>j << 2)); }
@inline function stf(p: usize, j: i32, v: f32): void { store<f32>(p + (<usize>j << 2), v); }
@inline function ldv(p: usize, j: i32): v128 { return v128.load(p + (<usize>j << 2)); }
@inline function stv(p: usize, j: i32, v: v128): void { v128.store(p + (<usize>j << 2), v); }

/**
 * One row of the cell update, as passes over the row (L1-resident): the pre-activations
 * gx + bi + a4 + bh (pre_sum) into gx, the gates activated in place (i f g o), then
 * c = f·c_prev + i·g and r = o·tanh(c), PyTorch's order of operations. c_prev in cp; writes c
 * and r. Every element gets the same operations it would in one fused loop.
 */
function lstm_row(H: i32, gx: usize, bi: usize, a4: usize, bh: usize, cp: usize, c: usize, r: usize, ga: i32): void {
  const o1 = <usize>H << 2, o2 = <usize>(2 * H) << 2, o3 = <usize>(3 * H) << 2;
  pre_sum(4 * H, gx, bi, a4, bh, gx);
  vgate(gx, 2 * H, ga);          // i, f
  vtanh(gx + o2, gx + o2, H);    // g
  vgate(gx + o3, H, ga);         // o
  let j = 0;
  for (; j + 4 <= H; j += 4) {
    stv(c, j, f32x4.add(f32x4.mul(ldv(gx + o1, j), ldv(cp, j)), f32x4.mul(ldv(gx, j), ldv(gx + o2, j))));
  }
  for (; j < H; j++) stf(c, j, ldf(gx + o1, j) * ldf(cp, j) + ldf(gx, j) * ldf(gx + o2, j));
  vtanh(c, r, H);
  for (j = 0; j + 4 <= H; j += 4) stv(r, j, f32x4.mul(ldv(gx + o3, j), ldv(r, j)));
  for (; j < H; j++) stf(r, j, ldf(gx + o3, j) * ldf(r, j));
}

export function lstm_forward(T: i32, B: i32, I: i32, H: i32, P: i32,
                             x: usize, ldx: i32, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize, w_hr: usize,
                             h0: usize, c0: usize, out: usize, ldo: i32, hN: usize, cN: usize,
                             gates: usize, cells: usize, hraw: usize, lengths: usize, reverse: i32, ga: i32, wT: usize): void {
  const G = 4 * H;
  // the weights transposed (wT: kept by the caller, seq.ts weights_t), or transposed here
  const wihT = wT ? wT : alloc(<usize>((I + P) * G + (w_hr ? H * P : 0)) << 2);
  const whhT = wihT + (<usize>(I * G) << 2);
  const whrT = w_hr ? whhT + (<usize>(P * G) << 2) : 0;
  if (!wT) weights_t(G, I, P, H, w_ih, w_hh, w_hr, wihT);
  const hp = alloc(<usize>(B * P) << 2), cp = alloc(<usize>(B * H) << 2), acc = alloc(<usize>(B * G) << 2);
  const rtmp = w_hr ? alloc(<usize>(B * H) << 2) : 0;
  const whhP = pack_for(B, P, G, whhT, G), whrP = w_hr ? pack_for(B, H, P, whrT, P) : 0;
  const bi = bias_or_negzero(b_ih, G), bh = bias_or_negzero(b_hh, G);
  // the input projection: all steps into `gates`, or (inference) chunks of steps in a scratch
  const TC = gates ? T : proj_steps(T, B, G);
  const gx = gates ? gates : alloc(<usize>(TC * B * G) << 2);
  const wihP = pack_for(TC * B, I, G, wihT, G);
  let t0 = 0;
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    if (s % TC == 0) t0 = project(T, B, I, G, s, min(TC, T - s), reverse, x, ldx, wihP, wihT, gx);
    const hs = prev_rows(T, B, P, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, P);
    const cs = prev_rows(T, B, H, s, t, reverse, lengths, cells, H, c0, cp);
    if (s > 0 || h0 || !zero_state(B, G, whhT, P * G, acc, G)) gemm_pb(B, G, P, hs, hl, whhP, whhT, G, acc, G, 0);
    for (let b = 0; b < B; b++) {
      const r = w_hr ? rowp(hraw, t * B + b, H) : rowp(out, t * B + b, ldo);
      lstm_row(H, rowp(gx, (t - t0) * B + b, G), bi, rowp(acc, b, G), bh, rowp(cs, b, H), rowp(cells, t * B + b, H), r, ga);
    }
    if (w_hr) {
      // h_t = r_t · W_hrᵀ for the B rows of this step
      for (let b = 0; b < B; b++) memory.copy(rowp(rtmp, b, H), rowp(hraw, t * B + b, H), <usize>H << 2);
      gemm_pb(B, P, H, rtmp, H, whrP, whrT, P, rowp(out, t * B, ldo), ldo, 0);
    }
    zero_invalid(T, B, P, t, lengths, out, ldo);
  }
  gather_last(T, B, P, reverse, lengths, out, ldo, hN);
  if (cN) gather_last(T, B, H, reverse, lengths, cells, H, cN);
  free(wihP);
  if (!gates) free(gx);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  if (rtmp) free(rtmp);
  free(whrP); free(whhP);
  free(acc); free(cp); free(hp);
  if (!wT) free(wihT);
}

export function lstm_backward(T: i32, B: i32, I: i32, H: i32, P: i32,
                              x: usize, ldx: i32, w_ih: usize, w_hh: usize, w_hr: usize, h0: usize, c0: usize,
                              out: usize, ldo: i32, gates: usize, cells: usize, hraw: usize, lengths: usize,
                              dout: usize, lddo: i32, dhN: usize, dcN: usize, reverse: i32,
                              dx: usize, lddx: i32, dx_acc: i32, dh0: usize, dc0: usize,
                              dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, dw_hr: usize, ga: i32): void {
  const G = 4 * H, TB = T * B;
  const dG = alloc(<usize>(TB * G) << 2);
  let dh = alloc(<usize>(B * P) << 2), dhn = alloc(<usize>(B * P) << 2);
  const dc = alloc(<usize>(B * H) << 2), cp = alloc(<usize>(B * H) << 2), tcr = alloc(<usize>H << 2);
  const dr = w_hr ? alloc(<usize>(B * H) << 2) : 0;
  const dH = w_hr ? alloc(<usize>(TB * P) << 2) : 0;     // dh at every step, for dW_hr
  if (dhN) memory.copy(dh, dhN, <usize>(B * P) << 2); else fill(dh, B * P, 0);
  if (dcN) memory.copy(dc, dcN, <usize>(B * H) << 2); else fill(dc, B * H, 0);
  const whP = pack_for(B, G, P, w_hh, P), wrP = w_hr ? pack_for(B, P, H, w_hr, H) : 0;
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(s, T, reverse);
    gather_prev(T, B, H, t, reverse, lengths, cells, H, c0, cp);
    for (let b = 0; b < B; b++) {
      if (dout && valid(lengths, b, t, T)) add_to(rowp(dh, b, P), rowp(dout, t * B + b, lddo), P);
    }
    // gradient w.r.t. r_t: through the projection, or r_t is h_t
    let drp = dh;
    if (w_hr) {
      for (let b = 0; b < B; b++) {
        const row = rowp(dH, t * B + b, P);
        if (valid(lengths, b, t, T)) memory.copy(row, rowp(dh, b, P), <usize>P << 2); else fill(row, P, 0);
      }
      gemm_pb(B, H, P, rowp(dH, t * B, P), P, wrP, w_hr, H, dr, H, 0);
      drp = dr;
    }
    for (let b = 0; b < B; b++) {
      const d4 = rowp(dG, t * B + b, G);
      if (!valid(lengths, b, t, T)) { fill(d4, G, 0); continue; }
      const g4 = rowp(gates, t * B + b, G);
      const drb = rowp(drp, b, H), dcb = rowp(dc, b, H), cpb = rowp(cp, b, H);
      vtanh(rowp(cells, t * B + b, H), tcr, H);   // tanh(c_t) again, the forward's bits
      for (let j = 0; j < H; j++) {
        const i = ldf(g4, j), f = ldf(g4, H + j), g = ldf(g4, 2 * H + j), o = ldf(g4, 3 * H + j);
        const tc = ldf(tcr, j);
        const dry = ldf(drb, j);
        const dcv = ldf(dcb, j) + dry * o * (1 - tc * tc);
        stf(d4, j, dgate(dcv * g, i, ga));               // d gate i (pre-activation)
        stf(d4, H + j, dgate(dcv * ldf(cpb, j), f, ga)); // d gate f
        stf(d4, 2 * H + j, dcv * i * (1 - g * g));       // d gate g
        stf(d4, 3 * H + j, dgate(dry * tc, o, ga));      // d gate o
        stf(dcb, j, dcv * f);                            // dc_{t−1}
      }
    }
    if (s == 0 && !dh0) break;   // dh_{−1} is only dh0
    gemm_pb(B, P, G, rowp(dG, t * B, G), G, whP, w_hh, P, dhn, P, 0);
    carry_invalid(T, B, P, t, lengths, dh, dhn);
    const sw = dh; dh = dhn; dhn = sw;
  }
  free(wrP); free(whP);
  if (dh0) memory.copy(dh0, dh, <usize>(B * P) << 2);
  if (dc0) memory.copy(dc0, dc, <usize>(B * H) << 2);
  if (dx) gemm(TB, I, G, dG, G, w_ih, I, dx, lddx, dx_acc);
  weight_grads(T, B, I, G, P, dG, x, ldx, out, ldo, h0, lengths, reverse, dw_ih, dw_hh);
  if (dw_hr) {          // dW_hr += Σ_t dh_tᵀ · r_t
    const dHT = alloc(<usize>(TB * P) << 2);
    transpose(TB, P, dH, P, dHT, TB);
    gemm(P, H, TB, dHT, TB, hraw, H, dw_hr, H, 1);
    free(dHT);
  }
  if (db_ih || db_hh) colsum_acc2(TB, G, dG, G, db_ih ? db_ih : db_hh, db_ih ? db_hh : 0);
  if (dH) free(dH);
  if (dr) free(dr);
  free(tcr); free(cp); free(dc); free(dhn); free(dh); free(dG);
}
