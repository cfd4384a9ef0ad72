// Int8 inference: symmetric per-row quantization and an exact integer GEMM on i32x4.dot_i16x8_s.
//
// Quantization of a row v of K floats (a weight row at quantize() time, an activation row at every
// call: one x_t row of one sequence, one h_{t−1} row):
//   m = max_k |v[k]| (f32), inv = 127 / m (f32 division), scale = m / 127 (f32 division),
//   q[k] = roundHalfEven(v[k] · inv)        (one f32 multiply; |q| ≤ 127 follows from |v| ≤ m)
// Special rows: when inv is not finite (m = 0, or m < 127 / FLT_MAX ≈ 3.7e−37) every q is 0 and
// scale = 0; when m is NaN or ±inf (the row holds a NaN or an infinity) every q is 0 and scale is
// NaN, so every output of that row is NaN. Rows are quantized alone, so a row's bits never depend
// on the rows beside it (batch size, position, chunking).
//
// Product: S[i, j] = Σ_k q_x[i, k] · q_w[j, k] in i32 — exact, in any order, while
// K · 128 · 127 < 2^31, i.e. K ≤ 131072 (weights loaded from a file may hold −128; the TS side
// rejects a larger K) — then, per element, in this order:
//   C[i, j] = f32(S[i, j]) · (xscale[i] · wscale[j])        (f32.convert_i32_s, two f32 multiplies)
// f32(S) rounds to nearest-even when |S| > 2^24; every step is one IEEE operation, so the bits
// are the same in every engine, whatever the tiling, M, or a row's place in the batch.
//
// Layouts:
//  - activations: quantized rows of int16 (the int8 values widened), Kp = K rounded up to even
//    elements per row (the pad element is 0), with one f32 scale per row;
//  - weights W (N × K, PyTorch's (out, in)) packed once for y = x · Wᵀ: N in panels of 8 output
//    rows (the last panel padded with zero rows), each panel Kp/2 k-pairs of 32 bytes:
//    [w(n0,k) w(n0,k+1) w(n1,k) w(n1,k+1) w(n2,k) … w(n3,k+1)] [the same for n4 … n7], int16.
//    One f32 scale per output row, padded with zeros to a multiple of 8.
// A k pair of one activation row is one 32-bit load broadcast to 4 lanes; i32x4.dot_i16x8_s of
// it with one 16-byte weight vector gives 4 output columns × 2 k steps of multiply-adds.
// Weights stay int16 in memory (half the bytes of f32): widening int8 at every load
// (v128.load8x8_s) ran the 4x8 kernel at 0.85-0.9x the speed of plain loads here.
//
// Kernels (V8 x64: 15 allocatable xmm registers): 4 rows × 8 columns (8 i32x4 accumulators, 2
// weight vectors, 1 broadcast, 1 product), the 0-3 remaining rows as 2 × 16, 2 × 8, 1 × 24, 1 × 16
// and 1 × 8 strips. Measured on this AMD EPYC with L1-resident data (paired calls): 4x8 ran
// 1.98-2.0x the f32 4x8 kernel's multiply-adds per second; 6x8 and 4x12 (spills) 1.3x, 5x8
// 1.6x; 1x24 1.7x the f32 1x24 strip. Pointers are byte offsets; A rows, packed weights and
// scales must be 4-byte aligned (the allocator gives 16).

import { alloc, free } from './alloc';


// (src/quantize.ts refuses K > 131072 before any kernel runs.)
const MC: i32 = 128;   // rows of A per block of the 4-row path (128 rows of K int16: L1/L2)

// ---------------------------------------------------------------------------------------
// Quantization

// Rounding by the f32 adder: for |y| < 2^22, (y + 1.5·2^23) holds roundHalfEven(y) in its low
// mantissa bits (the sum's ulp is 1 and IEEE addition rounds to nearest, ties to even), so
// bits(y + MAGIC) − bits(MAGIC) = roundHalfEven(y) as an i32. Here |y| = |v · inv| ≤ 127·(1 + 2^−23)
// (|v| ≤ m and inv = RN(127 / m)), which rounds to at most 127: no clamp is needed.
const MAGIC: f32 = 12582912;      // 1.5 · 2^23
const MAGIC_BITS: i32 = 0x4b400000;

