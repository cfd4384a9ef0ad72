// The demo runs (the tutorial programs are tested in tutorials.test.ts; the apps in apps.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('npm run demo: the name classifier on real data (a tiny run here), its report, then the PyTorch round trip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-demo-'));
  try {
    // the full run (4 epochs, test accuracy >= 80 %) is .ci/run's `npm run demo` step
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/demo.ts', '--epochs', '2', '--max-batches', '12', '--hidden', '16', '--out', join(dir, 'n.safetensors')],
      { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /8003 names from @stdlib\/datasets-\{male,female\}-first-names-en \(419 listed as both were dropped\), train 6402, test 1601/);
    assert.is([...out.matchAll(/^epoch \d\/2 .*test loss [\d.]+ accuracy [\d.]+%/gm)].length, 2);
    assert.match(out, /^test accuracy \d+\.\d% \(1601 names never trained on\)/m);
    assert.match(out, /confusion on the test split[^]*male\s+\d+\s+\d+\n\s+female\s+\d+\s+\d+/);
    assert.match(out, /^\s+Maria\s+male\s+\d+\.\d%\s+female\s+\d+\.\d%\s+→ (male|female)\s+\(train split, labelled female\)$/m);
    const rt = /gives PyTorch's logits for 14 names within ([\d.e+-]+)\./.exec(out);
    assert.ok(rt && Number(rt[1]) <= 1e-5, rt?.[0] ?? 'no PyTorch round-trip line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
