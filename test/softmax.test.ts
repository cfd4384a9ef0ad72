// assembly/softmax.ts kernels against scalar references at sizes below, at and above the 4-lane
// tile (exp, exp's backward) and top-k's heap selection for k from 0 to C against a stable sort;
// softmax/max along inner dimensions against the same rows made contiguous; and the RnnErrors of
// the ops and class losses. (Values and gradients against PyTorch: test/ops-vectors.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadWasm, f32, type Exports } from './wasm';
import { bitsEqual, lib } from './helpers.js';

const w: Exports = loadWasm();
const { tensor, crossEntropy, nllLoss, RnnError } = lib;
const QNAN = 0x7fc00000;

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17];
const SPECIAL = [Infinity, -Infinity, NaN, 0, -0, 88.7, 89, -104, -110, 1e-30];

function put(v: ArrayLike<number>): number { const p = w.alloc(Math.max(v.length, 1) * 4); f32(w, p, v.length).set(v); return p; }
const ulps = (a: number, b: number) => {
  const u = new Uint32Array(new Float32Array([a, b]).buffer);
  return Math.abs((u[0] | 0) - (u[1] | 0));
};

for (const n of SIZES) {
  test(`exp_forward / exp_backward, n = ${n}: every lane = the scalar tail, NaN canonical`, () => {
    // specials at even positions; g = 0 or ±inf at every other one, so that g·y = 0·inf = NaN in vector lanes too
    const x = Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? SPECIAL[(i / 2) % SPECIAL.length] : Math.fround(Math.sin(i * 1.7) * 20)));
    const g = Float32Array.from({ length: n }, (_, i) => [0, Math.fround(Math.cos(i) * 3), Infinity, -0.5][i % 4]);
    const px = put(x), py = w.alloc(n * 4 + 4), pg = put(g), pd = w.alloc(n * 4 + 4), one = w.alloc(16);
    w.exp_forward(px, py, n);
    const y = f32(w, py, n).slice();
    // each element through the 1-element call (the scalar tail): same bits
    const want = new Float32Array(n), wantD = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      f32(w, one, 1)[0] = x[i];
      w.exp_forward(one, one, 1);
      want[i] = f32(w, one, 1)[0];
      const d = Math.fround(g[i] * y[i]);
      wantD[i] = Number.isNaN(d) ? new Float32Array(new Uint32Array([QNAN]).buffer)[0] : d;
      if (Number.isFinite(x[i]) && Number.isFinite(Math.exp(x[i]))) {
        assert.ok(ulps(y[i], Math.fround(Math.exp(x[i]))) <= 1, `exp(${x[i]}) = ${y[i]}, float64 ${Math.exp(x[i])}`);
      }
    }
    bitsEqual(y, want, 'exp');
    w.exp_backward(py, pg, pd, n);
    bitsEqual(f32(w, pd, n).slice(), wantD, 'exp backward');
    for (const p of [px, py, pg, pd, one]) w.free(p);
  });
}

test('log_forward: f64 log rounded once; log 0 = -inf, log(-x) = NaN (canonical), NaN passes through', () => {
  const x = Float32Array.from([0, -0, -1, -Infinity, Infinity, NaN, 1, 2, 1e-45, 3.4e38, 0.1, 7]);
  const px = put(x), py = w.alloc(x.length * 4);
  w.log_forward(px, py, x.length);
  const y = f32(w, py, x.length).slice();
  const bits = new Uint32Array(y.buffer);
  x.forEach((v, i) => {
    if (v < 0 || Number.isNaN(v)) { assert.is(bits[i], QNAN, `log(${v}) bits`); return; }
    assert.ok(Object.is(y[i], Math.fround(Math.log(v))), `log(${v}) = ${y[i]}`);
  });
  w.free(px); w.free(py);
});

// ---- top-k: the heap selection against a stable sort ----
function topkRef(row: number[], k: number, largest: boolean): number[] {
  const key = (v: number) => (Number.isNaN(v) ? Infinity : v);
  const nan = (v: number) => Number.isNaN(v);
  return row.map((v, j) => [v, j]).sort((a, b) => {
    if (nan(a[0]) || nan(b[0])) {
      if (nan(a[0]) && nan(b[0])) return a[1] - b[1];
      return largest ? (nan(a[0]) ? -1 : 1) : (nan(a[0]) ? 1 : -1);
    }
    return (largest ? key(b[0]) - key(a[0]) : key(a[0]) - key(b[0])) || a[1] - b[1];
  }).slice(0, k).map((p) => p[1]);
}

