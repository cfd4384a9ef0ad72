// Int8 kernels (assembly/q8gemm.ts) against a scalar reference written from the contract at the
// top of that file: per-row quantization (exact int16 values and f32 scale bits), packing, and the
// integer GEMM (exact i32 sums, then f32(S) · (xscale · wscale)), at sizes below, at and above
// every tile edge (4 rows, 2 and 1 row tails, 8-column panels, 16/24-column strips, odd K, the
// 128-row block), with leading dimensions wider than the rows and guard values around C.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';
import { bitsEqual } from './helpers.js';

const w: Exports = loadWasm();
const fr = Math.fround;

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Round half to even of a double that holds an f32 value. */
function rne(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The contract's quantization of one row: [int values, scale]. */
function refQuant(x: Float32Array): [number[], number] {
  let m = 0;
  let nonfinite = false;
  for (const v of x) { if (!Number.isFinite(v)) nonfinite = true; else m = Math.max(m, Math.abs(v)); }
  if (nonfinite) return [Array.from(x, () => 0), NaN];
  const inv = fr(127 / m);   // double rounding is exact for one division of f32 values
  if (!Number.isFinite(inv)) return [Array.from(x, () => 0), 0];
  return [Array.from(x, (v) => Math.min(127, Math.max(-127, rne(fr(v * inv))))), fr(m / 127)];
}

/** Row values with varied magnitudes, some exact ties (multiples of 0.5 after scaling) and zeros. */
function row(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  const e = Math.floor(r() * 12) - 6;
  for (let i = 0; i < n; i++) {
    const u = r();
    a[i] = u < 0.05 ? 0 : u < 0.1 ? -0 : (r() * 2 - 1) * 2 ** e;
  }
  return a;
}

const i16 = (ptr: number, n: number) => new Int16Array(w.memory.buffer, ptr, n);

test('q8_quant_rows: values, scales and special rows', () => {
  const r = rng(7);
  const rows: Float32Array[] = [];
  for (const K of [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 33]) for (let j = 0; j < 3; j++) rows.push(row(K, r));
  // ties: max 127 gives inv = 1, so x.5 values are exact ties
  rows.push(Float32Array.from([127, 2.5, 3.5, -2.5, -3.5, 0.5, -0.5, 1.5, 126.5]));
  rows.push(new Float32Array(5));                                   // all zeros: scale 0
  rows.push(Float32Array.from([-0, 0, -0]));
  rows.push(Float32Array.from([1e-38, -2e-38, 0]));                 // 127 / m overflows: zeros, scale 0
  rows.push(Float32Array.from([1, NaN, 2]));                        // NaN: zeros, scale NaN
  rows.push(Float32Array.from([1, -Infinity, 2, 3, 4, 5, 6, 7, 8]));
  rows.push(Float32Array.from([3e38, -3.4e38, 1]));                 // huge but finite
  rows.push(Float32Array.from([1.401298464324817e-45, 0, 5e-45]));  // subnormals
  for (const x of rows) {
    const K = x.length, kp = (K + 1) & ~1, ld = kp + 4;
    const xp = w.alloc(K * 4), qp = w.alloc(ld * 2 * 2), sp = w.alloc(8);
    f32(w, xp, K).set(x);
    i16(qp, ld * 2).fill(0x5a5a);
    w.q8_quant_rows(1, K, xp, K, qp, ld, sp);
    const [q, s] = refQuant(x);
    const got = Array.from(i16(qp, kp));
    assert.equal(got.slice(0, K), q, `q of [${Array.from(x).slice(0, 4)}…]`);
    if (K & 1) assert.is(got[K], 0, 'pad element');
    assert.is(i16(qp, ld * 2)[kp], 0x5a5a, 'no write past the row');
    const sv = f32(w, sp, 1)[0];
    if (Number.isNaN(s)) assert.ok(Number.isNaN(sv), 'NaN scale'); else bitsEqual(Float32Array.of(sv), Float32Array.of(s), 'scale');
    for (const p of [xp, qp, sp]) w.free(p);
  }
});

test('q8_quantize / q8_pack / q8_unpack round trip, q8_count_bad', () => {
  const r = rng(11);
  for (const [N, K] of [[1, 1], [7, 3], [8, 8], [9, 17], [24, 5], [33, 64]]) {
    const W = new Float32Array(N * K);
    for (let n = 0; n < N; n++) W.set(row(K, r), n * K);
    const wp = w.alloc(N * K * 4), qp = w.alloc(N * K * 4), sp = w.alloc(N * 4);
    f32(w, wp, N * K).set(W);
    assert.is(w.q8_quantize(N, K, wp, K, qp, sp), 0, 'no bad rows');
    for (let n = 0; n < N; n++) {
      const [q, s] = refQuant(W.subarray(n * K, (n + 1) * K));
      assert.equal(Array.from(f32(w, qp + n * K * 4, K)), q, `row ${n}`);
      bitsEqual(f32(w, sp + n * 4, 1).slice(), Float32Array.of(s), `scale ${n}`);
    }
    assert.is(w.q8_count_bad(qp, N * K, -127, 127), 0);
    const bytes = w.q8_packed_bytes(N, K);
    assert.is(bytes, Math.ceil(N / 8) * ((K + 1) & ~1) * 16);
    const pp = w.alloc(bytes), wsp = w.alloc(Math.ceil(N / 8) * 32), up = w.alloc(N * K * 4);
    w.q8_pack(N, K, qp, sp, pp, wsp);
    w.q8_unpack(N, K, pp, up);
    bitsEqual(f32(w, up, N * K).slice(), f32(w, qp, N * K).slice(), 'unpack(pack(q))');
    const ws = f32(w, wsp, Math.ceil(N / 8) * 8);
    for (let n = N; n < ws.length; n++) assert.is(ws[n], 0, 'padded scale');
    for (const p of [wp, qp, sp, pp, wsp, up]) w.free(p);
  }
  const bp = w.alloc(32);
  f32(w, bp, 8).set([0, -127, 127, 1.5, 128, -128, NaN, Infinity]);
  assert.is(w.q8_count_bad(bp, 8, -127, 127), 5);
  assert.is(w.q8_count_bad(bp, 8, -128, 127), 4);
  assert.is(w.q8_quantize(1, 8, bp, 8, w.alloc(32), w.alloc(4)), 1, 'a non-finite row is counted');
  w.free(bp);
});

test('i8_to_f32 / f32_to_i8', () => {
  const n = 9, bp = w.alloc(16), fp = w.alloc(n * 4), b2 = w.alloc(16);
  const vals = [0, 1, -1, 127, -128, 5, -77, 100, -3];
  new Int8Array(w.memory.buffer, bp, n).set(vals);
  w.i8_to_f32(bp, fp, n);
  assert.equal(Array.from(f32(w, fp, n)), vals);
  w.f32_to_i8(fp, b2, n);
  assert.equal(Array.from(new Int8Array(w.memory.buffer, b2, n)), vals);
  for (const p of [bp, fp, b2]) w.free(p);
});

/** Reference GEMM from int values: C[i,j] = f32(S) · f32(xs_i · ws_j). */
function refGemm(M: number, N: number, K: number, qa: number[][], xs: Float32Array, qw: number[][], ws: Float32Array): Float32Array {
  const C = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += qa[i][k] * qw[j][k];
      C[i * N + j] = fr(fr(s) * fr(xs[i] * ws[j]));
    }
  }
  return C;
}

