// A recurrence that starts from no state (h0 absent: zeros) skips work the kernels can prove is
// zero: the first step's state GEMM (finite weights), the last backward step's dh_{-1} (no dh0), and
// the zero rows of H_prev in the weight gradients (finite dG), which it otherwise reads in place
// from the outputs in pieces cut at summation-block edges. Passing an explicit zero state runs the
// skipped work; lengths (all full) take the plain path: every H_prev gathered, one GEMM. All three
// must give the same bits — outputs, final states and every gradient — also
// when a weight or an upstream gradient is infinite, where 0 · inf = NaN must appear as in PyTorch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, bitsEqual } from './helpers.js';

type Mod = lib.RNN | lib.LSTM | lib.GRU;

interface Run { out: Float32Array; fin: Float32Array[]; gx: Float32Array; grads: Float32Array[] }

/** forward + backward of sum(out · w), with no state or an explicit zero state that needs its gradient. */
function run(make: () => Mod, T: number, B: number, zeroState: boolean, poison?: (m: Mod, w: Float32Array) => void, full = false): Run {
  lib.manualSeed(99);
  const m = make();
  const lstm = m instanceof lib.LSTM;
  const I = m.inputSize, LD = m.numLayers * m.numDirections;
  const x = lib.randn([T, B, I]).mul(1.5);
  x.requiresGrad = true;
  let state: lib.Tensor | [lib.Tensor, lib.Tensor] | null = null;
  if (zeroState) {
    const h = lib.zeros([LD, B, m.hiddenOut], { requiresGrad: true });
    state = lstm ? [h, lib.zeros([LD, B, m.hiddenSize], { requiresGrad: true })] : h;
  }
  const wData = lib.randn([T, B, m.hiddenOut * m.numDirections]).toFloat32Array();
  poison?.(m, wData);
  const [out, fin] = (m as lib.RNN).forward(x, state as lib.Tensor | null, full ? { lengths: new Array(B).fill(T) } : undefined) as [lib.Tensor, lib.Tensor | [lib.Tensor, lib.Tensor]];
  out.mul(lib.tensor(wData, out.shape)).sum().backward();
  return {
    out: out.toFloat32Array(),
    fin: (Array.isArray(fin) ? fin : [fin]).map((t) => t.toFloat32Array()),
    gx: x.grad!.toFloat32Array(),
    grads: m.parameters().map((p) => p.grad!.toFloat32Array()),
  };
}

function same(a: Run, b: Run, what: string): void {
  bitsEqual(a.out, b.out, what + ' output');
  a.fin.forEach((f, i) => bitsEqual(f, b.fin[i], `${what} final state ${i}`));
  bitsEqual(a.gx, b.gx, what + ' input gradient');
  a.grads.forEach((g, i) => bitsEqual(g, b.grads[i], `${what} parameter gradient ${i}`));
}

const makers: [string, () => Mod][] = [
  ['RNN 2 layers bidirectional', () => new lib.RNN(6, 10, { numLayers: 2, bidirectional: true })],
  ['LSTM projSize bidirectional', () => new lib.LSTM(5, 9, { projSize: 4, bidirectional: true })],
  ['GRU 2 layers', () => new lib.GRU(4, 8, { numLayers: 2 })],
  ['GRU resetAfter=false bidirectional', () => new lib.GRU(4, 7, { resetAfter: false, bidirectional: true } as lib.GRUOptions)],
];

// B = 4 (smallest batch that skips), 32 (zero rows share a summation block with h rows), 64 and 96
// (whole blocks of zero rows, gathered); T·B from 4 to 3840 rows
for (const [name, make] of makers) {
  test(`${name}: no state, an explicit zero state and full lengths give the same bits`, () => {
    for (const B of [4, 5, 32, 64, 96]) for (const T of [1, 2, 3, 40]) {
      const a = run(make, T, B, false);
      same(a, run(make, T, B, true), `B=${B} T=${T} zero state`);
      same(a, run(make, T, B, false, undefined, true), `B=${B} T=${T} full lengths`);
    }
  });
}

test('an infinite recurrent weight makes the first step NaN with no state, as with a zero state (0 · inf)', () => {
  for (const [name, make] of makers) {
    const poison = (m: Mod) => {
      const a = m.stateDict().weight_hh_l0.toFloat32Array();
      a[3] = Infinity;
      m.loadStateDict({ weight_hh_l0: a }, { strict: false });
    };
    const a = run(make, 3, 8, false, poison), b = run(make, 3, 8, true, poison);
    same(a, b, name);
    assert.ok(a.out.subarray(0, 8).some(Number.isNaN), `${name}: NaN at the first step`);
  }
});

test('an infinite output gradient at the first step reaches the recurrent weight gradient as NaN, as with a zero state', () => {
  for (const [name, make] of makers) {
    const poison = (_m: Mod, w: Float32Array) => { w[1] = Infinity; };   // step 0, batch row 0
    const a = run(make, 4, 32, false, poison), b = run(make, 4, 32, true, poison);
    same(a, b, name);
    assert.ok(a.grads[1].some(Number.isNaN), `${name}: NaN in weight_hh_l0's gradient`);
  }
});

test.run();
