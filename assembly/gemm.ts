// GEMM and transpose: register-blocked f32x4 kernels with a fixed, bit-deterministic k order.
//
// Contract (blocked summation): K is cut into summation blocks of KB = 64 steps, k = 0..63,
// 64..127, … For each block, s = +0.0 and s += A[i,k] * B[k,j] for its k in order, each step
// one f32 multiply then one f32 add (no FMA, no reassociation). Then C[i,j] = s for the first
// block when not accumulating, else C[i,j] = C[i,j] + s; blocks in increasing k. (K = 0: C is
// left as it is, or zeroed.) Summing in blocks keeps the rounding error of long dot products
// (K = 3H, or T·B in the weight gradients) near that of BLAS's blocked sums instead of
// growing with K, and the order is still one fixed function of K alone: every C element gets
// the same bits whatever M, N, the tiling or the row's position in the batch. A SIMD lane is
// one C element and runs exactly the scalar sequence.
//
// Blocking for the caches never changes that sequence:
//  - every k block of every path is made of whole summation blocks (KC = 4·KB, KR = KB), and the
//    4-row kernels walk the summation blocks of their KC inside;
//  - M and N blocking only changes which elements are computed when.
// Row-major f32, leading dimensions in elements, pointers are byte offsets (any 4-byte
// alignment). C must not overlap A or B. gemm never allocates and never grows memory (its
// scratch is a static 8 KiB panel), so JS views stay valid across calls; it is therefore not
// reentrant, which a single-threaded Wasm instance never needs.
//
// Design (V8 x64 gives Wasm 15 allocatable xmm registers and schedules a k step's loads
// before its arithmetic, so a kernel's accumulators + loaded vectors must stay <= 15):
//  - rows in multiples of 4: 4x8 kernel (8 accumulators, 2 B vectors, 4 broadcast loads of
//    A per k); B's 8-column panels are packed to contiguous K x 8 when >= 16 rows reuse them
//    (no cache-set conflicts at power-of-two ldb); then a 4x4 block and scalar 4x1 columns.
//  - the 0-3 remaining rows: a 2-row pass (2x16, 2x8, 2x4, 2x1) and/or a 1-row pass (1x24,
//    1x16, 1x8, 1x4, 1x1) straight over B. M = 1 (matrix-vector) is the 1-row pass.
//    (1x32 = 8 accumulators + 8 B vectors spilled under V8 and ran 20% slower than 1x24.)

import { alloc } from './alloc';

// ---------------------------------------------------------------------------------------
// Blocking parameters
const KB: i32 = 64;           // summation block (the contract above)
const KC: i32 = 4 * KB;       // k block of the 4-row path (whole summation blocks): a packed panel is KC*32 B = 8 KiB
const MC: i32 = 128;          // rows of A per block (MC*KC*4 = 128 KiB: L2)
const PACK_MIN_M: i32 = 16;   // pack B panels when at least this many rows reuse them
const packB: usize = memory.data(KC * 8 * 4, 64);

// ---------------------------------------------------------------------------------------
// Microkernels. `kc` k steps (one summation block); A rows start at `a` (row stride lda4
// bytes, contiguous in k); B rows start at `b` (stride bs bytes); C tile at `c` (row stride
// ldc4). Each sums its block from +0.0 (s = 0; s += a·b), then stores it, or with `ld` adds it
// to what C holds (C = C + s). kc >= 1; the k loop runs until the A pointer reaches its end
// (one increment fewer than a separate counter).

