// Streaming and determinism properties: step() T times gives forward's bits; a sequence gives the same
// bits alone and inside a batch (outputs and input gradients); training is reproducible from a seed.
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const bitsEqual = (a: Float32Array, b: Float32Array, what: string) => {
  assert.is(a.length, b.length, what + ' length');
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) assert.unreachable(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

const makers: [string, () => lib.RNN | lib.LSTM | lib.GRU][] = [
  ['RNN relu 2 layers', () => new lib.RNN(5, 7, { numLayers: 2, nonlinearity: 'relu' })],
  ['LSTM 2 layers', () => new lib.LSTM(5, 9, { numLayers: 2 })],
  ['LSTM projSize', () => new lib.LSTM(6, 11, { projSize: 4 })],
  ['GRU 3 layers', () => new lib.GRU(3, 13, { numLayers: 3 })],
];

for (const [name, make] of makers) {
  test(`${name}: step() ×T equals forward bit for bit, state restorable`, () => {
    lib.manualSeed(3);
    const m = make();
    const T = 6, B = 3, I = m.inputSize;
    const x = lib.randn([T, B, I]);
    const full = lib.noGrad(() => m.forward(x))[0].toFloat32Array();
    const Ho = m.hiddenOut;
    let st: lib.StepState | undefined;
    let saved: { h: Float32Array; c?: Float32Array } | null = null;
    for (let t = 0; t < T; t++) {
      st = m.step(x.select(0, t), st);
      bitsEqual(st.output, full.subarray(t * B * Ho, (t + 1) * B * Ho), `step ${t}`);
      if (t === 2) saved = { h: st.h.slice(), c: st.c?.slice() };
    }
    // restore the state after step 2 into a fresh object and replay steps 3..T-1 from flat arrays
    const restored: lib.StepState = { h: saved!.h, ...(saved!.c ? { c: saved!.c } : {}), output: new Float32Array(B * Ho) };
    for (let t = 3; t < T; t++) {
      m.step(x.select(0, t).toFloat32Array(), restored);
      bitsEqual(restored.output, full.subarray(t * B * Ho, (t + 1) * B * Ho), `restored step ${t}`);
    }
  });

  test(`${name}: step() follows weight updates (optimizer steps, loadStateDict)`, () => {
    lib.manualSeed(7);
    const m = make();
    const T = 3, B = 2, I = m.inputSize, Ho = m.hiddenOut;
    const x = lib.randn([T, B, I]);
    const check = (what: string) => {
      const full = lib.noGrad(() => m.forward(x))[0].toFloat32Array();
      let st: lib.StepState | undefined;
      for (let t = 0; t < T; t++) {
        st = m.step(x.select(0, t), st);
        bitsEqual(st.output, full.subarray(t * B * Ho, (t + 1) * B * Ho), `${what}, step ${t}`);
      }
      return full;
    };
    const trainStep = (opt: lib.Optimizer) => {
      const [o] = m.forward(x);
      const loss = o.mul(o).mean();
      opt.zeroGrad(); loss.backward(); opt.step();
    };
    let prev = check('initial weights');
    const changed = (what: string) => {
      const now = check(what);
      assert.ok(now.some((v, i) => v !== prev[i]), `${what}: the outputs changed`);
      prev = now;
    };
    trainStep(new lib.Adam(m.parameters(), { lr: 0.05 }));
    changed('after an Adam step');
    trainStep(new lib.SGD(m.parameters(), { lr: 0.5, momentum: 0.9 }));
    changed('after an SGD step');
    const a = make();
    m.loadStateDict(Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k, v.toFloat32Array()])));
    changed('after loadStateDict from arrays');
    m.loadStateDict(make().stateDict());
    changed('after loadStateDict from tensors');
  });

  test(`${name}: step() allocates no Wasm memory after the first call`, () => {
    const m = make();
    const xt = new Float32Array(2 * m.inputSize).fill(0.5);
    const st = m.step(xt);
    m.step(xt, st);
    const before = lib.memoryStats();
    for (let i = 0; i < 200; i++) m.step(xt, st);
    const after = lib.memoryStats();
    assert.is(after.liveBytes, before.liveBytes);
    assert.is(after.wasmBytes, before.wasmBytes);
  });

  test(`${name}: a sequence alone and inside a batch gives the same bits (outputs, input gradients)`, () => {
    lib.manualSeed(11);
    const m = make();
    const T = 5, I = m.inputSize;
    const xs = lib.randn([T, 17, I]);
    const one = (x: lib.Tensor) => {
      const xr = x.detach().requiresGrad_();
      const [out] = m.forward(xr) as [lib.Tensor, unknown];
      out.mul(out).sum().backward();
      return { out: out.toFloat32Array(), g: xr.grad!.toFloat32Array() };
    };
    for (const [B, pos] of [[2, 1], [17, 0], [17, 9], [17, 16]]) {
      const batch = xs.slice(1, 0, B);
      const alone = one(batch.slice(1, pos, pos + 1));
      const inBatch = one(batch);
      const Ho = alone.out.length / T;
      for (let t = 0; t < T; t++) {
        bitsEqual(alone.out.subarray(t * Ho, (t + 1) * Ho), inBatch.out.subarray((t * B + pos) * Ho, (t * B + pos + 1) * Ho), `B=${B} pos=${pos} out t=${t}`);
        bitsEqual(alone.g.subarray(t * I, (t + 1) * I), inBatch.g.subarray((t * B + pos) * I, (t * B + pos + 1) * I), `B=${B} pos=${pos} grad t=${t}`);
      }
    }
  });
}

