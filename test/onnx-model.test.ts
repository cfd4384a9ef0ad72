// Whole-model ONNX import (loadOnnx(bytes, wasmRnn).model / .initializers): every graph of
// test/vectors/onnx/models (torch.onnx.export of Embedding → RNN/LSTM/GRU → Linear (→ Softmax) text
// models, written by test/gen_onnx_models.py) runs in onnxruntime-node and through model.forward, in
// the graph's own layout; outputs agree within 1e-5. Plus: the modules' state dict is PyTorch's,
// initializers, and one test per operator or attribute the importer rejects.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as onnx from '../dist/onnx.js';
import * as fb from './filebuild.js';
import { bitsEqual, lib } from './helpers.js';

const DIR = new URL('./vectors/onnx/models/', import.meta.url);
interface Entry {
  file: string; input: string; dtype: 'int64' | 'float32'; shapes: number[][]; outputs: string[]; opset: number; ops: string[];
  state_dict: Record<string, [number[], number, number]>; initializers: [string, number[], number][];
  note: string; base?: string; error?: string[];
}
const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as { files: Entry[] };
const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(f, DIR)));
const entry = (f: string): Entry => manifest.files.find((e) => e.file === f)!;
/** Every graph run with its one input (the sequence_lens variants have a second). */
const exports = manifest.files.filter((e) => !e.error && !e.file.includes('_lens'));
const TOL = 1e-5;
const VOCAB = 20;

