// Issue 12 item 6 (API arguments): runs test/fuzz-api-run.ts — thousands of seeded mutations of the
// arguments of constructors, factories, Tensor ops, forward/step/lengths, losses, optimizers, state
// dicts, setMemoryBudget and init, each of which must end in a correct result or an RnnError within
// a time bound, with the same bits from a known-good model afterwards — in a child process, so that
// its junk calls leave the JIT and heap state of this process (which later test files measure) alone.
// FUZZ_SEED and FUZZ_CASES pass through.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

test('seeded API-argument mutations: a correct result or an RnnError, in bounded time, nothing held changed (child process)', () => {
  const root = new URL('..', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', root + 'test/fuzz-api-run.ts'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(r.status === 0 && line, `the fuzz failed (status ${r.status}):\n${r.stderr.slice(0, 8000)}\n${r.stdout.slice(-4000)}`);
  const o = JSON.parse(line!.slice(7));
  console.log(`  fuzz-api: seed ${o.seed}, ${o.ok} results, ${o.rnnError} RnnErrors; slowest ${o.slowestMs.toFixed(1)} ms: ${o.slowest}`);
  assert.is(o.ok + o.rnnError > o.cases * 0.9, true, 'nearly every case ran');
});

test.run();
