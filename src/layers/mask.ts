// Keras masks: which timesteps of each sequence count. An Embedding with maskZero makes one
// (index 0 = padding); layers that support masking pass it on (Dense, Dropout, TimeDistributed,
// recurrent layers with returnSequences, Bidirectional); the recurrent layers use it.
//
// TF.js's rnn() (tfjs-layers/src/layers/recurrent.ts), at a masked step:
//   output    = stepOutput·mask + states[0]·(1 − mask)     → the previous h (h0 before any step)
//   newStates = stepStates·mask + states·(1 − mask)        → carried unchanged
// with goBackwards reversing the input and the mask together. A masked step so changes nothing,
// and the state sequence is the one of the unmasked steps alone. That is how it runs here, with
// the recurrent kernels unchanged: per row, the unmasked steps are gathered to the front, the
// module runs with lengths = their count (PyTorch's pack_padded semantics), and the outputs are
// gathered back to their timesteps, a masked step showing the last output before it (or h0).
// Index tables are worked out here from the mask; every row is moved in Wasm (assembly/mask.ts),
// and the gradient flows back through the same gathers as scatter-adds.
import { RnnError, fail, show } from '../errors.js';
import { GRU, LSTM, RNN } from '../rnn.js';
import { safePoint, Storage } from '../storage.js';
import { Tensor, cat, empty, record, type NestedArray } from '../tensor.js';
import { I32, w } from '../wasm.js';

/** A mask: `keep[i]` is 1 where the element of `shape` (row-major) counts, 0 where it is padding. */
export interface Mask { readonly shape: readonly number[]; readonly keep: Uint8Array }

/** A mask value a caller may pass: a Tensor or nested arrays of 0/1 (or booleans); nonzero keeps. */
export type MaskValue = Tensor | NestedArray | boolean[] | boolean[][];

/** Reads a caller's mask of shape `shape` (B, T) (RnnError before any Wasm memory is touched). */
export function readMask(arg: string, v: unknown, shape: readonly number[]): Mask {
  const n = shape.reduce((a, b) => a * b, 1);
  const keep = new Uint8Array(n);
  if (v instanceof Tensor) {
    if (v.dim !== shape.length || v.shape.some((s, i) => s !== shape[i])) fail(arg, `shape ${show(shape.slice())}`, v.shape);
    const d = v.toFloat32Array();
    for (let i = 0; i < n; i++) keep[i] = d[i] !== 0 ? 1 : 0;
    return { shape: shape.slice(), keep };
  }
  if (!Array.isArray(v)) fail(arg, `a Tensor or nested arrays of shape ${show(shape.slice())} (1 or true where a step counts)`, v);
  let k = 0;
  const walk = (a: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof a !== 'number' && typeof a !== 'boolean') fail(arg, 'numbers or booleans', a);
      keep[k++] = a ? 1 : 0;
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[depth]) fail(arg, `nested arrays of shape ${show(shape.slice())}`, `${Array.isArray(a) ? a.length : show(a)} entries at depth ${depth}`, true);
    for (const x of a as unknown[]) walk(x, depth + 1);
  };
  walk(v, 0);
  return { shape: shape.slice(), keep };
}

/** The mask reversed along time (dim 1 of (B, T)): what goBackwards feeds the recurrence. */
export function flipMask(m: Mask): Mask {
  const [B, T] = m.shape;
  const keep = new Uint8Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) keep[b * T + t] = m.keep[b * T + T - 1 - t];
  return { shape: m.shape, keep };
}

/** A mask as a Tensor of 0/1 (what layer.computeMask returns). */
export function maskTensor(m: Mask): Tensor { return new Tensor(Storage.from(m.keep), m.shape.slice()); }

/**
 * Rows gathered by index tables, one per block of columns: src is read as R rows of D·cols
 * values (D blocks of `cols`), and row i of the (n, D·cols) result holds, in block d, block d of
 * src row idx[d][i] — zeros where idx[d][i] < 0. With one table it is a plain row gather.
 * Autograd-aware: the gradient scatter-adds each row back, in order (fixed bits).
 */
export function gatherBlocks(src: Tensor, idx: Int32Array[], cols: number): Tensor {
  const D = idx.length, n = idx[0].length, W = D * cols;
  const R = W === 0 ? 0 : src.numel / W;
  for (const t of idx) {
    if (t.length !== n) throw new RnnError(`gatherBlocks: expected index tables of ${n} entries, got ${t.length}`);
    for (let i = 0; i < n; i++) if (t[i] >= R) throw new RnnError(`gatherBlocks: expected row indices below ${R}, got ${t[i]}`);
  }
  safePoint();
  const out = empty([n, W]);
  if (n === 0 || W === 0) return out;
  const ix = Storage.alloc(D * n);
  const e = w();
  idx.forEach((t, d) => I32().set(t, (ix.ptr >> 2) + d * n));
  for (let d = 0; d < D; d++) e.gather_row_blocks(n, ix.ptr + d * n * 4, src.readPtr + d * cols * 4, W, cols, out.ptr + d * cols * 4, W);
  ix.dispose();
  return record(out, 'GatherBackward', [src], (g) => {
    const dx = Storage.zeros(src.numel), bx = Storage.alloc(D * n);
    idx.forEach((t, d) => I32().set(t, (bx.ptr >> 2) + d * n));
    for (let d = 0; d < D; d++) e.scatter_add_row_blocks(n, bx.ptr + d * n * 4, g[0]!.ptr + d * cols * 4, W, cols, dx.ptr + d * cols * 4, W);
    bx.dispose();
    return [dx];
  });
}

