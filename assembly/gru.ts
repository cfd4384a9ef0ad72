// GRU, one layer and one direction over a whole sequence, forward and backward.
// reference: https://pytorch.org/docs/stable/generated/torch.nn.GRU.html (gate order r, z, n)
//   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (h − n)⊙z + n  (= (1 − z)⊙n + z⊙h)
//
// Caches written by the forward: `gates` (T·B × 3H, the activated r z n) and `hn`
// (T·B × H, W_hn h + b_hn, needed for dr). Layouts as in rnn.ts.
//
// lbr = 0 selects the other GRU (ONNX linear_before_reset = 0, Keras reset_after = False):
//   n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), and `hn` caches r ⊙ h instead.
import { alloc, free } from './alloc';
import { gemm, gemm_pb, pack_for, transpose } from './gemm';
import { colsum_acc, colsum_acc2, fill, add_to } from './elementwise';
import { vtanh, vgate } from './activations';
import { weight_grads, hprev_gemm, zero_state, weights_t, bias_or_negzero, pre_sum, proj_steps, project, dgate, prev_rows, prev_ld, rowp, timeOf, valid, gather_prev, gather_last, zero_invalid, carry_invalid } from './seq';

@inline function ldf(p: usize, j: i32): f32 { return load<f32>(p + (<usize>j << 2)); }
@inline function stf(p: usize, j: i32, v: f32): void { store<f32>(p + (<usize>j << 2), v); }
@inline function ldv(p: usize, j: i32): v128 { return v128.load(p + (<usize>j << 2)); }
@inline function stv(p: usize, j: i32, v: v128): void { v128.store(p + (<usize>j << 2), v); }

/**
 * One row, as passes over the row (L1-resident). gx = input-side pre-activations without bias
 * (3H; overwritten with the activated r, z, n), bi = b_ih, a3 = hidden-side ones without bias,
 * bh = b_hh (absent biases are −0.0, which adds exactly nothing), h = h_prev; writes h' and
 * hn = W_hn h + b_hn. Every element gets the operations separate bias passes and one fused
 * loop would give it, so the bits are theirs.
 */
function gru_row(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, hy: usize, hn: usize, ga: i32): void {
  const o1 = <usize>H << 2, o2 = <usize>(2 * H) << 2;
  pre_sum(2 * H, gx, bi, a3, bh, gx);
  vgate(gx, 2 * H, ga);                      // r, z
  // n = tanh((gx_n + b_in) + r ⊙ (a_n + b_hn))
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
  vtanh(gx + o2, gx + o2, H);
  gru_out(H, gx, h, hy);
}

/** h' = (h − n)⊙z + n from the activated z and n of a row (gx + H, gx + 2H). */
function gru_out(H: i32, gx: usize, h: usize, hy: usize): void {
  const o1 = <usize>H << 2, o2 = <usize>(2 * H) << 2;
  let j = 0;
  for (; j + 4 <= H; j += 4) {
    const n = ldv(gx + o2, j);
    stv(hy, j, f32x4.add(f32x4.mul(f32x4.sub(ldv(h, j), n), ldv(gx + o1, j)), n));
  }
  for (; j < H; j++) { const n = ldf(gx + o2, j); stf(hy, j, (ldf(h, j) - n) * ldf(gx + o1, j) + n); }
}

/** lbr = 0, first half of a row: r, z from the input and hidden pre-activations (biases as in gru_row); rh = r ⊙ h. */
function gru_rz(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, rh: usize, ga: i32): void {
  pre_sum(2 * H, gx, bi, a3, bh, gx);
  vgate(gx, 2 * H, ga);
  let j = 0;
  for (; j + 4 <= H; j += 4) stv(rh, j, f32x4.mul(ldv(gx, j), ldv(h, j)));
  for (; j < H; j++) stf(rh, j, ldf(gx, j) * ldf(h, j));
}

/** lbr = 0, second half: n = tanh(input n + hidden n), h' = (h − n)⊙z + n. */
function gru_n(H: i32, gx: usize, bi: usize, a3: usize, bh: usize, h: usize, hy: usize): void {
  const o2 = <usize>(2 * H) << 2;
  pre_sum(H, gx + o2, bi + o2, a3 + o2, bh + o2, gx + o2);
  vtanh(gx + o2, gx + o2, H);
  gru_out(H, gx, h, hy);
}

