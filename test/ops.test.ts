// Tensor ops and losses against a float64 reference written here: forward values, and gradients
// against central finite differences of that float64 reference (so the check is exact to ~1e-9).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const { tensor } = lib;

// ---- a tiny float64 ndarray reference ----
type Arr = { shape: number[]; data: Float64Array };
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
const strides = (s: number[]) => { const r = new Array(s.length).fill(1); for (let i = s.length - 2; i >= 0; i--) r[i] = r[i + 1] * s[i + 1]; return r; };
function each(shape: number[], cb: (idx: number[], flat: number) => void) {
  const n = numel(shape), idx = new Array(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    cb(idx, f);
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
}
const get = (a: Arr, idx: number[]) => { const st = strides(a.shape); let o = 0; idx.forEach((v, i) => { o += v * st[i]; }); return a.data[o]; };
function bcastGet(a: Arr, idx: number[]) {
  const off = idx.length - a.shape.length;
  return get(a, a.shape.map((s, i) => (s === 1 ? 0 : idx[i + off])));
}
function bshape(a: number[], b: number[]) {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => { const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1; return x === 1 ? y : x; });
}
const make = (shape: number[], f: (idx: number[]) => number): Arr => { const data = new Float64Array(numel(shape)); each(shape, (idx, k) => { data[k] = f(idx); }); return { shape, data }; };

let seed = 12345;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 * 2 - 1; };
const randArr = (shape: number[]): Arr => make(shape, () => Math.fround(rnd()));
const toLib = (a: Arr) => tensor(Float32Array.from(a.data), a.shape, { requiresGrad: true });

/**
 * Checks op (library) against ref (float64) on inputs: forward within 1e-5 relative; the gradient of
 * sum(op(x)·w) for every input against central differences of the float64 reference.
 */
function check(name: string, inputs: Arr[], op: (...t: lib.Tensor[]) => lib.Tensor, ref: (...a: Arr[]) => Arr, fwdTol = 1e-5) {
  test(name, () => {
    const ts = inputs.map(toLib);
    const out = op(...ts);
    const r = ref(...inputs);
    assert.equal(out.shape, r.shape, 'shape');
    const o = out.toFloat32Array();
    const scale = Math.max(1, ...Array.from(r.data, Math.abs));
    for (let i = 0; i < o.length; i++) assert.ok(Math.abs(o[i] - r.data[i]) <= fwdTol * scale, `forward[${i}]: ${o[i]} vs ${r.data[i]}`);
    const wts = randArr(r.shape);
    out.mul(tensor(Float32Array.from(wts.data), wts.shape)).sum().backward();
    const loss = (...a: Arr[]) => { const y = ref(...a); let s = 0; for (let i = 0; i < y.data.length; i++) s += y.data[i] * wts.data[i]; return s; };
    inputs.forEach((a, k) => {
      const g = ts[k].grad!.toFloat32Array();
      for (let i = 0; i < a.data.length; i++) {
        const h = 1e-6, v = a.data[i];
        a.data[i] = v + h; const up = loss(...inputs);
        a.data[i] = v - h; const dn = loss(...inputs);
        a.data[i] = v;
        const fd = (up - dn) / (2 * h);
        assert.ok(Math.abs(g[i] - fd) <= 1e-5 * Math.max(1, Math.abs(fd)), `${name}: d input${k}[${i}] = ${g[i]}, finite difference ${fd}`);
      }
    });
  });
}

