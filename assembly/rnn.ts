// Elman RNN, one layer and one direction over a whole sequence, forward and backward.
// reference: https://pytorch.org/docs/stable/generated/torch.nn.RNN.html
//   h_t = act(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh),  act = tanh or relu
//
// Layout: x is T·B rows of I floats (row t·B + b, leading dimension ldx); out is T·B rows of H
// floats (leading dimension ldo, so the two directions of a bidirectional layer write the two
// halves of one (T, B, 2H) buffer). A reverse direction walks t = T−1 … 0 and stores h_t at
// row t, as PyTorch does. `out` is all the backward needs: act' is read off h.
// `lengths` (B i32, or 0) gives each sequence its own length: outputs past it are zero and its
// final state is taken at its own last step (see seq.ts). A pointer of 0 means "absent": no
// bias, zero h0, no gradient wanted.
import { alloc, free } from './alloc';
import { gemm, gemm_pb, pack_for } from './gemm';
import { unary, colsum_acc2, fill, add_to } from './elementwise';
import { weight_grads, zero_state, weights_t, bias_or_negzero, pre_sum, prev_rows, prev_ld, rowp, timeOf, valid, gather_last, zero_invalid, carry_invalid } from './seq';

const TANH = 0, SIGMOID = 1, RELU = 2;   // 3: identity (Keras 'linear')

/**
 * One row of a step, in place: o = act((o + bi) + (a + bh)), where o holds x_t · W_ihᵀ and a
 * h_{t−1} · W_hhᵀ; absent biases are −0.0 (seq.ts). The same f32 adds, and the same act bits,
 * as separate bias, add and activation passes.
 */
function rnn_row(H: i32, o: usize, bi: usize, a: usize, bh: usize, act: i32): void {
  pre_sum(H, o, bi, a, bh, o);
  unary(act, o, o, H);
}

/** Forward of one layer-direction. act: 0 tanh, 2 relu (PyTorch); 1 sigmoid, 3 identity (Keras SimpleRNN). Writes out (T·B × H) and hN (B × H). */
export function rnn_forward(T: i32, B: i32, I: i32, H: i32,
                            x: usize, ldx: i32, w_ih: usize, w_hh: usize, b_ih: usize, b_hh: usize,
                            h0: usize, out: usize, ldo: i32, hN: usize, lengths: usize, act: i32, reverse: i32, wT: usize): void {
  // the weights transposed (wT: kept by the caller, seq.ts weights_t), or transposed here
  const wihT = wT ? wT : alloc(<usize>((I + H) * H) << 2);
  const whhT = wihT + (<usize>(I * H) << 2);
  if (!wT) weights_t(H, I, H, H, w_ih, w_hh, 0, wihT);
  const hp = alloc(<usize>(B * H) << 2);
  const acc = alloc(<usize>(B * H) << 2);
  const whhP = pack_for(B, H, H, whhT, H);   // the recurrent weights, packed once for every step
  const bi = bias_or_negzero(b_ih, H), bh = bias_or_negzero(b_hh, H);
  // input projection of every timestep at once: out = X · W_ihᵀ (biases join in rnn_row)
  gemm(T * B, H, I, x, ldx, wihT, H, out, ldo, 0);
  // recurrence: out[t] = act((out[t] + b_ih) + (h_prev · W_hhᵀ + b_hh))
  for (let s = 0; s < T; s++) {
    const t = timeOf(s, T, reverse);
    const hs = prev_rows(T, B, H, s, t, reverse, lengths, out, ldo, h0, hp), hl = prev_ld(s, lengths, ldo, H);
    if (s > 0 || h0 || !zero_state(B, H, whhT, H * H, acc, H)) gemm_pb(B, H, H, hs, hl, whhP, whhT, H, acc, H, 0);
    if (ldo == H) {
      // the step's B rows are contiguous: the sums row by row, then one activation pass over all
      for (let b = 0; b < B; b++) pre_sum(H, rowp(out, t * B + b, H), bi, rowp(acc, b, H), bh, rowp(out, t * B + b, H));
      unary(act, rowp(out, t * B, H), rowp(out, t * B, H), B * H);
    } else {
      for (let b = 0; b < B; b++) rnn_row(H, rowp(out, t * B + b, ldo), bi, rowp(acc, b, H), bh, act);
    }
    zero_invalid(T, B, H, t, lengths, out, ldo);
  }
  gather_last(T, B, H, reverse, lengths, out, ldo, hN);
  if (!b_hh) free(bh);
  if (!b_ih) free(bi);
  free(whhP); free(acc); free(hp);
  if (!wT) free(wihT);
}