/**
 * One row of k floats at x → k int16 at q (plus a 0 at q[k] when k is odd); returns the row's
 * scale (see the top of this file). m is taken on the bits of |v| (an i32 max: for non-negative
 * floats the bit patterns order as the values, +inf and NaN above every finite value).
 */
function quant_row(k: i32, x: usize, q: usize): f32 {
  const mask = i32x4.splat(0x7fffffff);
  let mv = i32x4.splat(0), mw = mv;
  let i = 0;
  for (; i + 8 <= k; i += 8) {
    const p = x + (<usize>i << 2);
    mv = i32x4.max_s(mv, v128.and(v128.load(p), mask));
    mw = i32x4.max_s(mw, v128.and(v128.load(p, 16), mask));
  }
  mv = i32x4.max_s(mv, mw);
  let mb = max(max(i32x4.extract_lane(mv, 0), i32x4.extract_lane(mv, 1)), max(i32x4.extract_lane(mv, 2), i32x4.extract_lane(mv, 3)));
  for (; i < k; i++) mb = max(mb, load<i32>(x + (<usize>i << 2)) & 0x7fffffff);
  const kp = (k + 1) & ~1;
  if (mb >= 0x7f800000) {      // NaN or ±inf in the row
    memory.fill(q, 0, <usize>kp << 1);
    return reinterpret<f32>(0x7fc00000);
  }
  const m = reinterpret<f32>(mb);
  const inv: f32 = <f32>127 / m;
  if (inv - inv != 0) {        // m = 0 or too small: 127 / m overflows
    memory.fill(q, 0, <usize>kp << 1);
    return 0;
  }
  const iv = f32x4.splat(inv), mg = f32x4.splat(MAGIC), mgb = i32x4.splat(MAGIC_BITS);
  i = 0;
  for (; i + 8 <= k; i += 8) {
    const p = x + (<usize>i << 2);
    const a = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p), iv), mg), mgb);
    const b = i32x4.sub(f32x4.add(f32x4.mul(v128.load(p, 16), iv), mg), mgb);
    v128.store(q + (<usize>i << 1), i16x8.narrow_i32x4_s(a, b));
  }
  for (; i < k; i++) {
    store<i16>(q + (<usize>i << 1), <i16>(reinterpret<i32>(load<f32>(x + (<usize>i << 2)) * inv + MAGIC) - MAGIC_BITS));
  }
  if (k & 1) store<i16>(q + (<usize>k << 1), 0);
  return m / <f32>127;
}

/**
 * Quantizes M rows of K floats (x, leading dimension ldx floats) to int16 rows of Kp = K rounded
 * up to even (q, leading dimension ldq int16, even), one f32 scale per row into s.
 */
export function q8_quant_rows(M: i32, K: i32, x: usize, ldx: i32, q: usize, ldq: i32, s: usize): void {
  for (let i = 0; i < M; i++) {
    store<f32>(s + (<usize>i << 2), quant_row(K, x + (<usize>(i * ldx) << 2), q + (<usize>(i * ldq) << 1)));
  }
}

/**
 * Weight quantization: dst (N × K f32, contiguous) = the int8 values of W's rows (N × K, leading
 * dim ldw) as f32 integers in [−127, 127], scales (N f32) their scales. Returns the number of
 * rows holding a NaN or an infinity (nothing is defined for those: the caller refuses them).
 */
export function q8_quantize(N: i32, K: i32, w: usize, ldw: i32, dst: usize, scales: usize): i32 {
  const kp = (K + 1) & ~1;
  const q = alloc(<usize>kp << 1);
  let bad = 0;
  for (let n = 0; n < N; n++) {
    const s = quant_row(K, w + (<usize>(n * ldw) << 2), q);
    if (s != s) bad++;
    store<f32>(scales + (<usize>n << 2), s);
    const d = dst + (<usize>(n * K) << 2);
    for (let k = 0; k < K; k++) store<f32>(d + (<usize>k << 2), <f32>load<i16>(q + (<usize>k << 1)));
  }
  free(q);
  return bad;
}