// 4 rows x 8 columns: 8 accumulators, 2 B vectors, 1 broadcast A value.
// @ts-ignore: decorator
@inline function k4x8(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let x00: v128, x01: v128, x10: v128, x11: v128, x20: v128, x21: v128, x30: v128, x31: v128;
  // summation blocks of KB steps: each from zero, then added to C (the contract)
  for (let done = 0; done < kc; done += KB) {
    const n = min(KB, kc - done);
    x00 = f32x4.splat(0); x01 = x00; x10 = x00; x11 = x00; x20 = x00; x21 = x00; x30 = x00; x31 = x00;
    const aend = a + (<usize>n << 2);
    while (a < aend) {
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
    if (ld || done > 0) {   // this block's sum joins the running total in C
      x00 = f32x4.add(v128.load(c), x00); x01 = f32x4.add(v128.load(c, 16), x01);
      x10 = f32x4.add(v128.load(c1), x10); x11 = f32x4.add(v128.load(c1, 16), x11);
      x20 = f32x4.add(v128.load(c2), x20); x21 = f32x4.add(v128.load(c2, 16), x21);
      x30 = f32x4.add(v128.load(c3), x30); x31 = f32x4.add(v128.load(c3, 16), x31);
    }
    v128.store(c, x00);  v128.store(c, x01, 16);
    v128.store(c1, x10); v128.store(c1, x11, 16);
    v128.store(c2, x20); v128.store(c2, x21, 16);
    v128.store(c3, x30); v128.store(c3, x31, 16);
  }
}

// 2 rows x 16 columns: 8 accumulators, 4 B vectors.
// @ts-ignore: decorator
@inline function k2x16(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4;
  const c1 = c + ldc4;
  let x00: v128, x01: v128, x02: v128, x03: v128, x10: v128, x11: v128, x12: v128, x13: v128;
  x00 = f32x4.splat(0); x01 = x00; x02 = x00; x03 = x00; x10 = x00; x11 = x00; x12 = x00; x13 = x00;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    let s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    x02 = f32x4.add(x02, f32x4.mul(s, b2)); x03 = f32x4.add(x03, f32x4.mul(s, b3));
    s = v128.load32_splat(a1);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    x12 = f32x4.add(x12, f32x4.mul(s, b2)); x13 = f32x4.add(x13, f32x4.mul(s, b3));
    a += 4; a1 += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x00 = f32x4.add(v128.load(c), x00); x01 = f32x4.add(v128.load(c, 16), x01);
    x02 = f32x4.add(v128.load(c, 32), x02); x03 = f32x4.add(v128.load(c, 48), x03);
    x10 = f32x4.add(v128.load(c1), x10); x11 = f32x4.add(v128.load(c1, 16), x11);
    x12 = f32x4.add(v128.load(c1, 32), x12); x13 = f32x4.add(v128.load(c1, 48), x13);
  }
  v128.store(c, x00);  v128.store(c, x01, 16);  v128.store(c, x02, 32);  v128.store(c, x03, 48);
  v128.store(c1, x10); v128.store(c1, x11, 16); v128.store(c1, x12, 32); v128.store(c1, x13, 48);
}

// 2 rows x 8 columns
// @ts-ignore: decorator
@inline function k2x8(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4;
  const c1 = c + ldc4;
  let x00: v128, x01: v128, x10: v128, x11: v128;
  x00 = f32x4.splat(0); x01 = x00; x10 = x00; x11 = x00;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, b0)); x01 = f32x4.add(x01, f32x4.mul(s, b1));
    s = v128.load32_splat(a1);
    x10 = f32x4.add(x10, f32x4.mul(s, b0)); x11 = f32x4.add(x11, f32x4.mul(s, b1));
    a += 4; a1 += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x00 = f32x4.add(v128.load(c), x00); x01 = f32x4.add(v128.load(c, 16), x01);
    x10 = f32x4.add(v128.load(c1), x10); x11 = f32x4.add(v128.load(c1, 16), x11);
  }
  v128.store(c, x00);  v128.store(c, x01, 16);
  v128.store(c1, x10); v128.store(c1, x11, 16);
}

// 2 rows x 4 columns
// @ts-ignore: decorator
@inline function k2x4(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4;
  const c1 = c + ldc4;
  let x0: v128, x1: v128;
  x0 = f32x4.splat(0); x1 = x0;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const b0 = v128.load(b);
    x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), b0));
    x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a1), b0));
    a += 4; a1 += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x0 = f32x4.add(v128.load(c), x0); x1 = f32x4.add(v128.load(c1), x1);
  }
  v128.store(c, x0); v128.store(c1, x1);
}

// 2 rows x 1 column, scalar
// @ts-ignore: decorator
@inline function k2x1(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4;
  const c1 = c + ldc4;
  let s0: f32 = 0, s1: f32 = 0;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const bv = load<f32>(b);
    s0 += load<f32>(a) * bv; s1 += load<f32>(a1) * bv;
    a += 4; a1 += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    s0 = load<f32>(c) + s0; s1 = load<f32>(c1) + s1;
  }
  store<f32>(c, s0); store<f32>(c1, s1);
}

