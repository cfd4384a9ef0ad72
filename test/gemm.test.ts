// gemm / transpose: bit-for-bit against a scalar f32 reference (the determinism contract).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';

const w: Exports = loadWasm();
const NAN_BITS = 0x7fc0_dead; // padding sentinel: a quiet NaN with a recognisable payload

// Deterministic PRNG (mulberry32) so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Values with widely varying magnitudes (so any change of summation order changes bits),
// signed zeros and exact zeros included.
function fill(a: Float32Array, rand: () => number) {
  for (let i = 0; i < a.length; i++) {
    const r = rand();
    if (r < 0.02) a[i] = 0;
    else if (r < 0.04) a[i] = -0;
    else a[i] = (rand() * 2 - 1) * 2 ** Math.floor(rand() * 16 - 8);
  }
}

/** A matrix in wasm memory: rows x cols, leading dim ld, starting `off` floats into a block. */
interface Mat { ptr: number; base: number; rows: number; cols: number; ld: number; off: number; total: number }

function allocMat(rows: number, cols: number, ld: number, off: number): Mat {
  const total = Math.max(1, rows * ld + off + 3);
  const base = w.alloc(total * 4);
  assert.ok(base > 0, 'alloc failed');
  return { ptr: base + off * 4, base, rows, cols, ld, off, total };
}
const bitsOf = (m: Mat) => new Uint32Array(w.memory.buffer, m.base, m.total);
const viewOf = (m: Mat) => f32(w, m.base, m.total);

/** Fills the rows x cols payload from `rand` and every other float of the block with the sentinel. */
function initMat(m: Mat, rand: () => number) {
  const bits = bitsOf(m);
  bits.fill(NAN_BITS);
  const v = viewOf(m);
  const tmp = new Float32Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    fill(tmp, rand);
    v.set(tmp, m.off + i * m.ld);
  }
}

/**
 * Scalar reference of the contract: K in summation blocks of 64; each block s = 0,
 * s = f32(s + f32(a * b)) in k order; C = s for the first block unless accumulating, else C = f32(C + s).
 */
const KB = 64;
function refGemm(M: number, N: number, K: number, A: Float32Array, aOff: number, lda: number,
                 B: Float32Array, bOff: number, ldb: number, C: Float32Array, cOff: number, ldc: number, acc: boolean) {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let c = acc ? C[cOff + i * ldc + j] : 0;
      for (let k0 = 0; k0 < K; k0 += KB) {
        let s = 0;
        for (let k = k0; k < Math.min(K, k0 + KB); k++) s = Math.fround(s + Math.fround(A[aOff + i * lda + k] * B[bOff + k * ldb + j]));
        c = k0 === 0 && !acc ? s : Math.fround(c + s);
      }
      C[cOff + i * ldc + j] = c;
    }
  }
}

/**
 * Runs gemm on padded matrices and compares every float of C's block bit-for-bit with the
 * reference (payload) or the sentinel (padding). A and B must come back unchanged.
 */
function check(M: number, N: number, K: number, acc: boolean, pad: number, off: number, seed: number): string | null {
  const rand = rng(seed);
  const A = allocMat(M, K, K + pad, off);
  const B = allocMat(K, N, N + pad, (off * 3) % 4);
  const C = allocMat(M, N, N + pad + (pad ? 1 : 0), pad ? (off * 2 + 1) % 4 : 0);
  initMat(A, rand); initMat(B, rand); initMat(C, rand);
  const a0 = bitsOf(A).slice(), b0 = bitsOf(B).slice();
  const expect = viewOf(C).slice();
  refGemm(M, N, K, viewOf(A), A.off, A.ld, viewOf(B), B.off, B.ld, expect, C.off, C.ld, acc);
  const bytes = w.memory.buffer.byteLength;
  w.gemm(M, N, K, A.ptr, A.ld, B.ptr, B.ld, C.ptr, C.ld, acc ? 1 : 0);
  let err: string | null = null;
  if (w.memory.buffer.byteLength !== bytes) err = 'gemm grew memory';
  const got = bitsOf(C), want = new Uint32Array(expect.buffer);
  for (let i = 0; i < got.length && !err; i++) {
    if (got[i] !== want[i]) {
      const r = Math.floor((i - C.off) / C.ld), c = (i - C.off) - r * C.ld;
      err = `C[${r},${c}] = 0x${got[i].toString(16)} expected 0x${want[i].toString(16)}`;
    }
  }
  if (!err && !bitsOf(A).every((x, i) => x === a0[i])) err = 'A modified';
  if (!err && !bitsOf(B).every((x, i) => x === b0[i])) err = 'B modified';
  w.free(A.base); w.free(B.base); w.free(C.base);
  return err && `M=${M} N=${N} K=${K} acc=${acc} pad=${pad} off=${off}: ${err}`;
}