/** Bytes of the packed form of an N × K weight (panels of 8 rows, Kp/2 pairs of 32 bytes). */
export function q8_packed_bytes(N: i32, K: i32): i32 {
  return ((N + 7) >> 3) * ((K + 1) & ~1) * 16;
}

/**
 * Packs int8 values held as f32 integers (q: N × K, contiguous; already checked with q8_count_bad)
 * and their row scales (N f32) into the kernel's layout: dst (q8_packed_bytes(N, K) bytes) and
 * ws (N rounded up to 8 f32, zero padded).
 */
export function q8_pack(N: i32, K: i32, q: usize, scales: usize, dst: usize, ws: usize): void {
  const kp = (K + 1) & ~1, np = (N + 7) >> 3;
  memory.fill(dst, 0, <usize>(np * kp * 16));
  memory.fill(ws, 0, <usize>(np * 8) << 2);
  memory.copy(ws, scales, <usize>N << 2);
  const ps = <usize>(kp * 16);   // panel stride in bytes
  for (let n = 0; n < N; n++) {
    const c = n & 7;
    const base = dst + <usize>(n >> 3) * ps + (<usize>(c >> 2) << 4) + (<usize>(c & 3) << 2);
    const row = q + (<usize>(n * K) << 2);
    for (let k = 0; k < K; k++) {
      store<i16>(base + (<usize>(k >> 1) << 5) + (<usize>(k & 1) << 1), <i16><i32>load<f32>(row + (<usize>k << 2)));
    }
  }
}

/** The inverse of q8_pack's weight part: dst (N × K f32, contiguous) = the packed int values. */
export function q8_unpack(N: i32, K: i32, src: usize, dst: usize): void {
  const kp = (K + 1) & ~1;
  const ps = <usize>(kp * 16);
  for (let n = 0; n < N; n++) {
    const c = n & 7;
    const base = src + <usize>(n >> 3) * ps + (<usize>(c >> 2) << 4) + (<usize>(c & 3) << 2);
    const row = dst + (<usize>(n * K) << 2);
    for (let k = 0; k < K; k++) {
      store<f32>(row + (<usize>k << 2), <f32>load<i16>(base + (<usize>(k >> 1) << 5) + (<usize>(k & 1) << 1)));
    }
  }
}

/** Number of the n floats at x that are not integers in [lo, hi] (NaN and ±inf included). */
export function q8_count_bad(x: usize, n: i32, lo: f32, hi: f32): i32 {
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= lo && v <= hi && nearest<f32>(v) == v)) bad++;
  }
  return bad;
}

/** dst[i] = src[i] for n int8 (bytes) → f32, exactly (safetensors I8). */
export function i8_to_f32(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>load<i8>(src + <usize>i));
}

/** dst[i] = src[i] for n f32 integers in [−128, 127] → int8 bytes (saturating truncation). */
export function f32_to_i8(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const v = <i32>min<f32>(max<f32>(load<f32>(src + (<usize>i << 2)), -128), 127);
    store<i8>(dst + <usize>i, <i8>v);
  }
}

// ---------------------------------------------------------------------------------------
// Micro-kernels. `np` k pairs (≥ 1); A rows at a (row stride lda bytes), a panel at b (32 bytes a
// pair; a second and third panel at b + ps, b + 2ps); activation scales at xs (4 bytes a row),
// weight scales at ws (8 a panel); C at c (row stride ldc4 bytes). `nc` (1-8) columns of the last
// panel are stored; the others are the zero-padded rows of W.

const tile: usize = memory.data(32, 16);

/** f32(acc) · (x · w) per lane: the dequantization of the contract. */
// @ts-ignore: decorator
@inline function deq(acc: v128, x: v128, w: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(acc), f32x4.mul(x, w));
}

/** Stores 8 floats of one C row, or its first nc of them (the last panel). */
// @ts-ignore: decorator
@inline function st8(c: usize, v0: v128, v1: v128, nc: i32): void {
  if (nc == 8) { v128.store(c, v0); v128.store(c, v1, 16); return; }
  v128.store(tile, v0); v128.store(tile, v1, 16);
  memory.copy(c, tile, <usize>nc << 2);
}