for (const C of [1, 5, 33, 64, 100]) {
  test(`topk_forward, C = ${C}, k from 0 to C, inner 3, largest and smallest: a stable sort's order`, () => {
    const inner = 3, outer = 2;
    // small integers (many ties), a few NaNs and infinities
    const x = Float32Array.from({ length: outer * C * inner }, (_, i) =>
      i % 17 === 5 ? NaN : i % 23 === 7 ? -Infinity : i % 29 === 3 ? Infinity : Math.floor(Math.sin(i * 12.9898) * 5));
    const px = put(x);
    for (const k of [...new Set([0, 1, 2, 5, 7, 32, 33, C - 1, C])].filter((v) => v >= 0 && v <= C)) {
      for (const largest of [1, 0]) {
        const pv = w.alloc(outer * k * inner * 4 + 4), pi = w.alloc(outer * k * inner * 4 + 4);
        w.topk_forward(outer, C, inner, k, largest, px, pv, pi);
        const vals = f32(w, pv, outer * k * inner).slice(), idx = f32(w, pi, outer * k * inner).slice();
        for (let o = 0; o < outer; o++) {
          for (let i = 0; i < inner; i++) {
            const row = Array.from({ length: C }, (_, j) => x[(o * C + j) * inner + i]);
            const want = topkRef(row, k, !!largest);
            const got = Array.from({ length: k }, (_, r) => idx[(o * k + r) * inner + i]);
            assert.equal(got, want, `C ${C} k ${k} largest ${largest} row (${o}, ${i})`);
            got.forEach((j, r) => assert.ok(Object.is(vals[(o * k + r) * inner + i], Math.fround(row[j])), 'value'));
          }
        }
        w.free(pv); w.free(pi);
      }
    }
    w.free(px);
  });
}

// ---- along inner dimensions: the same bits as the rows made contiguous ----
test('softmax / logSoftmax / max / topk along dim 0 or 1 of a 3-D tensor = along the last dim of its permutation', () => {
  const x = lib.randn([4, 7, 5]);
  for (const d of [0, 1]) {
    const perm = d === 0 ? [1, 2, 0] : [0, 2, 1];
    const xp = x.permute(perm);
    bitsEqual(x.softmax(d).permute(perm).toFloat32Array(), xp.softmax(-1).toFloat32Array(), `softmax(${d})`);
    bitsEqual(x.logSoftmax(d).permute(perm).toFloat32Array(), xp.logSoftmax(-1).toFloat32Array(), `logSoftmax(${d})`);
    const [v, i] = x.max(d, true);
    const [vp, ip] = xp.max(-1, true);
    bitsEqual(v.permute(perm).toFloat32Array(), vp.toFloat32Array(), `max(${d}) values`);
    bitsEqual(i.permute(perm).toFloat32Array(), ip.toFloat32Array(), `max(${d}) indices`);
    bitsEqual(x.topk(3, d).values.permute(perm).toFloat32Array(), xp.topk(3).values.toFloat32Array(), `topk(${d})`);
  }
});

test('argmax() with no dim indexes the flattened tensor; argmax(dim) = max(dim).indices', () => {
  const x = tensor([[1, 9, 3], [9, 2, 8]]);
  assert.is(x.argmax().item(), 1);
  assert.equal(x.argmax().shape, []);
  assert.equal(x.argmax(undefined, true).shape, [1, 1]);
  assert.equal(x.argmax(1).toArray(), x.max(1).indices.toArray());
  assert.equal(x.argmax(0, true).toArray(), [[1, 0, 1]]);
  assert.is(x.max().item(), 9);
  assert.equal(x.max(1).length, 2);
});

test('crossEntropy: a row-wise loss equals nllLoss(logSoftmax) and is the same with ignoreIndex inside [0, C)', () => {
  const x = lib.randn([6, 4]);
  const t = [0, 3, 2, 2, 1, 0];
  const a = crossEntropy(x, t, { reduction: 'none' }).toFloat32Array();
  const b = nllLoss(x.logSoftmax(1), t, { reduction: 'none' }).toFloat32Array();
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * Math.max(1, Math.abs(a[i])), `row ${i}`);
  const ig = crossEntropy(x, t, { ignoreIndex: 2, reduction: 'none' }).toFloat32Array();
  assert.equal([ig[2], ig[3]], [0, 0]);
  assert.is(ig[0], a[0]);
  // (N, C) logits take targets of any shape with N elements, e.g. (B, T) for (B·T, C)
  assert.is(crossEntropy(x, tensor(t, [2, 3])).item(), crossEntropy(x, t).item());
});

