// Sequential.step: T calls give forward's bits for every kind of module (Embedding, RNN/LSTM/GRU,
// Linear, Dropout), in every input form; the state saves and restores; weight updates are followed;
// no Tensor, Wasm or JS allocation per step after the first; every bad input is an RnnError.
import { PerformanceObserver } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsEqual, lib, rejects } from './helpers.js';

const { Sequential, Embedding, LSTM, GRU, RNN, Linear, Dropout, Module, RnnError, tensor } = lib;

type Maker = () => lib.Sequential;
/** name, model, batch-first recurrent layers?, token model? */
const MODELS: [string, Maker, boolean, boolean][] = [
  ['Embedding → LSTM (2 layers) → Linear', () => new Sequential(new Embedding(13, 6, { paddingIdx: 0 }), new LSTM(6, 9, { numLayers: 2 }), new Linear(9, 13)), false, true],
  ['Embedding → GRU (batchFirst) → Dropout → Linear', () => new Sequential(new Embedding(11, 5), new GRU(5, 7, { batchFirst: true }), new Dropout(0.5), new Linear(7, 4)), true, true],
  ['Embedding → RNN (relu, 2 layers) → Linear (no bias)', () => new Sequential(new Embedding(9, 4), new RNN(4, 6, { numLayers: 2, nonlinearity: 'relu' }), new Linear(6, 5, { bias: false })), false, true],
  ['Embedding → LSTM (projSize) last', () => new Sequential(new Embedding(7, 5), new LSTM(5, 8, { projSize: 3 })), false, true],
  ['Embedding → Linear', () => new Sequential(new Embedding(6, 4), new Linear(4, 3)), false, true],
  ['LSTM → Linear (features in)', () => new Sequential(new LSTM(5, 6), new Linear(6, 2)), false, false],
  ['Dropout → Linear → GRU → Linear → LSTM → Linear', () => new Sequential(new Dropout(0.1), new Linear(3, 8), new GRU(8, 6), new Linear(6, 6), new LSTM(6, 5), new Linear(5, 4)), false, false],
];

const T = 6, B = 3;

/** forward over the whole sequence (eval mode, noGrad): the per-step rows, time-major. */
function reference(m: lib.Sequential, batchFirst: boolean, tokens: Int32Array | null, feats: lib.Tensor | null): Float32Array[] {
  m.eval();
  const input = tokens ? tensor(Float32Array.from(tokens), [T, B]) : feats!;
  const x = batchFirst ? input.transpose(0, 1) : input;
  let y = lib.noGrad(() => m.forward(x));
  if (Array.isArray(y)) y = y[0];
  if (batchFirst) y = (y as lib.Tensor).transpose(0, 1);
  const all = (y as lib.Tensor).toFloat32Array(), per = all.length / T;
  return Array.from({ length: T }, (_, t) => all.slice(t * per, (t + 1) * per));
}

for (const [name, make, bf, tokensIn] of MODELS) {
  test(`${name}: step ×T equals forward bit for bit (every input form), state saved and restored`, () => {
    lib.manualSeed(21);
    const m = make();
    const tokens = tokensIn ? Int32Array.from({ length: T * B }, (_, k) => (k * 7 + 3) % (m.get(0) as lib.Embedding).numEmbeddings) : null;
    const firstReal = [...m].find((c) => !(c instanceof Dropout))!;
    const I = tokensIn ? 0 : firstReal instanceof Linear ? firstReal.inFeatures : (firstReal as lib.LSTM).inputSize;
    const feats = tokensIn ? null : lib.randn([T, B, I]);
    const want = reference(m, bf, tokens, feats);
    m.train();   // step ignores the mode: Dropout is the identity
    const inputAt = (t: number, form: number) => {
      if (tokens) {
        const row = tokens.subarray(t * B, (t + 1) * B);
        return form === 0 ? Array.from(row) : form === 1 ? row.slice() : tensor(Float32Array.from(row), [B]);
      }
      const x = feats!.select(0, t);
      return form === 0 ? x.toFloat32Array() : x;
    };
    let st: lib.SequentialStepState | undefined;
    let saved: lib.SequentialStepState | null = null;
    for (let t = 0; t < T; t++) {
      st = m.step(inputAt(t, t % 3), st);
      bitsEqual(st.output, want[t], `step ${t}`);
      if (t === 2) saved = { output: st.output.slice(), states: st.states.map((s) => s && { h: s.h.slice(), ...(s.c ? { c: s.c.slice() } : {}), output: s.output.slice() }) };
    }
    assert.equal(st!.states.map((s) => s !== null), m.namedChildren().map(([, c]) => c instanceof RNN || c instanceof LSTM || c instanceof GRU));
    for (let t = 3; t < T; t++) {
      const r = m.step(inputAt(t, (t + 1) % 3), saved!);
      assert.is(r, saved, 'the given state is updated in place');
      bitsEqual(saved!.output, want[t], `restored step ${t}`);
    }
  });
}

