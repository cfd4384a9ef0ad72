// GEMM and transpose: register-blocked f32x4 kernels with a fixed, bit-deterministic k order.
//
// Contract: C[i,j] = (accumulate ? C[i,j] : 0), then for k = 0..K-1 in order
// C[i,j] += A[i,k] * B[k,j], each step one f32 multiply then one f32 add (no FMA, no
// reassociation, no partial sums). Every C element therefore gets exactly the bits of the
// scalar loop, whatever M, N, the tiling or the row's position in the batch: a SIMD lane is
// one C element and runs that same sequence of operations.
//
// Blocking never changes that sequence:
//  - K is cut into blocks of KC; between blocks the running sum lives in C as an f32, which
//    is exactly what the scalar register held (an f32 store/load is exact).
//  - M and N blocking only changes which elements are computed when.
// Row-major f32, leading dimensions in elements, pointers are byte offsets. C must not
// overlap A or B. gemm never allocates and never grows memory: its scratch is static.

// ---------------------------------------------------------------------------------------
// Blocking parameters
const KC: i32 = 256;          // k block: a packed 8-column panel of B is KC*32 B = 8 KiB (L1)
const MC: i32 = 128;          // rows of A per block (MC*KC*4 = 128 KiB: L2)
const PACK_MIN_M: i32 = 8;    // pack B panels when they are reused by at least this many rows
const packB: usize = memory.data(KC * 8 * 4, 64);

// ---------------------------------------------------------------------------------------
// Microkernels. `kc` k steps; A rows start at `a` (row stride lda4 bytes, contiguous in k);
// B rows start at `b` (stride bs bytes); C tile at `c` (row stride ldc4). `ld`: start from C
// (else from +0.0, as the scalar loop does: s = 0; s += p).

// 4 rows x 8 columns: 8 accumulators, 2 B vectors, 1 broadcast A value.
// @ts-ignore: decorator
@inline function k4x8(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let x00: v128, x01: v128, x10: v128, x11: v128, x20: v128, x21: v128, x30: v128, x31: v128;
  if (ld) {
    x00 = v128.load(c);  x01 = v128.load(c, 16);
    x10 = v128.load(c1); x11 = v128.load(c1, 16);
    x20 = v128.load(c2); x21 = v128.load(c2, 16);
    x30 = v128.load(c3); x31 = v128.load(c3, 16);
  } else {
    x00 = f32x4.splat(0); x01 = x00; x10 = x00; x11 = x00; x20 = x00; x21 = x00; x30 = x00; x31 = x00;
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    s = v128.load32_splat(a2);
    x20 = f32x4.add(x20, f32x4.mul(s, b0)); x21 = f32x4.add(x21, f32x4.mul(s, b1));
    s = v128.load32_splat(a3);
    x30 = f32x4.add(x30, f32x4.mul(s, b0)); x31 = f32x4.add(x31, f32x4.mul(s, b1));
    a += 4; a1 += 4; a2 += 4; a3 += 4; b += bs;
  }
  v128.store(c, x00);  v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
  v128.store(c2, x20); v128.store(c2, x21, 16);
  v128.store(c3, x30); v128.store(c3, x31, 16);
}

// 2 rows x 8 columns
// @ts-ignore: decorator
@inline function k2x8(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4;
  const c1 = c + ldc4;
  let x00: v128, x01: v128, x10: v128, x11: v128;
  if (ld) {
    x00 = v128.load(c);  x01 = v128.load(c, 16);
    x10 = v128.load(c1); x11 = v128.load(c1, 16);
  } else {
    x00 = f32x4.splat(0); x01 = x00; x10 = x00; x11 = x00;
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    a += 4; a1 += 4; b += bs;
  }
  v128.store(c, x00);  v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
}

// 1 row x 8 columns
// @ts-ignore: decorator
@inline function k1x8(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x00: v128, x01: v128;
  if (ld) { x00 = v128.load(c); x01 = v128.load(c, 16); } else { x00 = f32x4.splat(0); x01 = x00; }
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, v128.load(b)));
    x01 = f32x4.add(x01, f32x4.mul(s, v128.load(b, 16)));
    a += 4; b += bs;
  }
  v128.store(c, x00); v128.store(c, x01, 16);
}

