// Memory: 10,000 training steps with no dispose() keep Wasm memory bounded; evicted tensors keep
// their values; views are never stale after memory grows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const { Module, RNN, Linear, Adam, crossEntropy } = lib;

class Classifier extends Module {
  rnn = new RNN(5, 10, { batchFirst: true });
  fc = new Linear(10, 2);
  override forward(x: lib.Tensor) { const [, hN] = this.rnn.forward(x); return this.fc.forward(hN.select(0, -1)); }
}

test('10,000 forward + backward + Adam steps keep Wasm memory bounded', () => {
  lib.manualSeed(1);
  const old = lib.setMemoryBudget(1 << 20);      // a small budget so eviction happens often
  const model = new Classifier();
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const x = lib.randn([3, 6, 5]);
  const kept: lib.Tensor[] = [];
  const before = lib.memoryStats().wasmBytes;    // other test files in this process may have grown it
  let atStep1000 = 0, first = 0, last = 0;
  for (let step = 0; step < 10000; step++) {
    const loss = crossEntropy(model.forward(x), [0, 1, 0]);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if (step === 0) first = loss.item();
    if (step % 2500 === 0) kept.push(loss);        // tensors the user keeps survive eviction
    if (step === 1000) atStep1000 = lib.memoryStats().wasmBytes;
    last = loss.item();
  }
  const end = lib.memoryStats();
  lib.setMemoryBudget(old);
  assert.ok(end.wasmBytes === atStep1000, `memory grew from ${atStep1000} to ${end.wasmBytes}`);
  // the loop's first blocks may not fit in the headroom the test files before it left above the heap
  // top: one growth step (the allocator grows by 1/8) is allowed, then nothing more
  assert.ok(end.wasmBytes <= Math.max(before + Math.ceil(before / 8 / 65536) * 65536, 8 << 20), `wasm memory ${end.wasmBytes} (${before} before the loop)`);
  assert.ok(last < first * 0.1, `training still converges (${first} → ${last})`);
  assert.is(kept[0].item(), first, 'a loss kept from step 0 still reads its value after eviction');
  assert.ok(kept.every((t) => Number.isFinite(t.item())));
});

test('over budget, an operation evicts the oldest tensors down to 7/8 of the budget, not all of them', () => {
  const budget = 8 << 20, block = 256 << 10;      // 32 blocks of 256 KiB fill the budget
  const old = lib.setMemoryBudget(budget);
  const kept: lib.Tensor[] = [];
  const evictedDown: number[] = [];
  for (let i = 0; i < 100; i++) {
    const before = lib.memoryStats().transientBytes;
    kept.push(lib.full([block / 4], i));
    const after = lib.memoryStats().transientBytes;
    assert.ok(after <= budget + block, `step ${i}: ${after} resident bytes over a budget of ${budget}`);
    if (after < before) evictedDown.push(after);
  }
  lib.setMemoryBudget(old);
  assert.ok(evictedDown.length >= 5, `evictions seen: ${evictedDown.length}`);
  // each eviction stops at 7/8 of the budget (this op's new block comes on top): pauses stay short
  for (const b of evictedDown) assert.ok(b >= budget * 7 / 8 - block && b <= budget * 7 / 8 + block, `resident after an eviction: ${b}`);
  // nothing is lost: old (evicted) and recent (resident) tensors read their values
  kept.forEach((t, i) => { const a = t.toFloat32Array(); assert.ok(a[0] === i && a[a.length - 1] === i, `tensor ${i}`); });
});

test('evicted tensors compute as before', () => {
  const old = lib.setMemoryBudget(0);              // evict at every operation
  const a = lib.tensor([1, 2, 3], { requiresGrad: true });
  const b = lib.tensor([4, 5, 6]);
  const y = a.mul(b).add(a).tanh().sum();
  y.backward();
  lib.setMemoryBudget(old);
  const ref = [1, 2, 3].map((v, i) => (1 - Math.tanh(v * [4, 5, 6][i] + v) ** 2) * ([4, 5, 6][i] + 1));
  Array.from(a.grad!.toFloat32Array()).forEach((g, i) => assert.ok(Math.abs(g - ref[i]) < 1e-6));
});

