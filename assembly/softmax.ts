// Softmax, log-softmax, exp, log, max/argmax and top-k: forward and backward side by side.
// references: torch.softmax, log_softmax, exp, log, max(dim), max(), argmax, topk (PyTorch 1.13).
//
// A tensor reduced along one dimension is seen as (outer, C, inner), contiguous: element j of
// row (o, i) sits at ((o·C + j)·inner + i). Row sums run in f64 in index order j = 0 … C−1 and
// are rounded once to f32, so a row's bits depend on that row alone. Every NaN that arithmetic
// makes is written as the one quiet NaN 0x7fc00000 (Wasm leaves its sign to the CPU).
import { alloc, free } from './alloc';
import { vexp } from './activations';

const QNAN: f32 = reinterpret<f32>(0x7fc00000);

@inline function canon(v: f32): f32 { return v != v ? QNAN : v; }
@inline function canon4(v: v128): v128 { return v128.bitselect(f32x4.splat(QNAN), v, f32x4.ne(v, v)); }
@inline function ld(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function st(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }
/** Byte offset of row (o, i)'s first element. */
@inline function rowBase(p: usize, o: i32, C: i32, inner: i32, i: i32): usize {
  return p + ((<usize>o * <usize>C * <usize>inner + <usize>i) << 2);
}

// ---- softmax / log-softmax -----------------------------------------------------------------

/**
 * y = softmax(x) (log = 0) or log_softmax(x) (log = 1) along C: with m = max_j x_j (NaN if any
 * x_j is NaN), lse = m + log Σ_j e^(x_j − m) in f64, y_j = e^(x_j − lse) or x_j − lse, rounded
 * once. (The row softmax of cross_entropy_forward, the same bits.) y may not alias x.
 */
export function softmax_forward(outer: i32, C: i32, inner: i32, x: usize, y: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const bx = rowBase(x, o, C, inner, i), by = rowBase(y, o, C, inner, i);
      let m: f64 = -Infinity;
      for (let j = 0; j < C; j++) m = max(m, <f64>ld(bx, j * inner));
      let s: f64 = 0;
      for (let j = 0; j < C; j++) s += Math.exp(<f64>ld(bx, j * inner) - m);
      const lse = m + Math.log(s);
      if (log) for (let j = 0; j < C; j++) st(by, j * inner, canon(<f32>(<f64>ld(bx, j * inner) - lse)));
      else for (let j = 0; j < C; j++) st(by, j * inner, canon(<f32>Math.exp(<f64>ld(bx, j * inner) - lse)));
    }
  }
}

/**
 * Backward of softmax_forward from its output y and the output gradient g:
 * softmax: dx_j = y_j · (g_j − Σ_k g_k y_k); log_softmax: dx_j = g_j − e^(y_j) · Σ_k g_k
 * (PyTorch's formulas), the sum and each dx_j in f64, rounded once.
 */
export function softmax_backward(outer: i32, C: i32, inner: i32, y: usize, g: usize, dx: usize, log: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const by = rowBase(y, o, C, inner, i), bg = rowBase(g, o, C, inner, i), bd = rowBase(dx, o, C, inner, i);
      let s: f64 = 0;
      if (log) {
        for (let j = 0; j < C; j++) s += <f64>ld(bg, j * inner);
        for (let j = 0; j < C; j++) {
          const k = j * inner;
          st(bd, k, canon(<f32>(<f64>ld(bg, k) - Math.exp(<f64>ld(by, k)) * s)));
        }
      } else {
        for (let j = 0; j < C; j++) s += <f64>ld(bg, j * inner) * <f64>ld(by, j * inner);
        for (let j = 0; j < C; j++) {
          const k = j * inner;
          st(bd, k, canon(<f32>(<f64>ld(by, k) * (<f64>ld(bg, k) - s))));
        }
      }
    }
  }
}

// ---- exp / log -------------------------------------------------------------------------------

/** y = e^x elementwise (vmath's exp4: within 1 ulp, NaN passed through). */
export function exp_forward(x: usize, y: usize, n: i32): void { vexp(x, y, n); }

/** dx = g · y (y = e^x, PyTorch's `grad * result`). */
export function exp_backward(y: usize, g: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, canon4(f32x4.mul(v128.load(g + o), v128.load(y + o))));
  }
  for (; i < n; i++) st(dx, i, canon(ld(g, i) * ld(y, i)));
}

/** y = ln x elementwise, in f64 rounded once: ln 0 = −inf, ln of a negative number = NaN. */
export function log_forward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = ld(x, i);
    st(y, i, v != v ? v : v < 0 ? QNAN : <f32>Math.log(<f64>v));
  }
}

/** dx = g / x (PyTorch's `grad / self`). */
export function log_backward(x: usize, g: usize, dx: usize, n: i32): void {
  for (let i = 0; i < n; i++) st(dx, i, canon(ld(g, i) / ld(x, i)));
}

// ---- max / argmax ----------------------------------------------------------------------------

/**
 * Largest value along C for each (o, i): vals (outer, inner) gets it, idx (outer, inner) its
 * index as an f32. NaN counts as the largest (the first NaN wins); ties go to the lowest index.
 * Either output pointer may be 0. C ≥ 1.
 */