/**
 * Backward (BPTT) of one layer-direction, given the forward's `out`.
 * dout: gradient w.r.t. out (leading dim lddo) or 0; dhN: gradient w.r.t. the final h (B, H) or 0.
 * Writes dx (accumulating when dx_acc), dh0 (B, H); accumulates dw_ih, dw_hh, db_ih, db_hh.
 */
export function rnn_backward(T: i32, B: i32, I: i32, H: i32,
                             x: usize, ldx: i32, w_ih: usize, w_hh: usize, h0: usize,
                             out: usize, ldo: i32, lengths: usize, dout: usize, lddo: i32, dhN: usize, act: i32, reverse: i32,
                             dx: usize, lddx: i32, dx_acc: i32, dh0: usize,
                             dw_ih: usize, dw_hh: usize, db_ih: usize, db_hh: usize): void {
  const TB = T * B;
  const dG = alloc(<usize>(TB * H) << 2);   // gradient w.r.t. the pre-activation, (T·B, H)
  let dh = alloc(<usize>(B * H) << 2);      // gradient w.r.t. the current h, (B, H)
  let dn = alloc(<usize>(B * H) << 2);
  if (dhN) memory.copy(dh, dhN, <usize>(B * H) << 2); else fill(dh, B * H, 0);
  const whP = pack_for(B, H, H, w_hh, H);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeOf(s, T, reverse);
    for (let b = 0; b < B; b++) {
      const g = rowp(dh, b, H), d = rowp(dG, t * B + b, H);
      if (!valid(lengths, b, t, T)) { fill(d, H, 0); continue; }
      if (dout) add_to(g, rowp(dout, t * B + b, lddo), H);
      const y = rowp(out, t * B + b, ldo);
      let j = 0;
      if (act == TANH) {
        const one = f32x4.splat(1);
        for (; j + 4 <= H; j += 4) {
          const v = v128.load(y + (<usize>j << 2));
          v128.store(d + (<usize>j << 2), f32x4.mul(v128.load(g + (<usize>j << 2)), f32x4.sub(one, f32x4.mul(v, v))));
        }
      }
      for (; j < H; j++) {
        const v = load<f32>(y + (<usize>j << 2)), gj = load<f32>(g + (<usize>j << 2));
        store<f32>(d + (<usize>j << 2), act == TANH ? gj * (1 - v * v) : act == RELU ? (v > 0 ? gj : 0) : act == SIGMOID ? gj * (1 - v) * v : gj);
      }
    }
    // dh_prev = dG[t] · W_hh; rows past their end carry dh unchanged (not wanted after the last step without dh0)
    if (s == 0 && !dh0) break;
    gemm_pb(B, H, H, rowp(dG, t * B, H), H, whP, w_hh, H, dn, H, 0);
    carry_invalid(T, B, H, t, lengths, dh, dn);
    const sw = dh; dh = dn; dn = sw;
  }
  free(whP);
  if (dh0) memory.copy(dh0, dh, <usize>(B * H) << 2);
  if (dx) gemm(TB, I, H, dG, H, w_ih, I, dx, lddx, dx_acc);
  weight_grads(T, B, I, H, H, dG, x, ldx, out, ldo, h0, lengths, reverse, dw_ih, dw_hh);
  if (db_ih || db_hh) colsum_acc2(TB, H, dG, H, db_ih ? db_ih : db_hh, db_ih ? db_hh : 0);
  free(dn); free(dh); free(dG);
}
