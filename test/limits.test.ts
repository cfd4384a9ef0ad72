// Issue 12, items 1–3: sizes never wrap a 32-bit Wasm size, every size option has a maximum, and
// lifetimes (init twice, dispose, the memory budget) end in RnnErrors, never a reset or a trap.
// Every rejection is checked the same way: an RnnError whose message names the argument (and,
// for sizes, the bytes), thrown before any Wasm memory is touched (the heap's live bytes do not
// move), after which a known-good model gives the same bits as before.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsEqual, lib } from './helpers.js';

const { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, Linear, RnnError, zeros } = lib;
const wasmBytes = readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url));

lib.manualSeed(12);
const good = new LSTM(3, 5, { numLayers: 2 });
const gx = lib.randn([4, 2, 3]);
const baseline = good.forward(gx)[0].toFloat32Array();
const goodParams = good.parameters().map((p) => p.toFloat32Array());

/** The known-good model still gives the same bits, and its parameters are unchanged. */
function unchanged(what: string): void {
  bitsEqual(good.forward(gx)[0].toFloat32Array(), baseline, `${what}: known-good forward`);
  good.parameters().forEach((p, i) => bitsEqual(p.toFloat32Array(), goodParams[i], `${what}: parameter ${i}`));
}

/** fn must throw an RnnError whose message contains every fragment, leaving the heap and the known-good model untouched. */
function rejects(what: string, fn: () => unknown, ...fragments: (string | RegExp)[]): string {
  const before = lib.memoryStats().liveBytes;
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError, `${what}: expected an RnnError, got ${err}`);
  const msg = (err as Error).message;
  for (const f of fragments) assert.ok(typeof f === 'string' ? msg.includes(f) : f.test(msg), `${what}: message "${msg}" lacks ${f}`);
  assert.is(lib.memoryStats().liveBytes, before, `${what}: no Wasm memory touched`);
  unchanged(what);
  return msg;
}

test('tensor factories: sizes past the limit are RnnErrors naming the shape and the bytes (no wrap past 4 GiB)', () => {
  for (const shape of [[2 ** 31], [2 ** 32 + 8], [2 ** 53], [1e300], [2 ** 30 + 4], [2 ** 29 + 1], [2 ** 16, 2 ** 16], [2 ** 20, 2 ** 20, 2 ** 20]]) {
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    for (const [name, f] of [['zeros', zeros], ['ones', lib.ones], ['randn', lib.randn], ['rand', lib.rand], ['full', (s: number[]) => lib.full(s, 2)]] as const) {
      rejects(`${name}(${shape})`, () => f(shape), 'shape', `${bytes} bytes`);
    }
  }
  rejects('zeros([-1])', () => zeros([-1]), 'shape', 'non-negative integer');
  rejects('zeros([1.5])', () => zeros([1.5]), 'shape');
  rejects('zeros([NaN])', () => zeros([NaN]), 'shape');
  rejects('zeros(65 dims)', () => zeros(new Array(65).fill(1)), 'shape', 'at most 64 dimensions');
  rejects('tensor(data, huge shape)', () => lib.tensor(new Float32Array(4), [2 ** 31, 2]), 'shape', 'bytes');
  rejects('tensor(BigInt64Array)', () => lib.tensor(new BigInt64Array(2) as never), 'data', 'BigInt');
  rejects('full(shape, symbol)', () => lib.full([2], Symbol('v') as never), 'value', 'a number');
  let deep: unknown = [1];
  for (let i = 0; i < 100000; i++) deep = [deep];
  rejects('tensor(deeply nested)', () => lib.tensor(deep as never), 'data', '64 deep');
  // the largest tensor allowed has 2^29 elements: its size is accepted (a zero-element tensor with a big dimension too)
  assert.equal(zeros([0, 2 ** 29]).shape, [0, 2 ** 29]);
  rejects('zeros([0, 2**29 + 1])', () => zeros([0, 2 ** 29 + 1]), 'shape');
});

test('tensor ops: results past the limit are RnnErrors before any output is allocated', () => {
  const col = zeros([2 ** 16, 1]), row = zeros([1, 2 ** 16]);
  rejects('broadcast add', () => col.add(row), 'add', '[65536, 65536]', `${4 * 2 ** 32} bytes`);
  rejects('matmul', () => col.matmul(row), 'matmul', `${4 * 2 ** 32} bytes`);
  const big = zeros([1, 2 ** 20]), many = new Array(513).fill(big);   // 513 × 2^20 elements > 2^29
  rejects('cat', () => lib.cat(many, 0), 'tensors', `${4 * 513 * 2 ** 20} bytes`);
  rejects('stack', () => lib.stack(many, 0), 'tensors', 'bytes');
  const empty = zeros([0]);
  rejects('reshape', () => empty.reshape(0, 2 ** 40), 'reshape shape');
  const x = zeros([2 ** 20, 1]), wide = new Linear(1, 1024);
  rejects('Linear.forward output', () => wide.forward(x), 'input', `${4 * 2 ** 30} bytes`);
  big.dispose(); col.dispose(); row.dispose(); x.dispose();
});