// 4 rows x 4 columns (the N % 8 >= 4 column block)
// @ts-ignore: decorator
@inline function k4x4(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let x0: v128, x1: v128, x2: v128, x3: v128;
  if (ld) {
    x0 = v128.load(c); x1 = v128.load(c1); x2 = v128.load(c2); x3 = v128.load(c3);
  } else {
    x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0;
  }
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(b);
    x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), b0));
    x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a1), b0));
    x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(a2), b0));
    x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(a3), b0));
    a += 4; a1 += 4; a2 += 4; a3 += 4; b += bs;
  }
  v128.store(c, x0); v128.store(c1, x1); v128.store(c2, x2); v128.store(c3, x3);
}

// 1 row x 4 columns
// @ts-ignore: decorator
@inline function k1x4(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128 = ld ? v128.load(c) : f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), v128.load(b)));
    a += 4; b += bs;
  }
  v128.store(c, x0);
}

// 4 rows x 1 column, scalar (the last N % 4 columns)
// @ts-ignore: decorator
@inline function k4x1(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
  if (ld) { s0 = load<f32>(c); s1 = load<f32>(c1); s2 = load<f32>(c2); s3 = load<f32>(c3); }
  for (let k = 0; k < kc; k++) {
    const bv = load<f32>(b);
    s0 += load<f32>(a) * bv; s1 += load<f32>(a1) * bv;
    s2 += load<f32>(a2) * bv; s3 += load<f32>(a3) * bv;
    a += 4; a1 += 4; a2 += 4; a3 += 4; b += bs;
  }
  store<f32>(c, s0); store<f32>(c1, s1); store<f32>(c2, s2); store<f32>(c3, s3);
}

// 1 row x 1 column, scalar
// @ts-ignore: decorator
@inline function k1x1(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let s: f32 = ld ? load<f32>(c) : 0;
  for (let k = 0; k < kc; k++) {
    s += load<f32>(a) * load<f32>(b);
    a += 4; b += bs;
  }
  store<f32>(c, s);
}

// 1 row x 32 columns (matrix-vector): 8 accumulators, 8 B vectors per k.
// @ts-ignore: decorator
@inline function k1x32(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128, x6: v128, x7: v128;
  if (ld) {
    x0 = v128.load(c);     x1 = v128.load(c, 16); x2 = v128.load(c, 32); x3 = v128.load(c, 48);
    x4 = v128.load(c, 64); x5 = v128.load(c, 80); x6 = v128.load(c, 96); x7 = v128.load(c, 112);
  } else {
    x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0; x4 = x0; x5 = x0; x6 = x0; x7 = x0;
  }
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a);
    x0 = f32x4.add(x0, f32x4.mul(s, v128.load(b)));
    x1 = f32x4.add(x1, f32x4.mul(s, v128.load(b, 16)));
    x2 = f32x4.add(x2, f32x4.mul(s, v128.load(b, 32)));
    x3 = f32x4.add(x3, f32x4.mul(s, v128.load(b, 48)));
    x4 = f32x4.add(x4, f32x4.mul(s, v128.load(b, 64)));
    x5 = f32x4.add(x5, f32x4.mul(s, v128.load(b, 80)));
    x6 = f32x4.add(x6, f32x4.mul(s, v128.load(b, 96)));
    x7 = f32x4.add(x7, f32x4.mul(s, v128.load(b, 112)));
    a += 4; b += bs;
  }
  v128.store(c, x0);     v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
  v128.store(c, x4, 64); v128.store(c, x5, 80); v128.store(c, x6, 96); v128.store(c, x7, 112);
}


// 1 row x 24 columns (matrix-vector): 6 accumulators, 6 B vectors per k (fits the 15
// allocatable xmm registers of V8 without spills; a 1x32 strip spilled an accumulator).
// @ts-ignore: decorator
@inline function k1x24(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128;
  if (ld) {
    x0 = v128.load(c);     x1 = v128.load(c, 16); x2 = v128.load(c, 32); x3 = v128.load(c, 48);
    x4 = v128.load(c, 64); x5 = v128.load(c, 80);
  } else {
    x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0; x4 = x0; x5 = x0;
  }
  for (let k = 0; k < kc; k++) {
    const s = v128.load32_splat(a);
    x0 = f32x4.add(x0, f32x4.mul(s, v128.load(b)));
    x1 = f32x4.add(x1, f32x4.mul(s, v128.load(b, 16)));
    x2 = f32x4.add(x2, f32x4.mul(s, v128.load(b, 32)));
    x3 = f32x4.add(x3, f32x4.mul(s, v128.load(b, 48)));
    x4 = f32x4.add(x4, f32x4.mul(s, v128.load(b, 64)));
    x5 = f32x4.add(x5, f32x4.mul(s, v128.load(b, 80)));
    a += 4; b += bs;
  }
  v128.store(c, x0);     v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
  v128.store(c, x4, 64); v128.store(c, x5, 80);
}