export function max_dim(outer: i32, C: i32, inner: i32, x: usize, vals: usize, idx: usize): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const bx = rowBase(x, o, C, inner, i);
      let best = ld(bx, 0), bi = 0;
      if (best == best) {
        for (let j = 1; j < C; j++) {
          const v = ld(bx, j * inner);
          if (v != v) { best = v; bi = j; break; }
          if (v > best) { best = v; bi = j; }
        }
      }
      const r = o * inner + i;
      if (vals) st(vals, r, best);
      if (idx) st(idx, r, <f32>bi);
    }
  }
}

/**
 * Backward of the full max() (PyTorch's evenly_distribute_backward): g / count to every element
 * equal to the maximum m (every NaN when m is NaN), 0 elsewhere, over n elements.
 */
export function max_all_backward(n: i32, x: usize, m: f32, g: f32, dx: usize): void {
  const nan = m != m;
  let count = 0;
  for (let i = 0; i < n; i++) { const v = ld(x, i); if (nan ? v != v : v == m) count++; }
  const share = canon(g / <f32>count);
  for (let i = 0; i < n; i++) { const v = ld(x, i); st(dx, i, (nan ? v != v : v == m) ? share : 0); }
}

/**
 * dx (outer, C, inner) = 0, then dx[o, idx[o, k, i], i] = g[o, k, i] for k < K: the backward of
 * max(dim) (K = 1) and topk (distinct indices), with idx holding f32 indices in [0, C).
 */
export function scatter_dim(outer: i32, K: i32, C: i32, inner: i32, g: usize, idx: usize, dx: usize): void {
  memory.fill(dx, 0, <usize>outer * <usize>C * <usize>inner << 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const bg = rowBase(g, o, K, inner, i), bi = rowBase(idx, o, K, inner, i), bd = rowBase(dx, o, C, inner, i);
      for (let k = 0; k < K; k++) st(bd, <i32>ld(bi, k * inner) * inner, ld(bg, k * inner));
    }
  }
}

// ---- top-k -----------------------------------------------------------------------------------

/**
 * Whether (a, ia) comes before (b, ib) in top-k order: larger first (smaller first if
 * !largest), NaN counted as larger than every number, equal values by lower index.
 */
@inline function before(a: f32, ia: i32, b: f32, ib: i32, largest: bool): bool {
  const an = a != a, bn = b != b;
  if (an || bn) return an && bn ? ia < ib : largest ? an : bn;
  if (a != b) return largest ? a > b : a < b;
  return ia < ib;
}

@inline function at(list: usize, p: i32): i32 { return load<i32>(list + (<usize>p << 2)); }
@inline function put(list: usize, p: i32, j: i32): void { store<i32>(list + (<usize>p << 2), j); }

/** Whether index a comes after index b in top-k order (for the heap: its root is the last kept). */
@inline function after(base: usize, stride: i32, a: i32, b: i32, largest: bool): bool {
  return before(ld(base, b * stride), b, ld(base, a * stride), a, largest);
}

/** Restores the heap property below position p of heap[0 … len). */
function siftDown(base: usize, stride: i32, heap: usize, len: i32, p: i32, largest: bool): void {
  const j = at(heap, p);
  while (true) {
    let c = 2 * p + 1;
    if (c >= len) break;
    if (c + 1 < len && after(base, stride, at(heap, c + 1), at(heap, c), largest)) c++;
    if (!after(base, stride, at(heap, c), j, largest)) break;
    put(heap, p, at(heap, c));
    p = c;
  }
  put(heap, p, j);
}

/**
 * The k first indices of a row (C values at base, stride `stride` floats) in top-k order, as i32
 * in list[0 … k): a heap of the k best so far whose root is the last of them (O(C log k)), then a
 * heap sort of those k. The order is total (ties by index), so the list is unique.
 */
export function topk_row(base: usize, stride: i32, C: i32, k: i32, largest: bool, list: usize): void {
  if (k <= 0) return;
  for (let j = 0; j < C; j++) {
    if (j < k) {                                   // fill: sift j up
      let p = j;
      while (p > 0) {
        const q = (p - 1) >> 1;
        if (!after(base, stride, j, at(list, q), largest)) break;
        put(list, p, at(list, q));
        p = q;
      }
      put(list, p, j);
    } else if (after(base, stride, at(list, 0), j, largest)) {
      put(list, 0, j);                             // j beats the last kept: replace it
      siftDown(base, stride, list, k, 0, largest);
    }
  }
  for (let end = k - 1; end > 0; end--) {          // the last kept goes to the back, and so on
    const r = at(list, 0);
    put(list, 0, at(list, end));
    put(list, end, r);
    siftDown(base, stride, list, end, 0, largest);
  }
}

/**
 * The k largest (smallest if !largest) values along C and their indices (as f32), in order:
 * vals, idx (outer, k, inner). NaN counts as the largest; ties go to the lower index.
 */
export function topk_forward(outer: i32, C: i32, inner: i32, k: i32, largest: i32, x: usize, vals: usize, idx: usize): void {
  if (k <= 0) return;
  const list = alloc(<usize>k << 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const bx = rowBase(x, o, C, inner, i), bv = rowBase(vals, o, k, inner, i), bi = rowBase(idx, o, k, inner, i);
      topk_row(bx, inner, C, k, largest != 0, list);
      for (let r = 0; r < k; r++) {
        const j = load<i32>(list + (<usize>r << 2));
        st(bv, r * inner, ld(bx, j * inner));
        st(bi, r * inner, <f32>j);
      }
    }
  }
  free(list);
}
