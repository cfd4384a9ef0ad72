// Tutorial 003's three classifiers, trained 20 epochs with Adam(0.01) from PyTorch's initial weights:
// the loss of every epoch must follow PyTorch's within 1e-4, and the final weights stay close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tutorial003Models } from '../examples/tutorial003.js';
import { lib, loadCase, stateDict, T } from './helpers.js';

const { Adam, crossEntropy } = lib;
const models = tutorial003Models;

for (const name of Object.keys(models) as (keyof typeof models)[]) {
  test(`tutorial 003 ${name}: 20 epochs follow PyTorch's loss curve within 1e-4`, () => {
    const c = loadCase(`train/${name}`);
    const model = models[name]();
    assert.equal(model.namedParameters().map(([k]) => k), c.meta.param_names);
    model.loadStateDict(stateDict(c));
    const x = T(c, 'x');
    const labels = Array.from(c.i32('labels'));
    const opt = new Adam(model.parameters(), { lr: c.meta.lr });
    const losses: number[] = [];
    for (let epoch = 0; epoch < c.meta.epochs; epoch++) {
      const loss = crossEntropy(model.forward(x), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const want = c.f64('losses');
    let worst = 0;
    losses.forEach((l, i) => { worst = Math.max(worst, Math.abs(l - want[i])); });
    assert.ok(worst <= 1e-4, `max loss deviation ${worst} (ours ${losses.map((v) => v.toFixed(6))})`);
    // a much tighter check than the contract: within 100× PyTorch's own float32 drift from float64
    const ref64 = c.f64('losses64');
    losses.forEach((l, i) => assert.ok(Math.abs(l - ref64[i]) <= 100 * Math.max(c.meta.torch_err.losses, 1e-8), `epoch ${i}: ${l} vs ${ref64[i]}`));
    for (const [k, p] of model.namedParameters()) {
      const ref = c.f64('ref.final.param.' + k), v = p.toFloat32Array();
      let err = 0;
      for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i] - ref[i]));
      assert.ok(err <= 1e-5, `final ${k}: ${err}`);
    }
  });
}

test.run();
