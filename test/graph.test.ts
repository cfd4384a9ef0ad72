// End-to-end graphs the way an outside check drives them: RNN → select/cat → Linear → crossEntropy,
// and a weighted sum of the RNN output, against PyTorch (loss and every gradient, 10× rule).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lib, loadCase, stateDict, T, within10x } from './helpers.js';
import { listCases } from './vectors.js';

const kinds: Record<string, any> = { RNN: lib.RNN, LSTM: lib.LSTM, GRU: lib.GRU };

for (const path of listCases('graph')) {
  const c0 = loadCase(path);
  test(`graph ${path}: ${c0.meta.description}`, () => {
    const c = c0;
    const cfg = c.meta.config;
    const opts = { numLayers: cfg.num_layers, bias: cfg.bias, batchFirst: cfg.batch_first, bidirectional: cfg.bidirectional,
      ...(cfg.nonlinearity ? { nonlinearity: cfg.nonlinearity } : {}) };
    const rnn = new kinds[c.meta.rnn_kind](cfg.input_size, cfg.hidden_size, opts);
    const fc = c.meta.fc ? new lib.Linear(c.meta.fc.in_features, c.meta.fc.out_features) : null;
    const sd = stateDict(c);
    rnn.loadStateDict(Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith('rnn.')).map(([k, v]) => [k.slice(4), v])));
    fc?.loadStateDict(Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith('fc.')).map(([k, v]) => [k.slice(3), v])));
    const x = T(c, 'x', true);
    const [out, st] = rnn.forward(x);
    const hN: lib.Tensor = Array.isArray(st) ? st[0] : st;
    let loss: lib.Tensor;
    const labels = c.has('labels') ? Array.from(c.i32('labels')) : [];
    switch (c.meta.name) {
      case 'rnn_select_linear_ce': loss = lib.crossEntropy(fc!.forward(hN.select(0, -1)), labels); break;
      case 'rnn_bidir_cat_linear_ce': loss = lib.crossEntropy(fc!.forward(lib.cat([hN.select(0, -2), hN.select(0, -1)], 1)), labels); break;
      case 'lstm_last_linear_ce': loss = lib.crossEntropy(fc!.forward(out.select(1, -1)), labels); break;
      case 'gru_hlast_linear_ce': loss = lib.crossEntropy(fc!.forward(hN.select(0, -1)), labels); break;
      case 'rnn_output_weighted_sum': loss = out.mul(T(c, 'w')).sum().add(hN.sum()); break;
      default: throw new Error(`no driver for graph case ${c.meta.name}: ${c.meta.description}`);
    }
    within10x(c, 'loss', [loss.item()]);
    loss.backward();
    within10x(c, 'grad.x', x.grad!.toFloat32Array());
    for (const [k, p] of rnn.namedParameters()) within10x(c, 'grad.rnn.' + k, p.grad!.toFloat32Array());
    if (fc) for (const [k, p] of fc.namedParameters()) within10x(c, 'grad.fc.' + k, p.grad!.toFloat32Array());
    assert.ok(true);
  });
}

test.run();
