// multinomial and sample: their frequencies against the exact probabilities (chi-square
// goodness of fit at a fixed seed), reproducibility under manualSeed, and their errors.
//
// Each chi-square test compares X² = Σ (O − E)² / E over the categories of non-zero probability
// with the critical value of the chi-square distribution at significance 1e-3 (Wilson–Hilferty);
// categories of probability 0 must never be drawn. The seed is fixed, so each test is
// deterministic; it fails for a sampler that ignores the temperature, is off by one index, keeps
// one logit too many for topK, or does not renormalise without replacement (checked by mutation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const { tensor, multinomial, sample, manualSeed, RnnError } = lib;

/** Upper 1e-3 critical value of chi-square with df degrees of freedom (Wilson–Hilferty). */
function chi2Critical(df: number): number {
  const z = 3.090232;   // standard normal quantile at 1 − 1e-3
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Asserts that `counts` fit `probs` (float64, summing to 1). */
function chiSquare(counts: number[], probs: number[], what: string): number {
  const n = counts.reduce((a, b) => a + b, 0);
  let x2 = 0, df = -1;
  probs.forEach((p, i) => {
    if (p === 0) { assert.is(counts[i], 0, `${what}: category ${i} has probability 0 but was drawn ${counts[i]} times`); return; }
    const e = n * p;
    assert.ok(e >= 5, `${what}: expected count ${e} too small for the test`);
    x2 += (counts[i] - e) ** 2 / e;
    df++;
  });
  if (df === 0) return 0;      // one possible category: the zero-probability checks said it all
  const crit = chi2Critical(df);
  if (process.env.CHI2_REPORT) console.log(`${what}: chi-square ${x2.toFixed(2)} (df ${df}, critical ${crit.toFixed(2)})`);
  assert.ok(x2 < crit, `${what}: chi-square ${x2.toFixed(2)} >= ${crit.toFixed(2)} (df ${df}, p < 1e-3): frequencies do not match`);
  return x2;
}

const counts = (idx: ArrayLike<number>, C: number): number[] => {
  const c = new Array(C).fill(0);
  for (let i = 0; i < idx.length; i++) c[idx[i]]++;
  return c;
};
const normalise = (w: number[]) => { const s = w.reduce((a, b) => a + b, 0); return w.map((v) => v / s); };
/** softmax(logits / T) over the topK largest (ties by lower index), in float64. */
function sampleProbs(logits: number[], T: number, topK?: number): number[] {
  const keep = new Set(logits.map((v, j) => [v, j]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, topK ?? logits.length).map((p) => p[1]));
  const m = Math.max(...logits);
  return normalise(logits.map((v, j) => (keep.has(j) ? Math.exp((Math.fround(v) - m) / T) : 0)));
}
/** n rows repeating `row`, as an (n, C) tensor. */
function rows(row: number[], n: number): lib.Tensor {
  const a = new Float32Array(n * row.length);
  for (let i = 0; i < n; i++) a.set(row, i * row.length);
  return tensor(a, [n, row.length]);
}

const W = [0.5, 2, 0, 1, 3.5, 0.25, 1.75];      // weights (not normalised), one zero

test('multinomial with replacement: frequencies match the weights', () => {
  manualSeed(11);
  const n = 40000;
  const idx = multinomial(tensor(W), n, { replacement: true });
  assert.equal(idx.shape, [n]);
  chiSquare(counts(idx.toFloat32Array(), W.length), normalise(W), 'multinomial(replacement)');
  // (N, C): every row draws from its own weights
  const two = multinomial(tensor([[0, 0, 1], [1, 1, 0]]), 500, { replacement: true }).toFloat32Array();
  assert.ok(two.subarray(0, 500).every((v) => v === 2), 'row 0 has one non-zero weight');
  chiSquare(counts(two.subarray(500), 3), [0.5, 0.5, 0], 'multinomial row 1');
});

test('multinomial without replacement: first draws and ordered pairs match the exact probabilities', () => {
  manualSeed(12);
  const n = 30000, p = normalise(W), C = W.length;
  const idx = multinomial(rows(W, n), 2).toFloat32Array();
  const first: number[] = [], pairs = new Array(C * C).fill(0);
  for (let r = 0; r < n; r++) {
    const a = idx[2 * r], b = idx[2 * r + 1];
    assert.ok(a !== b, 'two distinct categories per row');
    first.push(a);
    pairs[a * C + b]++;
  }
  chiSquare(counts(first, C), p, 'first draw');
  // P(a then b) = p_a · p_b / (1 − p_a)
  const pp = new Array(C * C).fill(0).map((_, k) => { const a = Math.floor(k / C), b = k % C; return a === b ? 0 : p[a] * p[b] / (1 - p[a]); });
  chiSquare(pairs, pp, 'ordered pairs');
});

test('multinomial without replacement: numSamples = non-zero weights gives a permutation of them', () => {
  manualSeed(13);
  const idx = multinomial(rows(W, 50), 6).toArray() as number[][];
  for (const r of idx) assert.equal([...r].sort((a, b) => a - b), [0, 1, 3, 4, 5, 6]);
});

test('multinomial: same seed, same draws; a different seed, different draws', () => {
  const draw = (seed: number) => { manualSeed(seed); return Array.from(multinomial(tensor(W), 64, { replacement: true }).toFloat32Array()); };
  assert.equal(draw(5), draw(5));
  assert.not.equal(draw(5), draw(6));
});

test('multinomial: a weight of 2^-30 is (almost) never drawn', () => {
  manualSeed(14);
  const idx = multinomial(tensor([1, 2 ** -30]), 1 << 16, { replacement: true }).toFloat32Array();
  assert.ok(counts(idx, 2)[1] <= 2);
});

const LOGITS = [1.2, -0.3, 2.5, 0.0, -1.7, 2.5, 0.9, -Infinity, 1.9];

for (const [T, topK] of [[1, undefined], [0.7, undefined], [1.6, undefined], [1, 3], [0.8, 4], [1.3, 1]] as [number, number | undefined][]) {
  test(`sample(temperature ${T}${topK ? `, topK ${topK}` : ''}): frequencies match softmax(logits / T)`, () => {
    manualSeed(20 + T * 10 + (topK ?? 0));
    const n = 30000;
    const got = sample(rows(LOGITS, n), { temperature: T, topK }) as number[];
    assert.is(got.length, n);
    chiSquare(counts(got, LOGITS.length), sampleProbs(LOGITS, T, topK), `sample T=${T} topK=${topK}`);
  });
}

test('sample one row at a time (a Float32Array, as when generating text): frequencies and the same draws as a Tensor', () => {
  const logits = new Float32Array(LOGITS);
  manualSeed(31);
  const a: number[] = [];
  for (let i = 0; i < 20000; i++) a.push(sample(logits, { temperature: 0.9, topK: 5 }));
  chiSquare(counts(a, LOGITS.length), sampleProbs(LOGITS, 0.9, 5), 'sample(Float32Array)');
  manualSeed(31);
  const t = tensor(logits);
  for (let i = 0; i < 200; i++) assert.is(sample(t, { temperature: 0.9, topK: 5 }), a[i], `draw ${i}`);
  // a Float32Array view of Wasm memory (like step()'s state) is read in place: the same draws again
  const e = lib._internal.exports();
  const p = e.alloc(LOGITS.length * 4);
  const view = new Float32Array(e.memory.buffer, p, LOGITS.length);
  view.set(logits);
  manualSeed(31);
  for (let i = 0; i < 200; i++) assert.is(sample(view, { temperature: 0.9, topK: 5 }), a[i], `draw ${i} (in place)`);
  e.free(p);
});

test('sample: rows of a (N, C) tensor draw in order, the same as one row at a time', () => {
  const x = lib.randn([6, 11]);
  manualSeed(32);
  const batch = sample(x, { temperature: 1.1, topK: 7 }) as number[];
  manualSeed(32);
  const single = Array.from({ length: 6 }, (_, r) => sample(x.select(0, r), { temperature: 1.1, topK: 7 }) as number);
  assert.equal(batch, single);
});

test('sample: topK larger than C keeps all; ties at the k-th logit go to the lower index', () => {
  manualSeed(33);
  const x = [3, 1, 1, 1, 0];
  const all = sample(rows(x, 20000), { topK: 99 }) as number[];
  chiSquare(counts(all, 5), sampleProbs(x, 1), 'topK > C');
  const two = sample(rows(x, 20000), { topK: 2 }) as number[];
  chiSquare(counts(two, 5), sampleProbs(x, 1, 2), 'topK with ties');   // keeps logits 0 and 1
});

test('generating text: Sequential.step + sample, reproducible, no Wasm memory per character', () => {
  const { Sequential, Embedding, GRU, Linear } = lib;
  const generate = (seed: number) => {
    manualSeed(7);
    const model = new Sequential(new Embedding(30, 8), new GRU(8, 16), new Linear(16, 30));
    manualSeed(seed);
    let st = model.step(0);
    const out = [0];
    let live = 0;
    for (let i = 0; i < 60; i++) {
      if (i === 10) live = lib.memoryStats().liveBytes;
      const next = sample(st.output, { temperature: 0.8, topK: 10 });
      assert.ok(Number.isInteger(next) && next >= 0 && next < 30);
      out.push(next);
      st = model.step(next, st);
    }
    assert.is(lib.memoryStats().liveBytes, live, 'Wasm live bytes after 50 more characters');
    return out;
  };
  const a = generate(1);
  assert.equal(generate(1), a);
  assert.not.equal(generate(2), a);
});

test('errors: RnnError before anything is drawn, and the generator is left as it was', () => {
  const bad: [() => unknown, RegExp][] = [
    [() => multinomial(tensor([1, -1]), 1), /probs: expected finite, non-negative weights/],
    [() => multinomial(tensor([1, NaN]), 1), /non-negative weights/],
    [() => multinomial(tensor([[1, 1], [Infinity, 1]]), 1), /probs row 1: expected finite/],
    [() => multinomial(tensor([0, 0]), 1, { replacement: true }), /at least one non-zero weight, got all zeros/],
    [() => multinomial(tensor([[1, 1, 0], [1, 0, 0]]), 2), /numSamples: expected at most 1 \(the non-zero weights of probs row 1\)/],
    [() => multinomial(tensor([1, 1]), 3), /numSamples: expected at most 2 \(the number of categories\)/],
    [() => multinomial(tensor([1, 1]), 0), /numSamples: expected an integer >= 1, got 0/],
    [() => multinomial(tensor([[[1]]]), 1), /probs: expected weights of shape \(C\) or \(N, C\), got shape \[1, 1, 1\]/],
    [() => multinomial(tensor([1, 1]), 1, { replacement: 1 as any }), /replacement: expected a boolean/],
    [() => sample(tensor([1, NaN])), /logits: expected finite values or -Infinity/],
    [() => sample(tensor([[1, 2], [Infinity, 0]])), /logits row 1: expected finite values/],
    [() => sample(tensor([-Infinity, -Infinity])), /at least one finite/],
    [() => sample(tensor([1, 2]), { temperature: 0 }), /temperature: expected a finite number > 0, got 0/],
    [() => sample(tensor([1, 2]), { temperature: -1 }), /temperature: expected a finite number > 0, got -1/],
    [() => sample(tensor([1, 2]), { temperature: NaN }), /temperature: expected a finite number > 0, got NaN/],
    [() => sample(tensor([1, 2]), { topK: 0 }), /topK: expected an integer >= 1/],
    [() => sample(tensor([1, 2]), { topK: 1.5 }), /topK: expected an integer >= 1/],
    [() => sample(new Float32Array(0)), /logits: expected at least one class/],
    [() => sample([1, 2] as any), /logits: expected a Tensor or a Float32Array, got \[1, 2\]/],
    [() => sample(tensor([[[1]]])), /logits: expected a tensor of shape \(C\) or \(N, C\)/],
  ];
  for (const [fn, re] of bad) {
    manualSeed(40);
    const before = sample(tensor(LOGITS));
    manualSeed(40);
    let err: unknown = null;
    try { fn(); } catch (e) { err = e; }
    assert.ok(err instanceof RnnError, `expected an RnnError for ${fn}, got ${err}`);
    assert.match((err as Error).message, re);
    assert.is(sample(tensor(LOGITS)), before, `the generator moved: ${fn}`);
  }
});

test.run();
