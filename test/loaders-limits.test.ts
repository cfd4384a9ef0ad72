// Loaders under hostile or odd files (issue 12 items 4 and 5, issue 15's teaching errors): every
// documented limit is an RnnError naming the limit and the value; names like __proto__ stay keys;
// a BOM header is refused as Python's safetensors refuses it; a TF.js model.json that leaves options
// out predicts what TF.js 4.22 predicts for it; narrow() errors as torch.narrow does; a .pt / pickle /
// HDF5 / ONNX / JSON file given to loadSafetensors says what it is.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as onnx from '../dist/onnx.js';
import * as fb from './filebuild.js';
import { bitsEqual, lib, maxDiff, rejects } from './helpers.js';

const { loadSafetensors, saveSafetensors, safetensorsHeader, loadLayersModelFromJSON, RnnError } = lib;
await tf.setBackend('cpu');


const f32bytes = (a: number[]) => new Uint8Array(Float32Array.from(a).buffer);
/** Frees what a test made (other test files in this process measure the Wasm heap). */
function free(...xs: unknown[]): void {
  for (const x of xs) {
    if (x instanceof lib.Tensor || x instanceof lib.Module || x instanceof lib.KerasSequential) x.dispose();
    else if (x && typeof x === 'object') for (const v of Object.values(x)) if (v instanceof lib.Tensor) v.dispose();
  }
}
const vec = (name: string) => new Uint8Array(readFileSync(new URL(`./vectors/${name}`, import.meta.url)));

// ------------------------------------------------------------------ show(): bounded whatever comes

test('error messages stay short and never overflow: 100,000-deep JSON, a million items, a 1 MB name', () => {
  const deep = JSON.parse(fb.deepJson(100_000));
  // a TF.js config whose unknown option is 100,000 levels deep (an object, so no text scan first)
  const msg = rejects(() => loadLayersModelFromJSON({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { units: 1, foo: deep } }] } }, weightsManifest: [] }),
    'foo', '[[[[');
  assert.ok(msg.length < 400, msg);
  // the same depth inside a safetensors entry: refused by the scan before JSON.parse
  rejects(() => safetensorsHeader(fb.safetensorsFile(null, undefined, `{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":${fb.deepJson(100_000)}}}`)),
    'safetensors header', 'at most 64 levels');
  // a million-item shape, a 1 MB tensor name
  const m = rejects(() => safetensorsHeader(fb.safetensorsFile({ t: { dtype: 'F32', shape: new Array(1_000_000).fill(1), data_offsets: [0, 4] } }, f32bytes([1]))),
    'shape', '64 dimensions', '1,000,000');
  assert.ok(m.length < 300, m);
  const long = 'w'.repeat(1 << 20);
  const m2 = rejects(() => safetensorsHeader(fb.safetensorsFile({ [long]: { dtype: 'Q7', shape: [], data_offsets: [0, 0] } })), 'dtype', '(1048576 characters)');
  assert.ok(m2.length < 600, `${m2.length} characters`);
  // a revoked proxy or a throwing getter as an argument: still an RnnError
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  rejects(() => loadSafetensors(proxy as never), 'bytes');
  const t2 = lib.tensor([1, 2]);
  rejects(() => t2.narrow(0, { valueOf() { throw new Error('x'); } } as never, 1), 'start');
  free(t2);
});

// ------------------------------------------------------------------ safetensors