test('module constructors: parameter sizes are checked before anything is allocated', () => {
  // the repros: each used to wrap, corrupt other models or trap
  rejects('GRU(4, 1e9)', () => new GRU(4, 1e9), 'hiddenSize', '65536', '1000000000');
  rejects('RNN(1e9, 4)', () => new RNN(1e9, 4), 'inputSize', '16777216');
  rejects('RNN(4, 2**15)', () => new RNN(4, 2 ** 15), 'hiddenSize', 'RNN(4, 32768)', 'bytes');
  rejects('LSTM(4, 16384)', () => new LSTM(4, 16384), 'hiddenSize', 'LSTM(4, 16384)', 'bytes');
  rejects('LSTM(4, 2**31)', () => new LSTM(4, 2 ** 31), 'hiddenSize');
  rejects('Linear(2**16, 2**16)', () => new Linear(2 ** 16, 2 ** 16), 'Features', `${4 * 2 ** 32} bytes`);
  rejects('GRUCell(2**15, 2**15)', () => new GRUCell(2 ** 15, 2 ** 15), 'Size', 'bytes');
  rejects('RNNCell(2**24, 64)', () => new RNNCell(2 ** 24, 64), 'inputSize', 'bytes');
  rejects('LSTMCell(4, 2**15)', () => new LSTMCell(4, 2 ** 15), 'hiddenSize', 'bytes');
  // each tensor fits, all of them do not: 8 layers of 1 GiB recurrent weights
  rejects('LSTM(8, 8192, 8 layers)', () => new LSTM(8, 8192, { numLayers: 8 }), 'numLayers', 'fit in WebAssembly memory', 'bytes');
  rejects('LSTM projSize', () => new LSTM(4, 8, { projSize: 8 }), 'projSize', 'smaller than hiddenSize');
  // new models still start from the seeded uniform init (the corruption repro gave zeros)
  lib.manualSeed(1);
  const a = new GRU(4, 6).parameters()[0].toFloat32Array();
  lib.manualSeed(1);
  const b = new GRU(4, 6).parameters()[0].toFloat32Array();
  bitsEqual(a, b, 'seeded init');
  assert.ok(a.some((v) => v !== 0) && a.every((v) => Math.abs(v) <= 1 / Math.sqrt(6)));
});

test('every size option has a documented maximum, checked at once', () => {
  const t = performance.now();
  rejects('numLayers 1e9', () => new RNN(2, 2, { numLayers: 1e9 }), 'numLayers', '<= 1024');
  rejects('numLayers 1025', () => new GRU(2, 2, 1025), 'numLayers', '<= 1024');
  rejects('hiddenSize 65537', () => new LSTM(2, 65537), 'hiddenSize', '<= 65536');
  rejects('inputSize 2**24 + 1', () => new RNN(2 ** 24 + 1, 2), 'inputSize', '<= 16777216');
  rejects('inFeatures 2**24 + 1', () => new Linear(2 ** 24 + 1, 1), 'inFeatures', '<= 16777216');
  rejects('outFeatures Infinity', () => new Linear(2, Infinity), 'outFeatures');
  rejects('hiddenSize 0.5', () => new RNNCell(2, 0.5), 'hiddenSize');
  assert.ok(performance.now() - t < 5000, 'rejected without doing the work');   // 1e9 layers took minutes
  // the maxima themselves are allowed
  assert.is(new RNN(1, 1, { numLayers: 1024 }).numLayers, 1024);
});

test('a recurrent forward whose caches do not fit is an RnnError naming the input and the bytes, before anything is allocated', () => {
  const lstm = new LSTM(8, 256);
  const x = zeros([16384, 64, 8]);            // 32 MiB of input, a 4 GiB gate cache when recording
  const msg = rejects('LSTM(8, 256) on [16384, 64, 8]', () => lstm.forward(x), 'input', '[16384, 64, 8]', '4294967296 bytes', 'noGrad');
  assert.match(msg, /gate cache/);
  const gru = new GRU(8, 256, { batchFirst: true }), rnn = new RNN(8, 1024, { bidirectional: true });
  rejects('batchFirst', () => gru.forward(x), 'input', '[16384, 64, 8]', 'noGrad');   // B = 16384, T = 64: the same T·B
  rejects('RNN: outputs', () => rnn.forward(x), 'input', 'bytes');
  // noGrad does not need the gate cache: the check lets a smaller one through, and it runs
  const small = zeros([16, 64, 8]);
  const rec = lstm.forward(small)[0].toFloat32Array();
  bitsEqual(lib.noGrad(() => lstm.forward(small)[0].toFloat32Array()), rec, 'noGrad and recorded forward');
  x.dispose(); lstm.dispose(); gru.dispose(); rnn.dispose();
});

