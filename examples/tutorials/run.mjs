// npm run tutorial -- 004   runs the tutorial program whose name starts with 004;
// npm run tutorial          lists them. Each program is examples/tutorials/NNN-*.ts, run with tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const programs = readdirSync(dir).filter((f) => /^\d{3}-.+\.ts$/.test(f)).sort();
const arg = process.argv[2];

if (arg === undefined) {
  console.log('The tutorials as programs (examples/tutorials/). Run one with: npm run tutorial -- 000\n');
  for (const f of programs) {
    const about = readFileSync(dir + f, 'utf8').split('\n').find((l) => l.startsWith('// Tutorial')) ?? '';
    console.log(`${f}\n  ${about.replace(/^\/\/ Tutorial \d+: /, '')}`);
  }
  process.exit(0);
}

const matches = programs.filter((f) => f.startsWith(arg));
if (matches.length !== 1) {
  console.error(`npm run tutorial: expected the start of one of ${programs.join(', ')}, got ${JSON.stringify(arg)}` +
    (matches.length ? ` (matches ${matches.join(', ')})` : ''));
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', dir + matches[0]], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