// 1 row x 8 columns
// @ts-ignore: decorator
@inline function k1x8(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x00: v128, x01: v128;
  x00 = f32x4.splat(0); x01 = x00;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x00 = f32x4.add(x00, f32x4.mul(s, v128.load(b)));
    x01 = f32x4.add(x01, f32x4.mul(s, v128.load(b, 16)));
    a += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x00 = f32x4.add(v128.load(c), x00); x01 = f32x4.add(v128.load(c, 16), x01);
  }
  v128.store(c, x00); v128.store(c, x01, 16);
}

// 4 rows x 4 columns (the N % 8 >= 4 column block)
// @ts-ignore: decorator
@inline function k4x4(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let x0: v128, x1: v128, x2: v128, x3: v128;
  // summation blocks of KB steps: each from zero, then added to C (the contract)
  for (let done = 0; done < kc; done += KB) {
    const n = min(KB, kc - done);
    x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0;
    const aend = a + (<usize>n << 2);
    while (a < aend) {
      const b0 = v128.load(b);
      x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), b0));
      x1 = f32x4.add(x1, f32x4.mul(v128.load32_splat(a1), b0));
      x2 = f32x4.add(x2, f32x4.mul(v128.load32_splat(a2), b0));
      x3 = f32x4.add(x3, f32x4.mul(v128.load32_splat(a3), b0));
      a += 4; a1 += 4; a2 += 4; a3 += 4; b += bs;
    }
    if (ld || done > 0) {   // this block's sum joins the running total in C
      x0 = f32x4.add(v128.load(c), x0); x1 = f32x4.add(v128.load(c1), x1); x2 = f32x4.add(v128.load(c2), x2);
      x3 = f32x4.add(v128.load(c3), x3);
    }
    v128.store(c, x0); v128.store(c1, x1); v128.store(c2, x2); v128.store(c3, x3);
  }
}

// 1 row x 4 columns
// @ts-ignore: decorator
@inline function k1x4(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128 = f32x4.splat(0);
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    x0 = f32x4.add(x0, f32x4.mul(v128.load32_splat(a), v128.load(b)));
    a += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x0 = f32x4.add(v128.load(c), x0);
  }
  v128.store(c, x0);
}

// 4 rows x 1 column, scalar (the last N % 4 columns)
// @ts-ignore: decorator
@inline function k4x1(kc: i32, a: usize, lda4: usize, b: usize, bs: usize, c: usize, ldc4: usize, ld: bool): void {
  let a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  const c1 = c + ldc4, c2 = c1 + ldc4, c3 = c2 + ldc4;
  let s0: f32, s1: f32, s2: f32, s3: f32;
  // summation blocks of KB steps: each from zero, then added to C (the contract)
  for (let done = 0; done < kc; done += KB) {
    const n = min(KB, kc - done);
    s0 = 0; s1 = 0; s2 = 0; s3 = 0;
    const aend = a + (<usize>n << 2);
    while (a < aend) {
      const bv = load<f32>(b);
      s0 += load<f32>(a) * bv; s1 += load<f32>(a1) * bv;
      s2 += load<f32>(a2) * bv; s3 += load<f32>(a3) * bv;
      a += 4; a1 += 4; a2 += 4; a3 += 4; b += bs;
    }
    if (ld || done > 0) {   // this block's sum joins the running total in C
      s0 = load<f32>(c) + s0; s1 = load<f32>(c1) + s1; s2 = load<f32>(c2) + s2; s3 = load<f32>(c3) + s3;
    }
    store<f32>(c, s0); store<f32>(c1, s1); store<f32>(c2, s2); store<f32>(c3, s3);
  }
}

// 1 row x 1 column, scalar
// @ts-ignore: decorator
@inline function k1x1(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let s: f32 = 0;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    s += load<f32>(a) * load<f32>(b);
    a += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    s = load<f32>(c) + s;
  }
  store<f32>(c, s);
}

