// The examples run and print PyTorch's shapes (they are documentation; this keeps them working).
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const run = (file: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
};

test("tutorial 001's LSTM exercise: LSTM(4, 2, num_layers=3) on the one-hot batch", () => {
  const out = run('examples/tutorial001_lstm.ts').split('\n');
  assert.is(out[0], 'LSTM(4, 2, num_layers=3)');
  assert.is(out[2], 'torch.Size([3, 5, 2])', 'outputs');
  assert.is(out[4], 'torch.Size([3, 5, 2])', 'hidden state (num_layers, batch, hidden)');
  assert.ok(out.includes('weight_ih_l0 torch.Size([8, 4])') && out.includes('weight_hh_l2 torch.Size([8, 2])'));
});

test.run();