function gemmCase(M: number, N: number, K: number, seed: number, extreme = false) {
  const r = rng(seed);
  const kp = (K + 1) & ~1, lda = kp + 2, ldc = N + 3;
  // activations: quantized by the kernel itself (its bits are checked above)
  const X = new Float32Array(M * K);
  for (let i = 0; i < M; i++) X.set(extreme ? Float32Array.from({ length: K }, (_, k) => ((i + k) % 3 ? 1 : -1)) : row(K, r), i * K);
  if (!extreme && M > 2) X.fill(0, K, 2 * K);   // an all-zero row
  const Wf = new Float32Array(N * K);
  for (let n = 0; n < N; n++) Wf.set(extreme ? Float32Array.from({ length: K }, (_, k) => ((n * 7 + k) % 5 ? 1 : -1)) : row(K, r), n * K);
  const xp = w.alloc(M * K * 4), ap = w.alloc(M * lda * 2), sp = w.alloc(M * 4);
  f32(w, xp, M * K).set(X);
  w.q8_quant_rows(M, K, xp, K, ap, lda, sp);
  const wp = w.alloc(N * K * 4), qp = w.alloc(N * K * 4), wsp0 = w.alloc(N * 4);
  f32(w, wp, N * K).set(Wf);
  w.q8_quantize(N, K, wp, K, qp, wsp0);
  const pp = w.alloc(w.q8_packed_bytes(N, K)), wsp = w.alloc(Math.ceil(N / 8) * 32);
  w.q8_pack(N, K, qp, wsp0, pp, wsp);
  const cp = w.alloc((M * ldc + 4) * 4);
  const guard = 0x7fc0_beef;
  new Uint32Array(w.memory.buffer, cp, M * ldc + 4).fill(guard);
  w.q8_gemm(M, N, K, ap, lda, sp, pp, wsp, cp, ldc);
  const qa = Array.from({ length: M }, (_, i) => Array.from(i16(ap + i * lda * 2, K)));
  const qw = Array.from({ length: N }, (_, n) => Array.from(f32(w, qp + n * K * 4, K)));
  const want = refGemm(M, N, K, qa, f32(w, sp, M).slice(), qw, f32(w, wsp0, N).slice());
  const all = f32(w, cp, M * ldc + 4), bits = new Uint32Array(w.memory.buffer, cp, M * ldc + 4);
  const got = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    got.set(all.subarray(i * ldc, i * ldc + N), i * N);
    for (let j = N; j < ldc; j++) assert.is(bits[i * ldc + j], guard, `C[${i}, ${j}] beyond N written`);
  }
  for (let j = M * ldc; j < M * ldc + 4; j++) assert.is(bits[j], guard, 'write past C');
  bitsEqual(got, want, `q8_gemm M=${M} N=${N} K=${K}`);
  for (const p of [xp, ap, sp, wp, qp, wsp0, pp, wsp, cp]) w.free(p);
}