test('step() allocates no JS objects either: 200,000 steps leave the JS heap where it was', async () => {
  for (const m of [new lib.GRU(4, 8, { numLayers: 2 }), new lib.LSTM(4, 8, { projSize: 3 }), new lib.RNN(4, 8)]) {
    const x = new Float32Array(2 * 4).fill(0.25);
    const st = m.step(x);
    for (let i = 0; i < 20000; i++) m.step(x, st);   // warm up (JIT) and let earlier garbage settle
    await new Promise((r) => setTimeout(r, 20));
    let gcs = 0;
    const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
    obs.observe({ entryTypes: ['gc'] });
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200000; i++) m.step(x, st);
    const grown = process.memoryUsage().heapUsed - before;
    await new Promise((r) => setTimeout(r, 20));     // let the observer deliver
    obs.disconnect();
    // even 16 bytes per step would be 3.2 MB of heap, or collections to remove it
    assert.ok(gcs <= 1 && grown < 1 << 20, `${m}: heap grew ${grown} bytes, ${gcs} garbage collections during 200,000 steps`);
  }
});

test('bidirectional modules refuse step() with an RnnError', () => {
  let err: unknown;
  try { new lib.GRU(2, 3, { bidirectional: true }).step(new Float32Array(2)); } catch (e) { err = e; }
  assert.ok(err instanceof lib.RnnError);
});

test('manualSeed makes initialisation, dropout and training reproducible', () => {
  const runOnce = () => {
    lib.manualSeed(42);
    const m = new lib.LSTM(4, 6, { numLayers: 2, dropout: 0.3 });
    const opt = new lib.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = lib.randn([5, 2, 4]);
    for (let i = 0; i < 3; i++) {
      const [out] = m.forward(x);
      const loss = out.mul(out).mean();
      opt.zeroGrad(); loss.backward(); opt.step();
    }
    return m.parameters().map((p) => p.toFloat32Array());
  };
  const a = runOnce(), b = runOnce();
  a.forEach((p, i) => bitsEqual(p, b[i], `param ${i}`));
});

test('dropout is active in train mode only', () => {
  lib.manualSeed(5);
  const m = new lib.RNN(3, 8, { numLayers: 2, dropout: 0.5 });
  const x = lib.randn([4, 2, 3]);
  const a = m.forward(x)[0].toFloat32Array(), b = m.forward(x)[0].toFloat32Array();
  assert.ok(a.some((v, i) => v !== b[i]), 'two train-mode passes differ');
  m.eval();
  const c = m.forward(x)[0].toFloat32Array(), d = m.forward(x)[0].toFloat32Array();
  bitsEqual(c, d, 'eval mode is deterministic');
});

test.run();