// 1 row x 24 columns (matrix-vector): 6 accumulators, 6 B vectors per k (fits the 15
// allocatable xmm registers of V8 without spills; a 1x32 strip spilled an accumulator).
// @ts-ignore: decorator
@inline function k1x24(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128, x1: v128, x2: v128, x3: v128, x4: v128, x5: v128;
  x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0; x4 = x0; x5 = x0;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x0 = f32x4.add(x0, f32x4.mul(s, v128.load(b)));
    x1 = f32x4.add(x1, f32x4.mul(s, v128.load(b, 16)));
    x2 = f32x4.add(x2, f32x4.mul(s, v128.load(b, 32)));
    x3 = f32x4.add(x3, f32x4.mul(s, v128.load(b, 48)));
    x4 = f32x4.add(x4, f32x4.mul(s, v128.load(b, 64)));
    x5 = f32x4.add(x5, f32x4.mul(s, v128.load(b, 80)));
    a += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x0 = f32x4.add(v128.load(c), x0); x1 = f32x4.add(v128.load(c, 16), x1);
    x2 = f32x4.add(v128.load(c, 32), x2); x3 = f32x4.add(v128.load(c, 48), x3);
    x4 = f32x4.add(v128.load(c, 64), x4); x5 = f32x4.add(v128.load(c, 80), x5);
  }
  v128.store(c, x0);     v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
  v128.store(c, x4, 64); v128.store(c, x5, 80);
}

// 1 row x 16 columns: 4 accumulators.
// @ts-ignore: decorator
@inline function k1x16(kc: i32, a: usize, b: usize, bs: usize, c: usize, ld: bool): void {
  let x0: v128, x1: v128, x2: v128, x3: v128;
  x0 = f32x4.splat(0); x1 = x0; x2 = x0; x3 = x0;
  const aend = a + (<usize>kc << 2);
  while (a < aend) {
    const s = v128.load32_splat(a);
    x0 = f32x4.add(x0, f32x4.mul(s, v128.load(b)));
    x1 = f32x4.add(x1, f32x4.mul(s, v128.load(b, 16)));
    x2 = f32x4.add(x2, f32x4.mul(s, v128.load(b, 32)));
    x3 = f32x4.add(x3, f32x4.mul(s, v128.load(b, 48)));
    a += 4; b += bs;
  }
  if (ld) {   // this block's sum joins the running total in C
    x0 = f32x4.add(v128.load(c), x0); x1 = f32x4.add(v128.load(c, 16), x1);
    x2 = f32x4.add(v128.load(c, 32), x2); x3 = f32x4.add(v128.load(c, 48), x3);
  }
  v128.store(c, x0); v128.store(c, x1, 16); v128.store(c, x2, 32); v128.store(c, x3, 48);
}

// ---------------------------------------------------------------------------------------
// Drivers. Rows are split into a multiple of 4 (blocked 4-row kernels) and a tail of 0-3
// rows (a 2-row and/or a 1-row pass over B with wider column strips). M = 1 is the 1-row
// pass alone (matrix-vector).

// Row passes (the 0-3 tail rows, and M = 1) take K in blocks of KR so that a strip's B rows
// (KR x 2 cache lines) are still in L1 when the next strip reads the line they share.
const KR: i32 = KB;

// One row: C[0, :] (+)= a . B; strips of 24 columns, then 16, 8, 4, 1.
function rows1(N: i32, K: i32, a: usize, b: usize, ldb4: usize, c: usize, acc: bool): void {
  for (let pc = 0; pc < K; pc += KR) {
    const kc = min(KR, K - pc);
    const ld = acc || pc > 0;
    const ak = a + (<usize>pc << 2), bk = b + <usize>pc * ldb4;
    let j = 0;
    for (; j + 24 <= N; j += 24) k1x24(kc, ak, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ld);
    if (j + 16 <= N) { k1x16(kc, ak, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ld); j += 16; }
    if (j + 8 <= N) { k1x8(kc, ak, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ld); j += 8; }
    if (j + 4 <= N) { k1x4(kc, ak, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ld); j += 4; }
    for (; j < N; j++) k1x1(kc, ak, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ld);
  }
}

// Two rows; strips of 16 columns, then 8, 4, 1.
function rows2(N: i32, K: i32, a: usize, lda4: usize, b: usize, ldb4: usize, c: usize, ldc4: usize, acc: bool): void {
  for (let pc = 0; pc < K; pc += KR) {
    const kc = min(KR, K - pc);
    const ld = acc || pc > 0;
    const ak = a + (<usize>pc << 2), bk = b + <usize>pc * ldb4;
    let j = 0;
    for (; j + 16 <= N; j += 16) k2x16(kc, ak, lda4, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ldc4, ld);
    if (j + 8 <= N) { k2x8(kc, ak, lda4, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ldc4, ld); j += 8; }
    if (j + 4 <= N) { k2x4(kc, ak, lda4, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ldc4, ld); j += 4; }
    for (; j < N; j++) k2x1(kc, ak, lda4, bk + (<usize>j << 2), ldb4, c + (<usize>j << 2), ldc4, ld);
  }
}

