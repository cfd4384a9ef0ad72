// Embedding against PyTorch (test/vectors/models/emb_*.json, from test/gen_vectors_models.py): forward
// and the weight gradient (padding rows, repeated indices) within 10× PyTorch's own float32 error, for
// every form of indices; the init; the functional core embeddingLookup; every bad input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsEqual, lib, loadCase, T, within10x, rejects } from './helpers.js';
import { listCases, type Case } from './vectors.js';

const { Embedding, embeddingLookup, tensor, RnnError } = lib;

/** The case's indices as nested arrays. */
function nested(c: Case): lib.NestedArray {
  const idx = Array.from(c.i32('indices'));
  const shape = c.shape('indices');
  if (!shape.length) return idx[0];
  let k = 0;
  const build = (d: number): lib.NestedArray[] => Array.from({ length: shape[d] }, () => (d === shape.length - 1 ? idx[k++] : build(d + 1)));
  return build(0);
}

const cases = listCases('models').filter((p) => p.includes('/emb_'));
assert.ok(cases.length >= 6, 'embedding vectors present');

for (const path of cases) {
  const c = loadCase(path);
  const cfg = c.meta.config;
  const forms: [string, (m: lib.Embedding) => lib.Tensor][] = [
    ['nested arrays', (m) => m.forward(nested(c))],
    ['Int32Array + shape', (m) => m.forward(c.i32('indices'), c.shape('indices'))],
    ['number[] + shape', (m) => m.forward(Array.from(c.i32('indices')), c.shape('indices'))],
    ['Tensor of integral values', (m) => m.forward(tensor(Float32Array.from(c.i32('indices')), c.shape('indices')))],
  ];
  for (const [form, run] of forms) {
    test(`${c.meta.name} (${form}): output and weight gradient within 10x PyTorch`, () => {
      const m = new Embedding(cfg.num_embeddings, cfg.embedding_dim, { padding_idx: cfg.padding_idx });
      assert.is(String(m), c.meta.repr);
      assert.is(m.paddingIdx, c.meta.padding_idx_normalized);
      assert.equal(m.namedParameters().map(([k]) => k), c.meta.param_names);
      m.loadStateDict({ weight: T(c, 'param.weight') });
      const out = run(m);
      assert.equal(out.shape, [...c.shape('indices'), cfg.embedding_dim]);
      within10x(c, 'output', out.toFloat32Array());
      bitsEqual(out.toFloat32Array(), c.f32('torch.output'), 'output (a copy of rows: exact)');
      out.mul(T(c, 'w')).sum().backward();
      within10x(c, 'grad.weight', m.weight.grad!.toFloat32Array());
      if (m.paddingIdx !== null) {
        const g = m.weight.grad!.toFloat32Array(), D = cfg.embedding_dim;
        assert.ok(g.subarray(m.paddingIdx * D, (m.paddingIdx + 1) * D).every((v) => v === 0), 'no gradient into the padding row');
      }
    });
  }
}

