// The determinism suite (test/runtimes/cases.mjs) in every runtime that npm installs: Node (default
// and slim entries), Deno, Bun and workerd (two compatibility dates). Each is a child process running
// the same dist/ bundle; every case's SHA-256 must equal test/runtimes/golden.json. Browsers (Chromium,
// Firefox) need apt packages and run in scripts/test-browsers.mjs instead.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
// @ts-ignore plain ESM helpers shared with the browser runner
import { compare, loadGolden, parseResults, report } from './runtimes/golden.mjs';
// @ts-ignore
import { RUNTIMES, spawnRuntime } from './runtimes/runtimes.mjs';

const golden = loadGolden();
const wasmNow = createHash('sha256').update(readFileSync(new URL('../dist/wasm-rnn.wasm', import.meta.url))).digest('hex');
const hint = wasmNow === golden.wasmSha256 ? ''
  : '\n(dist/wasm-rnn.wasm is not the build golden.json was made from: if every runtime differs the same way and the numeric'
    + ' change is deliberate, regenerate as test/runtimes/README.md says; if runtimes disagree with each other, that is a bug)';
// every runtime starts, in parallel, when this suite's first test runs (not at import: uvu imports
// every test file before running any, and the children should not compete with other suites)
type Run = { code: number; stdout: string; stderr: string; ms: number };
let runs: Record<string, Promise<Run>> | null = null;
const started = (): Record<string, Promise<Run>> => {
  if (!runs) {
    runs = {};
    for (const name of Object.keys(RUNTIMES)) runs[name] = spawnRuntime(name);
  }
  return runs;
};

// one child can report several runtimes (run-workerd.mjs: 'workerd' and 'workerd-2026')
const expected: [string, string][] = [
  ['node', 'node'], ['node-slim', 'node-slim'], ['deno', 'deno'], ['bun', 'bun'],
  ['workerd', 'workerd'], ['workerd', 'workerd-2026'],
];

for (const [proc, runtime] of expected) {
  test(`runtime ${runtime}: every case gives the golden bits`, async () => {
    const r = await started()[proc];
    const results = parseResults(r.stdout);
    const res = results.find((x: any) => (x.runtime ?? proc) === runtime);
    assert.ok(res, `${runtime}: no RESULT line (exit ${r.code}, ${r.ms} ms)\n${r.stderr.slice(-3000)}`);
    const cmp = compare(golden, res);
    let line = report(runtime, res, cmp) + `, process ${r.ms} ms`;
    console.log(line);
    assert.ok(cmp.ok, line + (runtime === 'node' ? hint : '\n(a runtime that differs from Node is a bug to find, not a hash to update)'));
    assert.is(r.code, 0, `${proc} exit code; stderr:\n${r.stderr.slice(-3000)}`);
  });
}

test('golden.json lists exactly the cases of cases.mjs', async () => {
  const r = parseResults((await started().node).stdout)[0];
  assert.ok(r, 'node RESULT');
  assert.equal(Object.keys(r.cases), Object.keys(golden.cases));
  assert.equal(Object.keys(r.parts), Object.keys(golden.parts));
});

test.run();