/** What a masked run returns: [output (B, T, D·H), hN (D, B, H), cN (D, B, H) | null]. */
export type RunResult = [Tensor, Tensor, Tensor | null];

/**
 * Runs a one-layer, batch-first recurrent module (D = 1 or 2 directions) over x (B, T, F) with
 * a (B, T) mask in processing order, giving TF.js's masked rnn() in every direction: for the
 * forward direction the output at step t is h after the last unmasked step ≤ t (h0 if none);
 * the reverse direction runs the unmasked steps last to first, its output at t being h after
 * the unmasked steps ≥ t (h0 if none); the final states skip masked steps (h0 for a row with
 * none). init: [h0, c0?] of shape (D, B, H), or null for zeros.
 */
export function maskedRun(m: RNN | LSTM | GRU, x: Tensor, mask: Mask, init: Tensor[] | null,
  run: (m: RNN | LSTM | GRU, x: Tensor, init: Tensor[] | null, lengths?: number[]) => RunResult): RunResult {
  const [B, T, F] = x.shape;
  if (mask.shape.length !== 2 || mask.shape[0] !== B || mask.shape[1] !== T) fail('mask', `shape ${show([B, T])} (batch, timesteps)`, mask.shape.slice());
  const keep = mask.keep;
  const n = new Int32Array(B);
  let full = true, prefix = true, empties = false;
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let t = 0; t < T; t++) {
      if (keep[b * T + t]) { if (c !== t) prefix = false; c++; }
    }
    n[b] = c;
    if (c !== T) full = false;
    if (c === 0) empties = true;
  }
  if (full) return run(m, x, init);
  const D = m.bidirectional ? 2 : 1, H = m.hiddenSize;
  // 1. the unmasked steps of each row to its front (no copy when they already are: post-padding)
  let xc = x;
  if (!prefix) {
    const idx = new Int32Array(B * T).fill(-1);
    for (let b = 0; b < B; b++) {
      let k = 0;
      for (let t = 0; t < T; t++) if (keep[b * T + t]) idx[b * T + k++] = b * T + t;
    }
    xc = gatherBlocks(x.reshape([B * T, F]), [idx], F).reshape([B, T, F]);
  }
  // 2. the recurrence over them (a row with none runs one step of zeros, and is replaced below)
  const [out, hN, cN] = run(m, xc, init, Array.from(n, (c) => Math.max(c, 1)));
  // 3. outputs back to their timesteps: rows b·T + k of the compacted output, or row B·T + b
  //    (h0 of that row, every direction side by side) when no step has run yet in that direction
  const h0Row = (b: number) => (init ? B * T + b : -1);
  const tables = Array.from({ length: D }, () => new Int32Array(B * T));
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let t = 0; t < T; t++) {
      const before = c;                       // unmasked steps before t
      if (keep[b * T + t]) c++;
      tables[0][b * T + t] = c > 0 ? b * T + c - 1 : h0Row(b);
      if (D === 2) tables[1][b * T + t] = before < n[b] ? b * T + before : h0Row(b);
    }
  }
  const flat = out.reshape([B * T, D * H]);
  const src = init ? cat([flat, init[0].permute(1, 0, 2).reshape([B, D * H])], 0) : flat;
  const y = gatherBlocks(src, tables, H).reshape([B, T, D * H]);
  // without a graph, what was only a step on the way is freed now rather than left to eviction
  const inference = !y.requiresGrad;
  if (inference) {
    if (xc !== x) xc.dispose();
    if (src !== flat) src.dispose();
    out.dispose();
  }
  // 4. final states: h0 (or zeros) for rows with no unmasked step
  if (!empties) return [y, hN, cN];
  const fix = (s: Tensor, s0: Tensor | null): Tensor => {
    const idx = new Int32Array(D * B);
    for (let d = 0; d < D; d++) for (let b = 0; b < B; b++) idx[d * B + b] = n[b] > 0 ? d * B + b : s0 ? D * B + d * B + b : -1;
    const rows = s.reshape([D * B, H]);
    const from = s0 ? cat([rows, s0.reshape([D * B, H])], 0) : rows;
    const fixed = gatherBlocks(from, [idx], H).reshape([D, B, H]);
    if (inference) { if (from !== rows) from.dispose(); s.dispose(); }
    return fixed;
  };
  return [y, fix(hN, init ? init[0] : null), cN ? fix(cN, init ? init[1] : null) : null];
}
