// ONNX import (wasm-rnn/onnx): every fixture of test/vectors/onnx (written by test/gen_onnx.py) runs in
// onnxruntime-node and, loaded with loadOnnx, through wasm-rnn's public API; outputs agree within 1e-5.
// Plus: malformed bytes and unsupported attributes give an RnnError naming what was expected and what came.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as onnx from '../dist/onnx.js';
import { lib, rejects } from './helpers.js';

const DIR = new URL('./vectors/onnx/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as {
  files: { file: string; input: string; shape: number[]; outputs: string[]; error: string[] | null; twin: string | null }[];
};
const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(f, DIR)));
const entry = (f: string) => manifest.files.find((e) => e.file === f)!;
const TOL = 1e-5;

/** The fixed input: smooth, in about [-1, 1], different in every position. */
function input(shape: number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + 0.3) * Math.cos(0.13 * i));
}

async function runOrt(file: string, name: string, x: Float32Array, shape: number[]): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytesOf(file), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  return s.run({ [name]: new ort.Tensor('float32', x, shape) });
}

/** Row-major permutation of a plain array: out.shape[i] = shape[perm[i]]. */
function permute(data: ArrayLike<number>, shape: number[], perm: number[]): Float32Array {
  const st = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const os = perm.map((p) => shape[p]);
  const out = new Float32Array(data.length);
  const idx = new Array(os.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let d = 0; d < os.length; d++) src += idx[d] * st[perm[d]];
    out[k] = data[src];
    for (let d = os.length - 1; d >= 0; d--) { if (++idx[d] < os[d]) break; idx[d] = 0; }
  }
  return out;
}

/** Reverses axis `axis` (time). */
function flip(data: ArrayLike<number>, shape: number[], axis: number): Float32Array {
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1), n = shape[axis];
  const outer = data.length / (inner * n);
  const out = new Float32Array(data.length);
  for (let o = 0; o < outer; o++) for (let t = 0; t < n; t++) {
    for (let i = 0; i < inner; i++) out[(o * n + t) * inner + i] = data[(o * n + (n - 1 - t)) * inner + i];
  }
  return out;
}

function close(ours: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
  assert.is(ours.length, ref.length, `${what}: length`);
  let err = 0;
  for (let i = 0; i < ref.length; i++) { const d = Math.abs(ours[i] - ref[i]); if (!(d <= err)) err = Number.isNaN(d) ? Infinity : d; }
  assert.ok(err <= TOL, `${what}: max |wasm-rnn − onnxruntime| = ${err.toExponential(3)} > ${TOL}`);
}

const f32 = (t: lib.Tensor) => t.toFloat32Array();

// ------------------------------------------------------------------ PyTorch exports (graph I/O = PyTorch's)

