// vtanh / vsigmoid / vexp (assembly/vmath.ts via assembly/activations.ts): accuracy against
// float64 references, special values, every length around the SIMD tile edges, in place, and
// "a value gives the same bits in the SIMD body and in the scalar tail".
// The exhaustive check over all 2^32 inputs is not run here (minutes); its result is recorded
// in assembly/vmath.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { f32, loadWasm } from './wasm';

const w = loadWasm();

type Kernel = 'vtanh' | 'vsigmoid' | 'vexp';
const REF: Record<Kernel, (x: number) => number> = {
  vtanh: Math.tanh,
  vsigmoid: (x) => 1 / (1 + Math.exp(-x)),
  vexp: Math.exp,
};
const KERNELS = Object.keys(REF) as Kernel[];

const u32 = (ptr: number, n: number) => new Uint32Array(w.memory.buffer, ptr, n);
const scratchF = new Float32Array(1), scratchU = new Uint32Array(scratchF.buffer);
const f2b = (x: number) => ((scratchF[0] = x), scratchU[0]);
const b2f = (b: number) => ((scratchU[0] = b), scratchF[0]);
/** Position of a float on the number line in ulps (+0 and -0 both 0): |ord(a) - ord(b)| = ulps. */
const ord = (b: number) => (b & 0x80000000 ? -(b & 0x7fffffff) : b);
const hex = (b: number) => '0x' + (b >>> 0).toString(16).padStart(8, '0');

/** Runs kernel k over `bits` (as f32) in Wasm memory; returns the output bits. */
function run(k: Kernel, bits: Uint32Array, inPlace = false): Uint32Array {
  const n = bits.length;
  const x = w.alloc(4 * n + 16), y = inPlace ? x : w.alloc(4 * n + 16);
  u32(x, n).set(bits);
  w[k](x, y, n);
  const out = u32(y, n).slice();
  if (!inPlace) w.free(y);
  w.free(x);
  return out;
}

// ---- the sample ---------------------------------------------------------------------------
// Every 2053rd bit pattern over all 2^32 (2.1 M values: positive, negative, denormal, inf, NaN)
// plus +-64 ulps around every point where the method switches: polynomial / formula, the
// exp reduction's n -> n + 1 ((k + 1/2) ln 2), saturation, clamps, the normal/denormal edge.
const STRIDE = 2053;
function sample(): Uint32Array {
  const pts: number[] = [0.75, 9.5, 13 * Math.LN2, 110, 89, -110, 24 * Math.LN2, 25 * Math.LN2,
    Math.log(3.4028234663852886e38), Math.log(2 ** -126), Math.log(2 ** -149), Math.log(2 ** -150),
    2 ** -12, 2 ** -126, 1, 0.5, 2];
  for (let k = 0; k < 160; k++) {
    pts.push((k + 0.5) * Math.LN2); // exp, sigmoid (at -x)
    pts.push(((k + 0.5) * Math.LN2) / 2); // tanh reduces 2|x|
  }
  const extra: number[] = [];
  for (const p of pts) {
    const b = f2b(p) & 0x7fffffff;
    for (let d = -64; d <= 64; d++) extra.push((b + d) >>> 0, ((b + d) | 0x80000000) >>> 0);
  }
  const m = Math.ceil(2 ** 32 / STRIDE);
  const out = new Uint32Array(m + extra.length);
  for (let i = 0; i < m; i++) out[i] = (i * STRIDE) >>> 0;
  out.set(extra, m);
  return out;
}
const SAMPLE = sample();
const OUT: Partial<Record<Kernel, Uint32Array>> = {};
const outOf = (k: Kernel) => (OUT[k] ??= run(k, SAMPLE));

// (1) accuracy: <= 2 ulp against the float64 result rounded to f32, everywhere (in the
// denormal range that is <= 2 steps of 2^-149; inf/0 results must be exact)
for (const k of KERNELS) {
  test(`${k}: <= 2 ulp vs float64 on ${SAMPLE.length} inputs`, () => {
    const y = outOf(k);
    const x = new Float32Array(SAMPLE.buffer);
    let worst = 0, at = 0;
    for (let i = 0; i < SAMPLE.length; i++) {
      if (Number.isNaN(x[i])) continue;
      const ref = f2b(REF[k](x[i]));
      const d = Math.abs(ord(y[i]) - ord(ref));
      if (d > worst) { worst = d; at = i; }
    }
    assert.ok(worst <= 2, `${k}(${x[at]} ${hex(SAMPLE[at])}) = ${b2f(y[at])}, want ${Math.fround(REF[k](x[at]))}: ${worst} ulp`);
  });
}