// ---------------------------------------------------------------------------------------
// Drivers

// M = 1: C[0, :] (+)= A[0, :] . B, column strips of 32, then 8, 4, 1.
function gemv(N: i32, K: i32, A: usize, B: usize, ldb: i32, C: usize, accumulate: i32): void {
  const bs = <usize>ldb << 2;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const ld = accumulate != 0 || pc > 0;
    const a = A + (<usize>pc << 2);
    const bp = B + <usize>pc * bs;
    let j = 0;
    for (; j + 24 <= N; j += 24) k1x24(kc, a, bp + (<usize>j << 2), bs, C + (<usize>j << 2), ld);
    for (; j + 8 <= N; j += 8) k1x8(kc, a, bp + (<usize>j << 2), bs, C + (<usize>j << 2), ld);
    for (; j + 4 <= N; j += 4) k1x4(kc, a, bp + (<usize>j << 2), bs, C + (<usize>j << 2), ld);
    for (; j < N; j++) k1x1(kc, a, bp + (<usize>j << 2), bs, C + (<usize>j << 2), ld);
  }
}

// Rows [0, mc) of one 8-column panel of B (row stride bs: 32 when packed).
// @ts-ignore: decorator
@inline function panel8(mc: i32, kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let i = 0;
  for (; i + 4 <= mc; i += 4) k4x8(kc, a + <usize>i * lda4, lda4, b, bs, c + <usize>i * ldc4, ldc4, ld);
  if (i + 2 <= mc) { k2x8(kc, a + <usize>i * lda4, lda4, b, bs, c + <usize>i * ldc4, ldc4, ld); i += 2; }
  if (i < mc) k1x8(kc, a + <usize>i * lda4, b, bs, c + <usize>i * ldc4, ld);
}

// One block: rows [0, mc) x all N columns, k steps [pc, pc + kc) (pointers already offset).
function block(mc: i32, N: i32, kc: i32, a: usize, lda4: usize, b: usize, ldb4: usize,
               c: usize, ldc4: usize, ld: bool, pack: bool): void {
  const N8 = N & ~7;
  for (let j = 0; j < N8; j += 8) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    if (pack) {
      let src = bj, dst = packB;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
        src += ldb4; dst += 32;
      }
      panel8(mc, kc, a, lda4, packB, 32, cj, ldc4, ld);
    } else {
      panel8(mc, kc, a, lda4, bj, ldb4, cj, ldc4, ld);
    }
  }
  let j = N8;
  if (N - j >= 4) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= mc; i += 4) k4x4(kc, a + <usize>i * lda4, lda4, bj, ldb4, cj + <usize>i * ldc4, ldc4, ld);
    for (; i < mc; i++) k1x4(kc, a + <usize>i * lda4, bj, ldb4, cj + <usize>i * ldc4, ld);
    j += 4;
  }
  for (; j < N; j++) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= mc; i += 4) k4x1(kc, a + <usize>i * lda4, lda4, bj, ldb4, cj + <usize>i * ldc4, ldc4, ld);
    for (; i < mc; i++) k1x1(kc, a + <usize>i * lda4, bj, ldb4, cj + <usize>i * ldc4, ld);
  }
}

/**
 * C[M x N] = (accumulate ? C : 0) + A[M x K] . B[K x N], row-major f32, leading dimensions in
 * elements, pointers are byte offsets. Per element: k = 0..K-1 in order, f32 mul then f32 add.
 */