test('nn.RNN tanh, 2 layers: per-layer modules, and one stacked module, match onnxruntime', async () => {
  const e = entry('rnn_tanh_2layer.onnx');
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.is(model.layers.length, 2);
  assert.ok(model.modules.every((m) => m instanceof lib.RNN));
  assert.equal(model.layers.map((l) => [l.node.opType, l.node.hiddenSize, l.node.inputSize, l.reverse]), [['RNN', 5, 3, false], ['RNN', 5, 5, false]]);
  assert.is(model.stacks.length, 1, 'the two nodes chain (Squeeze between them)');
  const st = model.stacked as lib.RNN;
  assert.ok(st instanceof lib.RNN);
  assert.is(st.numLayers, 2);
  assert.equal(Object.keys(st.stateDict()), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
  const x = lib.tensor(xs, e.shape);
  const [y, h] = st.forward(x);
  close(f32(y), ref.y.data as Float32Array, 'stacked y');
  close(f32(h), ref.h.data as Float32Array, 'stacked h');
  const [m0, m1] = model.modules as lib.RNN[];
  const [y0, h0] = m0.forward(x);
  const [y1, h1] = m1.forward(y0);
  close(f32(y1), ref.y.data as Float32Array, 'layer-by-layer y');
  close(f32(lib.cat([h0, h1], 0)), ref.h.data as Float32Array, 'layer-by-layer h');
});

test('nn.LSTM bidirectional, 2 layers: Y, Y_h, Y_c match onnxruntime', async () => {
  const e = entry('lstm_bidir.onnx');
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.equal(model.layers.map((l) => l.node.direction), ['bidirectional', 'bidirectional']);
  assert.is(model.stacks.length, 1, 'Transpose + Reshape between the nodes');
  const st = model.stacked as lib.LSTM;
  assert.ok(st instanceof lib.LSTM);
  assert.is(st.numLayers, 2);
  assert.ok(st.bidirectional);
  assert.ok('weight_hh_l1_reverse' in st.stateDict());
  const x = lib.tensor(xs, e.shape);
  const [y, [h, c]] = st.forward(x);
  close(f32(y), ref.y.data as Float32Array, 'y');
  close(f32(h), ref.h.data as Float32Array, 'h');
  close(f32(c), ref.c.data as Float32Array, 'c');
  const [m0, m1] = model.modules as lib.LSTM[];
  const [y0, [h0, c0]] = m0.forward(x);
  const [y1, [h1, c1]] = m1.forward(y0);
  close(f32(y1), ref.y.data as Float32Array, 'layer-by-layer y');
  close(f32(lib.cat([h0, h1], 0)), ref.h.data as Float32Array, 'layer-by-layer h');
  close(f32(lib.cat([c0, c1], 0)), ref.c.data as Float32Array, 'layer-by-layer c');
});

test('nn.GRU (linear_before_reset = 1): matches onnxruntime', async () => {
  const e = entry('gru.onnx');
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.is(model.layers[0].node.linearBeforeReset, 1);
  assert.ok(model.modules[0] instanceof lib.GRU);
  assert.is(model.stacked, model.modules[0], 'one node: the stacked module is that module');
  const [y, h] = (model.modules[0] as lib.GRU).forward(lib.tensor(xs, e.shape));
  close(f32(y), ref.y.data as Float32Array, 'y');
  close(f32(h), ref.h.data as Float32Array, 'h');
});

test('nn.GRU batch_first, no bias, 2 layers (Transposes around the nodes): matches onnxruntime', async () => {
  const e = entry('gru_batchfirst_nobias.onnx');
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  assert.equal(model.layers.map((l) => l.node.B), [null, null]);
  const st = model.stacked as lib.GRU;
  assert.ok(!st.bias && st.numLayers === 2 && !st.batchFirst, 'the nodes are time-major; the graph transposes');
  const [B, T, I] = e.shape;
  const [y, h] = st.forward(lib.tensor(xs, e.shape).transpose(0, 1));
  close(permute(f32(y), [T, B, 3], [1, 0, 2]), ref.y.data as Float32Array, 'y');
  close(f32(h), ref.h.data as Float32Array, 'h');
  assert.is(I, 4);
});

test('nn.RNN relu bidirectional: nonlinearity from activations', async () => {
  const e = entry('rnn_relu_bidir.onnx');
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const m = onnx.loadOnnx(bytesOf(e.file), lib).modules[0] as lib.RNN;
  assert.is(m.nonlinearity, 'relu');
  assert.ok(m.bidirectional);
  const [y, h] = m.forward(lib.tensor(xs, e.shape));
  close(f32(y), ref.y.data as Float32Array, 'y');
  close(f32(h), ref.h.data as Float32Array, 'h');
});

// ------------------------------------------------------------------ single hand-written nodes (graph I/O = ONNX's)

/** Runs a one-node file in both and compares Y [T, D, B, H], Y_h (and Y_c) with output (T, B, D·H), hN (, cN). */
async function oneNode(file: string, opts: { reverse?: boolean } = {}): Promise<onnx.OnnxModel> {
  const e = entry(file);
  const xs = input(e.shape);
  const ref = await runOrt(e.file, e.input, xs, e.shape);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  const layer = model.layers[0];
  assert.is(layer.reverse, !!opts.reverse, 'reverse flag');
  const [T, B] = e.shape;
  const D = layer.node.numDirections, H = layer.node.hiddenSize;
  const xin = opts.reverse ? flip(xs, e.shape, 0) : xs;
  const res = (layer.module as any).forward(lib.tensor(xin, e.shape));
  const y = opts.reverse ? flip(f32(res[0]), [T, B, D * H], 0) : f32(res[0]);
  close(y, permute(ref.Y.data as Float32Array, [T, D, B, H], [0, 2, 1, 3]), `${file} Y`);
  const [h, c] = Array.isArray(res[1]) ? res[1] : [res[1], null];
  close(f32(h), ref.Y_h.data as Float32Array, `${file} Y_h`);
  if (c) close(f32(c), ref.Y_c.data as Float32Array, `${file} Y_c`);
  return model;
}

test('direction "reverse" (LSTM, relu RNN): a forward module plus reverse = true, run on the flipped sequence', async () => {
  const m = await oneNode('lstm_reverse.onnx', { reverse: true });
  assert.is(m.stacked, null, 'a reverse node is not a PyTorch module by itself');
  assert.equal(Object.keys(m.modules[0].stateDict()).filter((k) => k.includes('reverse')), [], 'its weights are the module\'s forward direction');
  await oneNode('rnn_reverse.onnx', { reverse: true });
});

test('LSTM with explicit all-zero peepholes and explicit default activations', async () => {
  const m = await oneNode('lstm_zero_peephole.onnx');
  assert.equal(m.layers[0].node.activations, ['Sigmoid', 'Tanh', 'Tanh']);
  assert.ok(m.layers[0].node.P !== null);
});

test('layout = 1 → batchFirst (onnxruntime runs the layout-0 twin: it rejects layout 1)', async () => {
  const e = entry('gru_layout1.onnx');
  const [B, T, I] = e.shape;
  const xs = input(e.shape);
  const ref = await runOrt(e.twin!, 'X', permute(xs, e.shape, [1, 0, 2]), [T, B, I]);
  const model = onnx.loadOnnx(bytesOf(e.file), lib);
  const m = model.modules[0] as lib.GRU;
  assert.ok(m.batchFirst && m.bidirectional);
  assert.is(model.layers[0].node.layout, 1);
  const H = m.hiddenSize;
  const [y, h] = m.forward(lib.tensor(xs, e.shape));          // (B, T, 2H)
  close(f32(y), permute(ref.Y.data as Float32Array, [T, 2, B, H], [2, 0, 1, 3]), 'Y');
  close(f32(h), ref.Y_h.data as Float32Array, 'Y_h');
  // the twin's weights are the same: same state dict
  const twin = onnx.loadOnnx(bytesOf(e.twin!), lib).modules[0];
  const a = m.stateDict(), b = twin.stateDict();
  for (const k of Object.keys(a)) assert.equal(f32(a[k]), f32(b[k]), k);
});

test('GRU linear_before_reset = 0 → GRU { resetAfter: false } (uni- and bidirectional)', async () => {
  const m = await oneNode('gru_lbr0.onnx');
  assert.is(m.layers[0].node.linearBeforeReset, 0);
  assert.is((m.modules[0] as lib.GRU).resetAfter, false);
  assert.is((onnx.loadOnnx(bytesOf('gru.onnx'), lib).modules[0] as lib.GRU).resetAfter, true);
  await oneNode('gru_lbr0_bidir.onnx');
});

// ------------------------------------------------------------------ what is rejected


test('unsupported attributes and inputs: clip, peepholes, input_forget, activations, run-time weights', () => {
  const bad = manifest.files.filter((f) => f.error);
  assert.ok(bad.length >= 6);
  for (const f of bad) {
    const msg = rejects(() => onnx.loadOnnx(bytesOf(f.file), lib), 'expected', ...f.error!);
    assert.ok(/node "/.test(msg), `${f.file}: names the node: ${msg}`);
  }
});

test('not ONNX: empty, wrong type, WebAssembly, JSON, a safetensors header, a graph without recurrent nodes', () => {
  rejects(() => onnx.loadOnnx(new Uint8Array(0), lib), 'bytes', 'ONNX model', '0 bytes');
  rejects(() => onnx.loadOnnx('model.onnx' as any, lib), 'bytes', 'Uint8Array', '"model.onnx"');
  rejects(() => onnx.loadOnnx(readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url)) as Uint8Array, lib), 'ONNX model', 'WebAssembly module');
  rejects(() => onnx.loadOnnx(new TextEncoder().encode('{"weight": [1, 2]}'), lib), 'ONNX model', 'text starting with');
  rejects(() => onnx.loadOnnx(new TextEncoder().encode('hello world, not a model'), lib), 'bytes', 'ONNX');
  const st = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22, 0x7d]);
  rejects(() => onnx.loadOnnx(st, lib), 'safetensors');
  // a valid ModelProto whose graph has only an Identity node
  const s = (n: number, str: string) => [n << 3 | 2, str.length, ...new TextEncoder().encode(str)];
  const nodeB = [...s(1, 'a'), ...s(2, 'b'), ...s(4, 'Identity')];
  const graph = [1 << 3 | 2, nodeB.length, ...nodeB];
  const bytes = new Uint8Array([8, 8, 7 << 3 | 2, graph.length, ...graph]);
  assert.equal(onnx.parseOnnx(bytes).opTypes, ['Identity']);
  rejects(() => onnx.loadOnnx(bytes, lib), 'RNN, LSTM or GRU node', 'Identity');
  // no library passed: the only RnnError at hand is the onnx bundle's own (same name and message form)
  let err: unknown = null;
  try { onnx.loadOnnx(bytesOf('gru.onnx'), null as any); } catch (e) { err = e; }
  assert.ok(err instanceof onnx.RnnError && (err as Error).name === 'RnnError', String(err));
  assert.match((err as Error).message, /^lib: expected the wasm-rnn namespace .*, got null$/);
});

