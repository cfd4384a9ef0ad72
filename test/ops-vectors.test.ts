// exp, log, softmax, logSoftmax, max, argmax, topk, nllLoss and crossEntropy against PyTorch 1.13
// (test/vectors/ops/, written by test/gen_vectors_ops.py): every output and the gradient of
// Σ_o (o ⊙ w.o) with respect to x, within 10× PyTorch's own float32 error where the reference is
// finite, and exactly the reference's NaN / ±Infinity elsewhere (our NaNs are the one quiet NaN
// 0x7fc00000). Indices are compared exactly with PyTorch's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, T, maxDiff } from './helpers.js';
import { listCases, loadCase, type Case } from './vectors.js';

const { tensor, crossEntropy, nllLoss } = lib;
type Outs = Record<string, lib.Tensor>;

/** within10x (helpers.ts), where the reference rounded to f32 is finite; exact elsewhere. */
function check10x(c: Case, key: string, ours: Float32Array): void {
  const ref = c.f64('ref.' + key);
  assert.is(ours.length, ref.length, `${c.meta.name} ${key} length`);
  const bits = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < ref.length; i++) {
    const r = Math.fround(ref[i]);
    if (Number.isNaN(ours[i])) assert.is(bits[i], 0x7fc00000, `${c.meta.name} ${key}[${i}]: NaN bits 0x${bits[i].toString(16)}`);
    if (Number.isFinite(r)) { a.push(ours[i]); b.push(ref[i]); continue; }
    assert.ok(Object.is(ours[i], r), `${c.meta.name} ${key}[${i}]: ${ours[i]}, expected ${r}`);
  }
  const { err, scale } = maxDiff(a, b);
  const torchErr = c.meta.torch_err[key];
  assert.ok(torchErr !== undefined, `${c.meta.name}: no torch_err for ${key}`);
  const tol = 10 * Math.max(torchErr, scale * 2 ** -24);
  assert.ok(err <= tol, `${c.meta.name} ${key}: error ${err.toExponential(3)} > 10 × torch error ${torchErr.toExponential(3)} (tol ${tol.toExponential(3)})`);
}

/** The case's targets, passed the three ways the API takes them (number, Int32Array, Tensor). */
function targetsOf(c: Case): number | Int32Array | lib.Tensor {
  const shape = c.shape('targets'), t = c.i32('targets');
  if (shape.length === 0) return t[0];
  if (shape.length > 1 || c.meta.config.reduction === 'none') return tensor(Float32Array.from(t), shape);
  return t;
}

function run(c: Case, x: lib.Tensor): Outs {
  const k = c.meta.config;
  switch (k.op) {
    case 'exp': return { output: x.exp() };
    case 'log': return { output: x.log() };
    case 'softmax': return { output: x.softmax(k.dim) };
    case 'log_softmax': return { output: x.logSoftmax(k.dim) };
    case 'max_dim': { const r = x.max(k.dim, k.keepdim); return { values: r.values, indices: r[1] }; }
    case 'max_all': return { output: x.max() };
    case 'argmax': return { indices: x.argmax(k.dim ?? undefined, k.keepdim) };
    case 'topk': { const [values, indices] = x.topk(k.k, k.dim, k.largest); return { values, indices }; }
    case 'nll_loss': return { loss: nllLoss(x, targetsOf(c), { ignoreIndex: k.ignore_index, reduction: k.reduction }) };
    case 'cross_entropy':
      return { loss: crossEntropy(x, targetsOf(c), { ignoreIndex: k.ignore_index, labelSmoothing: k.label_smoothing, reduction: k.reduction }) };
    default: throw new Error(`unknown op ${k.op}`);
  }
}

/**
 * For "ties: unspecified" cases (topk along the last dim of a 2-D x): our indices by our rule —
 * larger first, equal values by lower index — and the gradient w.values scattered to them.
 */
function tieRule(c: Case, outs: Outs, x: lib.Tensor): void {
  const [R, C] = c.shape('x'), k = c.meta.config.k, xv = c.f32('x'), wv = c.f32('w.values');
  const idx = outs.indices.toFloat32Array(), dx = new Float32Array(R * C);
  for (let r = 0; r < R; r++) {
    const order = Array.from({ length: C }, (_, j) => j).sort((a, b) => xv[r * C + b] - xv[r * C + a] || a - b);
    for (let q = 0; q < k; q++) {
      assert.is(idx[r * k + q], order[q], `${c.meta.name} indices[${r}, ${q}]`);
      dx[r * C + order[q]] = wv[r * k + q];
    }
  }
  outs.values.mul(tensor(wv, c.shape('w.values'))).sum().backward();
  assert.equal(Array.from(x.grad!.toFloat32Array()), Array.from(dx), `${c.meta.name} grad.x`);
}

const cases = listCases('ops');
test('the ops vectors are there', () => { assert.ok(cases.length >= 70, `${cases.length} cases`); });

for (const path of cases) {
  const c = loadCase(path);
  test(`ops/${c.meta.name}`, () => {
    const x = T(c, 'x', true);
    const outs = run(c, x);
    if (c.meta.config.ties === 'unspecified') {
      check10x(c, 'values', outs.values.toFloat32Array());
      tieRule(c, outs, x);
      return;
    }
    let loss: lib.Tensor | null = null;
    for (const [key, o] of Object.entries(outs)) {
      if (c.has('torch.' + key) && !c.has('ref.' + key)) {     // indices: exact
        assert.equal(o.shape, c.shape('torch.' + key), `${key} shape`);
        assert.equal(Array.from(o.toFloat32Array()), Array.from(c.i32('torch.' + key)), `${c.meta.name} ${key}`);
        assert.is(o.requiresGrad, false, 'indices take no gradient');
        continue;
      }
      assert.equal(o.shape, c.shape('ref.' + key), `${key} shape`);
      check10x(c, key, o.toFloat32Array());
      const term = o.mul(tensor(c.f32('w.' + key), c.shape('w.' + key))).sum();
      loss = loss ? loss.add(term) : term;
    }
    if (c.has('ref.grad.x')) {
      assert.ok(loss, 'a float output');
      loss!.backward();
      check10x(c, 'grad.x', x.grad!.toFloat32Array());
    } else {
      assert.not.ok(loss, 'no float output without a reference gradient');
    }
  });
}

test.run();