// (2) special values (exact bits)
const NANS = [0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fa12345, 0xffffffff];
function one(k: Kernel, x: number): number { return b2f(run(k, new Uint32Array([f2b(x)]))[0]); }
function oneBits(k: Kernel, b: number): number { return run(k, new Uint32Array([b]))[0]; }

test('tanh: special values', () => {
  assert.is(oneBits('vtanh', 0x00000000), 0x00000000, 'tanh(+0) = +0');
  assert.is(oneBits('vtanh', 0x80000000), 0x80000000, 'tanh(-0) = -0');
  assert.is(one('vtanh', Infinity), 1);
  assert.is(one('vtanh', -Infinity), -1);
  for (const x of [13 * Math.LN2 + 1e-5, 9.5, 10, 20, 100, 1e10, 3.4028234663852886e38]) {
    assert.is(one('vtanh', x), 1, `tanh(${x}) = 1`);
    assert.is(one('vtanh', -x), -1, `tanh(${-x}) = -1`);
  }
  // tiny |x|: tanh x = x - x^3/3 rounds to x (up to 2^-12); denormals included
  for (const b of [0x00000001, 0x00000002, 0x007fffff, 0x00800000, 0x0d000000, 0x2f800000, 0x39000000, 0x39800000]) {
    assert.is(oneBits('vtanh', b), b, `tanh(${b2f(b)}) = x`);
    assert.is(oneBits('vtanh', (b | 0x80000000) >>> 0), (b | 0x80000000) >>> 0, `tanh(${-b2f(b)}) = x`);
  }
  // odd: tanh(-x) = -tanh(x) bit for bit
  for (const x of [1e-3, 0.3, 0.7499, 0.75, 0.8, 1, 2.5, 7, 9]) assert.is(one('vtanh', -x), -one('vtanh', x));
});

test('sigmoid: special values', () => {
  assert.is(one('vsigmoid', 0), 0.5);
  assert.is(one('vsigmoid', -0), 0.5);
  assert.is(oneBits('vsigmoid', f2b(Infinity)), f2b(1));
  assert.is(oneBits('vsigmoid', f2b(-Infinity)), 0, 'sigmoid(-inf) = +0');
  // 1 from x > 25 ln 2 = 17.33 (e^-x < 2^-25); just below, 1 - 2^-24
  for (const x of [17.4, 20, 100, 1e30]) assert.is(one('vsigmoid', x), 1, `sigmoid(${x}) = 1`);
  assert.is(one('vsigmoid', 17), 1 - 2 ** -24);
  for (const x of [-104, -110, -200, -1e30]) assert.is(oneBits('vsigmoid', f2b(x)), 0, `sigmoid(${x}) = +0`);
  // into the denormals gracefully: within 2 steps of 2^-149 of e^x / (1 + e^x), and never below 0
  for (let x = -87; x >= -104; x -= 0.25) {
    const y = one('vsigmoid', x), ref = Math.exp(x) / (1 + Math.exp(x));
    assert.ok(y >= 0 && Math.abs(y - ref) <= 2 * 2 ** -149, `sigmoid(${x}) = ${y}, want ${ref}`);
  }
  assert.ok(one('vsigmoid', -100) > 0, 'sigmoid(-100) is a denormal, not 0');
  // sigmoid(-x) + sigmoid(x) = 1 to rounding
  for (const x of [1e-6, 0.1, 1, 3, 8]) assert.ok(Math.abs(one('vsigmoid', -x) + one('vsigmoid', x) - 1) < 2 ** -23);
});