const sessions = new Map<string, ort.InferenceSession>();
async function runOrt(file: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  let s = sessions.get(file);
  if (!s) sessions.set(file, (s = await ort.InferenceSession.create(bytesOf(file), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' })));
  return s.run(feeds);
}

/** Fixed test inputs: indices cycling through the vocabulary, or a smooth float signal. */
const indices = (n: number, vocab = VOCAB): number[] => Array.from({ length: n }, (_, i) => (i * 7 + 3) % vocab);
const floats = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + 0.3) * Math.cos(0.13 * i));
const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** idx (flat, row-major) as nested arrays of `shape`. */
function nest(flat: number[], shape: number[]): unknown {
  if (shape.length === 1) return flat.slice();
  const step = count(shape.slice(1));
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
}

function close(ours: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  assert.is(ours.length, ref.length, `${what}: length`);
  let err = 0;
  for (let i = 0; i < ref.length; i++) { const d = Math.abs(ours[i] - ref[i]); if (!(d <= err)) err = Number.isNaN(d) ? Infinity : d; }
  assert.ok(err <= TOL, `${what}: max |wasm-rnn − onnxruntime| = ${err.toExponential(3)} > ${TOL}`);
}

const outputsOf = (y: unknown): lib.Tensor[] => (Array.isArray(y) ? y : [y]) as lib.Tensor[];
const f32 = (t: lib.Tensor) => t.toFloat32Array();

/** Runs one exported graph in both on `shape`; the int input given in the form `form`. */
async function compare(e: Entry, model: onnx.OnnxGraphModule, shape: number[], form: 'typed' | 'nested' | 'tensor' | 'bigint', extra: Record<string, ort.Tensor> = {}, extraArgs: unknown[] = []): Promise<void> {
  const n = count(shape);
  let feed: ort.Tensor, y: unknown;
  if (e.dtype === 'int64') {
    const idx = indices(n);
    feed = new ort.Tensor('int64', BigInt64Array.from(idx, BigInt), shape);
    const arg = form === 'typed' ? [Int32Array.from(idx), shape] : form === 'nested' ? [nest(idx, shape)]
      : form === 'bigint' ? [BigInt64Array.from(idx, BigInt), shape] : [lib.tensor(idx, shape)];
    y = model.forward(...arg, ...extraArgs);
  } else {
    const x = floats(n);
    feed = new ort.Tensor('float32', x, shape);
    y = model.forward(form === 'nested' ? lib.tensor(x, shape).toArray() : lib.tensor(x, shape), ...extraArgs);
  }
  const ref = await runOrt(e.file, { [e.input]: feed, ...extra });
  const outs = outputsOf(y);
  assert.is(outs.length, e.outputs.length, `${e.file}: one Tensor per graph output`);
  assert.is(Array.isArray(y), e.outputs.length > 1, `${e.file}: an array only for several outputs`);
  e.outputs.forEach((o, k) => {
    assert.equal(outs[k].shape, ref[o].dims.map(Number), `${e.file} ${o} ${shape}: shape (the graph's own layout)`);
    close(f32(outs[k]), ref[o].data as Float32Array, `${e.file} ${o} ${shape}`);
  });
}

// ------------------------------------------------------------------ every export equals onnxruntime

/** float64 sum and weighted sum (weights 1..7 cycling) of a tensor's values, as the generator computes them. */
function signature(t: lib.Tensor): [number, number] {
  const v = f32(t);
  let s = 0, w = 0;
  for (let i = 0; i < v.length; i++) { s += v[i]; w += v[i] * ((i % 7) + 1); }
  return [s, w];
}

/** model.stateDict() has the PyTorch model's keys (in its order), shapes and values. */
function checkStateDict(e: Entry, model: onnx.OnnxGraphModule): void {
  const sd = model.stateDict();
  assert.equal(Object.keys(sd), Object.keys(e.state_dict), `${e.file}: keys in PyTorch's order`);
  for (const [k, [shape, sum, wsum]] of Object.entries(e.state_dict)) {
    assert.equal(sd[k].shape, shape, `${e.file} ${k}: shape`);
    const [s, w] = signature(sd[k]);
    assert.ok(Math.abs(s - sum) <= 1e-5 * (1 + Math.abs(sum)) && Math.abs(w - wsum) <= 1e-5 * (1 + Math.abs(wsum)), `${e.file} ${k}: values (sum ${s} vs ${sum}, weighted ${w} vs ${wsum})`);
  }
  assert.is(model.parameters().length, Object.keys(e.state_dict).length);
}

test('every exported graph (Embedding → RNN/LSTM/GRU → Linear (→ Softmax/LogSoftmax), layouts, 1-3 layers, directions, opsets 9-17): model.forward = onnxruntime within 1e-5; stateDict() = PyTorch\'s state_dict', async () => {
  assert.ok(exports.length >= 55, `${exports.length} exports`);
  const forms = ['typed', 'nested', 'tensor', 'bigint'] as const;
  let k = 0;
  for (const e of exports) {
    const { model } = onnx.loadOnnx(bytesOf(e.file), lib);
    assert.ok(model instanceof lib.Module, `${e.file}: a Module`);
    for (const shape of e.shapes) await compare(e, model!, shape, forms[k++ % forms.length]);
    checkStateDict(e, model!);
  }
});

test('the issue-13 model: batch_first export fed batch-first input, graph ops as written by PyTorch 1.13 at opset 14', async () => {
  const e = entry('issue13_lstm.onnx');
  assert.equal(e.ops, ['Add', 'Concat', 'Constant', 'ConstantOfShape', 'Gather', 'LSTM', 'MatMul', 'Reshape', 'Shape', 'Slice', 'Squeeze', 'Transpose', 'Unsqueeze'].filter((o) => e.ops.includes(o)));
  const { model, stacked, graph } = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.is(graph.opsetVersion, 14);
  assert.equal(model!.inputs, [{ name: 'x', dtype: 'int64', shape: ['d0', 'd1'] }]);
  assert.equal(model!.outputs, ['y']);
  await compare(e, model!, [3, 5], 'nested');
  await compare(e, model!, [1, 9], 'typed');
  // the recurrent nodes alone are time-major: PyTorch's export transposes around them. `stacked` is
  // that node-level module; `model` runs the Transposes too
  assert.ok(!(stacked as lib.LSTM).batchFirst);
  const y = model!.forward([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]) as lib.Tensor;
  assert.equal(y.shape, [2, 5, 4], '(batch, time, classes), as the graph returns it');
});

test('several outputs (logits, h_n, c_n) come back as an array in graph order', async () => {
  const e = entry('lstm_l2_bidir_all.onnx');
  const { model } = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.equal(model!.outputs, ['y', 'h_n', 'c_n']);
  const [y, h, c] = model!.forward(Int32Array.from(indices(15)), [5, 3]) as lib.Tensor[];
  assert.equal([y.shape, h.shape, c.shape], [[5, 3, 3], [4, 3, 5], [4, 3, 5]]);
  await compare(e, model!, [2, 4], 'typed');
});

test('sequence_lens on every layer (batch-first GRU, bidirectional LSTM): = onnxruntime; lengths are PyTorch\'s packed semantics', async () => {
  for (const [file, shape, lens] of [['gru_l2_bf_lens.onnx', [3, 5], [5, 2, 4]], ['lstm_l2_bidir_all_lens.onnx', [5, 3], [1, 5, 3]]] as const) {
    const e = entry(file);
    const { model } = onnx.loadOnnx(bytesOf(file), lib);
    assert.equal(model!.inputs.map((i) => [i.name, i.dtype]), [['x', 'int64'], ['lens', 'int32']]);
    await compare(e, model!, [...shape], 'typed', { lens: new ort.Tensor('int32', Int32Array.from(lens), [3]) }, [[...lens]]);
    // and the lengths matter: full lengths give other numbers
    const full = outputsOf(model!.forward(Int32Array.from(indices(15)), [...shape], [5, 5, 5]))[0];
    const some = outputsOf(model!.forward(Int32Array.from(indices(15)), [...shape], [...lens]))[0];
    assert.not.equal(f32(full), f32(some), `${file}: lengths used`);
  }
});

test('hand-made single nodes (reverse, layout = 1, linear_before_reset = 0, zero peepholes) and the older exports: model.forward = onnxruntime', async () => {
  const old = JSON.parse(readFileSync(new URL('../manifest.json', DIR), 'utf8')).files as { file: string; input: string; shape: number[]; outputs: string[]; error: string[] | null; twin: string | null }[];
  const ODIR = new URL('../', DIR);
  let n = 0;
  for (const e of old) {
    if (e.error) continue;
    const bytes = new Uint8Array(readFileSync(new URL(e.file, ODIR)));
    const { model } = onnx.loadOnnx(bytes, lib);
    const x = floats(count(e.shape));
    const outs = outputsOf(model!.forward(lib.tensor(x, e.shape)));
    let ref: Record<string, ort.Tensor>;
    const s = await ort.InferenceSession.create(new Uint8Array(readFileSync(new URL(e.twin ?? e.file, ODIR))));
    if (!e.twin) ref = await s.run({ [e.input]: new ort.Tensor('float32', x, e.shape) });
    else {
      // onnxruntime rejects layout = 1: its layout-0 twin gets the transposed input, and its outputs are transposed back
      const [B, T, I] = e.shape;
      const xt = lib.tensor(x, e.shape).transpose(0, 1);
      const r = await s.run({ X: new ort.Tensor('float32', f32(xt), [T, B, I]) });
      const [, D, , H] = r.Y.dims.map(Number);
      ref = {
        Y: new ort.Tensor('float32', f32(lib.tensor(r.Y.data as Float32Array, [T, D, B, H]).permute(2, 0, 1, 3)), [B, T, D, H]),
        Y_h: new ort.Tensor('float32', f32(lib.tensor(r.Y_h.data as Float32Array, [D, B, H]).transpose(0, 1)), [B, D, H]),
      };
    }
    e.outputs.forEach((o, k) => {
      assert.equal(outs[k].shape, ref[o].dims.map(Number), `${e.file} ${o}: shape`);
      close(f32(outs[k]), ref[o].data as Float32Array, `${e.file} ${o}`);
    });
    n++;
  }
  assert.ok(n >= 10, `${n} files`);
});

// ------------------------------------------------------------------ modules, state dict, initializers

test('module names follow the PyTorch module path (nested modules), and the repr lists them', () => {
  const nested = onnx.loadOnnx(bytesOf('nested_gru.onnx'), lib).model!;
  assert.equal(nested.namedChildren().map(([k]) => k), ['encoder.emb', 'encoder.rnn', 'head']);
  assert.match(String(nested), /^OnnxGraphModule\(\n  inputs=x, outputs=y\n  \(encoder\.emb\): Embedding\(20, 6\)\n  \(encoder\.rnn\): GRU\(6, 5, num_layers=2\)\n  \(head\): Linear\(in_features=5, out_features=3, bias=True\)\n\)$/);
});

test('a model built from another export\'s state dict computes what that export computes (loadStateDict round trip), and model.eval()/train() reach the children', () => {
  const a = onnx.loadOnnx(bytesOf('lstm_l2_bidir_bf_softmax_opset9.onnx'), lib).model!;
  const b = onnx.loadOnnx(bytesOf('lstm_l2_bidir_bf_softmax.onnx'), lib).model!;
  const x = Int32Array.from(indices(12));
  const ya = f32(a.forward(x, [3, 4]) as lib.Tensor), yb = f32(b.forward(x, [3, 4]) as lib.Tensor);
  assert.not.equal(ya, yb, 'different weights (seeded by file name)');
  b.loadStateDict(a.stateDict());
  bitsEqual(f32(b.forward(x, [3, 4]) as lib.Tensor), ya, 'after loadStateDict');
  assert.ok(b.modules().every((m) => !m.training), 'eval mode, like the exported model');
  b.train();
  assert.ok(b.modules().every((m) => m.training));
});

test('the same numbers and gradients as Sequential(Embedding, LSTM, Linear) loaded with model.stateDict() (time-major export, bits)', () => {
  const { model } = onnx.loadOnnx(bytesOf('lstm_l2_bidir.onnx'), lib);
  const sd = model!.stateDict();
  const seq = new lib.Sequential(new lib.Embedding(VOCAB, 6), new lib.LSTM(6, 5, { numLayers: 2, bidirectional: true }), new lib.Linear(10, 3));
  const renamed: Record<string, lib.Tensor> = {};
  for (const [k, v] of Object.entries(sd)) renamed[k.replace(/^emb\./, '0.').replace(/^rnn\./, '1.').replace(/^fc\./, '2.')] = v;
  seq.loadStateDict(renamed);
  seq.eval();
  const idx = nest(indices(12), [4, 3]);
  const y = model!.forward(idx) as lib.Tensor, z = seq.forward(idx) as lib.Tensor;
  bitsEqual(f32(y), f32(z), 'logits');
  y.sum().backward();
  z.sum().backward();
  const ps = model!.namedParameters(), qs = seq.namedParameters();
  assert.is(ps.length, qs.length);
  ps.forEach(([k, p], i) => {
    assert.ok(p.grad, `${k} has a gradient`);
    bitsEqual(f32(p.grad!), f32(qs[i][1].grad!), `d ${k}`);
  });
});

test('initializers: every initializer by name, the values stored (the MatMul weight is fc.weight transposed)', () => {
  const e = entry('issue13_lstm.onnx');
  const { initializers, model, graph } = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.ok(initializers instanceof Map);
  assert.equal([...initializers.keys()], e.initializers.map(([n]) => n));
  for (const [name, dims] of e.initializers) assert.equal(initializers.get(name)!.shape, dims, name);
  const sd = model!.stateDict();
  bitsEqual(f32(initializers.get('emb.weight')!), f32(sd['emb.weight']), 'emb.weight');
  bitsEqual(f32(initializers.get('fc.bias')!), f32(sd['fc.bias']), 'fc.bias');
  const mm = e.initializers.find(([n]) => n.startsWith('onnx::MatMul'))![0];
  bitsEqual(f32(initializers.get(mm)!), f32(sd['fc.weight'].transpose(0, 1)), `${mm} = fc.weight transposed`);
  const W = graph.nodes[1].W;
  bitsEqual(f32(initializers.get(W.name)!), W.data, `${W.name}: ONNX gate order, as stored`);
  // integer initializers (shape constants folded by the exporter) come as float32 values
  const ints = entry('lstm_l2_hlast_opset9.onnx').initializers.filter(([, , t]) => t === 7);
  const init9 = onnx.loadOnnx(bytesOf('lstm_l2_hlast_opset9.onnx'), lib).initializers;
  for (const [name, dims] of ints) assert.equal(init9.get(name)!.shape, dims, name);
});

test('Linear without bias (MatMul alone), an MLP head (Linear → Tanh → Linear), a Gemm head on the last step', () => {
  const a = onnx.loadOnnx(bytesOf('rnn_l1_nobias_fc.onnx'), lib).model!;
  assert.equal(Object.keys(a.stateDict()).filter((k) => k.startsWith('fc')), ['fc.weight']);
  const b = onnx.loadOnnx(bytesOf('gru_l2_bidir_mlp.onnx'), lib).model!;
  assert.equal(b.namedChildren().map(([k, m]) => `${k}: ${String(m).split('(')[0]}`), ['emb: Embedding', 'rnn: GRU', 'fc1: Linear', 'fc: Linear']);
  const c = onnx.loadOnnx(bytesOf('lstm_l2_bf_last.onnx'), lib);
  assert.ok(entry('lstm_l2_bf_last.onnx').ops.includes('Gemm'));
  assert.equal(c.model!.namedChildren().map(([k]) => k), ['emb', 'rnn', 'fc']);
  assert.equal((c.model!.forward(Int32Array.from(indices(10)), [2, 5]) as lib.Tensor).shape, [2, 3]);
});

// ------------------------------------------------------------------ input errors

/** fn must throw the library's RnnError with every fragment in its message. */
function throwsRnn(fn: () => unknown, ...fragments: string[]): string {
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof lib.RnnError, `expected the library's RnnError, got ${err}`);
  const msg = (err as Error).message;
  for (const f of fragments) assert.ok(msg.includes(f), `message "${msg}" lacks "${f}"`);
  return msg;
}