test('loadOnnx accepts an ArrayBuffer, a Uint8Array view at an odd offset, and a Node Buffer (whose slice is a view)', () => {
  const b = bytesOf('gru.onnx');
  const padded = new Uint8Array(b.length + 3);
  padded.set(b, 3);
  const ref = onnx.loadOnnx(padded.slice(3).buffer, lib).modules[0].stateDict();
  const raw = onnx.parseOnnx(b).nodes[0].W.data;
  assert.equal(f32(ref.weight_ih_l0).subarray(4 * 3, 8 * 3), raw.subarray(0, 4 * 3), 'PyTorch z (block 1) = ONNX z (block 0)');
  for (const src of [padded.subarray(3), readFileSync(new URL('gru.onnx', DIR)), Buffer.concat([Buffer.alloc(5), readFileSync(new URL('gru.onnx', DIR))]).subarray(5)]) {
    const sd = onnx.loadOnnx(src, lib).modules[0].stateDict();
    for (const k of Object.keys(ref)) assert.equal(f32(sd[k]), f32(ref[k]), `${src.constructor.name} ${k}`);
  }
  assert.is(onnx.parseOnnx(readFileSync(new URL('lstm_clip.onnx', DIR))).nodes[0].clip, 1.5);
});

test('truncated protobuf: every cut inside the graph is an RnnError naming the truncation', () => {
  const b = bytesOf('lstm_bidir.onnx');
  let truncated = 0;
  for (let n = 1; n < b.length; n++) {
    let err: unknown = null;
    try { onnx.parseOnnx(b.subarray(0, n), lib); } catch (e) { err = e; }
    // a cut that falls between top-level fields after the graph leaves a smaller valid message
    if (err === null) { assert.ok(n > b.length - 16, `cut at ${n} of ${b.length} parsed`); continue; }
    assert.ok(err instanceof lib.RnnError, `cut at ${n}: ${err}`);
    if (/truncated/.test((err as Error).message)) truncated++;
  }
  assert.ok(truncated > b.length * 0.9, `${truncated} of ${b.length - 1} cuts say "truncated"`);
  rejects(() => onnx.loadOnnx(b.subarray(0, b.length >> 1), lib), 'truncated');
});

