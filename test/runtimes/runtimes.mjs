// The runtimes `npm test` covers (test/runtimes.test.ts): each is a child process that prints
// `RESULT {json}` lines (test/runtimes/run.mjs, run-workerd.mjs). Browsers: scripts/test-browsers.mjs.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('../../', import.meta.url).pathname;
const require = createRequire(root + 'package.json');
const run = root + 'test/runtimes/run.mjs';

function denoBinary() {
  const libc = process.platform === 'linux' ? (process.report?.getReport().header.glibcVersionRuntime ? '-glibc' : '-musl') : '';
  try { return require.resolve(`@deno/${process.platform}-${process.arch}${libc}/deno${process.platform === 'win32' ? '.exe' : ''}`); }
  catch { return root + 'node_modules/.bin/deno'; }
}

/** name → [command, args]; one child may report several runtimes (workerd: two compatibility dates). */
export const RUNTIMES = {
  node: [process.execPath, [run, 'index']],
  'node-slim': [process.execPath, [run, 'slim']],
  deno: [denoBinary(), ['run', '--no-config', '--no-lock', '--allow-read', run, 'index']],
  bun: [root + 'node_modules/bun/bin/bun.exe', [run, 'index']],
  workerd: [process.execPath, [root + 'test/runtimes/run-workerd.mjs']],
};

/** Spawns one runtime; resolves { code, stdout, stderr, ms } (never rejects). */
export function spawnRuntime(name, timeoutMs = 60_000) {
  const [cmd, args] = RUNTIMES[name];
  const t0 = Date.now();
  return new Promise((resolve) => {
    if (!existsSync(cmd)) { resolve({ code: -1, stdout: '', stderr: `${name}: ${cmd} not found (npm install?)`, ms: 0 }); return; }
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR; // uvu sets it; Node warns when both are set
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { stderr += `\n${name}: timed out after ${timeoutMs} ms`; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr, ms: Date.now() - t0 }); });
  });
}
