// Elementwise, strided and reduction kernels behind the Tensor ops.
//
// Shapes and strides (in elements) reach the strided kernels through ARGS, a small i32
// table that the TypeScript side writes just before the call: row k, column d at
// ARGS[k*8 + d] (k = 0 shape, 1 strides of a, 2 strides of b, 3 strides of c), rank ≤ 8.
// A stride of 0 broadcasts; on the output side it accumulates (c += …) into one element.
// Every index walk is row-major, so every accumulation has one fixed order.
import { alloc, free } from './alloc';
import { vtanh, vsigmoid } from './activations';

const ARGS: usize = memory.data(32 * 4, 16);
const IDX: usize = memory.data(8 * 4, 16);

/** Address of the i32 argument table (4 rows × 8 columns). */
export function args_ptr(): usize { return ARGS; }

@inline function arg(k: i32, d: i32): i32 { return load<i32>(ARGS + (<usize>(k * 8 + d) << 2)); }
@inline function ld(p: usize, i: i32): f32 { return load<f32>(p + (<usize>i << 2)); }
@inline function st(p: usize, i: i32, v: f32): void { store<f32>(p + (<usize>i << 2), v); }

// strided op codes
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, COPY = 4, ACC = 5, ACC_MUL = 6, ACC_NEG = 7;

/**
 * Over the shape in ARGS (rank nd ≥ 1), element by element in row-major order:
 * ADD/SUB/MUL/DIV: c = a ∘ b; COPY: c = a; ACC: c += a; ACC_MUL: c += a*b; ACC_NEG: c -= a.
 */
export function strided(op: i32, nd: i32, a: usize, b: usize, c: usize): void {
  const last = nd - 1;
  const n = arg(0, last), sa = arg(1, last), sb = arg(2, last), sc = arg(3, last);
  let outer = 1;
  for (let d = 0; d < last; d++) { outer *= arg(0, d); store<i32>(IDX + (<usize>d << 2), 0); }
  let oa = 0, ob = 0, oc = 0;
  for (let o = 0; o < outer; o++) {
    let ia = oa, ib = ob, ic = oc;
    switch (op) {
      case ADD: for (let i = 0; i < n; i++) { st(c, ic, ld(a, ia) + ld(b, ib)); ia += sa; ib += sb; ic += sc; } break;
      case SUB: for (let i = 0; i < n; i++) { st(c, ic, ld(a, ia) - ld(b, ib)); ia += sa; ib += sb; ic += sc; } break;
      case MUL: for (let i = 0; i < n; i++) { st(c, ic, ld(a, ia) * ld(b, ib)); ia += sa; ib += sb; ic += sc; } break;
      case DIV: for (let i = 0; i < n; i++) { st(c, ic, ld(a, ia) / ld(b, ib)); ia += sa; ib += sb; ic += sc; } break;
      case COPY: for (let i = 0; i < n; i++) { st(c, ic, ld(a, ia)); ia += sa; ic += sc; } break;
      case ACC: for (let i = 0; i < n; i++) { st(c, ic, ld(c, ic) + ld(a, ia)); ia += sa; ic += sc; } break;
      case ACC_MUL: for (let i = 0; i < n; i++) { st(c, ic, ld(c, ic) + ld(a, ia) * ld(b, ib)); ia += sa; ib += sb; ic += sc; } break;
      case ACC_NEG: for (let i = 0; i < n; i++) { st(c, ic, ld(c, ic) - ld(a, ia)); ia += sa; ic += sc; } break;
      default: unreachable();
    }
    // advance the outer index (odometer), last outer dimension fastest
    for (let d = last - 1; d >= 0; d--) {
      const p = IDX + (<usize>d << 2);
      const k = load<i32>(p) + 1;
      oa += arg(1, d); ob += arg(2, d); oc += arg(3, d);
      if (k < arg(0, d)) { store<i32>(p, k); break; }
      store<i32>(p, 0);
      oa -= arg(1, d) * k; ob -= arg(2, d) * k; oc -= arg(3, d) * k;
    }
  }
}

// unary op codes
const TANH = 0, SIGMOID = 1, RELU = 2;

/** y = f(x) elementwise for n elements (y may equal x). */
export function unary(op: i32, x: usize, y: usize, n: i32): void {
  if (op == TANH) vtanh(x, y, n);
  else if (op == SIGMOID) vsigmoid(x, y, n);
  else if (op == RELU) {
    const z = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.max(v128.load(x + (<usize>i << 2)), z));
    for (; i < n; i++) { const v = ld(x, i); st(y, i, v > 0 ? v : 0); }
  } else if (op == 3) {
    if (x != y) memory.copy(y, x, <usize>n << 2);     // identity
  } else unreachable();
}

/**
 * dx (+)= dy · f'(…) from the saved output y (tanh, sigmoid, relu), n elements.
 * tanh: dy·(1 − y²); sigmoid: dy·(1 − y)·y; relu: y > 0 ? dy : 0 (PyTorch's order of operations).
 */
