// The int8 path's activations (assembly/q8act.ts) against float64: the error bounds its header
// states, special values, and a tail element getting the bits of a vector lane.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';
import { bitsEqual } from './helpers.js';

const w: Exports = loadWasm();
const sig = (x: number) => 1 / (1 + Math.exp(-x));

/** max |f(x) − ref(x)| over n points spread over [lo, hi] (plus their f32 neighbours), and where. */
function maxErr(fn: string, ref: (x: number) => number, lo: number, hi: number, n: number): [number, number] {
  const x = w.alloc(n * 4), y = w.alloc(n * 4);
  const xv = f32(w, x, n);
  for (let i = 0; i < n; i++) xv[i] = lo + ((hi - lo) * i) / (n - 1);
  w[fn](x, y, n);
  const xs = f32(w, x, n), ys = f32(w, y, n);
  let m = 0, at = 0;
  for (let i = 0; i < n; i++) { const d = Math.abs(ys[i] - ref(xs[i])); if (d > m) { m = d; at = xs[i]; } }
  w.free(x); w.free(y);
  return [m, at];
}

test('q8_sigmoid / q8_tanh: absolute error against float64 within the stated bounds', () => {
  for (const [lo, hi] of [[-40, 40], [-6, 6], [-0.5, 0.5]]) {
    const [es, as] = maxErr('q8_sigmoid', sig, lo, hi, 1 << 18);
    const [et, at] = maxErr('q8_tanh', Math.tanh, lo, hi, 1 << 18);
    assert.ok(es <= 1.2e-7, `sigmoid on [${lo}, ${hi}]: ${es} at ${as}`);
    assert.ok(et <= 2.4e-7, `tanh on [${lo}, ${hi}]: ${et} at ${at}`);
  }
});

test('q8_sigmoid / q8_tanh: special values, ranges, tails equal to lanes', () => {
  const vals = [0, -0, 1e-30, -1e-30, 80, -80, 100, -100, 1e30, -1e30, Infinity, -Infinity, 3.5, -2.25, 17, -17];
  const n = vals.length, x = w.alloc(n * 4), y = w.alloc(n * 4);
  f32(w, x, n).set(vals);
  w.q8_sigmoid(x, y, n);
  const s = f32(w, y, n).slice();
  w.q8_tanh(x, y, n);
  const t = f32(w, y, n).slice();
  assert.is(s[0], 0.5); assert.is(t[0], 0);
  vals.forEach((v, i) => {
    assert.ok(s[i] >= 0 && s[i] <= 1, `sigmoid(${v}) = ${s[i]}`);
    assert.ok(t[i] >= -1 && t[i] <= 1, `tanh(${v}) = ${t[i]}`);
    assert.ok(Math.abs(s[i] - sig(v)) <= 1.2e-7, `sigmoid(${v}) = ${s[i]}`);
    assert.ok(Math.abs(t[i] - Math.tanh(v)) <= 2.4e-7, `tanh(${v}) = ${t[i]}`);
  });
  // every element alone (a scalar tail of n = 1) gives the bits it got inside the vectors
  const one = w.alloc(4), out = w.alloc(4);
  vals.forEach((v, i) => {
    f32(w, one, 1)[0] = v;
    w.q8_sigmoid(one, out, 1);
    bitsEqual(f32(w, out, 1).slice(), s.subarray(i, i + 1), `sigmoid(${v}) tail`);
    w.q8_tanh(one, out, 1);
    bitsEqual(f32(w, out, 1).slice(), t.subarray(i, i + 1), `tanh(${v}) tail`);
  });
  for (const p of [x, y, one, out]) w.free(p);
});

test('q8_lstm_row: the LSTM cell update with these activations, against float64', () => {
  for (const H of [1, 3, 4, 8, 13]) {
    const G = 4 * H;
    const rnd = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 1.7 + s) * 2));
    const gx = rnd(G, 1), bi = rnd(G, 2), a4 = rnd(G, 3), bh = rnd(G, 4), cp = rnd(H, 5);
    const ptr = (a: Float32Array) => { const p = w.alloc(a.length * 4); f32(w, p, a.length).set(a); return p; };
    const [pg, pbi, pa, pbh, pc] = [gx, bi, a4, bh, cp].map(ptr);
    const c = w.alloc(H * 4), r = w.alloc(H * 4);
    w.q8_lstm_row(H, pg, pbi, pa, pbh, pc, c, r, 0);
    const cv = f32(w, c, H), rv = f32(w, r, H);
    for (let j = 0; j < H; j++) {
      const pre = (k: number) => (gx[k * H + j] + bi[k * H + j]) + (a4[k * H + j] + bh[k * H + j]);
      const i = sig(pre(0)), f = sig(pre(1)), g = Math.tanh(pre(2)), o = sig(pre(3));
      const cc = f * cp[j] + i * g;
      assert.ok(Math.abs(cv[j] - cc) < 2e-6, `H=${H} c[${j}] ${cv[j]} vs ${cc}`);
      assert.ok(Math.abs(rv[j] - o * Math.tanh(cc)) < 2e-6, `H=${H} r[${j}]`);
    }
    for (const p of [pg, pbi, pa, pbh, pc, c, r]) w.free(p);
  }
});

test.run();