const binRef = (f: (x: number, y: number) => number) => (a: Arr, b: Arr) => { const s = bshape(a.shape, b.shape); return make(s, (i) => f(bcastGet(a, i), bcastGet(b, i))); };
check('add', [randArr([3, 4]), randArr([3, 4])], (a, b) => a.add(b), binRef((x, y) => x + y));
check('add broadcast (3,1,4)+(2,1)', [randArr([3, 1, 4]), randArr([2, 1])], (a, b) => a.add(b), binRef((x, y) => x + y));
check('sub broadcast (4)-(3,4)', [randArr([4]), randArr([3, 4])], (a, b) => a.sub(b), binRef((x, y) => x - y));
check('mul broadcast (2,3,1)*(1,5)', [randArr([2, 3, 1]), randArr([1, 5])], (a, b) => a.mul(b), binRef((x, y) => x * y));
check('mul by a number', [randArr([2, 3])], (a) => a.mul(2.5), (a) => make(a.shape, (i) => get(a, i) * 2.5));
check('neg', [randArr([5])], (a) => a.neg(), (a) => make(a.shape, (i) => -get(a, i)));
check('tanh', [randArr([3, 7])], (a) => a.tanh(), (a) => make(a.shape, (i) => Math.tanh(get(a, i))));
check('sigmoid', [randArr([3, 7])], (a) => a.sigmoid(), (a) => make(a.shape, (i) => 1 / (1 + Math.exp(-get(a, i)))));
check('relu', [randArr([3, 7])], (a) => a.relu(), (a) => make(a.shape, (i) => Math.max(0, get(a, i))));
check('select(1, -1)', [randArr([2, 3, 4])], (a) => a.select(1, -1), (a) => make([2, 4], ([i, k]) => get(a, [i, 2, k])));
check('select(0, 1)', [randArr([3, 2])], (a) => a.select(0, 1), (a) => make([2], ([k]) => get(a, [1, k])));
check('slice(1, 1, 5, 2)', [randArr([2, 6, 3])], (a) => a.slice(1, 1, 5, 2), (a) => make([2, 2, 3], ([i, j, k]) => get(a, [i, 1 + 2 * j, k])));
check('slice(-1, -2) clamps like Python', [randArr([3, 4])], (a) => a.slice(-1, -2, 100), (a) => make([3, 2], ([i, j]) => get(a, [i, 2 + j])));
check('transpose(0, 1)', [randArr([3, 4, 2])], (a) => a.transpose(0, 1), (a) => make([4, 3, 2], ([i, j, k]) => get(a, [j, i, k])));
check('permute(2, 0, 1)', [randArr([3, 4, 2])], (a) => a.permute(2, 0, 1), (a) => make([2, 3, 4], ([i, j, k]) => get(a, [j, k, i])));
check('reshape(-1, 6)', [randArr([2, 3, 4])], (a) => a.reshape(-1, 6), (a) => ({ shape: [4, 6], data: a.data.slice() }));
check('unsqueeze/squeeze', [randArr([3, 4])], (a) => a.unsqueeze(1).squeeze(1).unsqueeze(0), (a) => ({ shape: [1, 3, 4], data: a.data.slice() }));
check('sum()', [randArr([3, 5])], (a) => a.sum(), (a) => ({ shape: [], data: Float64Array.of(a.data.reduce((x, y) => x + y, 0)) }));
check('mean()', [randArr([3, 5])], (a) => a.mean(), (a) => ({ shape: [], data: Float64Array.of(a.data.reduce((x, y) => x + y, 0) / 15) }));
check('sum(1)', [randArr([2, 3, 4])], (a) => a.sum(1), (a) => make([2, 4], ([i, k]) => get(a, [i, 0, k]) + get(a, [i, 1, k]) + get(a, [i, 2, k])));
check('mean(-1, keepdim)', [randArr([2, 3])], (a) => a.mean(-1, true), (a) => make([2, 1], ([i]) => (get(a, [i, 0]) + get(a, [i, 1]) + get(a, [i, 2])) / 3));
check('sum([0, 2])', [randArr([2, 3, 2])], (a) => a.sum([0, 2]), (a) => make([3], ([j]) => get(a, [0, j, 0]) + get(a, [0, j, 1]) + get(a, [1, j, 0]) + get(a, [1, j, 1])));
const mm = (a: Arr, b: Arr) => make([a.shape[0], b.shape[1]], ([i, j]) => { let s = 0; for (let k = 0; k < a.shape[1]; k++) s += get(a, [i, k]) * get(b, [k, j]); return s; });
check('matmul 2-D (5,7)·(7,3)', [randArr([5, 7]), randArr([7, 3])], (a, b) => a.matmul(b), mm);
check('matmul 1-D·2-D', [randArr([4]), randArr([4, 3])], (a, b) => a.matmul(b), (a, b) => { const r = mm({ shape: [1, 4], data: a.data }, b); return { shape: [3], data: r.data }; });
check('matmul 2-D·1-D', [randArr([3, 4]), randArr([4])], (a, b) => a.matmul(b), (a, b) => { const r = mm(a, { shape: [4, 1], data: b.data }); return { shape: [3], data: r.data }; });
check('matmul 1-D·1-D', [randArr([6]), randArr([6])], (a, b) => a.matmul(b), (a, b) => ({ shape: [], data: Float64Array.of(a.data.reduce((s, v, i) => s + v * b.data[i], 0)) }));
check('matmul batched (2,3,4)·(4,5)', [randArr([2, 3, 4]), randArr([4, 5])], (a, b) => a.matmul(b), (a, b) => make([2, 3, 5], ([n, i, j]) => { let s = 0; for (let k = 0; k < 4; k++) s += get(a, [n, i, k]) * get(b, [k, j]); return s; }));
check('cat dim 1', [randArr([2, 3]), randArr([2, 1]), randArr([2, 2])], (a, b, c) => lib.cat([a, b, c], 1),
  (a, b, c) => make([2, 6], ([i, j]) => (j < 3 ? get(a, [i, j]) : j < 4 ? get(b, [i, 0]) : get(c, [i, j - 4]))));