test('safetensors limits: tensors, JSON depth, rank, dimensions past 32 bits (empty tensors included)', () => {
  rejects(() => safetensorsHeader(fb.safetensorsMany(65_537)), 'at most 65,536 tensors', '65,537');
  const ok = loadSafetensors(fb.safetensorsMany(3000, false));
  assert.is(Object.keys(ok).length, 3000);
  assert.equal(Array.from(ok.t2999.toFloat32Array()), [2999 / 8]);
  free(ok);
  // depth 64 is fine, 65 is not
  const nest = (d: number) => `{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":${fb.deepJson(d - 2)}}}`;
  assert.equal(Object.keys(safetensorsHeader(fb.safetensorsFile(null, undefined, nest(64))).tensors), ['t']);
  rejects(() => safetensorsHeader(fb.safetensorsFile(null, undefined, nest(65))), 'at most 64 levels');
  // a "[" inside a string does not count
  assert.equal(Object.keys(safetensorsHeader(fb.safetensorsFile({ ['['.repeat(100) + '"\\']: { dtype: 'F32', shape: [0], data_offsets: [0, 0] } })).tensors).length, 1);
  const empty = (shape: number[]) => fb.safetensorsFile({ t: { dtype: 'F32', shape, data_offsets: [0, 0] } });
  rejects(() => safetensorsHeader(empty(new Array(65).fill(0))), 'at most 64 dimensions', '65');
  assert.equal(safetensorsHeader(empty(new Array(64).fill(0))).tensors.t.shape.length, 64);
  rejects(() => safetensorsHeader(empty([0, 2 ** 31])), 'shape[1]', 'at most 2,147,483,647 elements', '2,147,483,648');
  rejects(() => safetensorsHeader(empty([0, 65536, 65536])), 'product of the non-zero dimensions');
  assert.equal(safetensorsHeader(empty([0, 46340, 46340])).tensors.t.shape, [0, 46340, 46340]);
  // the header-length limit, with the value found
  const big = new Uint8Array(16);
  new DataView(big.buffer).setUint32(0, 100_000_001, true);
  rejects(() => safetensorsHeader(big), 'at most 100,000,000 bytes', '100000001');
});

test('safetensors: a tensor named __proto__ / constructor / hasOwnProperty is a key like any other, and round-trips', () => {
  const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'w'];
  const header: Record<string, unknown> = {};
  names.forEach((n, i) => Object.defineProperty(header, n, { value: { dtype: 'F32', shape: [1], data_offsets: [4 * i, 4 * i + 4] }, enumerable: true }));
  const file = fb.safetensorsFile(header, f32bytes([1, 2, 3, 4, 5]));
  const sd = loadSafetensors(file);
  assert.is(Object.getPrototypeOf(sd), null, 'a null-prototype object');
  assert.equal(Object.keys(sd), names);
  names.forEach((n, i) => {
    assert.ok(Object.prototype.hasOwnProperty.call(sd, n) && sd[n] instanceof lib.Tensor, n);
    assert.equal(Array.from(sd[n].toFloat32Array()), [i + 1], n);
  });
  const h = safetensorsHeader(file);
  assert.is(Object.getPrototypeOf(h.tensors), null);
  assert.equal(h.tensors.__proto__.dataOffsets, [0, 4]);
  // saved and loaded back: nothing dropped (save_file sorts names by code point)
  const back = loadSafetensors(saveSafetensors(sd, { __proto__x: 'a' }));
  assert.equal(Object.keys(back).sort(), [...names].sort());
  assert.equal(Array.from(back.__proto__.toFloat32Array()), [1]);
  free(sd, back);
  // metadata keys from the file, too
  const meta: Record<string, unknown> = { t: { dtype: 'F32', shape: [0], data_offsets: [0, 0] } };
  Object.defineProperty(meta, '__metadata__', { value: JSON.parse('{"__proto__": "x", "constructor": "y"}'), enumerable: true });
  const md = safetensorsHeader(fb.safetensorsFile(meta)).metadata!;
  assert.equal(Object.keys(md), ['__proto__', 'constructor']);
  assert.is(md.__proto__, 'x');
});

test('Module.loadStateDict reads own keys only: inherited names are missing, __proto__ / constructor are unexpected', () => {
  const lin = new lib.Linear(2, 1);
  const sd = lin.stateDict();
  rejects(() => lin.loadStateDict(Object.create(sd)), 'missing', 'weight', 'bias');
  const extra = JSON.parse('{"__proto__": [1], "constructor": [2]}');
  Object.assign(extra, { weight: [[1, 2]], bias: [3] });
  rejects(() => lin.loadStateDict(extra), 'unexpected', '__proto__', 'constructor');
  const r = lin.loadStateDict(extra, { strict: false });
  assert.equal(r.unexpectedKeys, ['__proto__', 'constructor']);
  assert.equal(Array.from(lin.weight.toFloat32Array()), [1, 2]);
  // nested arrays: checked against the shape without recursion; a 100,000-deep array is an RnnError
  rejects(() => lin.loadStateDict({ weight: JSON.parse(fb.deepJson(100_000)), bias: [0] }), 'stateDict["weight"]', 'shape [1, 2]');
  rejects(() => lin.loadStateDict({ weight: [[1, '2']], bias: [0] } as never), 'stateDict["weight"]', 'numbers');
  rejects(() => lin.loadStateDict({ weight: [[1], [2]], bias: [0] }), 'stateDict["weight"]', 'shape [1, 2]');
  rejects(() => lin.loadStateDict({ weight: new BigInt64Array(2) as never, bias: [0] }), 'stateDict["weight"]', 'typed array of numbers');
  assert.equal(Array.from(lin.weight.toFloat32Array()), [1, 2], 'nothing written by the refused loads');
  lin.loadStateDict({ weight: new Float64Array([5, 6]), bias: [[7]].flat() });
  assert.equal([...lin.weight.toFloat32Array(), ...lin.bias!.toFloat32Array()], [5, 6, 7]);
  free(lin, sd);
});