test('corrupted bytes: only RnnError, never another exception (seeded byte flips)', () => {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
  for (const file of ['rnn_tanh_2layer.onnx', 'gru_lbr0.onnx', 'lstm_reverse.onnx']) {
    const b = bytesOf(file);
    for (let k = 0; k < 400; k++) {
      const c = b.slice();
      for (let j = 0; j < 1 + (k % 3); j++) c[Math.floor(rnd() * c.length)] = Math.floor(rnd() * 256);
      try { onnx.parseOnnx(c, lib); } catch (e) { assert.ok(e instanceof lib.RnnError, `${file} #${k}: ${e}`); }
    }
  }
});

test('the parsed node: ONNX attributes with defaults, weights as stored', () => {
  const g = onnx.parseOnnx(bytesOf('lstm_bidir.onnx'));
  assert.is(g.opsetVersion, 14);
  assert.equal(g.inputs, ['x']);
  assert.equal(g.outputs, ['y', 'h', 'c']);
  const n = g.nodes[0];
  assert.is(n.opType, 'LSTM');
  assert.equal([n.direction, n.numDirections, n.hiddenSize, n.inputSize, n.layout, n.clip], ['bidirectional', 2, 4, 3, 0, null]);
  assert.equal(n.activations, ['Sigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'Tanh', 'Tanh']);
  assert.equal(n.W.dims, [2, 16, 3]);
  assert.equal(n.R.dims, [2, 16, 4]);
  assert.equal(n.B!.dims, [2, 32]);
  assert.is(n.W.data.length, 96);
  assert.is(g.nodes[1].inputSize, 8);
  // gate reordering: PyTorch's weight_ih_l0 row blocks i, f, g, o = ONNX's blocks 0, 2, 3, 1
  const sd = onnx.onnxStateDict(n, lib);
  const wih = f32(sd.weight_ih_l0), H = 4, I = 3;
  [0, 2, 3, 1].forEach((g, k) => assert.equal(wih.subarray(k * H * I, (k + 1) * H * I), n.W.data.subarray(g * H * I, (g + 1) * H * I), `gate ${k}`));
  const rev = f32(sd.bias_hh_l0_reverse), B = n.B!.data.subarray(32 + 16, 64);
  [0, 2, 3, 1].forEach((g, k) => assert.equal(rev.subarray(k * H, (k + 1) * H), B.subarray(g * H, (g + 1) * H), `reverse b_hh gate ${k}`));
});

test('works with wasm-rnn/slim too: modules and errors belong to whichever library is passed', async () => {
  // a separate copy of the library (its own module state), to show the modules come from the one passed
  const slim = await import('../dist/slim.js?separate-copy' as string) as typeof import('../dist/slim.js');
  slim.initSync(readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url)));
  const e = entry('lstm_bidir.onnx');
  const xs = input(e.shape);
  const a = onnx.loadOnnx(bytesOf(e.file), slim).stacked as InstanceType<typeof slim.LSTM>;
  const b = onnx.loadOnnx(bytesOf(e.file), lib).stacked as lib.LSTM;
  assert.ok(a instanceof slim.LSTM);
  assert.ok(!((a as object) instanceof lib.LSTM), 'a module of the copy passed in');
  assert.equal(a.forward(slim.tensor(xs, e.shape))[0].toFloat32Array(), f32(b.forward(lib.tensor(xs, e.shape))[0]), 'same bits');
  let err: unknown = null;
  try { onnx.loadOnnx(bytesOf('lstm_clip.onnx'), slim); } catch (x) { err = x; }
  assert.ok(err instanceof slim.RnnError, String(err));
  assert.ok(err instanceof lib.RnnError, 'instanceof RnnError holds across bundles');
});

test('dist/onnx.js holds no Wasm module state of its own (its modules come from the library passed in)', () => {
  const src = readFileSync(new URL('../dist/onnx.js', import.meta.url), 'utf8');
  for (const s of ['WebAssembly.instantiate', 'WebAssembly.Instance', 'new WebAssembly.Module', 'rng_uniform']) {
    assert.not.ok(src.includes(s), `dist/onnx.js contains ${s}`);
  }
  assert.ok(src.length < 160 << 10, `dist/onnx.js is ${src.length} bytes (readable, unminified)`);
});

test.run();