/**
 * Forward of one layer-direction. `gates` and `hn` are the caches the backward reads; both 0
 * means inference: nothing is cached, and the input projection runs a chunk of steps at a
 * time in a scratch that stays in cache (same bits: a GEMM row does not depend on the rows
 * around it).
 */
export function gru_forward(T: i32, B: i32, I: i32, H: i32,
                            x: usize, ldx: i32, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize,
                            h0: usize, out: usize, ldo: i32, hN: usize, gates: usize, hn: usize,
                            lengths: usize, reverse: i32, lbr: i32, ga: i32, wT: usize): void {
  const G = 3 * H;
  // the weights transposed (wT: kept by the caller, seq.ts weights_t), or transposed here
  const wihT = wT ? wT : alloc(<usize>((I + H) * G) << 2);
  const whhT = wihT + (<usize>(I * G) << 2);
  if (!wT) weights_t(G, I, H, H, w_ih, w_hh, 0, wihT);
  const hp = alloc(<usize>(B * H) << 2), acc = alloc(<usize>(B * G) << 2);
  const rh: usize = lbr ? 0 : alloc(<usize>(B * H) << 2);
  const hnS: usize = hn ? 0 : alloc(<usize>(B * H) << 2);
  const bi = bias_or_negzero(b_ih, G), bh = bias_or_negzero(b_hh, G);
  // the recurrent weights packed once: all three gates, or (lbr = 0) r, z and n apart
  const whhP = lbr ? pack_for(B, H, G, whhT, G) : pack_for(B, H, 2 * H, whhT, G);
  const whnP: usize = lbr ? 0 : pack_for(B, H, H, whhT + (<usize>(2 * H) << 2), G);
  const TC = gates ? T : proj_steps(T, B, G);
  const gx = gates ? gates : alloc(<usize>(TC * B * G) << 2);
  const wihP = pack_for(TC * B, I, G, wihT, G);
  let t0 = 0;
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    if (s % TC == 0) t0 = project(T, B, I, G, s, min(TC, T - s), reverse, x, ldx, wihP, wihT, gx);
    const g = rowp(gx, (t - t0) * B, G);
    const hs = prev_rows(T, B, H, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, H);
    if (lbr) {
      if (s > 0 || h0 || !zero_state(B, G, whhT, H * G, acc, G)) gemm_pb(B, G, H, hs, hl, whhP, whhT, G, acc, G, 0);
      for (let b = 0; b < B; b++) {
        gru_row(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(hs, b, hl), rowp(out, t * B + b, ldo),
                hn ? rowp(hn, t * B + b, H) : rowp(hnS, b, H), ga);
      }
    } else {
      // r and z from h first; then the candidate from r ⊙ h
      if (s > 0 || h0 || !zero_state(B, 2 * H, whhT, H * G, acc, G)) gemm_pb(B, 2 * H, H, hs, hl, whhP, whhT, G, acc, G, 0);
      for (let b = 0; b < B; b++) gru_rz(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(hs, b, hl), rowp(rh, b, H), ga);
      gemm_pb(B, H, H, rh, H, whnP, whhT + (<usize>(2 * H) << 2), G, acc + (<usize>(2 * H) << 2), G, 0);
      for (let b = 0; b < B; b++) {
        gru_n(H, rowp(g, b, G), bi, rowp(acc, b, G), bh, rowp(hs, b, hl), rowp(out, t * B + b, ldo));
        if (hn) memory.copy(rowp(hn, t * B + b, H), rowp(rh, b, H), <usize>H << 2);
      }
    }
    zero_invalid(T, B, H, t, lengths, out, ldo);
  }
  gather_last(T, B, H, reverse, lengths, out, ldo, hN);
  free(wihP);
  if (!gates) free(gx);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  if (hnS) free(hnS);
  if (rh) free(rh);
  free(whnP); free(whhP);
  free(acc); free(hp);
  if (!wT) free(wihT);
}