// @ts-ignore: decorator
@inline function dot(acc: v128, s: v128, b: v128): v128 { return i32x4.add(acc, i32x4.dot_i16x8_s(s, b)); }

// 4 rows × 8 columns
// @ts-ignore: decorator
@inline function k4x8(np: i32, a: usize, lda: usize, b: usize, xs: usize, ws: usize, c: usize, ldc4: usize, nc: i32): void {
  let a1 = a + lda, a2 = a1 + lda, a3 = a2 + lda;
  let x00 = i32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    x00 = dot(x00, s, b0); x01 = dot(x01, s, b1);
    s = v128.load32_splat(a1);
    x10 = dot(x10, s, b0); x11 = dot(x11, s, b1);
    s = v128.load32_splat(a2);
    x20 = dot(x20, s, b0); x21 = dot(x21, s, b1);
    s = v128.load32_splat(a3);
    x30 = dot(x30, s, b0); x31 = dot(x31, s, b1);
    a += 4; a1 += 4; a2 += 4; a3 += 4; b += 32;
  }
  const w0 = v128.load(ws), w1 = v128.load(ws, 16);
  let x = v128.load32_splat(xs);
  st8(c, deq(x00, x, w0), deq(x01, x, w1), nc);
  x = v128.load32_splat(xs, 4);
  st8(c + ldc4, deq(x10, x, w0), deq(x11, x, w1), nc);
  x = v128.load32_splat(xs, 8);
  st8(c + 2 * ldc4, deq(x20, x, w0), deq(x21, x, w1), nc);
  x = v128.load32_splat(xs, 12);
  st8(c + 3 * ldc4, deq(x30, x, w0), deq(x31, x, w1), nc);
}

// 2 rows × 16 columns (two panels: b and b + ps)
// @ts-ignore: decorator
@inline function k2x16(np: i32, a: usize, lda: usize, b: usize, ps: usize, xs: usize, ws: usize, c: usize, ldc4: usize, nc: i32): void {
  let a1 = a + lda;
  const bq = b + ps;
  let x00 = i32x4.splat(0), x01 = x00, x02 = x00, x03 = x00, x10 = x00, x11 = x00, x12 = x00, x13 = x00;
  let o: usize = 0;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const b0 = v128.load(b + o), b1 = v128.load(b + o, 16), b2 = v128.load(bq + o), b3 = v128.load(bq + o, 16);
    let s = v128.load32_splat(a);
    x00 = dot(x00, s, b0); x01 = dot(x01, s, b1); x02 = dot(x02, s, b2); x03 = dot(x03, s, b3);
    s = v128.load32_splat(a1);
    x10 = dot(x10, s, b0); x11 = dot(x11, s, b1); x12 = dot(x12, s, b2); x13 = dot(x13, s, b3);
    a += 4; a1 += 4; o += 32;
  }
  const w0 = v128.load(ws), w1 = v128.load(ws, 16), w2 = v128.load(ws, 32), w3 = v128.load(ws, 48);
  let x = v128.load32_splat(xs);
  v128.store(c, deq(x00, x, w0)); v128.store(c, deq(x01, x, w1), 16);
  st8(c + 32, deq(x02, x, w2), deq(x03, x, w3), nc);
  x = v128.load32_splat(xs, 4);
  const c1 = c + ldc4;
  v128.store(c1, deq(x10, x, w0)); v128.store(c1, deq(x11, x, w1), 16);
  st8(c1 + 32, deq(x12, x, w2), deq(x13, x, w3), nc);
}

// 2 rows × 8 columns
// @ts-ignore: decorator
@inline function k2x8(np: i32, a: usize, lda: usize, b: usize, xs: usize, ws: usize, c: usize, ldc4: usize, nc: i32): void {
  let a1 = a + lda;
  let x00 = i32x4.splat(0), x01 = x00, x10 = x00, x11 = x00;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    x00 = dot(x00, s, b0); x01 = dot(x01, s, b1);
    s = v128.load32_splat(a1);
    x10 = dot(x10, s, b0); x11 = dot(x11, s, b1);
    a += 4; a1 += 4; b += 32;
  }
  const w0 = v128.load(ws), w1 = v128.load(ws, 16);
  let x = v128.load32_splat(xs);
  st8(c, deq(x00, x, w0), deq(x01, x, w1), nc);
  x = v128.load32_splat(xs, 4);
  st8(c + ldc4, deq(x10, x, w0), deq(x11, x, w1), nc);
}

