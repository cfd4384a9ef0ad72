// Cells against torch.nn.RNNCell / LSTMCell / GRUCell: new state and every gradient (10× rule).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';
import { listCases } from './vectors.js';

const cells: Record<string, any> = { RNNCell: lib.RNNCell };

for (const path of listCases('cell')) {
  const c = loadCase(path);
  if (!(c.meta.kind in cells)) continue;
  test(`${c.meta.kind} ${path}`, () => {
    const cfg = c.meta.config;
    const cell = new cells[c.meta.kind](cfg.input_size, cfg.hidden_size,
      { bias: cfg.bias, ...(cfg.nonlinearity ? { nonlinearity: cfg.nonlinearity } : {}) });
    assert.equal(cell.namedParameters().map(([k]: [string]) => k), c.meta.param_names);
    cell.loadStateDict(stateDict(c));
    const x = T(c, 'x', true);
    const h0 = c.meta.has_h0 ? T(c, 'h0', true) : undefined;
    const h = cell.forward(x, h0);
    assert.equal(h.shape, c.shape('ref.h_n'));
    within10x(c, 'h_n', h.toFloat32Array());
    h.mul(T(c, 'wh')).sum().backward();
    within10x(c, 'grad.x', x.grad!.toFloat32Array());
    if (h0) within10x(c, 'grad.h0', h0.grad!.toFloat32Array());
    for (const [k, p] of cell.namedParameters() as [string, lib.Parameter][]) within10x(c, 'grad.' + k, p.grad!.toFloat32Array());
  });
}

test.run();