export function gru_backward(T: i32, B: i32, I: i32, H: i32,
                             x: usize, ldx: i32, w_ih: usize, w_hh: usize, h0: usize,
                             out: usize, ldo: i32, gates: usize, hn: usize, lengths: usize,
                             dout: usize, lddo: i32, dhN: usize, reverse: i32,
                             dx: usize, lddx: i32, dx_acc: i32, dh0: usize,
                             dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, lbr: i32, ga: i32): void {
  if (!lbr) {
    gru_backward_rb(T, B, I, H, x, ldx, w_ih, w_hh, h0, out, ldo, gates, hn, lengths, dout, lddo, dhN, reverse,
                    dx, lddx, dx_acc, dh0, dw_ih, dw_hh, db_ih, db_hh, ga);
    return;
  }
  const G = 3 * H, TB = T * B;
  const dGi = alloc(<usize>(TB * G) << 2);   // w.r.t. the input-side pre-activations (r, z, n)
  const dGh = alloc(<usize>(TB * G) << 2);   // w.r.t. the hidden-side ones (r, z, W_hn h + b_hn)
  let dh = alloc(<usize>(B * H) << 2), dhn = alloc(<usize>(B * H) << 2);
  const hp = alloc(<usize>(B * H) << 2);
  if (dhN) memory.copy(dh, dhN, <usize>(B * H) << 2); else fill(dh, B * H, 0);
  const whP = pack_for(B, G, H, w_hh, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(s, T, reverse);
    gather_prev(T, B, H, t, reverse, lengths, out, ldo, h0, hp);
    for (let b = 0; b < B; b++) {
      const di = rowp(dGi, t * B + b, G), dq = rowp(dGh, t * B + b, G);
      const g = rowp(dh, b, H);
      if (!valid(lengths, b, t, T)) { fill(di, G, 0); fill(dq, G, 0); continue; }
      if (dout) add_to(g, rowp(dout, t * B + b, lddo), H);
      const g3 = rowp(gates, t * B + b, G), a = rowp(hn, t * B + b, H), h = rowp(hp, b, H);
      for (let j = 0; j < H; j++) {
        const r = ldf(g3, j), z = ldf(g3, H + j), n = ldf(g3, 2 * H + j);
        const dy = ldf(g, j);
        const dn = dy * (1 - z) * (1 - n * n);            // through tanh
        const dz = dgate(dy * (ldf(h, j) - n), z, ga);
        const dr = dgate(dn * ldf(a, j), r, ga);
        stf(di, j, dr); stf(di, H + j, dz); stf(di, 2 * H + j, dn);
        stf(dq, j, dr); stf(dq, H + j, dz); stf(dq, 2 * H + j, dn * r);
        stf(g, j, dy * z);                                 // the direct path h → h'
      }
    }
    // dh_prev = dy⊙z + dGh[t] · W_hh; rows past their end carry dh unchanged (dh_{−1} is only dh0)
    if (s == 0 && !dh0) break;
    memory.copy(dhn, dh, <usize>(B * H) << 2);
    gemm_pb(B, H, G, rowp(dGh, t * B, G), G, whP, w_hh, H, dhn, H, 1);
    carry_invalid(T, B, H, t, lengths, dh, dhn);
    const sw = dh; dh = dhn; dhn = sw;
  }
  free(whP);
  if (dh0) memory.copy(dh0, dh, <usize>(B * H) << 2);
  if (dx) gemm(TB, I, G, dGi, G, w_ih, I, dx, lddx, dx_acc);
  // the input side learns from dGi, the hidden side from dGh (they differ in the n gate)
  weight_grads(T, B, I, G, H, dGi, x, ldx, out, ldo, h0, lengths, reverse, dw_ih, 0);
  weight_grads(T, B, I, G, H, dGh, x, ldx, out, ldo, h0, lengths, reverse, 0, dw_hh);
  if (db_ih) colsum_acc(TB, G, dGi, G, db_ih);
  if (db_hh) colsum_acc(TB, G, dGh, G, db_hh);
  free(hp); free(dhn); free(dh); free(dGh); free(dGi);
}