test('exp: special values', () => {
  assert.is(one('vexp', 0), 1);
  assert.is(one('vexp', -0), 1);
  assert.is(one('vexp', Infinity), Infinity);
  assert.is(oneBits('vexp', f2b(-Infinity)), 0);
  assert.is(one('vexp', 88.8), Infinity);
  assert.is(one('vexp', 88.72), Math.fround(Math.exp(Math.fround(88.72))));
  assert.is(oneBits('vexp', f2b(-104)), 0);
  assert.is(one('vexp', -103), Math.fround(Math.exp(-103)), 'denormal result');
  assert.is(one('vexp', 1), Math.fround(Math.E));
});

test('NaN in -> the same NaN out (bits unchanged)', () => {
  for (const k of KERNELS) for (const b of NANS) assert.is(oneBits(k, b), b >>> 0, `${k}(${hex(b)})`);
});

// (3) every length around the tiles (8-wide body, one 4-block, scalar tail of 0..3): the same
// bits as the scalar path element by element, nothing written past n, in place too
const VALUES = [0.1, -0.75, 0.75, -3, 9.2, 1e-20, -1e-40, 0, -0, 87.5, -95, 2, -0.5, 1e3, -1e3, 0.7499,
  Infinity, -Infinity, NaN, 5, -5, 0.33, -20, 17, 0.002, -0.002, 1.5, -1.5, 40, -40, 0.6, -0.9,
  1e-3, 4.5, -4.5, 12, -12, 2.5, -2.5, 0.25];
const LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33];
const SENTINEL = 0x5a5a5a5a;

test('lengths 0..33 at the tile edges: same bits as the scalar path, in place and misaligned', () => {
  for (const k of KERNELS) {
    // scalar reference: each element alone (n = 1 runs only the scalar tail)
    const scalar = new Uint32Array(VALUES.length);
    for (let i = 0; i < VALUES.length; i++) scalar[i] = oneBits(k, f2b(VALUES[i]));
    for (const n of LENGTHS) {
      for (const shift of [0, 4]) { // byte offset 0 (16-aligned) and 4 (misaligned)
        const x = w.alloc(4 * VALUES.length + 32), y = w.alloc(4 * VALUES.length + 32);
        u32(x + shift, VALUES.length).set(new Uint32Array(new Float32Array(VALUES).buffer));
        u32(y + shift, VALUES.length).fill(SENTINEL);
        w[k](x + shift, y + shift, n);
        const out = u32(y + shift, VALUES.length);
        for (let i = 0; i < n; i++) assert.is(out[i], scalar[i], `${k} n=${n} shift=${shift} i=${i}`);
        for (let i = n; i < VALUES.length; i++) assert.is(out[i], SENTINEL, `${k} n=${n}: wrote past n at ${i}`);
        // in place (y == x)
        w[k](x + shift, x + shift, n);
        const inPlace = u32(x + shift, VALUES.length);
        for (let i = 0; i < n; i++) assert.is(inPlace[i], scalar[i], `${k} in place n=${n} shift=${shift} i=${i}`);
        for (let i = n; i < VALUES.length; i++) assert.is(inPlace[i], f2b(VALUES[i]), `${k} in place n=${n}: touched ${i}`);
        w.free(y);
        w.free(x);
      }
    }
  }
});

// (4) the whole sample through the scalar tail (calls of n = 3 and n = 1, which never reach a
// vector) gives the same bits as the big call, where the values went through f32x4 lanes
for (const k of KERNELS) {
  test(`${k}: scalar tail == SIMD lanes on the whole sample`, () => {
    const n = SAMPLE.length - (SAMPLE.length % 4);
    const x = w.alloc(4 * n), y = w.alloc(4 * n);
    u32(x, n).set(SAMPLE.subarray(0, n));
    const fn = w[k];
    for (let i = 0; i < n; i += 4) {
      fn(x + 4 * i, y + 4 * i, 3);
      fn(x + 4 * i + 12, y + 4 * i + 12, 1);
    }
    const tail = u32(y, n), body = outOf(k);
    let bad = -1;
    for (let i = 0; i < n; i++) if (tail[i] !== body[i]) { bad = i; break; }
    assert.is(bad, -1, bad < 0 ? '' : `${k}(${hex(SAMPLE[bad])}): tail ${hex(tail[bad])} != SIMD ${hex(body[bad])}`);
    w.free(y);
    w.free(x);
  });
}

test.run();