test('forward: bad inputs are RnnErrors naming the input or the node (fixed sizes, indices out of range, argument count)', () => {
  const stat = onnx.loadOnnx(bytesOf('gru_l2_bf_static.onnx'), lib).model!;
  throwsRnn(() => stat.forward(Int32Array.from(indices(8)), [2, 4]), 'graph input "x"', 'shape [3, 5]', 'dynamic_axes', 'got shape [2, 4]');
  const m = onnx.loadOnnx(bytesOf('issue13_lstm.onnx'), lib).model!;
  throwsRnn(() => m.forward([[1, 2, 30]]), 'Gather node "/emb/Gather"', 'indices[0][2]', '[0, 29]', 'got 30');
  throwsRnn(() => m.forward([[1, 2.5]]), 'graph input "x"', 'an integer', '2.5');
  throwsRnn(() => m.forward([[1, 2], [3]]), 'rectangular');
  throwsRnn(() => m.forward([[1, 2]], 'extra'), 'forward', '1 input ("x")', '2 arguments');
  throwsRnn(() => m.forward(), 'forward', '1 input', '0 arguments');
  throwsRnn(() => m.forward('text'), 'integer indices');
  const f = onnx.loadOnnx(bytesOf('lstm_linear_bf.onnx'), lib).model!;
  throwsRnn(() => f.forward(lib.zeros([2, 5, 4])), 'graph input "x"', 'got shape [2, 5, 4]');
  // the library is still usable
  assert.equal((m.forward([[1, 2]]) as lib.Tensor).shape, [1, 2, 4]);
});