test('safetensors: a header starting with a UTF-8 byte-order mark is refused (as Python\'s and Rust\'s safetensors do)', () => {
  const good = fb.safetensorsFile({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32bytes([1]));
  free(loadSafetensors(good));
  const raw = '\ufeff{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  rejects(() => loadSafetensors(fb.safetensorsFile(null, f32bytes([1]), raw)), "starting with '{'", 'byte-order mark');
  rejects(() => loadSafetensors(fb.safetensorsFile(null, f32bytes([1]), ' {"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}')), "starting with '{'", '20 7b');
});

test('loadSafetensors given another format says what it is and how to write safetensors', () => {
  const hint = 'from safetensors.torch import save_file';
  rejects(() => loadSafetensors(vec('loaders/linear_zip.pt')), 'ZIP archive', 'PyTorch .pt', hint);
  rejects(() => loadSafetensors(vec('loaders/linear_legacy.pt')), 'pickle', 'torch.save', hint);
  rejects(() => loadSafetensors(vec('onnx/gru.onnx')), 'ONNX model', 'loadOnnx');
  rejects(() => loadSafetensors(new TextEncoder().encode('{"format": "layers-model", "modelTopology": {}}')), 'JSON text', 'loadLayersModelFromJSON');
  const h5 = new Uint8Array(64);
  h5.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  rejects(() => loadSafetensors(h5), 'HDF5', 'Keras .h5', 'tensorflowjs_converter');
  // and loadOnnx knows the pickle and HDF5 signatures too
  rejects(() => onnx.loadOnnx(vec('loaders/linear_legacy.pt'), lib), 'pickle', 'torch.onnx.export');
  rejects(() => onnx.loadOnnx(h5, lib), 'HDF5');
});

// ------------------------------------------------------------------ ONNX

test('ONNX limits: recurrent nodes, graph nodes, dims past 32 bits, input_size 0, the protobuf field count', () => {
  rejects(() => onnx.parseOnnx(fb.onnxManyNodes(1025, 'GRU', 1, 1, 1, true), lib), 'ONNX graph', 'at most 1,024 RNN, LSTM and GRU nodes', '1,025');
  const many = fb.onnxModel(new Array(100_001).fill(fb.onnxNode({ op: 'Identity', inputs: ['x'], outputs: ['o'] })), [], ['x'], []);
  rejects(() => onnx.parseOnnx(many, lib), 'at most 100,000 nodes', '100,001');
  const withW = (dims: number[], data: number[]) => fb.onnxModel(
    [fb.onnxNode({ op: 'RNN', inputs: ['x', 'W', 'R'], outputs: ['y'], attrs: [fb.attrInt('hidden_size', 1)] })],
    [fb.onnxTensor('W', dims, data), fb.onnxTensor('R', [1, 1, 1], [0.5])], ['x'], ['y']);
  rejects(() => onnx.parseOnnx(withW([1, 0, 2 ** 40], []), lib), 'tensor "W"', 'at most 2,147,483,647');
  rejects(() => onnx.parseOnnx(withW([1, 1, 0], []), lib), 'input_size', '>= 1', '[1, 1, 0]');
  rejects(() => onnx.parseOnnx(withW([1, 1, -1], []), lib), 'non-negative integer dimensions');
  assert.is(onnx.parseOnnx(withW([1, 1, 2], [1, 2]), lib).nodes[0].inputSize, 2);
  // 600 nodes sharing one LSTM(64, 64)'s weights: a 140 kB file asking for 20M parameters
  const shared = fb.onnxManyNodes(600, 'LSTM', 1, 64, 64, true);
  assert.ok(shared.length < 200_000);
  rejects(() => onnx.loadOnnx(shared, lib), 'parameters in the modules built', '16,777,216', '19,968,000');
  assert.is(onnx.parseOnnx(shared, lib).nodes.length, 600, 'parsing alone is fine (one decoded copy)');
  // 2^22 + 1 fields in one message (unknown ones, 3 bytes each): refused while reading
  const n = 2 ** 22 + 1, junk = new Uint8Array(3 * n + 2);
  for (let i = 0; i < n; i++) junk.set([0xf8, 0x01, 0x01], 3 * i);
  junk.set([0x08, 0x08], 3 * n);
  rejects(() => onnx.parseOnnx(junk, lib), 'at most 4,194,304 protobuf fields');
});

test('ONNX: a chain of 200 LSTM nodes groups into one stack in one pass; shared initializers decode once', () => {
  const m = onnx.loadOnnx(fb.onnxChain(200), lib);
  assert.is(m.layers.length, 200);
  assert.is(m.stacks.length, 1);
  assert.is(m.stacks[0].nodes.length, 200);
  const st = m.stacked as lib.LSTM;
  assert.is(st.numLayers, 200);
  // the stacked module is the chain: its output equals feeding each node's module the previous output
  const x = lib.tensor(Float32Array.from({ length: 4 * 3 }, (_, i) => Math.sin(i)), [4, 1, 3]);
  let y = x;
  for (const l of m.layers) { const next = (l.module as lib.LSTM).forward(y)[0]; if (y !== x) y.dispose(); y = next; }
  const ys = st.forward(x)[0];
  bitsEqual(ys.toFloat32Array(), y.toFloat32Array(), 'stacked vs chained');
  free(x, y, ys, ...m.modules, st);
  // 300 nodes reading one W/R/B: one decoded copy shared by all nodes
  const g = onnx.parseOnnx(fb.onnxManyNodes(300, 'LSTM', 2, 2, 3, true), lib);
  assert.ok(g.nodes.every((nd) => nd.W.data === g.nodes[0].W.data));
  // two nodes fed by one: only the first joins its chain
  const branch = fb.onnxModel([
    fb.onnxNode({ op: 'RNN', inputs: ['x', 'W0', 'R'], outputs: ['Y0'], name: 'a', attrs: [fb.attrInt('hidden_size', 1)] }),
    fb.onnxNode({ op: 'Squeeze', inputs: ['Y0'], outputs: ['S0'] }),
    fb.onnxNode({ op: 'RNN', inputs: ['S0', 'W1', 'R'], outputs: ['Y1'], name: 'b', attrs: [fb.attrInt('hidden_size', 1)] }),
    fb.onnxNode({ op: 'RNN', inputs: ['S0', 'W1', 'R'], outputs: ['Y2'], name: 'c', attrs: [fb.attrInt('hidden_size', 1)] }),
  ], [fb.onnxTensor('W0', [1, 1, 2], [0.1, 0.2]), fb.onnxTensor('W1', [1, 1, 1], [0.3]), fb.onnxTensor('R', [1, 1, 1], [0.4])], ['x'], ['Y1', 'Y2']);
  const mb = onnx.loadOnnx(branch, lib);
  assert.equal(mb.stacks.map((s) => s.nodes.map((nd) => nd.name)), [['a', 'b'], ['c']]);
  free(...mb.modules);
});

// ------------------------------------------------------------------ TF.js model.json

test('TF.js limits: more than 10,000 layers, JSON text nested past 64 levels, a wrapper in a wrapper', () => {
  const d = fb.tfjsDenseStack(10_001, 1);
  rejects(() => loadLayersModelFromJSON(d.json, d.data), 'at most 10,000 layers', '10,001');
  rejects(() => loadLayersModelFromJSON(`{"modelTopology": ${fb.deepJson(70, 'object')}}`), 'modelJson', 'at most 64 levels');
  let inner: Record<string, unknown> = { class_name: 'LSTM', config: { units: 1 } };
  for (let i = 0; i < 50_000; i++) inner = { class_name: 'Bidirectional', config: { layer: inner } };
  rejects(() => loadLayersModelFromJSON({ modelTopology: { class_name: 'Sequential', config: { layers: [inner] } }, weightsManifest: [] }),
    'layers[0].config.layer', 'SimpleRNN, LSTM or GRU', '"Bidirectional"');
  const dup = fb.tfjsDenseStack(3, 1);
  for (const l of (dup.json.modelTopology as any).config.layers) l.config.name = 'same';
  rejects(() => loadLayersModelFromJSON(dup.json, dup.data), 'unique layer names', '"same"');
});

let seed = 3;
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return ((seed / 2 ** 32) * 2 - 1) * 0.9; };

/**
 * A model.json as a hand-written (or older-tool) file may have it: options left out, or null. Loaded
 * by TF.js itself (tf.io.fromMemory) with weights set, and by loadLayersModelFromJSON with the same
 * bytes: the predictions must agree.
 */
async function parity(layersCfg: unknown[], inShape: number[]): Promise<void> {
  const topo = { class_name: 'Sequential', config: { name: 'm', layers: layersCfg } };
  const tm = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(topo)) }));
  const ws = tm.getWeights().map((w) => Float32Array.from({ length: w.size }, rnd));
  tm.setWeights(ws.map((a, i) => tf.tensor(a, tm.getWeights()[i].shape)));
  const specs = tm.weights.map((w, i) => ({ name: w.originalName, shape: tm.getWeights()[i].shape, dtype: 'float32' }));
  const data = new Uint8Array(ws.reduce((n, a) => n + a.byteLength, 0));
  let at = 0;
  for (const a of ws) { data.set(new Uint8Array(a.buffer), at); at += a.byteLength; }
  const ours = loadLayersModelFromJSON(JSON.stringify({ modelTopology: topo, weightsManifest: [{ paths: ['w.bin'], weights: specs }] }), data);
  const x = Float32Array.from({ length: inShape.reduce((a, b) => a * b, 1) }, rnd);
  const ty = tm.predict(tf.tensor(x, inShape)) as tf.Tensor;
  const ox = lib.tensor(x, inShape), oy = ours.predict(ox);
  assert.equal(oy.shape, ty.shape);
  const { err } = maxDiff(oy.toFloat32Array(), ty.dataSync());
  free(ox, oy, ours);
  tm.dispose();
  assert.ok(err <= 1e-5, `max |wasm-rnn − TF.js| = ${err}`);
}