// One block of a 4-row multiple: rows [0, mc) x all N columns, k steps [pc, pc + kc)
// (pointers already offset). 8-column panels of B are packed (contiguous kc x 8) when
// `pack`, then swept by 4x8 kernels; then one 4-column block, then scalar columns.
function block4(mc: i32, N: i32, kc: i32, a: usize, lda4: usize, b: usize, ldb4: usize,
                c: usize, ldc4: usize, ld: bool, pack: bool, bp: usize, bpStride: usize): void {
  const N8 = N & ~7;
  for (let j = 0; j < N8; j += 8) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    if (bp) {
      // panels packed once by gemm_pack_b: panel j/8 holds all K rows; bp is already at row pc
      const pj = bp + <usize>(j >> 3) * bpStride;
      for (let i = 0; i < mc; i += 4) k4x8(kc, a + <usize>i * lda4, lda4, pj, 32, cj + <usize>i * ldc4, ldc4, ld);
    } else if (pack) {
      let src = bj, dst = packB;
      for (let k = 0; k < kc; k++) {
        v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
        src += ldb4; dst += 32;
      }
      for (let i = 0; i < mc; i += 4) k4x8(kc, a + <usize>i * lda4, lda4, packB, 32, cj + <usize>i * ldc4, ldc4, ld);
    } else {
      for (let i = 0; i < mc; i += 4) k4x8(kc, a + <usize>i * lda4, lda4, bj, ldb4, cj + <usize>i * ldc4, ldc4, ld);
    }
  }
  let j = N8;
  if (j + 4 <= N) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    for (let i = 0; i < mc; i += 4) k4x4(kc, a + <usize>i * lda4, lda4, bj, ldb4, cj + <usize>i * ldc4, ldc4, ld);
    j += 4;
  }
  for (; j < N; j++) {
    const bj = b + (<usize>j << 2);
    const cj = c + (<usize>j << 2);
    for (let i = 0; i < mc; i += 4) k4x1(kc, a + <usize>i * lda4, lda4, bj, ldb4, cj + <usize>i * ldc4, ldc4, ld);
  }
}

/**
 * C[M x N] = (accumulate ? C : 0) + A[M x K] . B[K x N], row-major f32, leading dimensions in
 * elements, pointers are byte offsets. Per element: k = 0..K-1 in order, f32 mul then f32 add.
 */
export function gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
                     C: usize, ldc: i32, accumulate: i32): void {
  gemm_impl(M, N, K, A, lda, 0, B, ldb, C, ldc, accumulate);
}

/**
 * Packs the 8-column panels of B (K x N, leading dim ldb) for gemm_pb: panel p (columns
 * 8p … 8p+7) becomes K rows of 8 floats, contiguous. Bp needs (N & ~7) * K floats.
 * For a B used by many calls (the recurrent weights at every timestep): pack once.
 */
export function gemm_pack_b(K: i32, N: i32, B: usize, ldb: i32, Bp: usize): void {
  const N8 = N & ~7, ldb4 = <usize>ldb << 2;
  let dst = Bp;
  for (let j = 0; j < N8; j += 8) {
    let src = B + (<usize>j << 2);
    for (let k = 0; k < K; k++) {
      v128.store(dst, v128.load(src)); v128.store(dst, v128.load(src, 16), 16);
      src += ldb4; dst += 32;
    }
  }
}

/**
 * gemm with B's 8-column panels packed beforehand by gemm_pack_b(K, N, B, ldb, Bp); the last
 * N % 8 columns and rows outside multiples of 4 still read B. Bit-identical to gemm.
 */
export function gemm_pb(M: i32, N: i32, K: i32, A: usize, lda: i32, Bp: usize, B: usize, ldb: i32,
                        C: usize, ldc: i32, accumulate: i32): void {
  gemm_impl(M, N, K, A, lda, Bp, B, ldb, C, ldc, accumulate);
}