const Ms = [1, 2, 3, 4, 5, 7, 8, 9, 13];
const Ns = [1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 33, 67];
const Ks = [0, 1, 3, 4, 5, 17, 64];

test('gemm: bit-identical to the scalar reference over small shapes, both modes', () => {
  let n = 0, seed = 1;
  for (const M of Ms) for (const N of Ns) for (const K of Ks) for (const acc of [false, true]) {
    const err = check(M, N, K, acc, 0, 0, seed++);
    if (err) assert.unreachable(err);
    n++;
  }
  assert.is(n, Ms.length * Ns.length * Ks.length * 2);
});

test('gemm: padded leading dimensions and unaligned pointers (NaN sentinels untouched)', () => {
  let seed = 1000;
  for (const M of Ms) for (const N of Ns) for (const K of Ks) {
    if ((M + N + K) % 3 !== 0) continue; // a third of the grid, with both modes and all offsets
    for (const acc of [false, true]) {
      const err = check(M, N, K, acc, 1 + (seed % 5), seed % 4, seed);
      seed++;
      if (err) assert.unreachable(err);
    }
  }
});

test('gemm: large shapes (K blocking, packed panels, row blocks)', () => {
  const cases: [number, number, number, boolean, number, number][] = [
    [67, 129, 131, false, 0, 0],
    [67, 129, 131, true, 3, 1],
    [256, 512, 64, false, 0, 0],
    [40, 24, 600, true, 2, 2],   // K > KC: partial sums carried through C
    [133, 17, 300, false, 1, 3], // M > MC with a 2-row and a 1-row tail
    [1, 515, 517, true, 1, 1],   // matrix-vector, K > KC
    [2, 70, 270, false, 0, 1],
    [3, 45, 33, true, 5, 2],
  ];
  let seed = 5000;
  for (const [M, N, K, acc, pad, off] of cases) {
    const err = check(M, N, K, acc, pad, off, seed++);
    if (err) assert.unreachable(err);
  }
});

test('gemm: accumulate with K = 0 leaves C bit-identical; overwrite gives +0', () => {
  const C = allocMat(3, 5, 7, 1);
  initMat(C, rng(7));
  const before = bitsOf(C).slice();
  w.gemm(3, 5, 0, 0, 1, 0, 5, C.ptr, C.ld, 1);
  assert.ok(bitsOf(C).every((x, i) => x === before[i]));
  w.gemm(3, 5, 0, 0, 1, 0, 5, C.ptr, C.ld, 0);
  const bits = bitsOf(C);
  for (let i = 0; i < bits.length; i++) {
    const r = Math.floor((i - C.off) / C.ld), c = (i - C.off) - r * C.ld;
    const inside = i >= C.off && r < 3 && c < 5;
    assert.is(bits[i], inside ? 0 : NAN_BITS);
  }
  w.free(C.base);
});

