// A float64 reference written here (plain loops, no library code) for the recurrences, checked on
// forward values and on gradients by central finite differences of the reference itself. It covers
// what PyTorch cannot give vectors for (the GRU with resetAfter: false) and cross-checks the rest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib } from './helpers.js';

type Mat = Float64Array;
let hard = false;        // gate activation of the reference: sigmoid, or TF.js's hard sigmoid
let act: (v: number) => number = Math.tanh;   // Elman activation of the reference
const sig = (v: number) => (hard ? Math.min(Math.max(v * 0.2 + 0.5, 0), 1) : 1 / (1 + Math.exp(-v)));

/** y = W·v + b for W (rows × cols) row-major starting at row r0. */
function mv(W: Mat, cols: number, r0: number, rows: number, v: ArrayLike<number>, b: Mat | null, b0: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = b ? b[b0 + i] : 0;
    for (let k = 0; k < cols; k++) s += W[(r0 + i) * cols + k] * v[k];
    out.push(s);
  }
  return out;
}

/** One-layer unidirectional GRU/RNN/LSTM over x (T, B, I) in float64 → output (T, B, H) flattened. */
function reference(kind: 'RNN' | 'LSTM' | 'GRU', lbr: boolean, T: number, B: number, I: number, H: number,
  x: Mat, p: Record<string, Mat>, reverse: boolean, lengths: number[] | null): Mat {
  const out = new Float64Array(T * B * H);
  for (let b = 0; b < B; b++) {
    const len = lengths ? lengths[b] : T;
    let h = new Array(H).fill(0), c = new Array(H).fill(0);
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      const xt = Array.from(x.subarray((t * B + b) * I, (t * B + b + 1) * I));
      let hn: number[];
      if (kind === 'RNN') {
        const a = mv(p.wih, I, 0, H, xt, p.bih, 0), r = mv(p.whh, H, 0, H, h, p.bhh, 0);
        hn = a.map((v, j) => act(v + r[j]));
      } else if (kind === 'LSTM') {
        const a = mv(p.wih, I, 0, 4 * H, xt, p.bih, 0), r = mv(p.whh, H, 0, 4 * H, h, p.bhh, 0);
        const g = a.map((v, j) => v + r[j]);
        const cn = c.map((cv, j) => sig(g[H + j]) * cv + sig(g[j]) * Math.tanh(g[2 * H + j]));
        hn = cn.map((cv, j) => sig(g[3 * H + j]) * Math.tanh(cv));
        c = cn;
      } else {
        const a = mv(p.wih, I, 0, 3 * H, xt, p.bih, 0);
        const rz = mv(p.whh, H, 0, 2 * H, h, p.bhh, 0);
        const r = Array.from({ length: H }, (_, j) => sig(a[j] + rz[j]));
        const z = Array.from({ length: H }, (_, j) => sig(a[H + j] + rz[H + j]));
        const hnPart = lbr ? mv(p.whh, H, 2 * H, H, h, p.bhh, 2 * H).map((v, j) => r[j] * v)
          : mv(p.whh, H, 2 * H, H, h.map((v, j) => r[j] * v), p.bhh, 2 * H);
        const n = hnPart.map((v, j) => Math.tanh(a[2 * H + j] + v));
        hn = n.map((nv, j) => (1 - z[j]) * nv + z[j] * h[j]);
      }
      h = hn;
      for (let j = 0; j < H; j++) out[(t * B + b) * H + j] = h[j];
    }
  }
  return out;
}

let seed = 99;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return Math.fround(seed / 2147483648 * 1.6 - 0.8); };
const randVec = (n: number) => Float64Array.from({ length: n }, rnd);

type Extra = { gate?: 'hardSigmoid'; act?: 1 | 3 };
const cases: [string, 'RNN' | 'LSTM' | 'GRU', boolean, boolean, number[] | null, Extra?][] = [
  ['GRU resetAfter=false, hardSigmoid gates', 'GRU', false, false, null, { gate: 'hardSigmoid' }],
  ['LSTM hardSigmoid gates, reverse', 'LSTM', true, true, null, { gate: 'hardSigmoid' }],
  ['GRU resetAfter=true, hardSigmoid gates, lengths', 'GRU', true, false, [2, 5, 4], { gate: 'hardSigmoid' }],
  ['RNN sigmoid activation (Keras SimpleRNN)', 'RNN', true, false, null, { act: 1 }],
  ['RNN linear activation (Keras SimpleRNN), lengths', 'RNN', true, true, [5, 1, 3], { act: 3 }],
  ['GRU resetAfter=false', 'GRU', false, false, null],
  ['GRU resetAfter=false, reverse, lengths', 'GRU', false, true, [4, 2, 5]],
  ['GRU resetAfter=true, lengths', 'GRU', true, false, [1, 5, 3]],
  ['LSTM reverse, lengths', 'LSTM', true, true, [3, 5, 2]],
  ['RNN tanh', 'RNN', true, false, null],
];