/**
 * B packed for gemm_pb when the calls to come have at least 4 rows (`rows`), else 0 (gemm_pb
 * then reads B directly, exactly as gemm does). Free the result with free() (free(0) is a no-op).
 */
export function pack_for(rows: i32, K: i32, N: i32, B: usize, ldb: i32): usize {
  if (rows < 4 || N < 8 || K <= 0) return 0;
  const bp = alloc(<usize>((N & ~7) * K) << 2);
  gemm_pack_b(K, N, B, ldb, bp);
  return bp;
}

function gemm_impl(M: i32, N: i32, K: i32, A: usize, lda: i32, Bp: usize, B: usize, ldb: i32,
                   C: usize, ldc: i32, accumulate: i32): void {
  if (M <= 0 || N <= 0) return;
  const ldc4 = <usize>ldc << 2;
  if (K <= 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(C + <usize>i * ldc4, 0, <usize>N << 2);
    return;
  }
  const lda4 = <usize>lda << 2, ldb4 = <usize>ldb << 2;
  const M4 = M & ~3;
  if (M4 > 0) {
    const pack = M4 >= PACK_MIN_M;
    const bpStride = <usize>K * 32;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const ld = accumulate != 0 || pc > 0;
      const a = A + (<usize>pc << 2);
      const b = B + <usize>pc * ldb4;
      const bp = Bp ? Bp + <usize>pc * 32 : 0;
      for (let ic = 0; ic < M4; ic += MC) {
        block4(min(MC, M4 - ic), N, kc, a + <usize>ic * lda4, lda4, b, ldb4, C + <usize>ic * ldc4, ldc4, ld, pack, bp, bpStride);
      }
    }
  }
  let i = M4;
  if (M - i >= 2) { rows2(N, K, A + <usize>i * lda4, lda4, B, ldb4, C + <usize>i * ldc4, ldc4, accumulate != 0); i += 2; }
  if (i < M) rows1(N, K, A + <usize>i * lda4, B, ldb4, C + <usize>i * ldc4, accumulate != 0);
}

// ---------------------------------------------------------------------------------------
// Transpose: B[N x M] (leading dim ldb) = A[M x N]^T (leading dim lda); B must not overlap
// A. Bits are copied as integers (no float moves that could touch NaN payloads).

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

// Tiles of TJ columns x TI rows of A, swept as 4x4 blocks (inner loop down the rows): a tile
// reads TJ*4 bytes from each of TI rows of A and writes TI*4 bytes into each of TJ rows of B,
// so both sides move whole cache lines while the tile (16 KiB) is in L1. Measured here
// (read + write): 25-35 GB/s up to 1 MiB, 13-15 GB/s at 4 MiB (beyond L2); 32x32 tiles
// swept row by row gave 8-10 GB/s at power-of-two strides.
const TI: i32 = 64;
const TJ: i32 = 32;

export function transpose(M: i32, N: i32, A: usize, lda: i32, B: usize, ldb: i32): void {
  if (M <= 0 || N <= 0) return;
  const lda4 = <usize>lda << 2, ldb4 = <usize>ldb << 2;
  const M4 = M & ~3, N4 = N & ~3;
  for (let j0 = 0; j0 < N4; j0 += TJ) {
    const j1 = min(j0 + TJ, N4);
    for (let i0 = 0; i0 < M4; i0 += TI) {
      const i1 = min(i0 + TI, M4);
      for (let j = j0; j < j1; j += 4) {
        const a = A + (<usize>j << 2), b = B + <usize>j * ldb4;
        for (let i = i0; i < i1; i += 4) tr4x4(a + <usize>i * lda4, lda4, b + (<usize>i << 2), ldb4);
      }
    }
  }
  for (let j = N4; j < N; j++) { // last N % 4 columns of A (rows of B), rows [0, M4)
    const b = B + <usize>j * ldb4, a = A + (<usize>j << 2);
    for (let i = 0; i < M4; i++) store<u32>(b + (<usize>i << 2), load<u32>(a + <usize>i * lda4));
  }
  for (let i = M4; i < M; i++) { // last M % 4 rows of A (columns of B)
    const a = A + <usize>i * lda4, b = B + (<usize>i << 2);
    for (let j = 0; j < N; j++) store<u32>(b + <usize>j * ldb4, load<u32>(a + (<usize>j << 2)));
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