test("a TF.js model.json that leaves out recurrent_activation, reset_after, merge_mode loads with TF.js's defaults", async () => {
  // each default alone: LSTM without recurrent_activation (TF.js: hardSigmoid); GRU without it;
  // GRU without reset_after (TF.js: false); Bidirectional without merge_mode (TF.js: concat)
  await parity([{ class_name: 'LSTM', config: { units: 3, batch_input_shape: [null, 4, 2] } }], [2, 4, 2]);
  await parity([{ class_name: 'GRU', config: { units: 3, reset_after: false, batch_input_shape: [null, 4, 2] } }], [2, 4, 2]);
  await parity([{ class_name: 'GRU', config: { units: 3, recurrent_activation: 'sigmoid', batch_input_shape: [null, 4, 2] } }], [2, 4, 2]);
  await parity([{ class_name: 'Bidirectional', config: { layer: { class_name: 'SimpleRNN', config: { units: 2 } }, batch_input_shape: [null, 4, 2] } }], [2, 4, 2]);
  // all together, with SimpleRNN and Dense activation null (tanh, linear) and use_bias null (true)
  await parity([
    { class_name: 'LSTM', config: { name: 'l', units: 4, return_sequences: true, batch_input_shape: [null, 5, 3] } },
    { class_name: 'GRU', config: { name: 'g', units: 3, return_sequences: true } },
    { class_name: 'SimpleRNN', config: { name: 's', units: 3, return_sequences: true, activation: null, use_bias: null } },
    { class_name: 'Bidirectional', config: { name: 'b', layer: { class_name: 'GRU', config: { name: 'bg', units: 2 } } } },
    { class_name: 'Dense', config: { name: 'd', units: 2, activation: null } },
  ], [4, 5, 3]);
  // the same with recurrent_activation written out (what TF.js's own save writes)
  await parity([
    { class_name: 'LSTM', config: { name: 'l', units: 3, recurrent_activation: 'sigmoid', batch_input_shape: [null, 4, 2] } },
  ], [2, 4, 2]);
});