test('step(), cells and losses check their working sizes too', () => {
  // B = 2^22 rows of 64 hidden units: a few GiB of workspace, from 16 MiB of input
  const gru = new GRU(1, 64), xs = new Float32Array(2 ** 22);
  rejects('step with a huge batch', () => gru.step(xs), 'x', 'B = 4194304', 'bytes');
  const cell = new LSTMCell(1, 64), xc = zeros([2 ** 22, 1]);
  rejects('LSTMCell with a huge batch', () => cell.forward(xc), 'input', '[4194304, 1]', 'bytes');
  xc.dispose();
});

test('memory budget: anything but an integer >= 0 or Infinity is an RnnError and changes nothing', () => {
  const first = lib.setMemoryBudget(32 << 20);
  for (const v of [NaN, 'abc', -1, 1.5, null, undefined, {}, -Infinity, 2 ** 60]) {
    rejects(`setMemoryBudget(${String(v)})`, () => lib.setMemoryBudget(v as number), 'bytes', 'integer');
  }
  assert.is(lib.setMemoryBudget(Infinity), 32 << 20, 'the budget set before the errors is still in force');
  assert.is(lib.setMemoryBudget(first), Infinity);
});

test('use after dispose(): an RnnError naming the shape, for every way in', () => {
  const t = lib.randn([2, 3]);
  t.dispose();
  const z23 = zeros([2, 3]), z31 = zeros([3, 1]), z213 = zeros([2, 1, 3]), z223 = zeros([2, 2, 3]), lin = new Linear(3, 2), g33 = new GRU(3, 3);
  const yb = z213.tanh().mul(lib.tensor(1, { requiresGrad: true }));
  for (const [what, fn] of [
    ['add', () => t.add(1)], ['tanh', () => t.tanh()], ['sum', () => t.sum()], ['matmul', () => t.matmul(z31)], ['mul', () => z23.mul(t)],
    ['select', () => t.select(0, 0)], ['transpose', () => t.transpose(0, 1)], ['clone', () => t.clone()],
    ['toFloat32Array', () => t.toFloat32Array()], ['toArray', () => t.toArray()], ['item', () => t.reshape(6).sum().item()],
    ['cat', () => lib.cat([z23, t], 0)], ['mseLoss', () => lib.mseLoss(t, z23)], ['crossEntropy', () => lib.crossEntropy(t, [0, 1])],
    ['Linear', () => lin.forward(t)], ['forward input', () => good.forward(t.reshape(2, 1, 3))],
    ['forward h0', () => g33.forward(z223, t.reshape(1, 2, 3))], ['step', () => g33.step(t.reshape(2, 3))],
    ['backward gradient', () => yb.backward(t.reshape(2, 1, 3))],
  ] as [string, () => unknown][]) {
    rejects(`disposed ${what}`, fn, 'dispose()', /shape \[\d/);
  }
  // a disposed model: forward, step() and an optimizer step are RnnErrors, and no other parameter moves
  const m = new GRU(3, 4), keep = new Linear(4, 2);
  const opt = new lib.SGD([...keep.parameters(), ...m.parameters()], { lr: 0.1, momentum: 0.9 });
  keep.forward(zeros([1, 4])).sum().backward();
  m.forward(zeros([2, 1, 3]))[0].sum().backward();
  m.dispose();
  const kept = keep.parameters().map((p) => p.toFloat32Array());
  rejects('disposed model forward', () => m.forward(z213), 'dispose()', 'shape');
  rejects('disposed model step', () => m.step(new Float32Array(3)), 'dispose()');
  rejects('optimizer step over a disposed parameter', () => opt.step(), 'dispose()', 'shape');
  keep.parameters().forEach((p, i) => bitsEqual(p.toFloat32Array(), kept[i], 'a live parameter left as it was'));
});

test('a second init() or initSync() is a no-op: it never resets memory', async () => {
  const t = lib.tensor([1.5, -2, 3]);
  const m = new GRU(3, 4);
  const p0 = m.parameters()[0].toFloat32Array();
  const mod = new WebAssembly.Module(wasmBytes);
  lib.initSync(wasmBytes);
  lib.initSync(mod);
  lib.initSync();
  await lib.init(wasmBytes);
  await lib.init(mod);
  await lib.init();
  await Promise.all([lib.init(wasmBytes), lib.init(mod)]);
  assert.equal(Array.from(t.toFloat32Array()), [1.5, -2, 3], 'a tensor keeps its values');
  bitsEqual(m.parameters()[0].toFloat32Array(), p0, 'a parameter keeps its values');
  unchanged('init twice');
  // a bad argument is still an RnnError
  rejects('initSync(string)', () => lib.initSync('abc' as never), 'initSync', 'a WebAssembly.Module or bytes');
  let err: unknown = null;
  try { await lib.init(42 as never); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError, String(err));
  unchanged('bad init');
});

test('a fresh copy: concurrent init() calls load one instance; bytes that are not wasm-rnn are an RnnError', async () => {
  const fresh = await import('../dist/slim.js?limits-fresh' as string) as typeof lib;
  for (const bad of [new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), new Uint8Array([1, 2, 3])]) {
    let err: unknown = null;
    try { fresh.initSync(bad); } catch (e) { err = e; }
    assert.ok(err instanceof fresh.RnnError, String(err));
    err = null;
    try { await fresh.init(bad); } catch (e) { err = e; }
    assert.ok(err instanceof fresh.RnnError, String(err));
  }
  assert.not.ok(fresh.isInitialized());
  await Promise.all([fresh.init(wasmBytes), fresh.init(new WebAssembly.Module(wasmBytes)), fresh.init(wasmBytes)]);
  const t = fresh.tensor([4, 5]);
  await fresh.init(wasmBytes);
  assert.equal(Array.from(t.toFloat32Array()), [4, 5]);
});

