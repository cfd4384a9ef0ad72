// Dropout: eval mode is the identity; train mode zeroes a fraction p (a binomial bound), scales the rest
// with PyTorch's bits (x * fl32(1 / fl32(1 − p))), its gradient is the same mask; seeded; bad p rejected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsEqual, lib } from './helpers.js';

const { Dropout, RnnError } = lib;

test('eval mode (and p = 0) returns the input itself', () => {
  const x = lib.randn([3, 4]);
  const d = new Dropout(0.4);
  assert.is(d.eval().forward(x), x);
  assert.is(new Dropout(0).forward(x), x);
  assert.is(d.train().training, true);
  assert.is.not(d.forward(x), x);
});

test('repr and defaults follow PyTorch', () => {
  assert.is(String(new Dropout()), 'Dropout(p=0.5, inplace=False)');
  assert.is(String(new Dropout(0.1)), 'Dropout(p=0.1, inplace=False)');
  assert.is(String(new Dropout(0.25, true)), 'Dropout(p=0.25, inplace=True)');
  assert.is(new Dropout().p, 0.5);
  assert.equal(new Dropout().parameters(), []);
});

// p values where fl32(1 − fl32(p)) and fl32(1 − p) differ (0.33, 0.9) check the scale's rounding
for (const p of [0.33, 0.9, 0.1, 0.5]) {
  test(`train mode, p = ${p}: zero fraction near p, kept values x·(1/(1−p)) as PyTorch rounds it, gradient = mask·scale`, () => {
    lib.manualSeed(17);
    const n = 100000;
    const x = lib.randn([100, 1000], { requiresGrad: true });
    const y = new Dropout(p).forward(x);
    assert.equal(y.shape, [100, 1000]);
    const xv = x.toFloat32Array(), yv = y.toFloat32Array();
    const scale = Math.fround(1 / Math.fround(1 - p));   // PyTorch: noise.div_(1 - p) in float32, then input * noise
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      if (yv[i] === 0) { zeros++; continue; }
      if (yv[i] !== Math.fround(xv[i] * scale)) assert.unreachable(`y[${i}] = ${yv[i]}, want ${Math.fround(xv[i] * scale)} (x ${xv[i]})`);
    }
    // binomial(n, p): six standard deviations
    const sd = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(zeros - n * p) < 6 * sd, `${zeros} zeros of ${n}, expected ${n * p} ± ${6 * sd}`);
    const g = lib.randn([100, 1000]);
    y.backward(g);
    const gv = g.toFloat32Array(), dx = x.grad!.toFloat32Array();
    for (let i = 0; i < n; i++) {
      const want = yv[i] === 0 ? 0 : Math.fround(gv[i] * scale);
      if (dx[i] !== want) assert.unreachable(`dx[${i}] = ${dx[i]}, want ${want}`);
    }
  });
}

test('p = 1 zeroes everything (and the gradient); the mask is reproducible from manualSeed', () => {
  const x = lib.randn([50], { requiresGrad: true });
  const y = new Dropout(1).forward(x);
  assert.ok(y.toFloat32Array().every((v) => v === 0));
  y.sum().backward();
  assert.ok(x.grad!.toFloat32Array().every((v) => v === 0));
  const x2 = lib.randn([1000]);
  const run = () => { lib.manualSeed(5); return new Dropout(0.3).forward(x2).toFloat32Array(); };
  const a = run(), b = run();
  bitsEqual(a, b, 'same seed, same mask');
  const c = new Dropout(0.3).forward(x2).toFloat32Array();
  assert.ok(c.some((v, i) => v !== a[i]), 'the next draw differs');
});

test('under noGrad nothing is recorded and the mask is freed', () => {
  const x = lib.randn([64], { requiresGrad: true });
  const d = new Dropout(0.5);
  d.forward(x);   // warm up
  const before = lib.memoryStats().transientBytes;
  const y = lib.noGrad(() => d.forward(x));
  assert.is(y.requiresGrad, false);
  assert.is(lib.memoryStats().transientBytes - before, 64 * 4, 'only the output remains');
});

test('bad p or input: RnnError, library usable afterwards', () => {
  for (const p of [-0.1, 1.5, NaN, '0.5']) {
    let err: unknown;
    try { new Dropout(p as number); } catch (e) { err = e; }
    assert.ok(err instanceof RnnError && err.message.includes('p: expected a dropout probability in [0, 1]'), String(err));
  }
  let err: unknown;
  try { new Dropout(0.5).forward([1, 2] as never); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError && err.message.includes('input: expected a Tensor'), String(err));
  assert.is(new Dropout(0.5).eval().forward(lib.ones([2])).numel, 2);
});

test.run();