export function gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
                     C: usize, ldc: i32, accumulate: i32): void {
  if (M <= 0 || N <= 0) return;
  const ldc4 = <usize>ldc << 2;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(C + <usize>i * ldc4, 0, <usize>N << 2);
    return;
  }
  if (M == 1) { gemv(N, K, A, B, ldb, C, accumulate); return; }
  const lda4 = <usize>lda << 2, ldb4 = <usize>ldb << 2;
  const pack = M >= PACK_MIN_M;
  for (let pc = 0; pc < K; pc += KC) {
    const kc = min(KC, K - pc);
    const ld = accumulate != 0 || pc > 0;
    const a = A + (<usize>pc << 2);
    const b = B + <usize>pc * ldb4;
    for (let ic = 0; ic < M; ic += MC) {
      block(min(MC, M - ic), N, kc, a + <usize>ic * lda4, lda4, b, ldb4, C + <usize>ic * ldc4, ldc4, ld, pack);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Transpose: B[N x M] (leading dim ldb) = A[M x N]^T (leading dim lda). Bits are copied
// as integers (no float moves that could touch NaN payloads).

// @ts-ignore: decorator
@inline function tr4x4(a: usize, lda4: usize, b: usize, ldb4: usize): void {
  const r0 = v128.load(a), r1 = v128.load(a + lda4), r2 = v128.load(a + 2 * lda4), r3 = v128.load(a + 3 * lda4);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(b, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(b + ldb4, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(b + 2 * ldb4, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(b + 3 * ldb4, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

const TB: i32 = 32; // tile edge: 32x32 floats = 4 KiB read + 4 KiB written

export function transpose(M: i32, N: i32, A: usize, lda: i32, B: usize, ldb: i32): void {
  if (M <= 0 || N <= 0) return;
  const lda4 = <usize>lda << 2, ldb4 = <usize>ldb << 2;
  const M4 = M & ~3, N4 = N & ~3;
  for (let i0 = 0; i0 < M4; i0 += TB) {
    const i1 = min(i0 + TB, M4);
    for (let j0 = 0; j0 < N4; j0 += TB) {
      const j1 = min(j0 + TB, N4);
      for (let i = i0; i < i1; i += 4) {
        const a = A + <usize>i * lda4;
        const b = B + (<usize>i << 2);
        for (let j = j0; j < j1; j += 4) tr4x4(a + (<usize>j << 2), lda4, b + <usize>j * ldb4, ldb4);
      }
    }
    // columns N4..N of these rows
    for (let j = N4; j < N; j++) {
      const b = B + <usize>j * ldb4;
      for (let i = i0; i < i1; i++) store<u32>(b + (<usize>i << 2), load<u32>(A + <usize>i * lda4 + (<usize>j << 2)));
    }
  }
  // rows M4..M
  for (let i = M4; i < M; i++) {
    const a = A + <usize>i * lda4;
    for (let j = 0; j < N; j++) store<u32>(B + <usize>j * ldb4 + (<usize>i << 2), load<u32>(a + (<usize>j << 2)));
  }
}

// ---------------------------------------------------------------------------------------
// Benchmark helper: the register throughput of the 4x8 kernel's operation mix (16 f32x4
// mul/add per step, 4 broadcast loads from a small L1-resident buffer, no B loads).
// Returns a value that depends on every accumulator so nothing is optimised away.
// flops = 64 * iters.
const peakBuf: usize = memory.data(4096 + 64, 64);

export function simd_peak(iters: i32): f32 {
  const b0 = v128.load(peakBuf + 4096), b1 = v128.load(peakBuf + 4096, 16);
  let x00 = f32x4.splat(0), x01 = x00, x10 = x00, x11 = x00, x20 = x00, x21 = x00, x30 = x00, x31 = x00;
  let p: usize = peakBuf;
  const end = peakBuf + 4096;
  for (let i = 0; i < iters; i++) {
    let s = v128.load32_splat(p);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 4);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 8);
    x20 = f32x4.add(x20, f32x4.mul(s, b0)); x21 = f32x4.add(x21, f32x4.mul(s, b1));
    s = v128.load32_splat(p + 12);
    x30 = f32x4.add(x30, f32x4.mul(s, b0)); x31 = f32x4.add(x31, f32x4.mul(s, b1));
    p += 16;
    if (p == end) p = peakBuf;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x00, x01), f32x4.add(x10, x11)),
                      f32x4.add(f32x4.add(x20, x21), f32x4.add(x30, x31)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