test("TF.js reads recurrent_activation / activation null as 'linear': an RnnError here, not other numbers", () => {
  for (const cls of ['LSTM', 'GRU']) {
    for (const k of ['recurrent_activation', 'activation']) {
      const j = { modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: cls, config: { units: 2, batch_input_shape: [null, 3, 2], [k]: null } }] } }, weightsManifest: [] };
      rejects(() => loadLayersModelFromJSON(j), `config.${k}`, "'linear'", 'got null');
    }
  }
});

// ------------------------------------------------------------------ fromKerasWeights, narrow

test('fromKerasWeights refuses zero units or inputs (a layer that cannot exist)', () => {
  const [z30, z00, z06, z26, z02] = [[3, 0], [0, 0], [0, 6], [2, 6], [0, 2]].map((s) => lib.zeros(s));
  rejects(() => lib.fromKerasWeights('LSTM', [z30, z00]), 'kerasWeights[1]', 'units >= 1', '[0, 0]');
  rejects(() => lib.fromKerasWeights('GRU', [z06, z26]), 'kerasWeights[0]', 'in >= 1', '[0, 6]');
  rejects(() => lib.fromKerasWeights('Dense', [z30]), 'kerasWeights[0]', '[3, 0]');
  rejects(() => lib.fromKerasWeights('Dense', [z02]), 'kerasWeights[0]', '[0, 2]');
  // a cyclic nested array is an RnnError, not a hang
  const cyc: unknown[] = [];
  cyc.push(cyc);
  rejects(() => lib.fromKerasWeights('Dense', [cyc as never]), 'kerasWeights[0]');
  const sd = lib.fromKerasWeights('SimpleRNN', [[[1, 2]], [[3, 4], [5, 6]]]);
  assert.equal(sd.weight_ih_l0.shape, [2, 1]);
  free(sd, z30, z00, z06, z26, z02);
});