export function unary_grad(op: i32, y: usize, dy: usize, dx: usize, n: i32, accumulate: i32): void {
  for (let i = 0; i < n; i++) {
    const v = ld(y, i), g = ld(dy, i);
    let r: f32;
    if (op == TANH) r = g * (1 - v * v);
    else if (op == SIGMOID) r = g * (1 - v) * v;
    else r = v > 0 ? g : 0;
    st(dx, i, accumulate ? ld(dx, i) + r : r);
  }
}

/** Sum of n floats divided by `divisor` (1 for a sum, n for a mean), in f64, rounded once to f32. */
export function sum_all(x: usize, n: i32, divisor: f64): f32 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) s += <f64>ld(x, i);
  return <f32>(s / divisor);
}

/** y[i] = x[i] / d for i < n (y may equal x). */
export function scale_div(x: usize, y: usize, n: i32, d: f32): void {
  for (let i = 0; i < n; i++) st(y, i, ld(x, i) / d);
}

/** p[i] = v for i < n. */
export function fill(p: usize, n: i32, v: f32): void {
  const s = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), s);
  for (; i < n; i++) st(p, i, v);
}

/** y[i] += x[i] for i < n. */
export function add_to(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = y + (<usize>i << 2);
    v128.store(q, f32x4.add(v128.load(q), v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) st(y, i, ld(y, i) + ld(x, i));
}

/** y[i] = x[i] * a for i < n (y may equal x). */
export function scale(x: usize, y: usize, n: i32, a: f32): void {
  const s = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.mul(v128.load(x + (<usize>i << 2)), s));
  for (; i < n; i++) st(y, i, ld(x, i) * a);
}

/** y[i] = x[i] + a for i < n (y may equal x). */
export function add_scalar(x: usize, y: usize, n: i32, a: f32): void {
  for (let i = 0; i < n; i++) st(y, i, ld(x, i) + a);
}

/**
 * dst[j] += Σ_i src[i, j] over rows i in order, summed in f64 and rounded once (bias gradients);
 * dst2 (if not 0) gets the same. Walks src row by row (f64x2 column accumulators in scratch), so
 * each column is still summed in row order: the same bits as a column-by-column loop.
 */
export function colsum_acc2(rows: i32, cols: i32, src: usize, lds: i32, dst: usize, dst2: usize): void {
  const acc = alloc(<usize>cols << 3);
  memory.fill(acc, 0, <usize>cols << 3);
  for (let i = 0; i < rows; i++) {
    const r = src + (<usize>(i * lds) << 2);
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const q = acc + (<usize>j << 3);
      v128.store(q, f64x2.add(v128.load(q), f64x2.promote_low_f32x4(v128.load64_zero(r + (<usize>j << 2)))));
    }
    for (; j < cols; j++) {
      const q = acc + (<usize>j << 3);
      store<f64>(q, load<f64>(q) + <f64>ld(r, j));
    }
  }
  for (let j = 0; j < cols; j++) {
    const s = load<f64>(acc + (<usize>j << 3));
    st(dst, j, <f32>(<f64>ld(dst, j) + s));
    if (dst2) st(dst2, j, <f32>(<f64>ld(dst2, j) + s));
  }
  free(acc);
}

/** dst[j] += Σ_i src[i, j] (see colsum_acc2). */
export function colsum_acc(rows: i32, cols: i32, src: usize, lds: i32, dst: usize): void {
  colsum_acc2(rows, cols, src, lds, dst, 0);
}

/** c[i, j] += bias[j] for a rows × cols block with leading dimension ldc. */
export function add_bias_rows(rows: i32, cols: i32, c: usize, ldc: i32, bias: usize): void {
  for (let i = 0; i < rows; i++) {
    const r = c + (<usize>(i * ldc) << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const q = r + (<usize>j << 2);
      v128.store(q, f32x4.add(v128.load(q), v128.load(bias + (<usize>j << 2))));
    }
    for (; j < cols; j++) st(r, j, ld(r, j) + ld(bias, j));
  }
}

/** Copies a rows × cols block between leading dimensions lds and ldd. */
export function copy_rows(rows: i32, cols: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let i = 0; i < rows; i++) memory.copy(dst + (<usize>(i * ldd) << 2), src + (<usize>(i * lds) << 2), <usize>cols << 2);
}

/** Number of non-finite values among n floats (for the optional input checks). */
export function count_nonfinite(x: usize, n: i32): i32 {
  let k = 0;
  for (let i = 0; i < n; i++) { const v = ld(x, i); if (v - v != 0) k++; }
  return k;
}

/** Index of the largest value in each of `rows` rows of length `cols` (first on ties). */
export function argmax_rows(rows: i32, cols: i32, x: usize, out: usize): void {
  for (let i = 0; i < rows; i++) {
    let best = 0, bv = ld(x, i * cols);
    for (let j = 1; j < cols; j++) { const v = ld(x, i * cols + j); if (v > bv) { bv = v; best = j; } }
    store<i32>(out + (<usize>i << 2), best);
  }
}

/** out (n × C) = one-hot rows of the i32 class indices idx (each in [0, C)). */
export function one_hot(idx: usize, n: i32, C: i32, out: usize): void {
  memory.fill(out, 0, <usize>(n * C) << 2);
  for (let i = 0; i < n; i++) st(out, i * C + load<i32>(idx + (<usize>i << 2)), 1);
}