test('tensors read correctly after Wasm memory grows', () => {
  const a = lib.tensor([1.5, 2.5]);
  const before = lib.memoryStats().wasmBytes;
  const big = lib.zeros([8 << 20]);                // 32 MiB: forces memory.grow
  assert.ok(lib.memoryStats().wasmBytes > before);
  assert.equal(Array.from(a.toFloat32Array()), [1.5, 2.5]);
  assert.is(a.add(1).sum().item(), 6);
  big.dispose();
});

test('dispose() frees at once', () => {
  const live = lib.memoryStats().liveBytes;
  const t = lib.zeros([1000]);
  assert.ok(lib.memoryStats().liveBytes > live);
  t.dispose();
  assert.is(lib.memoryStats().liveBytes, live);
});

test('Module.dispose() frees the parameters and step()\'s buffers of the whole tree', () => {
  class Streamer extends Module {
    lstm = new lib.LSTM(4, 8, { numLayers: 2, projSize: 3 });
    override forward(x: lib.Tensor) { return this.lstm.forward(x)[0]; }
  }
  const live = lib.memoryStats().liveBytes;
  const m = new Streamer();
  const st = m.lstm.step(new Float32Array(2 * 4).fill(0.5));
  m.lstm.step(new Float32Array(2 * 4).fill(0.25), st);
  assert.ok(lib.memoryStats().liveBytes > live);
  m.dispose();
  assert.is(lib.memoryStats().liveBytes, live);
});

// Eviction between forward and backward: user-visible tensors are copied out, the recurrent
// caches only the graph holds are dropped, and backward runs the forward again. Gradients must
// come out bit for bit as without eviction.
const bitsOf = (t: lib.Tensor | null) => (t ? Array.from(new Uint32Array(t.toFloat32Array().buffer)) : []);
const evictingCases: [string, () => lib.RNN | lib.LSTM | lib.GRU, number[] | undefined][] = [
  ['RNN, 3 layers, dropout 0.3, batchFirst', () => new lib.RNN(4, 6, { numLayers: 3, dropout: 0.3, batchFirst: true }), undefined],
  ['LSTM, 2 layers, bidirectional, projSize, lengths', () => new lib.LSTM(4, 7, { numLayers: 2, bidirectional: true, projSize: 3 }), [5, 2, 4]],
  ['GRU, 2 layers, bidirectional, resetAfter false, lengths', () => new lib.GRU(4, 6, { numLayers: 2, bidirectional: true, resetAfter: false }), [3, 5, 1]],
];
for (const [name, make, lengths] of evictingCases) {
  test(`${name}: eviction between forward and backward gives the same gradients bit for bit`, () => {
    lib.manualSeed(21);
    const m = make();
    const x = lib.randn(m.batchFirst ? [3, 5, 4] : [5, 3, 4]).requiresGrad_();
    const LD = m.numLayers * m.numDirections;
    const h0 = lib.randn([LD, 3, m.hiddenOut]).requiresGrad_();
    const run = (evict: boolean) => {
      m.zeroGrad(); x.grad = null; h0.grad = null;
      lib.manualSeed(99);                                   // the same dropout masks both times
      const opts = lengths ? { lengths } : undefined;
      const [out, hn] = m instanceof lib.LSTM ? (([o, [h]]) => [o, h])(m.forward(x, [h0, null], opts)) : (m as lib.GRU).forward(x, h0, opts);
      if (evict) {
        const old = lib.setMemoryBudget(0);
        lib.tensor([1]).add(1);                             // a safe point: every transient block leaves Wasm memory
        lib.setMemoryBudget(old);
      }
      out.mul(out).sum().add(hn.mul(hn).sum()).backward();
      return [x.grad, h0.grad, ...m.parameters().map((p) => p.grad)].map(bitsOf);
    };
    const plain = run(false), evicted = run(true);
    assert.ok(plain[2].length > 0);
    plain.forEach((g, i) => assert.equal(evicted[i], g, `gradient ${i}`));
  });
}

test.run();