// ------------------------------------------------------------------ what is rejected: one test per operator / attribute

/** The file must be refused at load time with an RnnError naming the node and the attribute, before any Wasm memory is used. */
function rejected(file: string): void {
  const e = entry(file);
  const before = lib.memoryStats().liveBytes;
  const msg = throwsRnn(() => onnx.loadOnnx(bytesOf(file), lib), 'expected', ...e.error!);
  assert.ok(/node "[^"]+"/.test(msg), `${file}: names the node: ${msg}`);
  assert.is(lib.memoryStats().liveBytes, before, 'no Wasm memory touched');
}

for (const e of manifest.files.filter((f) => f.error)) {
  test(`rejected: ${e.note} (${e.file.replace('rejected/', '')})`, () => rejected(e.file));
}

test('malformed graphs: op types and attributes named like Object members, cycles, undefined or twice-defined values, are RnnErrors naming the node', () => {
  const rnn = (x: string, y: string, name = 'r') => fb.onnxNode({ op: 'RNN', inputs: [x, 'W', 'R'], outputs: [y], name, attrs: [fb.attrInt('hidden_size', 1)] });
  const inits = [fb.onnxTensor('W', [1, 1, 1], [0.5]), fb.onnxTensor('R', [1, 1, 1], [0.25])];
  const model = (nodes: ReturnType<typeof fb.onnxNode>[], outputs = ['o']) => fb.onnxModel(nodes, inits, ['x'], outputs);
  const load = (b: Uint8Array) => () => onnx.loadOnnx(b, lib);
  for (const op of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    throwsRnn(load(model([rnn('x', 'y'), fb.onnxNode({ op, inputs: ['y'], outputs: ['o'], name: 'bad' })])), `${op} node "bad": operator`, `got "${op}"`);
  }
  for (const a of ['__proto__', 'constructor']) {
    throwsRnn(load(model([rnn('x', 'y'), fb.onnxNode({ op: 'Identity', inputs: ['y'], outputs: ['o'], name: 'id', attrs: [fb.attrInt(a, 1)] })])), 'Identity node "id"', `attribute "${a}"`);
  }
  throwsRnn(load(model([rnn('x', 'y'), fb.onnxNode({ op: 'Identity', inputs: ['o'], outputs: ['p'] }), fb.onnxNode({ op: 'Identity', inputs: ['p'], outputs: ['o'] })])), 'an acyclic graph', 'a cycle through Identity node');
  throwsRnn(load(model([rnn('x', 'y'), fb.onnxNode({ op: 'Add', inputs: ['y', 'nowhere'], outputs: ['o'], name: 'add' })])), 'Add node "add": input "nowhere"', 'defined nowhere');
  throwsRnn(load(model([rnn('x', 'o'), fb.onnxNode({ op: 'Identity', inputs: ['x'], outputs: ['o'], name: 'again' })])), 'Identity node "again": output "o"', 'defined twice');
  // a node no output depends on is not run, and not checked
  assert.ok(onnx.loadOnnx(model([rnn('x', 'o'), fb.onnxNode({ op: 'Hardmax', inputs: ['x'], outputs: ['unused'] })]), lib).model);
  // a graph input without a type: floats into the RNN (the file declares no shape: any shape goes)
  const m = onnx.loadOnnx(model([rnn('x', 'o')]), lib).model!;
  assert.equal(m.inputs, [{ name: 'x', dtype: 'float32', shape: null }]);
  assert.equal((m.forward(lib.ones([4, 2, 1])) as lib.Tensor).shape, [4, 1, 2, 1]);
});