/** Backward of the lbr = 0 GRU (`hn` holds r ⊙ h_{t−1}). */
function gru_backward_rb(T: i32, B: i32, I: i32, H: i32,
                         x: usize, ldx: i32, w_ih: usize, w_hh: usize, h0: usize,
                         out: usize, ldo: i32, gates: usize, rhc: usize, lengths: usize,
                         dout: usize, lddo: i32, dhN: usize, reverse: i32,
                         dx: usize, lddx: i32, dx_acc: i32, dh0: usize,
                         dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize, ga: i32): void {
  const G = 3 * H, TB = T * B;
  const whn = w_hh + (<usize>(2 * H * H) << 2);   // W_hn: rows 2H … 3H of W_hh (H × H)
  const dGi = alloc(<usize>(TB * G) << 2);       // pre-activation gradients (r, z, n), shared by both sides
  let dh = alloc(<usize>(B * H) << 2), dhn = alloc(<usize>(B * H) << 2);
  const hp = alloc(<usize>(B * H) << 2), drh = alloc(<usize>(B * H) << 2);
  if (dhN) memory.copy(dh, dhN, <usize>(B * H) << 2); else fill(dh, B * H, 0);
  const whnP = pack_for(B, H, H, whn, H), wrzP = pack_for(B, 2 * H, H, w_hh, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(s, T, reverse);
    gather_prev(T, B, H, t, reverse, lengths, out, ldo, h0, hp);
    for (let b = 0; b < B; b++) {
      const di = rowp(dGi, t * B + b, G), g = rowp(dh, b, H);
      if (!valid(lengths, b, t, T)) { fill(di, G, 0); continue; }
      if (dout) add_to(g, rowp(dout, t * B + b, lddo), H);
      const g3 = rowp(gates, t * B + b, G), h = rowp(hp, b, H);
      for (let j = 0; j < H; j++) {
        const z = ldf(g3, H + j), n = ldf(g3, 2 * H + j), dy = ldf(g, j);
        stf(di, H + j, dgate(dy * (ldf(h, j) - n), z, ga));
        stf(di, 2 * H + j, dy * (1 - z) * (1 - n * n));
      }
    }
    // d(r ⊙ h) = dn · W_hn
    gemm_pb(B, H, H, rowp(dGi, t * B, G) + (<usize>(2 * H) << 2), G, whnP, whn, H, drh, H, 0);
    memory.copy(dhn, dh, <usize>(B * H) << 2);
    for (let b = 0; b < B; b++) {
      if (!valid(lengths, b, t, T)) continue;
      const di = rowp(dGi, t * B + b, G), g3 = rowp(gates, t * B + b, G), h = rowp(hp, b, H);
      const d = rowp(drh, b, H), dn = rowp(dhn, b, H);
      for (let j = 0; j < H; j++) {
        const r = ldf(g3, j), z = ldf(g3, H + j), dv = ldf(d, j);
        stf(di, j, dgate(dv * ldf(h, j), r, ga));
        stf(dn, j, ldf(dn, j) * z + dv * r);              // direct path and through r ⊙ h
      }
    }
    // dh_prev += [dr, dz] · W_h{r,z}; rows past their end carry dh unchanged (dh_{−1} is only dh0)
    if (s == 0 && !dh0) break;
    gemm_pb(B, H, 2 * H, rowp(dGi, t * B, G), G, wrzP, w_hh, H, dhn, H, 1);
    carry_invalid(T, B, H, t, lengths, dh, dhn);
    const sw = dh; dh = dhn; dhn = sw;
  }
  free(wrzP); free(whnP);
  if (dh0) memory.copy(dh0, dh, <usize>(B * H) << 2);
  if (dx) gemm(TB, I, G, dGi, G, w_ih, I, dx, lddx, dx_acc);
  if (dw_ih || dw_hh) {
    const dT = alloc(<usize>(TB * G) << 2);
    transpose(TB, G, dGi, G, dT, TB);
    if (dw_ih) gemm(G, I, TB, dT, TB, x, ldx, dw_ih, I, 1);
    if (dw_hh) {
      hprev_gemm(T, B, 2 * H, H, dT, TB, out, ldo, h0, lengths, reverse, dw_hh);   // r, z rows: against h
      gemm(H, H, TB, dT + (<usize>(2 * H * TB) << 2), TB, rhc, H, dw_hh + (<usize>(2 * H * H) << 2), H, 1); // n rows: against r ⊙ h
    }
    free(dT);
  }
  if (db_ih || db_hh) colsum_acc2(TB, G, dGi, G, db_ih ? db_ih : db_hh, db_ih ? db_hh : 0);
  free(drh); free(hp); free(dhn); free(dh); free(dGi);
}