test('B = 1 with a number per step; a different B later gets its own buffers', () => {
  lib.manualSeed(5);
  const m = new Sequential(new Embedding(10, 4), new GRU(4, 6, { numLayers: 2 }), new Linear(6, 10));
  const toks = [3, 1, 4, 1, 5, 9];
  const full = lib.noGrad(() => m.forward(tensor(toks, [6, 1]))).toFloat32Array();
  let st = m.step(toks[0]);
  bitsEqual(st.output, full.subarray(0, 10), 'step 0');
  for (let t = 1; t < 6; t++) { st = m.step(toks[t], st); bitsEqual(st.output, full.subarray(t * 10, (t + 1) * 10), `step ${t}`); }
  const s2 = m.step([3, 3]);
  bitsEqual(s2.output.subarray(0, 10), full.subarray(0, 10), 'B = 2, row 0');
  bitsEqual(s2.output.subarray(10, 20), full.subarray(0, 10), 'B = 2, row 1');
  st = m.step(1, { output: new Float32Array(10), states: [null, null, null] });   // null states: zeros
  bitsEqual(st.output, m.step(1).output, 'null states mean zero states');
});

test('step follows weight updates (Adam steps on the Linear and the LSTM, loadStateDict)', () => {
  lib.manualSeed(8);
  const m = new Sequential(new Embedding(8, 4), new LSTM(4, 5), new Linear(5, 8));
  const toks = Int32Array.from([1, 2, 3, 4, 5, 6]);
  const check = (what: string): Float32Array => {
    const full: Float32Array = lib.noGrad(() => m.forward(tensor(Float32Array.from(toks), [3, 2]))).toFloat32Array();
    let st: lib.SequentialStepState | undefined;
    for (let t = 0; t < 3; t++) { st = m.step(toks.subarray(2 * t, 2 * t + 2), st); bitsEqual(st.output, full.subarray(t * 16, (t + 1) * 16), `${what}, step ${t}`); }
    return full;
  };
  const a = check('initial');
  const opt = new lib.Adam(m.parameters(), { lr: 0.1 });
  const loss = lib.crossEntropy(m.forward(tensor(Float32Array.from(toks), [3, 2])).reshape(-1, 8), [1, 2, 3, 4, 5, 6]);
  opt.zeroGrad(); loss.backward(); opt.step();
  const b = check('after an Adam step');
  assert.ok(b.some((v, i) => v !== a[i]), 'the outputs changed');
  const other = new Sequential(new Embedding(8, 4), new LSTM(4, 5), new Linear(5, 8));
  m.loadStateDict(other.stateDict());
  const c = check('after loadStateDict');
  assert.ok(c.some((v, i) => v !== b[i]), 'the outputs changed');
});

test('no Tensor, no Wasm memory and no JS garbage per step after the first', async () => {
  lib.manualSeed(2);
  const m = new Sequential(new Embedding(20, 8), new LSTM(8, 16, { numLayers: 2 }), new Dropout(0.2), new Linear(16, 20));
  const toks = Int32Array.from([3, 7]);
  const st = m.step(toks);
  m.step(toks, st);
  const before = lib.memoryStats();
  for (let i = 0; i < 1000; i++) m.step(toks, st);
  const after = lib.memoryStats();
  assert.equal(after, before, 'liveBytes, wasmBytes and transientBytes (every tensor op allocates transient data) unchanged');
  for (let i = 0; i < 20000; i++) m.step(toks, st);   // warm up (JIT), let earlier garbage settle
  await new Promise((r) => setTimeout(r, 20));
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 100000; i++) m.step(toks, st);
  const grown = process.memoryUsage().heapUsed - heap0;
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  // even 16 bytes per step would be 1.6 MB of heap, or collections to remove it
  assert.ok(gcs <= 1 && grown < 1 << 20, `heap grew ${grown} bytes, ${gcs} garbage collections during 100,000 steps`);
});