test('gradients accumulate over two backward passes, and a frozen weight gets none', () => {
  lib.manualSeed(1);
  const m = new Embedding(5, 3);
  m.forward([1, 1, 4]).sum().backward();
  m.forward([[1], [0]]).sum().backward();
  assert.equal(Array.from(m.weight.grad!.toFloat32Array()), [1, 1, 1, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  const f = Embedding.fromPretrained(m.weight.detach());
  assert.is(f.weight.requiresGrad, false);
  const y = f.forward([2, 3]);
  assert.is(y.requiresGrad, false);
  bitsEqual(y.toFloat32Array(), m.weight.toFloat32Array().slice(6, 12), 'fromPretrained copies the rows');
  const g = Embedding.fromPretrained(m.weight.detach(), { freeze: false, padding_idx: 0 });
  assert.is(String(g), 'Embedding(5, 3, padding_idx=0)');
  bitsEqual(g.weight.toFloat32Array(), m.weight.toFloat32Array(), 'the padding row is kept as given');
  g.forward([0, 2, 0]).sum().backward();
  assert.equal(Array.from(g.weight.grad!.toFloat32Array()), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
});

test('init: N(0, 1) from the seeded generator, the padding row zero, reproducible', () => {
  lib.manualSeed(123);
  const a = new Embedding(400, 50, { paddingIdx: -1 });
  lib.manualSeed(123);
  const b = new Embedding(400, 50, { paddingIdx: 399 });
  bitsEqual(a.weight.toFloat32Array(), b.weight.toFloat32Array(), 'same seed, same weights');
  const v = a.weight.toFloat32Array();
  assert.ok(v.subarray(399 * 50).every((x) => x === 0), 'padding row zeroed');
  const body = v.subarray(0, 399 * 50);
  let s = 0, s2 = 0;
  for (const x of body) { s += x; s2 += x * x; }
  const mean = s / body.length, std = Math.sqrt(s2 / body.length - mean * mean);
  // 19,950 samples: the mean's standard error is 0.007, the std's about 0.005
  assert.ok(Math.abs(mean) < 0.04 && Math.abs(std - 1) < 0.03, `mean ${mean}, std ${std}`);
});

test('embeddingLookup: the functional core, autograd through a computed weight', () => {
  lib.manualSeed(2);
  const w = lib.randn([6, 4], { requiresGrad: true });
  const w2 = w.mul(2);                                  // not a leaf
  const y = embeddingLookup(w2, Int32Array.from([5, 0, 5, 3]), [2, 2], 5);
  assert.equal(y.shape, [2, 2, 4]);
  const rows = w2.toFloat32Array();
  bitsEqual(y.toFloat32Array(), Float32Array.from([...rows.slice(20, 24), ...rows.slice(0, 4), ...rows.slice(20, 24), ...rows.slice(12, 16)]), 'rows');
  y.sum().backward();
  // d/dw of sum(2 w[idx]) with row 5 (paddingIdx) excluded
  assert.equal(Array.from(w.grad!.toFloat32Array()), [2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
  const idx = Int32Array.from([1, 2]);
  const z = embeddingLookup(w, idx, [2]);
  idx[0] = 5;                                            // the caller's array may change: backward kept a copy
  z.sum().backward();
  assert.equal(Array.from(w.grad!.toFloat32Array().subarray(4, 12)), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(Array.from(w.grad!.toFloat32Array().subarray(20, 24)), [0, 0, 0, 0]);
});

test('empty indices give (0, D)', () => {
  const m = new Embedding(3, 2);
  const y = m.forward(new Int32Array(0), [0]);
  assert.equal(y.shape, [0, 2]);
  assert.equal(m.forward([]).shape, [0, 2]);
});


test('bad indices: RnnError naming the position and the range, before Wasm memory is touched; usable afterwards', () => {
  lib.manualSeed(4);
  const m = new Embedding(30, 4);
  const good = m.forward([[3, 1, 0], [2, 2, 5]]).toFloat32Array();
  rejects(() => m.forward([[3, 1, 0], [2, 2, 30]]), 'indices[1][2]: expected an integer in [0, 29] (numEmbeddings 30), got 30');
  rejects(() => m.forward([[3, -1, 0]]), 'indices[0][1]', 'got -1');
  rejects(() => m.forward([[3, 1.5, 0]]), 'indices[0][1]', 'an integer', 'got 1.5');
  rejects(() => m.forward([[3, NaN]]), 'indices[0][1]', 'got NaN');
  rejects(() => m.forward([[3, '2' as unknown as number]]), 'indices[0][1]', 'got "2"');
  rejects(() => m.forward(Int32Array.from([1, 2, 3, 31]), [2, 2]), 'indices[1][1]', 'got 31');
  const frac = tensor([[1, 2.25]]), t12 = tensor([1, 2]);
  rejects(() => m.forward(frac), 'indices[0][1]', 'got 2.25');
  rejects(() => m.forward(40), 'indices: expected an integer in [0, 29]', 'got 40');
  rejects(() => m.forward([[1, 2], [3]]), 'indices[1]', 'rectangular');
  rejects(() => m.forward([[1, 2], 3]), 'indices[1]', 'rectangular');
  rejects(() => m.forward(Int32Array.from([1, 2, 3]), [2, 2]), 'shape', '3 elements');
  rejects(() => m.forward('abc' as never), 'indices', 'integer indices');
  rejects(() => m.forward(t12, [2]), 'shape');
  rejects(() => embeddingLookup(m.weight, Int32Array.from([0, 30]), [2]), 'indices[1]', 'got 30');
  rejects(() => embeddingLookup(m.weight, [0, 1] as never, [2]), 'indices', 'Int32Array');
  rejects(() => embeddingLookup(t12, Int32Array.from([0]), [1]), 'weight', '2-D');
  rejects(() => embeddingLookup(m.weight, Int32Array.from([0]), [1], 30), 'paddingIdx');
  bitsEqual(m.forward([[3, 1, 0], [2, 2, 5]]).toFloat32Array(), good, 'same bits after the errors');
});

test('bad constructor arguments: RnnError before any allocation', () => {
  rejects(() => new Embedding(0, 4), 'numEmbeddings', 'got 0');
  rejects(() => new Embedding(4, 2.5), 'embeddingDim');
  rejects(() => new Embedding(10, 4, { paddingIdx: 10 }), 'paddingIdx', '[-10, 9]', 'got 10');
  rejects(() => new Embedding(10, 4, { padding_idx: -11 } as never), 'paddingIdx', 'got -11');
  rejects(() => new Embedding(10, 4, { paddingIdx: 1.5 }), 'paddingIdx');
  rejects(() => new Embedding(10, 4, { maxNorm: 1 } as never), 'unknown option "maxNorm"');
  const v = tensor([1, 2]), row = tensor([[1, 2]]);
  rejects(() => Embedding.fromPretrained(v), 'embeddings', '2-D');
  rejects(() => Embedding.fromPretrained(row, { paddingIdx: 1 }), 'paddingIdx');
  rejects(() => Embedding.fromPretrained(row, { freeze: 1 as never }), 'freeze');
  // the next construction is not a pretrained one
  lib.manualSeed(9);
  const a = new Embedding(2, 2);
  lib.manualSeed(9);
  bitsEqual(a.weight.toFloat32Array(), new Embedding(2, 2).weight.toFloat32Array(), 'init unaffected');
});

test.run();