test('narrow(dim, start, length) errors where torch.narrow does, never clamps (PyTorch 1.13 results)', () => {
  const t = lib.tensor([0, 1, 2]);
  const ok: [number, number, number, number[]][] = [[0, 0, 3, [0, 1, 2]], [0, 3, 0, []], [0, -1, 1, [2]], [0, -3, 3, [0, 1, 2]], [-1, 1, 2, [1, 2]], [0, 0, 0, []]];
  for (const [d, s, l, want] of ok) assert.equal(Array.from(t.narrow(d, s, l).toFloat32Array()), want, `narrow(${d}, ${s}, ${l})`);
  // torch: "start (2) + length (5) exceeds dimension size (3)"; IndexError for start out of [-3, 2]
  rejects(() => t.narrow(0, 2, 5), 'narrow', 'start + length <= 3', 'dim 0', 'start 2 + length 5');
  rejects(() => t.narrow(0, -1, 2), 'start 2 + length 2');
  rejects(() => t.narrow(0, 1, -1), 'length >= 0', 'length -1');
  rejects(() => t.narrow(0, 4, 0), 'start in [-3, 2]', 'size 3', 'start 4');
  rejects(() => t.narrow(0, -4, 1), 'start in [-3, 2]', 'start -4');
  rejects(() => t.narrow(0, 1.5, 1), 'start', 'integer');
  rejects(() => t.narrow(1, 0, 1), 'dim');
  const scalar = lib.tensor(1);
  rejects(() => scalar.narrow(0, 0, 1), 'narrow', '0-dim');
  const z = lib.zeros([0, 2]);
  assert.equal(z.narrow(0, 0, 0).shape, [0, 2]);
  assert.equal(z.narrow(0, -1, 0).shape, [0, 2]);
  rejects(() => z.narrow(0, 1, 0), 'start in [-1, 0]');
  const m = lib.tensor([[1, 2, 3], [4, 5, 6]]);
  const mn = m.narrow(1, 1, 2);
  assert.equal(mn.toArray(), [[2, 3], [5, 6]]);
  free(t, scalar, z, m, mn);
});

test.run();