test('q8_gemm: bits of the reference at sizes around every tile edge', () => {
  let seed = 1;
  for (const M of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13]) {
    for (const N of [1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 32, 33, 40, 41]) {
      for (const K of [1, 2, 3, 8, 17]) gemmCase(M, N, K, seed++);
    }
  }
  for (const [M, N, K] of [[4, 24, 64], [3, 48, 129], [1, 56, 256], [2, 40, 255], [17, 19, 33]]) gemmCase(M, N, K, seed++);
});

test('q8_gemm: the 128-row block edge, and sums past 2^24 (f32(S) rounds)', () => {
  gemmCase(131, 9, 5, 99);
  gemmCase(132, 16, 2, 98);
  // all ±1 rows quantize to ±127: |S| up to 127² · 2048 ≈ 3.3e7 > 2^24
  gemmCase(5, 17, 2048, 97, true);
});

test('q8_project: quantize + gemm in one call equals the two steps', () => {
  const M = 6, N = 13, K = 11, r = rng(5);
  const X = new Float32Array(M * K);
  for (let i = 0; i < M; i++) X.set(row(K, r), i * K);
  const Wf = new Float32Array(N * K);
  for (let n = 0; n < N; n++) Wf.set(row(K, r), n * K);
  const xp = w.alloc(M * K * 4), wp = w.alloc(N * K * 4), qp = w.alloc(N * K * 4), s0 = w.alloc(N * 4);
  f32(w, xp, M * K).set(X); f32(w, wp, N * K).set(Wf);
  w.q8_quantize(N, K, wp, K, qp, s0);
  const pp = w.alloc(w.q8_packed_bytes(N, K)), wsp = w.alloc(64);
  w.q8_pack(N, K, qp, s0, pp, wsp);
  const y1 = w.alloc(M * N * 4), y2 = w.alloc(M * N * 4), ap = w.alloc(M * 12 * 2), sp = w.alloc(M * 4);
  w.q8_project(M, N, K, xp, K, pp, wsp, y1, N);
  w.q8_quant_rows(M, K, xp, K, ap, 12, sp);
  w.q8_gemm(M, N, K, ap, 12, sp, pp, wsp, y2, N);
  bitsEqual(f32(w, y1, M * N).slice(), f32(w, y2, M * N).slice(), 'q8_project');
  // and close to the f32 product (int8 error)
  let num = 0, den = 0;
  const y = f32(w, y1, M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += X[i * K + k] * Wf[j * K + k];
    num += (y[i * N + j] - s) ** 2; den += s * s;
  }
  assert.ok(Math.sqrt(num / den) < 0.03, `relative error ${Math.sqrt(num / den)}`);
});

test.run();
