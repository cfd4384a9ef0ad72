// A batch-first mix-up: h0/c0 or lengths that would fit if the input's two leading dimensions were
// read the other way get an RnnError that says how the input was read and which option to change;
// a plain wrong shape gets no such hint. As for every RnnError: no Wasm memory touched, still usable.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

const { RNN, LSTM, GRU, zeros, RnnError } = lib;

function message(fn: () => unknown): string {
  const before = lib.memoryStats().liveBytes;
  let err: unknown = null;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof RnnError, `expected RnnError, got ${err}`);
  assert.is(lib.memoryStats().liveBytes, before, 'no Wasm memory touched');
  return (err as Error).message;
}

test('h0 for a (B, T, I) input given to a time-major layer: the message says how the input was read and to set batchFirst', () => {
  const rnn = new RNN(4, 8);
  const x = zeros([3, 5, 4]);                       // meant as (B=3, T=5, I=4)
  const h0 = zeros([1, 3, 8]);
  const m = message(() => rnn.forward(x, h0));
  assert.is(m, 'h0: expected shape [1, 5, 8], got [1, 3, 8] (input shape [3, 5, 4] is read as (T, B, I) = (3, 5, 4) since batchFirst is false; for a (B, T, I) input, set batchFirst: true)');
  // and with batchFirst set, the same h0 fits
  assert.equal(new RNN(4, 8, { batchFirst: true }).forward(x, zeros([1, 3, 8]))[1].shape, [1, 3, 8]);
});

test('the other way round: a (T, B, I) input given to a batchFirst layer; c0 of an LSTM; a GRU', () => {
  const lstm = new LSTM(4, 8, { batchFirst: true, numLayers: 2 });
  const x = zeros([6, 2, 4]);                        // meant as (T=6, B=2, I=4)
  const h0 = zeros([2, 2, 8]), c0 = zeros([2, 2, 8]);
  const m = message(() => lstm.forward(x, [h0, c0]));
  assert.ok(m.startsWith('h0: expected shape [2, 6, 8], got [2, 2, 8] (input shape [6, 2, 4] is read as (B, T, I) = (6, 2, 4) since batchFirst is true; for a (T, B, I) input, leave batchFirst false)'), m);
  const okH = zeros([2, 6, 8]);
  const mc = message(() => lstm.forward(x, [okH, c0]));
  assert.ok(mc.startsWith('c0: expected shape [2, 6, 8], got [2, 2, 8] (input shape [6, 2, 4] is read as (B, T, I)'), mc);
  const gru = new GRU(4, 8), xg = zeros([2, 7, 4]), hg = zeros([1, 2, 8]);
  const mg = message(() => gru.forward(xg, hg));
  assert.ok(mg.includes('set batchFirst: true'), mg);
});

test('lengths counted per time step instead of per sequence get the same hint', () => {
  const rnn = new RNN(4, 8);
  const x = zeros([3, 5, 4]);
  const m = message(() => rnn.forward(x, null, { lengths: [5, 5, 4] }));
  assert.is(m, 'lengths: expected 5 sequence lengths (one per batch entry), got 3 (input shape [3, 5, 4] is read as (T, B, I) = (3, 5, 4) since batchFirst is false; for a (B, T, I) input, set batchFirst: true)');
});

test('no hint when swapping would not help: a wrong layer count, a wrong width, T = B, unbatched input', () => {
  const rnn = new RNN(4, 8, { numLayers: 2 });
  for (const [x, h0] of [
    [zeros([3, 5, 4]), zeros([1, 3, 8])],    // swapping fits B, but numLayers is wrong
    [zeros([3, 5, 4]), zeros([2, 3, 7])],    // wrong width
    [zeros([4, 4, 4]), zeros([2, 3, 8])],    // T = B: nothing to swap
    [zeros([5, 4]), zeros([2, 5, 8])],       // unbatched
  ] as const) {
    const m = message(() => rnn.forward(x, h0));
    assert.ok(m.startsWith('h0: expected shape ['), m);
    assert.not.ok(m.includes('batchFirst'), m);
  }
});

test.run();