test('errors: RnnError naming the argument, before any memory is touched; the library stays usable', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const e2 = tensor([[], []]), z0 = lib.zeros([0]), z03 = lib.zeros([0, 3]), s0 = tensor(1), t21 = tensor([[0], [1]]);
  const x3 = lib.zeros([2, 3, 2]), t3 = tensor([0, 1, 2]);
  const bad: [() => unknown, RegExp][] = [
    [() => x.softmax(2), /dim: expected an integer in \[-2, 1\], got 2/],
    [() => x.softmax(undefined as any), /dim: expected an integer/],
    [() => x.logSoftmax(-3), /dim: expected an integer in \[-2, 1\], got -3/],
    [() => x.max(0, 1 as any), /keepdim: expected a boolean/],
    [() => e2.max(1), /max: expected a non-empty dimension 1/],
    [() => z0.max(), /max: expected a non-empty tensor/],
    [() => z03.argmax(), /argmax: expected a non-empty tensor/],
    [() => x.topk(4, 1), /k: expected an integer in \[0, 3\] \(the size of dimension 1\), got 4/],
    [() => x.topk(-1), /k: expected an integer in \[0, 3\]/],
    [() => x.topk(1, 1, 'yes' as any), /largest: expected a boolean/],
    [() => crossEntropy(x, [0, 3]), /target\[1\]: expected a class index in \[0, 2\] or ignoreIndex -100, got 3/],
    [() => crossEntropy(x, [0, -1]), /target\[1\]: expected a class index in \[0, 2\] or ignoreIndex -100, got -1/],
    [() => crossEntropy(x, [0, 1.5]), /target\[1\]: expected a class index/],
    [() => crossEntropy(x, [0, 5], { ignoreIndex: 1 }), /target\[1\]: expected a class index in \[0, 2\], got 5/],
    [() => crossEntropy(x, [0]), /target: expected 2 class indices \(one per row of input \[2, 3\]\), got 1/],
    [() => crossEntropy(x3, t21), /target: expected class indices of shape \[2, 2\] \(input \[2, 3, 2\]\), got shape \[2, 1\]/],
    [() => crossEntropy(x, t3), /target: expected class indices of shape \[2\] \(input \[2, 3\]\), got shape \[3\]/],
    [() => crossEntropy(x, [0, 1], { reduction: 'avg' as any }), /reduction: expected 'mean', 'sum' or 'none', got "avg"/],
    [() => crossEntropy(x, [0, 1], { labelSmoothing: 1.5 }), /labelSmoothing: expected a number in \[0, 1\], got 1.5/],
    [() => crossEntropy(x, [0, 1], { labelSmoothing: -0.1 }), /labelSmoothing: expected a number in \[0, 1\]/],
    [() => crossEntropy(x, [0, 1], { ignoreIndex: 0.5 }), /ignoreIndex: expected an integer, got 0.5/],
    [() => crossEntropy(s0, [0]), /input: expected logits of shape \(N, C\) or \(C\), got shape \[\]/],
    [() => nllLoss(x, [0, 7]), /target\[1\]: expected a class index in \[0, 2\] or ignoreIndex -100, got 7/],
    [() => nllLoss(x, 'a' as any), /target: expected class indices/],
    [() => nllLoss(x, [0, 1], { reduction: 'max' as any }), /reduction: expected 'mean', 'sum' or 'none'/],
  ];
  const before = lib.memoryStats().liveBytes;
  for (const [fn, re] of bad) {
    let err: unknown = null;
    try { fn(); } catch (e) { err = e; }
    assert.ok(err instanceof RnnError, `expected an RnnError from ${fn}, got ${err}`);
    assert.match((err as Error).message, re);
  }
  assert.ok(lib.memoryStats().liveBytes <= before, 'the failing calls allocated nothing');
  const l = crossEntropy(x, [2, -100], { labelSmoothing: 0.1 });
  l.backward();
  assert.ok(Number.isFinite(l.item()) && x.grad !== null, 'usable afterwards');
});

test.run();