for (const [name, kind, lbr, reverse, lengths, extra] of cases) {
  test(`${name}: forward and finite-difference gradients against a float64 reference`, () => {
    hard = extra?.gate === 'hardSigmoid';
    act = extra?.act === 1 ? (v) => 1 / (1 + Math.exp(-v)) : extra?.act === 3 ? (v) => v : Math.tanh;
    const T = 5, B = 3, I = 4, H = 6, G = { RNN: 1, LSTM: 4, GRU: 3 }[kind];
    const p = { wih: randVec(G * H * I), whh: randVec(G * H * H), bih: randVec(G * H), bhh: randVec(G * H) };
    const x = randVec(T * B * I);
    const wts = randVec(T * B * H);
    const opts = { bidirectional: reverse };
    const gate = extra?.gate ? { gateActivation: extra.gate } : {};
    const m = kind === 'GRU' ? new lib.GRU(I, H, { ...opts, ...gate, resetAfter: lbr }) : kind === 'LSTM' ? new lib.LSTM(I, H, { ...opts, ...gate }) : new lib.RNN(I, H, opts);
    // Keras SimpleRNN activations go through an internal setter (PyTorch's RNN has only tanh and relu)
    if (extra?.act) (m as unknown as { _setActivation(code: number): void })._setActivation(extra.act);
    const sfx = reverse ? '_l0_reverse' : '_l0';
    const sd: Record<string, lib.Tensor> = {};
    for (const [k, v] of m.namedParameters()) sd[k] = lib.tensor(new Float32Array(v.numel), v.shape);
    sd['weight_ih' + sfx] = lib.tensor(Float32Array.from(p.wih), [G * H, I]);
    sd['weight_hh' + sfx] = lib.tensor(Float32Array.from(p.whh), [G * H, H]);
    sd['bias_ih' + sfx] = lib.tensor(Float32Array.from(p.bih), [G * H]);
    sd['bias_hh' + sfx] = lib.tensor(Float32Array.from(p.bhh), [G * H]);
    m.loadStateDict(sd);
    const xt = lib.tensor(Float32Array.from(x), [T, B, I], { requiresGrad: true });
    const res = m.forward(xt, undefined, lengths ? { lengths } : undefined) as [lib.Tensor, unknown];
    // the direction under test is the second half when bidirectional (the first sees zero weights)
    const out = reverse ? res[0].slice(2, H, 2 * H) : res[0];
    const ref = reference(kind, lbr, T, B, I, H, x, p, reverse, lengths);
    const o = out.toFloat32Array();
    for (let i = 0; i < o.length; i++) assert.ok(Math.abs(o[i] - ref[i]) < 2e-6, `output[${i}] ${o[i]} vs ${ref[i]}`);
    out.mul(lib.tensor(Float32Array.from(wts), [T, B, H])).sum().backward();
    const loss = () => reference(kind, lbr, T, B, I, H, x, p, reverse, lengths).reduce((s, v, i) => s + v * wts[i], 0);
    const fdCheck = (what: string, arr: Mat, got: Float32Array) => {
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i], h = 1e-6;
        arr[i] = v + h; const up = loss(); arr[i] = v - h; const dn = loss(); arr[i] = v;
        const fd = (up - dn) / (2 * h);
        assert.ok(Math.abs(got[i] - fd) <= 2e-5 * Math.max(1, Math.abs(fd)), `${what}[${i}]: ${got[i]} vs finite difference ${fd}`);
      }
    };
    fdCheck('grad x', x, xt.grad!.toFloat32Array());
    const params = Object.fromEntries(m.namedParameters());
    fdCheck('grad weight_ih', p.wih, params['weight_ih' + sfx].grad!.toFloat32Array());
    fdCheck('grad weight_hh', p.whh, params['weight_hh' + sfx].grad!.toFloat32Array());
    fdCheck('grad bias_ih', p.bih, params['bias_ih' + sfx].grad!.toFloat32Array());
    fdCheck('grad bias_hh', p.bhh, params['bias_hh' + sfx].grad!.toFloat32Array());
  });
}

test('GRU resetAfter=false: step() equals forward bit for bit; GRUCell matches one step', () => {
  lib.manualSeed(8);
  const m = new lib.GRU(3, 5, { resetAfter: false, numLayers: 2 });
  assert.is(String(m), 'GRU(3, 5, num_layers=2, reset_after=False)');
  const x = lib.randn([4, 2, 3]);
  const full = lib.noGrad(() => m.forward(x))[0].toFloat32Array();
  let st: lib.StepState | undefined;
  for (let t = 0; t < 4; t++) {
    st = m.step(x.select(0, t), st);
    assert.equal(Array.from(st.output), Array.from(full.subarray(t * 10, (t + 1) * 10)));
  }
  const cell = new lib.GRUCell(3, 5, { resetAfter: false });
  const one = new lib.GRU(3, 5, { resetAfter: false });
  one.loadStateDict(Object.fromEntries(cell.namedParameters().map(([k, v]) => [k + '_l0', v.detach()])));
  const x0 = x.select(0, 0);
  assert.equal(Array.from(cell.forward(x0).toFloat32Array()), Array.from(one.forward(x0.unsqueeze(0))[0].toFloat32Array()));
});

test.run();
