// Sequential against PyTorch (test/vectors/models/, from test/gen_vectors_models.py): whole models built
// with the public constructors, PyTorch's state_dict loaded by name, logits, loss and every parameter
// gradient within 10× PyTorch's own float32 error; a 20-step Adam run following PyTorch's loss; the
// container itself (names, repr, indexing, how tuples pass, errors).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';

/** fn must throw an RnnError with every fragment (the modules it builds allocate: no heap check). */
function rejects(fn: () => unknown, ...fragments: string[]): void {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof lib.RnnError, `expected RnnError, got ${err}`);
  for (const f of fragments) assert.ok((err as Error).message.includes(f), `message "${(err as Error).message}" lacks "${f}"`);
}
import type { Case } from './vectors.js';

const { Sequential, Embedding, LSTM, GRU, RNN, Linear, Dropout, Module, RnnError, crossEntropy, tensor } = lib;

/** The case's indices as nested arrays. */
function nested(c: Case, name = 'indices'): lib.NestedArray {
  const idx = Array.from(c.i32(name));
  const shape = c.shape(name);
  let k = 0;
  const build = (d: number): lib.NestedArray[] => Array.from({ length: shape[d] }, () => (d === shape.length - 1 ? idx[k++] : build(d + 1)));
  return build(0);
}

/** The models of the vectors, built as a user would from PyTorch's constructor calls. */
export const MODELS: Record<string, () => lib.Sequential> = {
  seq_emb_lstm2_linear: () => new Sequential(new Embedding(30, 16, { padding_idx: 0 }), new LSTM(16, 32, { numLayers: 2, dropout: 0.1 }), new Linear(32, 4)),
  seq_emb_gru_bidir_bf_linear: () => new Sequential(new Embedding(20, 8), new GRU(8, 12, { batchFirst: true, bidirectional: true }), new Linear(24, 5)),
  seq_emb_rnn_dropout_linear: () => new Sequential(new Embedding(15, 6, { paddingIdx: -1 }), new RNN(6, 10, { numLayers: 2, nonlinearity: 'relu' }), new Dropout(0.3), new Linear(10, 3)),
  seq_emb_lstm_proj_linear: () => new Sequential([new Embedding(11, 5, { paddingIdx: 2 }), new LSTM(5, 9, { projSize: 4, batchFirst: true }), new Linear(4, 6, { bias: false })]),
};

for (const name of Object.keys(MODELS)) {
  test(`${name}: PyTorch's state_dict by name; logits, loss and every parameter gradient within 10x PyTorch`, () => {
    const c = loadCase(`models/${name}`);
    const model = MODELS[name]();
    assert.is(String(model), c.meta.repr);
    assert.equal(model.namedParameters().map(([k]) => k), c.meta.param_names);
    assert.equal(model.loadStateDict(stateDict(c)), { missingKeys: [], unexpectedKeys: [] });
    model.eval();
    const logits = model.forward(nested(c)) as lib.Tensor;
    assert.equal(logits.shape, c.shape('torch.logits'));
    within10x(c, 'logits', logits.toFloat32Array());
    const loss = crossEntropy(logits.reshape(-1, c.meta.classes), Array.from(c.i32('labels')));
    within10x(c, 'loss', [loss.item()]);
    loss.backward();
    for (const [k, p] of model.namedParameters()) within10x(c, 'grad.' + k, p.grad!.toFloat32Array());
  });
}

test('Embedding → GRU → Linear: 20 Adam steps follow PyTorch\'s loss within 1e-4 per step', () => {
  const c = loadCase('models/train_emb_gru_linear');
  const V = c.meta.vocab;
  const model = new Sequential(new Embedding(V, 8), new GRU(8, 16, { batchFirst: true }), new Linear(16, V));
  assert.is(String(model), c.meta.repr);
  model.loadStateDict(stateDict(c));
  const opt = new lib.Adam(model.parameters(), { lr: c.meta.lr });
  const idx = c.i32('indices'), shape = c.shape('indices'), targets = Array.from(c.i32('targets'));
  const losses: number[] = [];
  for (let s = 0; s < c.meta.steps; s++) {
    const loss = crossEntropy(model.forward(tensor(Float32Array.from(idx), shape)).reshape(-1, V), targets);
    opt.zeroGrad(); loss.backward(); opt.step();
    losses.push(loss.item());
  }
  const want = c.f64('losses');
  const worst = Math.max(...losses.map((l, i) => Math.abs(l - want[i])));
  assert.ok(worst <= 1e-4, `max loss deviation ${worst}`);
  assert.ok(losses[losses.length - 1] < losses[0] - 0.1, 'the loss went down');
  for (const [k, p] of model.namedParameters()) {
    const ref = c.f64('ref.final.param.' + k), v = p.toFloat32Array();
    let err = 0;
    for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i] - ref[i]));
    assert.ok(err <= 1e-5, `final ${k}: ${err}`);
  }
});