test('errors: bad tokens or features, a state of another B, modules step cannot run; usable afterwards', () => {
  lib.manualSeed(4);
  const m = new Sequential(new Embedding(30, 4), new GRU(4, 5), new Linear(5, 30));
  const st = m.step([1, 2]);
  const good = st.output.slice();
  const f1 = tensor([1.5]), f2 = tensor([[1, 2]]);
  rejects(() => m.step([1, 30], st), 'input[1]: expected an integer in [0, 29] (numEmbeddings 30), got 30');
  rejects(() => m.step(-1), 'input: expected an integer in [0, 29]', 'got -1');
  rejects(() => m.step(f1), 'input[0]', 'got 1.5');
  rejects(() => m.step(f2), 'input', 'B token indices');
  rejects(() => m.step([]), 'input', 'empty');
  rejects(() => m.step('3' as never), 'input', 'token indices');
  rejects(() => m.step([1, 2, 3], st), 'state.output', '90 values', 'length 60');
  rejects(() => m.step([1, 2], { output: st.output, states: [null, null] }), 'state.states', '3 entries');
  rejects(() => m.step([1, 2], { output: st.output, states: [null, { h: new Float32Array(3), output: new Float32Array(10) }, null] }), 'state.states[1].h', '10 values');
  const feat = new Sequential(new LSTM(3, 4), new Linear(4, 2));
  const t5 = lib.zeros([2, 5]);
  rejects(() => feat.step(new Float32Array(7)), 'input', 'B·3', 'length 7');
  rejects(() => feat.step(t5), 'input', '(B, 3)', '[2, 5]');
  rejects(() => feat.step([1, 2, 3] as never), 'input', 'Float32Array');
  class Mine extends Module { override forward(x: lib.Tensor) { return x; } }
  const x2 = new Float32Array(2);
  const bad: [lib.Sequential, number | Float32Array, string[]][] = [
    [new Sequential(new Linear(2, 2), new Mine()), x2, ['step: expected modules Embedding, RNN, LSTM, GRU, Linear or Dropout, got module (1) Mine']],
    [new Sequential(new GRU(2, 3, { bidirectional: true })), x2, ['module (0) GRU', 'unidirectional']],
    [new Sequential(new Linear(2, 4), new Embedding(4, 2)), x2, ['module (1) Embedding', 'first']],
    [new Sequential(new Embedding(5, 4), new LSTM(3, 2)), 1, ['module (1) LSTM expected inputSize 3', 'module (0) Embedding', 'got 4']],
    [new Sequential(new Linear(2, 4), new Dropout(), new Linear(5, 1)), x2, ['module (2) Linear expected inFeatures 5', 'got 4']],
    [new Sequential(new Dropout()), x2, ['only Dropout']],
    [new Sequential(), x2, ['empty']],
    [new Sequential(new lib.GRUCell(2, 2)), x2, ['GRUCell']],
  ];
  for (const [model, input, frags] of bad) rejects(() => model.step(input), ...frags);
  bitsEqual(m.step([1, 2]).output, good, 'same bits after the errors');
});

test('dispose() frees the step buffers; a later step makes them again', () => {
  const m = new Sequential(new Embedding(5, 3), new RNN(3, 4), new Linear(4, 5));
  const a = m.step([1, 2]).output.slice();
  const before = lib.memoryStats().liveBytes;
  (m as unknown as { _freeBuffers(): void })._freeBuffers();   // what dispose() calls on each module
  assert.ok(lib.memoryStats().liveBytes < before, 'freed');
  bitsEqual(m.step([1, 2]).output, a, 'same bits with new buffers');
});

test.run();
