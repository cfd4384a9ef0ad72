// CI step: `npm run demo` in full (the README's main command) must train the name classifier to
// >= 80 % test accuracy. Prints the demo's output, then `N passed, N failed`. (Its training time is
// printed, not asserted: speed is measured by bench/, see bench/realtask.ts.)
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const t0 = Date.now();
const r = spawnSync(process.execPath, ['--import', 'tsx', root + 'examples/demo.ts', '--quiet'], { cwd: root, encoding: 'utf8' });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
const m = /^test accuracy (\d+\.\d)%/m.exec(r.stdout);
const acc = m ? Number(m[1]) : NaN;
const ok = r.status === 0 && acc >= 80;
console.log(`demo: ${ok ? 'ok' : 'FAILED'}: exit ${r.status}, test accuracy ${m ? acc + '%' : 'not printed'} (target 80%), ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
console.log(`${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`);
process.exit(ok ? 0 : 1);