test('a frozen pretrained Embedding: the optimizer takes every parameter, trains the rest, leaves it unchanged', () => {
  lib.manualSeed(12);
  const emb = Embedding.fromPretrained(lib.randn([10, 4]));
  const model = new Sequential(emb, new GRU(4, 6), new Linear(6, 10));
  const before = emb.weight.toFloat32Array(), fc0 = (model.get(2) as lib.Linear).weight.toFloat32Array();
  const opt = new lib.Adam(model.parameters(), { lr: 0.05 });   // PyTorch accepts frozen parameters too
  const idx = [[1, 2], [3, 4], [5, 6]];
  for (let s = 0; s < 3; s++) {
    const loss = crossEntropy(model.forward(idx).reshape(-1, 10), [1, 2, 3, 4, 5, 6]);
    opt.zeroGrad(); loss.backward(); opt.step();
  }
  assert.is(emb.weight.grad, null);
  assert.equal(emb.weight.toFloat32Array(), before);
  assert.ok((model.get(2) as lib.Linear).weight.toFloat32Array().some((v, i) => v !== fc0[i]), 'the Linear trained');
});

test('names, repr, length, get, iteration, nesting', () => {
  const a = new Linear(3, 4), b = new Dropout(0.2), inner = new Sequential(new Linear(4, 4), new Linear(4, 2));
  const s = new Sequential(a, b, inner);
  assert.is(s.length, 3);
  assert.is(s.get(0), a);
  assert.is(s.get(-1), inner);
  assert.equal([...s], [a, b, inner]);
  assert.equal(Object.keys(s.stateDict()), ['0.weight', '0.bias', '2.0.weight', '2.0.bias', '2.1.weight', '2.1.bias']);
  assert.is(String(s), [
    'Sequential(',
    '  (0): Linear(in_features=3, out_features=4, bias=True)',
    '  (1): Dropout(p=0.2, inplace=False)',
    '  (2): Sequential(',
    '    (0): Linear(in_features=4, out_features=4, bias=True)',
    '    (1): Linear(in_features=4, out_features=2, bias=True)',
    '  )',
    ')',
  ].join('\n'));
  assert.is(String(new Sequential()), 'Sequential()');
  const x = lib.randn([5, 3]);
  s.eval();
  assert.equal(s.forward(x).toFloat32Array(), inner.forward(a.forward(x)).toFloat32Array());
  assert.is(new Sequential().forward(x), x);
  assert.is(s.get(1).training, false, 'eval() reaches the children');
});

test('a recurrent module last returns its tuple; a user module gets the tuple unchanged', () => {
  lib.manualSeed(3);
  const lstm = new LSTM(4, 5);
  const x = lib.randn([6, 2, 4]);
  const [out, [h, c]] = new Sequential(lstm).forward(x);
  assert.equal([out.shape, h.shape, c.shape], [[6, 2, 5], [1, 2, 5], [1, 2, 5]]);
  class LastStep extends Module {
    got: unknown = null;
    override forward(t: [lib.Tensor, [lib.Tensor, lib.Tensor]]): lib.Tensor { this.got = t; return t[1][0].select(0, -1); }
  }
  const last = new LastStep();
  const y = new Sequential(lstm, last, new Linear(5, 3)).forward(x);
  assert.ok(Array.isArray(last.got) && (last.got as unknown[]).length === 2, 'the tuple, unchanged');
  assert.equal(y.shape, [2, 3]);
  // a GRU after an LSTM gets the LSTM's output sequence
  const gru = new GRU(5, 3);
  const [o2] = new Sequential(lstm, gru).forward(x);
  assert.equal(o2.toFloat32Array(), gru.forward(lstm.forward(x)[0])[0].toFloat32Array());
});


test('errors: a tuple into an Embedding (at construction, or from a user module at forward), bad modules, indexing', () => {
  rejects(() => new Sequential(new Embedding(5, 4), new LSTM(4, 4), new Embedding(5, 4)),
    'Sequential: module (2) Embedding expected integer indices', "module (1) LSTM's tuple");
  class Pair extends Module { override forward(x: lib.Tensor) { return [x, x]; } }
  const s = new Sequential(new Pair(), new Embedding(5, 4));
  const before = lib.memoryStats().liveBytes;
  rejects(() => s.forward(lib.zeros([2])), 'module (1) Embedding expected integer indices', 'module (0) Pair returned');
  assert.ok(lib.memoryStats().liveBytes <= before + 64, 'nothing kept');
  rejects(() => new Sequential(new Linear(2, 2), 3 as never), 'modules[1]: expected a Module, got 3');
  rejects(() => new Sequential(new Linear(2, 2)).get(1), 'index', '[-1, 0]', 'got 1');
  rejects(() => new Sequential().get(0), 'index');
  rejects(() => new Sequential(new lib.ModuleList([new Linear(2, 2)])).forward(lib.zeros([2])), 'ModuleList', 'has no forward()');
  // usable afterwards
  assert.equal(new Sequential(new Embedding(5, 2)).forward([1]).shape, [1, 2]);
});

test.run();