test('memory full: RnnErrors (factories, constructors, evicted data coming back, kernel scratch), no leak, same bits afterwards; tensors above 2 GiB read and compute correctly', () => {
  // in a child process: it grows Wasm memory to its 4 GiB maximum (address space; the filler is never written)
  const r = spawnSync(process.execPath, [new URL('./oom-child.mjs', import.meta.url).pathname], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `child failed: ${r.stderr.slice(0, 2000)}`);
  const o = JSON.parse(line!.slice(7));
  assert.ok(o.high.highPtr >= 2 ** 31 && o.high.lowPtr < 2 ** 31, `placement ${o.high.lowPtr} / ${o.high.highPtr}`);
  assert.ok(o.high.same, 'the same workload above 2 GiB gives the same bits');
  assert.ok(o.full.liveBytes > 2 ** 32 - 2 ** 24 && o.full.liveBytes < 2 ** 32, `liveBytes ${o.full.liveBytes} read unsigned`);
  assert.is(o.full.wasmBytes, 2 ** 32);
  for (const k of ['factory', 'constructor', 'evictedBack', 'scratch', 'backward']) {
    assert.ok(!o[k].ok && o[k].rnn, `${k}: ${JSON.stringify(o[k])}`);
    assert.match(o[k].message, /bytes/);
  }
  assert.match(o.factory.message, /^shape: expected 4194304 bytes/);
  assert.match(o.scratch.message, /linear_forward/);
  assert.match(o.backward.message, /gru_backward/);
  assert.ok(o.scratchLeak <= 10240, `linear_forward's scratch freed (live grew by ${o.scratchLeak})`);
  assert.ok(o.backwardLeak < 1835008, `gru_backward's first scratch block (1.75 MiB) rolled back (live grew by ${o.backwardLeak})`);
  assert.ok(o.goodWhileFull.ok);
  const a = o.after;
  assert.ok(a.good && a.lin, 'known-good models give the same bits once memory is free');
  assert.ok(a.evicted, 'an evicted tensor kept its values through the failed copy back');
  assert.ok(a.backward.ok && a.gruGrads, 'the failed backward kept its graph: run again, it gives the reference gradients');
  assert.ok(a.zeros.ok && a.linear.ok, 'memory freed in big blocks serves smaller requests');
});

test('no signed shift of a Wasm address in src/ (addresses run to 4 GiB: index with >>> 2)', () => {
  const dir = new URL('../src/', import.meta.url);
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    readFileSync(new URL(f, dir), 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line)) return;
      // every signed shift by 2 or 3 is suspect, except the few that are not addresses
      const bad = line.replace(/argsAddr >> 2|\.length >> [0-9]|cp >> (6|12|18)/g, '');
      assert.not.ok(/[^>]>>\s*[23]\b/.test(bad), `src/${f}:${i + 1}: ${line.trim()}`);
    });
  }
});

test.run();