test('gemm: -0 products start from +0 like the scalar loop', () => {
  // A = [-0 ...], B = [1 ...]: s = 0; s += -0 gives +0, not -0
  for (const [M, N] of [[1, 1], [1, 9], [1, 30], [2, 20], [3, 5], [4, 8], [5, 13], [16, 24], [20, 12]]) {
    const K = 2;
    const A = w.alloc(M * K * 4), B = w.alloc(K * N * 4), C = w.alloc(M * N * 4);
    f32(w, A, M * K).fill(-0);
    f32(w, B, K * N).fill(1);
    w.gemm(M, N, K, A, K, B, N, C, N, 0);
    const bits = new Uint32Array(w.memory.buffer, C, M * N);
    assert.ok(bits.every((x) => x === 0), `M=${M} N=${N}: expected +0`);
    w.free(A); w.free(B); w.free(C);
  }
});

test('gemm: batch invariance (a row of C depends only on its row of A)', () => {
  const rand = rng(42);
  for (const [M, N, K] of [[13, 67, 64], [37, 40, 300], [9, 512, 128], [70, 33, 17]]) {
    const A = w.alloc(M * K * 4), B = w.alloc(K * N * 4), C = w.alloc(M * N * 4), c1 = w.alloc(N * 4);
    fill(f32(w, A, M * K), rand);
    fill(f32(w, B, K * N), rand);
    w.gemm(M, N, K, A, K, B, N, C, N, 0);
    for (let i = 0; i < M; i++) {
      w.gemm(1, N, K, A + i * K * 4, K, B, N, c1, N, 0);
      const row = new Uint32Array(w.memory.buffer, C + i * N * 4, N);
      const alone = new Uint32Array(w.memory.buffer, c1, N);
      assert.ok(row.every((x, j) => x === alone[j]), `M=${M} N=${N} K=${K}: row ${i} differs`);
    }
    // and any sub-batch [i0, i1) at its own offset
    for (const [i0, i1] of [[1, 4], [2, 7], [3, 6], [5, M]]) {
      const m = i1 - i0;
      const Cs = w.alloc(m * N * 4);
      w.gemm(m, N, K, A + i0 * K * 4, K, B, N, Cs, N, 0);
      const sub = new Uint32Array(w.memory.buffer, Cs, m * N);
      const full = new Uint32Array(w.memory.buffer, C + i0 * N * 4, m * N);
      assert.ok(sub.every((x, j) => x === full[j]), `rows [${i0}, ${i1}) differ`);
      w.free(Cs);
    }
    w.free(A); w.free(B); w.free(C); w.free(c1);
  }
});

test('transpose: exact at odd sizes, padding untouched', () => {
  const rand = rng(9);
  for (const [M, N] of [[1, 1], [1, 7], [7, 1], [3, 5], [4, 4], [5, 9], [13, 17], [33, 31], [64, 40], [67, 129], [130, 67]]) {
    for (const pad of [0, 3]) {
      const A = allocMat(M, N, N + pad, pad % 2), B = allocMat(N, M, M + pad + 1, 1);
      initMat(A, rand);
      bitsOf(B).fill(NAN_BITS);
      // payload bits including NaN patterns: transpose must copy bits, not values
      const ab = bitsOf(A);
      ab[A.off] = 0x7fa0_0001; // a signalling-NaN pattern
      w.transpose(M, N, A.ptr, A.ld, B.ptr, B.ld);
      const aBits = bitsOf(A), bBits = bitsOf(B);
      for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) {
        assert.is(bBits[B.off + i * B.ld + j], aBits[A.off + j * A.ld + i], `M=${M} N=${N} B[${i},${j}]`);
      }
      for (let i = 0; i < bBits.length; i++) {
        const r = Math.floor((i - B.off) / B.ld), c = (i - B.off) - r * B.ld;
        if (!(i >= B.off && r < N && c < M)) assert.is(bBits[i], NAN_BITS, `padding ${i} of B overwritten`);
      }
      w.free(A.base); w.free(B.base);
    }
  }
});

test.run();
