// nn.RNN / nn.LSTM / nn.GRU against PyTorch 1.13, including variable-length (packed) batches:
// forward values and every gradient, within 10× PyTorch's own float32 error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';
import { listCases } from './vectors.js';
import type { Case } from './vectors.js';

const report: string[] = [];

/** Builds the module a case describes, through the public constructor with PyTorch's options. */
export function build(c: Case): lib.RNN | lib.LSTM | lib.GRU {
  const cfg = c.meta.config;
  const common = { numLayers: cfg.num_layers, bias: cfg.bias, batchFirst: cfg.batch_first, bidirectional: cfg.bidirectional };
  const kind = c.meta.rnn_kind ?? c.meta.kind;
  if (kind === 'RNN') return new lib.RNN(cfg.input_size, cfg.hidden_size, { ...common, nonlinearity: cfg.nonlinearity });
  if (kind === 'LSTM') return new lib.LSTM(cfg.input_size, cfg.hidden_size, { ...common, projSize: cfg.proj_size ?? 0 });
  if (kind === 'GRU') return new lib.GRU(cfg.input_size, cfg.hidden_size, common);
  throw new Error(`unknown kind ${kind}`);
}

function run(path: string) {
  test(`${path}`, () => {
    const c = loadCase(path);
    const m = build(c);
    assert.equal(m.namedParameters().map(([k]) => k), c.meta.param_names, 'parameter names and order');
    m.loadStateDict(stateDict(c));
    const x = T(c, 'x', true);
    const h0 = c.meta.has_h0 ? T(c, 'h0', true) : undefined;
    const c0 = c.meta.has_h0 && c.has('c0') ? T(c, 'c0', true) : undefined;
    const opts = c.meta.lengths ? { lengths: c.meta.lengths } : undefined;
    let out: lib.Tensor, hN: lib.Tensor, cN: lib.Tensor | null = null;
    if (m instanceof lib.LSTM) [out, [hN, cN]] = m.forward(x, h0 ? [h0, c0!] : undefined, opts);
    else [out, hN] = (m as lib.RNN).forward(x, h0, opts);
    assert.equal(out.shape, c.shape('ref.output'), 'output shape');
    assert.equal(hN.shape, c.shape('ref.h_n'), 'h_n shape');
    within10x(c, 'output', out.toFloat32Array(), report);
    within10x(c, 'h_n', hN.toFloat32Array(), report);
    let loss = out.mul(T(c, 'wo')).sum().add(hN.mul(T(c, 'wh')).sum());
    if (cN) {
      assert.equal(cN.shape, c.shape('ref.c_n'), 'c_n shape');
      within10x(c, 'c_n', cN.toFloat32Array(), report);
      loss = loss.add(cN.mul(T(c, 'wc')).sum());
    }
    loss.backward();
    within10x(c, 'grad.x', x.grad!.toFloat32Array(), report);
    if (h0) within10x(c, 'grad.h0', h0.grad!.toFloat32Array(), report);
    if (c0) within10x(c, 'grad.c0', c0.grad!.toFloat32Array(), report);
    for (const [k, p] of m.namedParameters()) within10x(c, 'grad.' + k, p.grad!.toFloat32Array(), report);
    if (c.meta.lengths) {
      // padding: output exactly zero, input gradient exactly zero
      const o = out.toFloat32Array(), g = x.grad!.toFloat32Array(), ref = c.f64('ref.output'), gref = c.f64('ref.grad.x');
      for (let i = 0; i < o.length; i++) if (ref[i] === 0) assert.is(o[i], 0, `padded output[${i}]`);
      for (let i = 0; i < g.length; i++) if (gref[i] === 0) assert.is(g[i], 0, `padded grad.x[${i}]`);
    }
  });
}

for (const dir of ['rnn', 'lstm', 'gru', 'packed']) for (const path of listCases(dir)) run(path);

test('module reprs and parameter shapes follow PyTorch', () => {
  assert.is(String(new lib.RNN(4, 2, { numLayers: 3 })), 'RNN(4, 2, num_layers=3)');
  assert.is(String(new lib.LSTM(10, 20, { projSize: 5, batchFirst: true })), 'LSTM(10, 20, proj_size=5, batch_first=True)');
  assert.is(String(new lib.GRU(3, 4, { bidirectional: true, bias: false })), 'GRU(3, 4, bias=False, bidirectional=True)');
  const l = new lib.LSTM(10, 20, { projSize: 5, numLayers: 2 });
  assert.equal(l.namedParameters().map(([k, p]) => `${k}:${p.shape}`),
    ['weight_ih_l0:80,10', 'weight_hh_l0:80,5', 'bias_ih_l0:80', 'bias_hh_l0:80', 'weight_hr_l0:5,20',
      'weight_ih_l1:80,5', 'weight_hh_l1:80,5', 'bias_ih_l1:80', 'bias_hh_l1:80', 'weight_hr_l1:5,20']);
  assert.is(new lib.RNN(5, 10, 4).numLayers, 4, 'positional numLayers like nn.RNN(5, 10, 4)');
  assert.is(new lib.RNN(5, 10, { batch_first: true } as never).batchFirst, true, "PyTorch's snake_case options");
});

test('bad lengths are RnnErrors', () => {
  const m = new lib.GRU(3, 4);
  const x = lib.zeros([5, 2, 3]);
  for (const [lengths, frag] of [[[0, 2], 'lengths[0]'], [[6, 2], 'lengths[0]'], [[2], '2 sequence lengths'], [[2.5, 1], 'lengths[0]']] as const) {
    let err: unknown;
    try { m.forward(x, undefined, { lengths: lengths as unknown as number[] }); } catch (e) { err = e; }
    assert.ok(err instanceof lib.RnnError, String(err));
    assert.ok((err as Error).message.includes(frag), (err as Error).message);
  }
});

test.after(() => { if (process.env.REPORT) console.log(report.join('\n')); });
test.run();
