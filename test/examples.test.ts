// The demo runs and follows PyTorch (the tutorial programs are tested in tutorials.test.ts).
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const run = (file: string) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
};

test('npm run demo: the three tutorial-003 runs follow PyTorch, then the tutorial 000/001 shapes', () => {
  const out = run('examples/demo.ts');
  const diffs = [...out.matchAll(/^\s+\d+\s+[\d.]+\s+[\d.]+\s+([\d.e+-]+)$/gm)].map((m) => Number(m[1]));
  assert.is(diffs.length, 60, '3 models x 20 epochs');
  assert.ok(Math.max(...diffs) <= 1e-4, `largest per-epoch difference from PyTorch ${Math.max(...diffs)}`);
  for (const line of ['RNN(5, 8, num_layers=2, batch_first=True)', 'outputs        [1, 4, 16]', 'LSTM(4, 2, num_layers=3)']) {
    assert.ok(out.includes(line), line);
  }
});

test.run();
