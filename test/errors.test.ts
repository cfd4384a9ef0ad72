// Bad input: an RnnError naming the argument, the expected and the actual value, thrown before any
// Wasm memory is touched (the heap's live bytes do not move), and the library keeps working.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { lib } from './helpers.js';

const { RNN, Linear, tensor, zeros, RnnError, crossEntropy } = lib;

lib.manualSeed(7);
const rnn = new RNN(3, 4, { numLayers: 2 });
const x = lib.randn([5, 2, 3]);
const baseline = rnn.forward(x)[0].toFloat32Array();

/** fn must throw RnnError whose message contains every fragment, leaving the heap untouched. */
function rejects(fn: () => unknown, ...fragments: string[]): void {
  const before = lib.memoryStats().liveBytes;
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError, `expected RnnError, got ${err}`);
  assert.ok(err instanceof Error);
  for (const f of fragments) assert.ok((err as Error).message.includes(f), `message "${(err as Error).message}" lacks "${f}"`);
  assert.is(lib.memoryStats().liveBytes, before, 'no Wasm memory touched');
  // still usable, and still giving the same bits
  assert.equal(rnn.forward(x)[0].toFloat32Array(), baseline);
}

test('input of the wrong rank', () => {
  const z4 = zeros([5, 2, 3, 1]);
  rejects(() => rnn.forward(z4), 'input', '3-D', '[5, 2, 3, 1]');
});

test('input of the wrong feature size', () => {
  const z = zeros([5, 2, 4]);
  rejects(() => rnn.forward(z), 'input', 'last dimension 3', '[5, 2, 4]');
});

test('h0 of the wrong shape', () => {
  const a = zeros([1, 2, 4]), b = zeros([2, 3, 4]);
  rejects(() => rnn.forward(x, a), 'h0', '[2, 2, 4]', '[1, 2, 4]');
  rejects(() => rnn.forward(x, b), 'h0', '[2, 2, 4]', '[2, 3, 4]');
});

test('state_dict: missing key', () => {
  const sd = rnn.stateDict();
  delete sd.bias_hh_l1;
  rejects(() => rnn.loadStateDict(sd), 'stateDict', 'bias_hh_l1', 'missing');
  // strict: false reports it instead
  const r = rnn.loadStateDict(sd, { strict: false });
  assert.equal(r.missingKeys, ['bias_hh_l1']);
});

test('state_dict: unexpected key', () => {
  const sd = { ...rnn.stateDict(), weight_hr_l0: zeros([2, 4]) };
  rejects(() => rnn.loadStateDict(sd), 'stateDict', 'unexpected', 'weight_hr_l0');
});

test('state_dict: wrong shape', () => {
  const sd = { ...rnn.stateDict(), weight_hh_l0: zeros([4, 3]) };
  rejects(() => rnn.loadStateDict(sd), 'weight_hh_l0', 'shape [4, 4]', '[4, 3]');
});

test('index out of range', () => {
  const t = zeros([3, 4]);
  rejects(() => t.select(0, 3), 'select', '[-3, 2]', 'got 3');
  rejects(() => t.select(2, 0), 'dim', 'got 2');
  const logits = zeros([2, 3]);
  rejects(() => crossEntropy(logits, [0, 3]), 'target[1]', '[0, 2]', 'got 3');
});

test('bad options', () => {
  rejects(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' }), 'nonlinearity', "'tanh' or 'relu'", '"sigmoid"');
  rejects(() => new RNN(3, 0), 'hiddenSize', 'integer >= 1', 'got 0');
  rejects(() => new RNN(3, 4, { numLayer: 2 } as never), 'unknown option', 'numLayer');
  rejects(() => new RNN(3, 4, { dropout: 1.5 }), 'dropout', '[0, 1]', '1.5');
  rejects(() => new Linear(0, 2), 'inFeatures', 'got 0');
});

test('shapes that do not broadcast or multiply', () => {
  const a = zeros([2, 3]), b = zeros([4]);
  rejects(() => a.add(b), 'add', '[2, 3]', '[4]');
  rejects(() => a.matmul(a), 'matmul', '3 vs 2');
  rejects(() => tensor([[1, 2], [3]]), 'data', 'rectangular');
  rejects(() => tensor(new Float32Array(6), [4, 2]), 'shape', '6 elements');
});

test('use before init()', async () => {
  // a second copy of the library: a fresh module state that was never initialised
  const fresh = await import('../dist/slim.js?uninitialised' as string) as typeof lib;
  let err: unknown = null;
  try { new fresh.RNN(3, 4); } catch (e) { err = e; }
  assert.ok(err instanceof fresh.RnnError, String(err));
  assert.match((err as Error).message, /init\(\)/);
  try { fresh.tensor([1, 2]); err = null; } catch (e) { err = e; }
  assert.ok(err instanceof fresh.RnnError);
  fresh.initSync(readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url)));
  assert.equal(fresh.tensor([1, 2]).toArray(), [1, 2]);
});

test('an engine without Wasm SIMD gets an RnnError that says so, never a wrong answer', async () => {
  const fresh = await import('../dist/slim.js?no-simd' as string) as typeof lib;
  const bytes = readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url));
  const validate = WebAssembly.validate;
  // what an engine without fixed-width SIMD answers for a module that uses it
  WebAssembly.validate = (b: BufferSource) => !new Uint8Array(b as ArrayBuffer).includes(0xfd) && validate(b);
  try {
    for (const load of [() => fresh.initSync(bytes), () => fresh.init(bytes)]) {
      let err: unknown = null;
      try { await load(); } catch (e) { err = e; }
      assert.ok(err instanceof lib.RnnError, String(err));
      assert.match((err as Error).message, /SIMD/);
    }
  } finally {
    WebAssembly.validate = validate;
  }
  assert.not.ok(fresh.isInitialized());
  fresh.initSync(bytes);                  // the same copy loads once SIMD is there
  assert.equal(fresh.tensor([1]).toArray(), [1]);
});

test('wasm-rnn and wasm-rnn/slim are one library: same classes, same initialised state', async () => {
  const slim = await import('../dist/slim.js');
  assert.is(slim.RNN, lib.RNN);
  assert.ok(slim.isInitialized());
  assert.equal(slim.tensor([3]).toArray(), [3]);
});

test.run();
