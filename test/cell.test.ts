// Cells against torch.nn.RNNCell / LSTMCell / GRUCell: new state and every gradient (10× rule).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';
import { listCases } from './vectors.js';

const cells: Record<string, any> = { RNNCell: lib.RNNCell, LSTMCell: lib.LSTMCell, GRUCell: lib.GRUCell };

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
    const c0 = c.meta.has_h0 && c.has('c0') ? T(c, 'c0', true) : undefined;
    let h: lib.Tensor, cy: lib.Tensor | null = null;
    if (cell instanceof lib.LSTMCell) [h, cy] = cell.forward(x, h0 ? [h0, c0!] : undefined);
    else h = cell.forward(x, h0);
    assert.equal(h.shape, c.shape('ref.h_n'));
    within10x(c, 'h_n', h.toFloat32Array());
    let loss = h.mul(T(c, 'wh')).sum();
    if (cy) { within10x(c, 'c_n', cy.toFloat32Array()); loss = loss.add(cy.mul(T(c, 'wc')).sum()); }
    loss.backward();
    within10x(c, 'grad.x', x.grad!.toFloat32Array());
    if (h0) within10x(c, 'grad.h0', h0.grad!.toFloat32Array());
    if (c0) within10x(c, 'grad.c0', c0.grad!.toFloat32Array());
    for (const [k, p] of cell.namedParameters() as [string, lib.Parameter][]) within10x(c, 'grad.' + k, p.grad!.toFloat32Array());
  });
}

test.run();
