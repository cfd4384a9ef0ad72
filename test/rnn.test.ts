// nn.RNN against PyTorch 1.13: forward values and every gradient, within 10× PyTorch's own float32 error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';
import { listCases } from './vectors.js';

const report: string[] = [];

for (const path of listCases('rnn')) {
  test(`RNN ${path}`, () => {
    const c = loadCase(path);
    const cfg = c.meta.config;
    const m = new lib.RNN(cfg.input_size, cfg.hidden_size, {
      numLayers: cfg.num_layers, nonlinearity: cfg.nonlinearity, bias: cfg.bias,
      batchFirst: cfg.batch_first, bidirectional: cfg.bidirectional,
    });
    assert.equal(m.namedParameters().map(([k]) => k), c.meta.param_names, 'parameter names and order');
    m.loadStateDict(stateDict(c));
    const x = T(c, 'x', true);
    const h0 = c.meta.has_h0 ? T(c, 'h0', true) : undefined;
    const [out, hN] = m.forward(x, h0);
    assert.equal(out.shape, c.shape('ref.output'), 'output shape');
    assert.equal(hN.shape, c.shape('ref.h_n'), 'h_n shape');
    within10x(c, 'output', out.toFloat32Array(), report);
    within10x(c, 'h_n', hN.toFloat32Array(), report);
    const loss = out.mul(T(c, 'wo')).sum().add(hN.mul(T(c, 'wh')).sum());
    loss.backward();
    within10x(c, 'grad.x', x.grad!.toFloat32Array(), report);
    if (h0) within10x(c, 'grad.h0', h0.grad!.toFloat32Array(), report);
    for (const [k, p] of m.namedParameters()) within10x(c, 'grad.' + k, p.grad!.toFloat32Array(), report);
  });
}

test.after(() => { if (process.env.REPORT) console.log(report.join('\n')); });
test.run();