check('cat dim 0', [randArr([1, 3]), randArr([2, 3])], (a, b) => lib.cat([a, b], 0), (a, b) => make([3, 3], ([i, j]) => (i < 1 ? get(a, [i, j]) : get(b, [i - 1, j]))));
check('stack dim 1', [randArr([2, 3]), randArr([2, 3])], (a, b) => lib.stack([a, b], 1), (a, b) => make([2, 2, 3], ([i, s, j]) => get(s ? b : a, [i, j])));
check('a tree: (a·b + a).tanh().sum(0)', [randArr([3, 4]), randArr([3, 4])], (a, b) => a.mul(b).add(a).tanh().sum(0),
  (a, b) => make([4], ([j]) => { let s = 0; for (let i = 0; i < 3; i++) s += Math.tanh(get(a, [i, j]) * get(b, [i, j]) + get(a, [i, j])); return s; }));

// losses (scalar outputs): the check's weight multiplies the scalar
const labels = [2, 0, 1, 2];
check('crossEntropy', [randArr([4, 3])], (a) => lib.crossEntropy(a, labels), (a) => {
  let s = 0;
  for (let n = 0; n < 4; n++) {
    const row = [0, 1, 2].map((c) => get(a, [n, c]));
    const m = Math.max(...row);
    s += m + Math.log(row.reduce((q, v) => q + Math.exp(v - m), 0)) - row[labels[n]];
  }
  return { shape: [], data: Float64Array.of(s / 4) };
});
check('mseLoss', [randArr([3, 2]), randArr([3, 2])], (a, b) => lib.mseLoss(a, b), (a, b) => ({ shape: [], data: Float64Array.of(a.data.reduce((s, v, i) => s + (v - b.data[i]) ** 2, 0) / 6) }));
const targets = randArr([5]).data.map((v) => (v + 1) / 2);
check('bceWithLogits', [randArr([5])], (a) => lib.bceWithLogits(a, tensor(Float32Array.from(targets))), (a) => ({
  shape: [], data: Float64Array.of(a.data.reduce((s, x, i) => { const y = Math.fround(targets[i]); return s - (y * Math.log(1 / (1 + Math.exp(-x))) + (1 - y) * Math.log(1 - 1 / (1 + Math.exp(-x)))); }, 0) / 5),
}));

test('gradients accumulate across backward calls; zeroGrad zeroes in place (PyTorch 1.13) or sets null', () => {
  const a = tensor([1, 2, 3], { requiresGrad: true });
  a.mul(a).sum().backward();
  a.mul(3).sum().backward();
  assert.equal(Array.from(a.grad!.toFloat32Array()), [5, 7, 9]);
  const m = new lib.Linear(3, 1);
  m.forward(a).sum().backward();
  const g = m.weight.grad!;
  assert.equal(Array.from(g.toFloat32Array()), [1, 2, 3]);
  m.zeroGrad();
  assert.is(m.weight.grad, g, 'same tensor, reused');
  assert.equal(Array.from(g.toFloat32Array()), [0, 0, 0]);
  m.forward(a).sum().backward();
  assert.equal(Array.from(m.weight.grad!.toFloat32Array()), [1, 2, 3], 'accumulates from zero');
  const opt = new lib.SGD(m.parameters(), { lr: 0.1 });
  opt.zeroGrad({ setToNone: true });
  assert.is(m.weight.grad, null);
  const before = m.weight.toFloat32Array();
  opt.step();
  assert.equal(m.weight.toFloat32Array(), before, 'a parameter without gradient is skipped');
});

test('a graph runs backward once unless retainGraph', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const y = a.tanh().sum();
  y.backward(undefined, { retainGraph: true });
  y.backward();
  let err: unknown;
  try { y.backward(); } catch (e) { err = e; }
  assert.ok(err instanceof lib.RnnError);
});

test('noGrad records nothing', () => {
  const a = tensor([1, 2], { requiresGrad: true });
  const y = lib.noGrad(() => a.mul(2));
  assert.is(y.requiresGrad, false);
});

test('toArray / item / shapes like torch', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.shape, [2, 3]);
  assert.equal(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.is(t.sum().item(), 21);
  assert.equal(t.sum().shape, []);
  assert.equal(tensor(3).shape, []);
  assert.equal(t.transpose(0, 1).toArray(), [[1, 4], [2, 5], [3, 6]]);
});

test.run();
