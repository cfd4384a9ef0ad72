// Tensor ops the Keras-style layers need beyond src/tensor.ts. Each is one or a few Wasm calls
// (the strided copy/arithmetic kernels of assembly/elementwise.ts and the row softmax of
// assembly/loss.ts); TypeScript only works out pointers, shapes and strides.
import { RnnError, fail, show } from '../errors.js';
import { safePoint, Storage } from '../storage.js';
import { Tensor, _strided as strided, _COPY as COPY, _ACC as ACC, empty, normDim, record, stridesOf } from '../tensor.js';
import { I32, w } from '../wasm.js';

// strided op codes of assembly/elementwise.ts not re-exported by tensor.ts
const SUB = 1, MUL = 2;

/**
 * x reversed along `dim` (Keras's K.reverse, what goBackwards feeds the recurrence): a strided
 * copy with a negative stride. Autograd-aware (the gradient is reversed back).
 */
export function flip(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.dim);
  safePoint();
  const st = stridesOf(x.shape);
  const n = x.shape[d];
  const src = st.slice(); src[d] = -st[d];
  const off = n > 0 ? (n - 1) * st[d] * 4 : 0;
  const out = empty(x.shape);
  strided(COPY, x.shape, x.ptr + off, src, 0, [], out.ptr, st);
  return record(out, 'FlipBackward', [x], (g) => {
    const dx = Storage.alloc(x.numel);
    strided(COPY, x.shape, g[0]!.ptr + off, src, 0, [], dx.ptr, st);
    return [dx];
  });
}

/**
 * Softmax over the last dimension, any rank. Forward in Wasm (the row softmax of the
 * cross-entropy kernel, computed in f64 and rounded once); backward dx = y ⊙ (g − Σ g⊙y).
 */
export function softmax(x: Tensor): Tensor {
  if (x.dim === 0) fail('softmax input', 'a tensor with at least 1 dimension', 'a 0-d tensor', true);
  const C = x.shape[x.dim - 1];
  const R = C === 0 ? 0 : x.numel / C;
  safePoint();
  const out = empty(x.shape);
  if (R === 0) return out;
  const e = w();
  const targets = Storage.zeros(R), loss = Storage.alloc(1);   // class 0 for every row: the loss is unused
  e.cross_entropy_forward(R, C, x.ptr, targets.ptr, loss.ptr, out.ptr);
  targets.dispose(); loss.dispose();
  const sh = [R, C], s2 = [C, 1];
  return record(out, 'SoftmaxBackward', [x], (g) => {
    const gp = g[0]!;
    const t = Storage.alloc(R * C), s = Storage.zeros(R), dx = Storage.alloc(R * C);
    strided(MUL, sh, gp.ptr, s2, out.ptr, s2, t.ptr, s2);        // t = g ⊙ y
    strided(ACC, sh, t.ptr, s2, 0, [], s.ptr, [1, 0]);           // s = Σ_row t
    strided(SUB, sh, gp.ptr, s2, s.ptr, [1, 0], t.ptr, s2);      // t = g − s
    strided(MUL, sh, t.ptr, s2, out.ptr, s2, dx.ptr, s2);        // dx = t ⊙ y
    t.dispose(); s.dispose();
    return [dx];
  });
}

/** Rows `idx` of x along dimension 0, as a new tensor (no gradient): a mini-batch. */
export function gatherRows(x: Tensor, idx: ArrayLike<number>): Tensor {
  const N = x.shape[0];
  const row = N === 0 ? 0 : x.numel / N;
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!Number.isInteger(k) || k < 0 || k >= N) throw new RnnError(`indices[${i}]: expected an integer in [0, ${N - 1}], got ${show(k)}`);
  }
  safePoint();
  const shape = [idx.length, ...x.shape.slice(1)];
  const out = empty(shape);
  const ix = Storage.alloc(idx.length);
  I32().set(idx, ix.ptr >> 2);
  w().gather_rows(idx.length, ix.ptr, x.ptr, row, out.ptr);
  ix.dispose();
  return out;
}

/** The rows of a (R, C) one-hot tensor for class indices (each in [0, C)). */
export function oneHot(indices: ArrayLike<number>, C: number): Tensor {
  safePoint();
  const out = new Tensor(Storage.alloc(indices.length * C), [indices.length, C]);
  const ix = Storage.alloc(indices.length);
  I32().set(indices, ix.ptr >> 2);
  w().one_hot(ix.ptr, indices.length, C, out.ptr);
  ix.dispose();
  return out;
}


/**
 * Inverted dropout: x ⊙ m with m of shape `noise` (broadcast over x), each entry 0 with
 * probability p and 1 / (1 − p) otherwise, drawn by the seeded generator (rng_dropout_mask).
 * Autograd-aware (the gradient is g ⊙ m).
 */
export function dropout(x: Tensor, p: number, noise: number[]): Tensor {
  safePoint();
  const m = empty(noise);
  w().rng_dropout_mask(m.ptr, m.numel, p);
  return x.mul(m);
}