test('{ model: false }: only the recurrent nodes (operators around them are not checked); bad options and a library without Embedding/Linear', () => {
  const r = onnx.loadOnnx(bytesOf('rejected/unsupported_op.onnx'), lib, { model: false });
  assert.is(r.model, null);
  assert.ok(r.modules[0] instanceof lib.GRU);
  assert.ok(r.initializers.has('emb.weight'));
  throwsRnn(() => onnx.loadOnnx(bytesOf('gru_l1.onnx'), lib, { model: 1 } as any), 'options.model', 'a boolean');
  throwsRnn(() => onnx.loadOnnx(bytesOf('gru_l1.onnx'), lib, { modle: false } as any), 'options', 'unknown option "modle"');
  const partial = { ...lib, Embedding: undefined, Linear: undefined } as any;
  throwsRnn(() => onnx.loadOnnx(bytesOf('gru_l1.onnx'), partial), 'lib', 'without Embedding, Linear', '{ model: false }');
  assert.is(onnx.loadOnnx(bytesOf('gru_l1.onnx'), partial, { model: false }).model, null);
});

test('model.dispose() frees its modules and constants; memory of a forward is transient', () => {
  const before = lib.memoryStats().liveBytes;
  const { model, initializers, modules } = onnx.loadOnnx(bytesOf('gru_l2_bf_static.onnx'), lib);
  lib.noGrad(() => model!.forward(Int32Array.from(indices(15)), [3, 5]));
  model!.dispose();
  for (const m of modules) m.dispose();
  for (const t of initializers.values()) t.dispose();
  assert.ok(lib.memoryStats().liveBytes - before < 64 << 10, `${lib.memoryStats().liveBytes - before} bytes left`);
});

test.run();
