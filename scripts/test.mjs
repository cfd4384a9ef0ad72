// `npm test`: build, run every test/*.test.ts with uvu, end with the plain line
// "N passed, N failed" that CI reads. Extra args are passed to uvu as a file pattern.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
if (!process.env.SKIP_BUILD) {
  const b = spawnSync(process.execPath, [root + 'scripts/build.mjs'], { stdio: 'inherit', cwd: root });
  if (b.status !== 0) { console.log('0 passed, 1 failed'); process.exit(1); }
}
const uvu = root + 'node_modules/uvu/bin.js';
const pattern = (process.argv[2] ?? '') + '[^/]*\\.test\\.ts$';
const r = spawnSync(process.execPath, ['--import', 'tsx', uvu, 'test', pattern],
  { cwd: root, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 1 << 28 });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
const total = /Total:\s+(\d+)/.exec(r.stdout);
const passed = /Passed:\s+(\d+)/.exec(r.stdout);
const skipped = /Skipped:\s+(\d+)/.exec(r.stdout);
const p = passed ? +passed[1] : 0;
const f = total ? +total[1] - p - (skipped ? +skipped[1] : 0) : 1;
const failed = r.status !== 0 && f === 0 ? 1 : f;
console.log(`${p} passed, ${failed} failed${skipped && +skipped[1] ? `, ${skipped[1]} skipped` : ''}`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