// 1 row × 24 columns (three panels)
// @ts-ignore: decorator
@inline function k1x24(np: i32, a: usize, b: usize, ps: usize, xs: usize, ws: usize, c: usize, nc: i32): void {
  const bq = b + ps, br = bq + ps;
  let x0 = i32x4.splat(0), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0;
  let o: usize = 0;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x0 = dot(x0, s, v128.load(b + o)); x1 = dot(x1, s, v128.load(b + o, 16));
    x2 = dot(x2, s, v128.load(bq + o)); x3 = dot(x3, s, v128.load(bq + o, 16));
    x4 = dot(x4, s, v128.load(br + o)); x5 = dot(x5, s, v128.load(br + o, 16));
    a += 4; o += 32;
  }
  const x = v128.load32_splat(xs);
  v128.store(c, deq(x0, x, v128.load(ws))); v128.store(c, deq(x1, x, v128.load(ws, 16)), 16);
  v128.store(c, deq(x2, x, v128.load(ws, 32)), 32); v128.store(c, deq(x3, x, v128.load(ws, 48)), 48);
  st8(c + 64, deq(x4, x, v128.load(ws, 64)), deq(x5, x, v128.load(ws, 80)), nc);
}

// 1 row × 16 columns (two panels)
// @ts-ignore: decorator
@inline function k1x16(np: i32, a: usize, b: usize, ps: usize, xs: usize, ws: usize, c: usize, nc: i32): void {
  const bq = b + ps;
  let x0 = i32x4.splat(0), x1 = x0, x2 = x0, x3 = x0;
  let o: usize = 0;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x0 = dot(x0, s, v128.load(b + o)); x1 = dot(x1, s, v128.load(b + o, 16));
    x2 = dot(x2, s, v128.load(bq + o)); x3 = dot(x3, s, v128.load(bq + o, 16));
    a += 4; o += 32;
  }
  const x = v128.load32_splat(xs);
  v128.store(c, deq(x0, x, v128.load(ws))); v128.store(c, deq(x1, x, v128.load(ws, 16)), 16);
  st8(c + 32, deq(x2, x, v128.load(ws, 32)), deq(x3, x, v128.load(ws, 48)), nc);
}

// 1 row × 8 columns
// @ts-ignore: decorator
@inline function k1x8(np: i32, a: usize, b: usize, xs: usize, ws: usize, c: usize, nc: i32): void {
  let x0 = i32x4.splat(0), x1 = x0;
  const aend = a + (<usize>np << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x0 = dot(x0, s, v128.load(b)); x1 = dot(x1, s, v128.load(b, 16));
    a += 4; b += 32;
  }
  const x = v128.load32_splat(xs);
  st8(c, deq(x0, x, v128.load(ws)), deq(x1, x, v128.load(ws, 16)), nc);
}

// ---------------------------------------------------------------------------------------
// Driver

/**
 * C (M × N f32, leading dim ldc) = the dequantized products of M quantized activation rows
 * (A: int16 rows of Kp = K rounded up to even, leading dim lda int16, scales xs: M f32) and an
 * N × K weight packed by q8_pack (Wp, scales ws). See the contract at the top of this file.
 */
export function q8_gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, xs: usize, Wp: usize, ws: usize, C: usize, ldc: i32): void {
  if (M <= 0 || N <= 0) return;
  const np = (K + 1) >> 1;
  const ldc4 = <usize>ldc << 2, lda2 = <usize>lda << 1;
  const ps = <usize>np << 5;   // panel stride
  const P = (N + 7) >> 3, last = N - ((P - 1) << 3);   // panels; columns in the last one
  if (np == 0) {
    for (let i = 0; i < M; i++) memory.fill(C + <usize>i * ldc4, 0, <usize>N << 2);
    return;
  }
  const M4 = M & ~3;
  for (let ic = 0; ic < M4; ic += MC) {
    const mc = min(MC, M4 - ic);
    for (let p = 0; p < P; p++) {
      const b = Wp + <usize>p * ps, w = ws + (<usize>p << 5), nc = p == P - 1 ? last : 8;
      const cp = C + (<usize>p << 5);
      for (let i = ic; i < ic + mc; i += 4) {
        k4x8(np, A + <usize>i * lda2, lda2, b, xs + (<usize>i << 2), w, cp + <usize>i * ldc4, ldc4, nc);
      }
    }
  }
  let i = M4;
  if (M - i >= 2) {
    const a = A + <usize>i * lda2, x = xs + (<usize>i << 2), c = C + <usize>i * ldc4;
    let p = 0;
    for (; p + 2 <= P; p += 2) k2x16(np, a, lda2, Wp + <usize>p * ps, ps, x, ws + (<usize>p << 5), c + (<usize>p << 5), ldc4, p + 2 == P ? last : 8);
    if (p < P) k2x8(np, a, lda2, Wp + <usize>p * ps, x, ws + (<usize>p << 5), c + (<usize>p << 5), ldc4, last);
    i += 2;
  }
  if (i < M) {
    const a = A + <usize>i * lda2, x = xs + (<usize>i << 2), c = C + <usize>i * ldc4;
    let p = 0;
    for (; p + 3 <= P; p += 3) k1x24(np, a, Wp + <usize>p * ps, ps, x, ws + (<usize>p << 5), c + (<usize>p << 5), p + 3 == P ? last : 8);
    if (p + 2 <= P) { k1x16(np, a, Wp + <usize>p * ps, ps, x, ws + (<usize>p << 5), c + (<usize>p << 5), last); p += 2; }
    if (p < P) k1x8(np, a, Wp + <usize>p * ps, x, ws + (<usize>p << 5), c + (<usize>p << 5), last);
  }
}

// Rows per quantization chunk of q8_project: its int16 rows stay in L1/L2 while every panel reads them.
const QC: i32 = 128;

/**
 * y (M × N, leading dim ldy) = quantize(x rows) · Wᵀ, dequantized (q8_gemm), for M rows of K
 * floats at x (leading dim ldx): chunks of QC rows are quantized into a scratch, then multiplied.
 * A row's result does not depend on the chunking (rows are quantized and summed alone).
 */
export function q8_project(M: i32, N: i32, K: i32, x: usize, ldx: i32, Wp: usize, ws: usize, y: usize, ldy: i32): void {
  if (M <= 0) return;
  const kp = (K + 1) & ~1, mc = min(M, QC);
  const q = alloc(<usize>(mc * kp) << 1), s = alloc(<usize>mc << 2);
  for (let r = 0; r < M; r += QC) {
    const m = min(QC, M - r);
    q8_quant_rows(m, K, x + (<usize>(r * ldx) << 2), ldx, q, kp, s);
    q8_gemm(m, N, K, q, kp, s, Wp, ws, y + (<usize>(r * ldy) << 2), ldy);
  }
  free(s); free(q);
}

/**
 * Int8 embedding lookup: out row k (D f32) = f32(q[idx[k], j]) · scales[idx[k]] for j < D, where
 * q is N rows of D int8 (bytes) and idx holds n i32 row numbers; a negative index gives a row of
 * zeros (as gather_rows). One f32 multiply per value: the same bits wherever the row is looked up.
 */
export function q8_embedding(n: i32, idx: usize, q: usize, scales: usize, D: i32, out: usize): void {
  for (let k = 0; k < n; k++) {
    const r = load<i32>(idx + (<usize>k << 2));
    const o = out + (<usize>(k * D) << 2);
    if (r < 0) { memory.fill(o, 0, <usize>D << 2); continue; }
    const src = q + <usize>r * <usize>D, s = load<f32>(scales + (<usize>r << 2)), sv = f32x4.splat(s);
    let j = 0;
    for (; j + 8 <= D; j += 8) {
      const w = v128.load8x8_s(src + <usize>j);
      v128.store(o + (<usize>j << 2), f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(w)), sv));
      v128.store(o + (<usize>j << 2), f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(w)), sv), 16);
    }
    for (; j < D; j++) store<f32>(o + (<usize>j << 2), <f32>load<i8>(src + <usize>j) * s);
  }
}
