// The package as a user meets it: `npm pack`, install the tarball into a fresh app, then
//   - npm prints no warning (no install-scripts notice, no unknown config) when packing or installing;
//   - strict TypeScript (moduleResolution node16 and bundler, skipLibCheck false) compiles every
//     ```ts block of the README the tarball ships, each as a standalone file, and a file that uses
//     every entry (wasm-rnn, /slim, /onnx, /wasm) and a generic helper over Module;
//   - the same small computation (a seeded LSTM forward) gives the same bits in Node (default and slim
//     entries), Deno, Bun, and in headless Chromium from an esbuild bundle (default entry; slim with
//     the .wasm through esbuild's binary and file loaders) and a Vite build (default entry; slim with
//     `wasm-rnn/wasm?url`), and each one catches an RnnError by class;
//   - an uncaught RnnError in Node prints a short, readable report.
// Slow (a build, npm installs from the registry, bundles, a browser: one to a few minutes), so it is
// a script, not part of `npm test`; .ci/run runs it after the browser tests.
// Prints `ok - …` / `FAIL - …` per check and ends with `N passed, N failed`.
//
// Usage: node scripts/consumer.mjs [--keep]    (env: CHROMIUM_PATH, VITE_VERSION, default 8)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const bin = (name) => root + 'node_modules/.bin/' + name;
const tsc = require.resolve('typescript/bin/tsc');
const keep = process.argv.includes('--keep');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok - ${name}`); } else { failed++; console.log(`FAIL - ${name}${detail ? ': ' + String(detail).trim().slice(0, 3000) : ''}`); }
  return ok;
};
const sh = (cmd, args, cwd, env = {}) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 1 << 26 });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') + (r.error ? String(r.error) : '') };
};
const npmWarnings = (out) => out.split('\n').filter((l) => /^npm (warn|WARN|ERR)/.test(l));

const work = mkdtempSync(join(tmpdir(), 'wasm-rnn-consumer-'));
const app = join(work, 'app');
console.log(`# working in ${work}`);

// ---- 1. pack -------------------------------------------------------------------------------
const pack = sh('npm', ['pack', '--pack-destination', work], root);
const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
check('npm pack', pack.code === 0 && tgz, pack.out.slice(-2000));
check('npm pack prints no npm warning', npmWarnings(pack.out).length === 0, npmWarnings(pack.out).join('\n'));
if (!tgz) finish();
const size = /package size:\s+([\d.]+ \w+)/.exec(pack.out)?.[1];
console.log(`# tarball ${tgz}: ${size}`);
const packed = execFileSync('tar', ['tzf', join(work, tgz)], { encoding: 'utf8' }).split('\n').filter(Boolean);
check('the tarball holds package.json, README.md and dist/ only', packed.every((f) => /^package\/(package\.json|README\.md|dist\/.+)$/.test(f)) && packed.includes('package/dist/wasm-rnn.wasm.d.ts'), packed.join(' '));
const manifest = JSON.parse(execFileSync('tar', ['xzOf', join(work, tgz), 'package/package.json'], { encoding: 'utf8' }));
check('the packed package.json has no install-time script (no prepare/preinstall/install/postinstall)', !['prepare', 'preinstall', 'install', 'postinstall'].some((s) => manifest.scripts?.[s]), JSON.stringify(manifest.scripts));
check('the repository\'s package.json is restored after packing (prepare kept)', JSON.parse(readFileSync(root + 'package.json', 'utf8')).scripts.prepare);

// ---- 2. a fresh app --------------------------------------------------------------------------
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type: 'module' }, null, 2));
const install = sh('npm', ['install', '--no-audit', '--no-fund', join(work, tgz)], app);
check('npm install <tarball> into a fresh app', install.code === 0, install.out);
check('npm install <tarball> prints no npm warning', npmWarnings(install.out).length === 0, npmWarnings(install.out).join('\n'));
const pkgDir = join(app, 'node_modules', 'wasm-rnn');

// ---- 3. strict TypeScript on the README's examples -------------------------------------------
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const blocks = [];
{
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const skip = /<!--\s*snippet:\s*skip\b/.test(lines.slice(Math.max(0, i - 3), i).join('\n'));
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    if (!skip) blocks.push({ line: i + 1, code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
}
mkdirSync(join(app, 'ts'));
for (const b of blocks) writeFileSync(join(app, 'ts', `readme_L${b.line}.ts`), b.code + '\nexport {};\n');
writeFileSync(join(app, 'ts', 'entries.ts'), `import { init, Module, Linear, LSTM, Tensor, RnnError, randn } from 'wasm-rnn';
import * as slim from 'wasm-rnn/slim';
import { loadOnnx, parseOnnx } from 'wasm-rnn/onnx';
import wasm from 'wasm-rnn/wasm';
await init();
function run<M extends Module>(m: M, x: Tensor): ReturnType<M['forward']> { return m.forward(x); }
const y: Tensor = run(new Linear(4, 2), randn([3, 4]));
const [out, [h, c]]: [Tensor, [Tensor, Tensor]] = run(new LSTM(4, 2), randn([5, 3, 4]));
const w: WebAssembly.Module | Uint8Array = wasm;
slim.initSync(wasm);
await slim.init(wasm);
const e: unknown = null;
if (e instanceof RnnError) e.message.toUpperCase();
export { y, out, h, c, w, loadOnnx, parseOnnx };
`);
// node10 (`moduleResolution: "node"`, still in many tsconfigs) reads no exports: typesVersions maps the subpaths
for (const [name, opts] of [['node16', { module: 'node16', moduleResolution: 'node16' }], ['bundler', { module: 'esnext', moduleResolution: 'bundler' }], ['node10', { module: 'esnext', moduleResolution: 'node10' }]]) {
  writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: ['node'], typeRoots: [root + 'node_modules/@types'], skipLibCheck: false, ...opts },
    include: ['ts'],
  }, null, 2));
  const r = sh(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], app);
  check(`tsc --strict (${name}, skipLibCheck false): the ${blocks.length} README ts blocks, standalone, and every entry with types`, r.code === 0 && blocks.length >= 5, r.out);
}

// ---- 4. the computation, in every runtime ------------------------------------------------------
writeFileSync(join(app, 'compute.js'), `// a seeded LSTM forward: its output bytes as hex, and an RnnError caught by class
export async function compute(lib, source) {
  await lib.init(source);
  lib.manualSeed(0);
  const lstm = new lib.LSTM(4, 8, { batchFirst: true });
  const [out] = lib.noGrad(() => lstm.forward(lib.randn([2, 5, 4])));
  const f = out.toFloat32Array();
  const hex = Array.from(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
  let error = 'none';
  try { lstm.forward(lib.randn([2, 5, 3])); } catch (e) { error = (e instanceof lib.RnnError ? 'RnnError ' : 'other ') + e.name + ': ' + e.message; }
  return { shape: out.shape.join('x'), hex, error };
}
`);
const results = {};
const parse = (name, r) => {
  const line = r.out.split('\n').find((l) => l.startsWith('{'));
  try { results[name] = JSON.parse(line); } catch { results[name] = { failed: r.out.slice(-1500) }; }
};
writeFileSync(join(app, 'node-default.mjs'), `import * as lib from 'wasm-rnn';\nimport { compute } from './compute.js';\nconsole.log(JSON.stringify(await compute(lib)));\n`);
writeFileSync(join(app, 'node-slim.mjs'), `import { readFile } from 'node:fs/promises';\nimport * as lib from 'wasm-rnn/slim';\nimport { compute } from './compute.js';\nconsole.log(JSON.stringify(await compute(lib, await readFile(new URL(import.meta.resolve('wasm-rnn/wasm'))))));\n`);
parse('node', sh(process.execPath, ['node-default.mjs'], app));
parse('node-slim', sh(process.execPath, ['node-slim.mjs'], app));
writeFileSync(join(app, 'deno-slim.mjs'), `import * as lib from 'wasm-rnn/slim';\nimport { compute } from './compute.js';\nconsole.log(JSON.stringify(await compute(lib, await Deno.readFile(new URL(import.meta.resolve('wasm-rnn/wasm'))))));\n`);
if (existsSync(bin('deno'))) {
  parse('deno', sh(bin('deno'), ['run', '--quiet', '--allow-read', 'node-default.mjs'], app, { DENO_NO_UPDATE_CHECK: '1' }));
  parse('deno-slim', sh(bin('deno'), ['run', '--quiet', '--allow-read', 'deno-slim.mjs'], app, { DENO_NO_UPDATE_CHECK: '1' }));
}
if (existsSync(bin('bun'))) parse('bun', sh(bin('bun'), ['node-default.mjs'], app));

// browser bundles: esbuild (the default entry; slim + .wasm via the binary loader and via the file loader)
const page = (script) => `<!doctype html><meta charset="utf-8"><script type="module" src="${script}"></script>\n`;
const reporter = (name, importLines, source) => `${importLines}
import { compute } from '../compute.js';
compute(lib, ${source}).then((r) => r, (e) => ({ failed: String(e && e.stack || e) }))
  .then((r) => fetch('/result/${name}', { method: 'POST', body: JSON.stringify(r) }));
`;
const browserRuns = {
  'esbuild': { entry: reporter('esbuild', `import * as lib from 'wasm-rnn';`, 'undefined'), loader: null },
  'esbuild-slim-binary': { entry: reporter('esbuild-slim-binary', `import * as lib from 'wasm-rnn/slim';\nimport wasm from 'wasm-rnn/wasm';`, 'wasm'), loader: 'binary' },
  'esbuild-slim-file': { entry: reporter('esbuild-slim-file', `import * as lib from 'wasm-rnn/slim';\nimport url from 'wasm-rnn/wasm';`, 'fetch(url)'), loader: 'file' },
};
mkdirSync(join(app, 'src'));
mkdirSync(join(app, 'web'));
for (const [name, { entry, loader }] of Object.entries(browserRuns)) {
  writeFileSync(join(app, 'src', name + '.js'), entry);
  mkdirSync(join(app, 'web', name));
  const args = [join(app, 'src', name + '.js'), '--bundle', '--minify', '--format=esm', '--platform=browser', `--outdir=${join(app, 'web', name)}`, '--log-level=warning'];
  if (loader) args.push(`--loader:.wasm=${loader}`, '--public-path=/' + name + '/');
  const r = sh(bin('esbuild'), args, app);
  check(`esbuild bundle: ${name}`, r.code === 0, r.out);
  writeFileSync(join(app, 'web', name, 'index.html'), page(`/${name}/${name}.js`));
}

// Vite: the default entry, and slim + `wasm-rnn/wasm?url`
const viteVersion = process.env.VITE_VERSION || '8';
const viteInstall = sh('npm', ['install', '--no-audit', '--no-fund', '--save-dev', `vite@${viteVersion}`], app);
if (check(`npm install vite@${viteVersion}`, viteInstall.code === 0, viteInstall.out)) {
  for (const [name, imports, source] of [['vite', `import * as lib from 'wasm-rnn';`, 'undefined'], ['vite-slim-url', `import * as lib from 'wasm-rnn/slim';\nimport url from 'wasm-rnn/wasm?url';`, 'fetch(url)']]) {
    const dir = join(app, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'main.js'), reporter(name, imports, source));
    writeFileSync(join(dir, 'index.html'), page('./main.js'));
    const r = sh(join(app, 'node_modules/.bin/vite'), ['build', '--base', `/${name}/`, '--outDir', join(app, 'web', name), '--logLevel', 'warn'], dir);
    check(`vite build: ${name}`, r.code === 0, r.out);
  }
}

// serve web/ and collect what each page posts
const pending = new Map();
const TYPES = { '.js': 'text/javascript', '.html': 'text/html; charset=utf-8', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const m = /^\/result\/([\w-]+)$/.exec(url.pathname);
  if (req.method === 'POST' && m) {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { res.writeHead(204).end(); pending.get(m[1])?.(body); });
    return;
  }
  let rel = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  if (rel.endsWith('/') || rel === '') rel += 'index.html';
  const file = join(app, 'web', rel);
  if (rel.includes('..') || !existsSync(file)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const pages = readdirSync(join(app, 'web'));
if (check(`chromium at ${chromiumPath}`, existsSync(chromiumPath))) {
  const { chromium } = await import(root + 'node_modules/playwright-core/index.mjs');
  const browser = await chromium.launch({
    executablePath: chromiumPath, timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const name of pages) {
    const p = await browser.newPage();
    const logs = [];
    p.on('pageerror', (e) => logs.push('pageerror: ' + e.message));
    p.on('console', (msg) => { if (msg.type() === 'error') logs.push('console: ' + msg.text()); });
    const body = await new Promise((resolve) => {
      const t = setTimeout(() => resolve(JSON.stringify({ failed: 'no result in 60 s; ' + logs.join('; ') })), 60_000);
      pending.set(name, (b) => { clearTimeout(t); resolve(b); });
      p.goto(`${origin}/${name}/`).catch((e) => logs.push(String(e)));
    });
    try { results['chromium-' + name] = JSON.parse(body); } catch { results['chromium-' + name] = { failed: body }; }
    await p.close();
  }
  await browser.close();
}
server.close();

const ref = results.node;
for (const [name, r] of Object.entries(results)) {
  check(`${name}: the LSTM output (${r.shape ?? '?'}) has the same bits as Node's`, !r.failed && ref && r.hex === ref.hex && r.shape === '2x5x8', r.failed ?? (r.hex === ref?.hex ? r.shape : 'bits differ'));
  check(`${name}: an RnnError is caught by class, with its name`, typeof r.error === 'string' && r.error.startsWith('RnnError RnnError: input: expected last dimension 4'), r.error ?? r.failed);
}
check('every runtime reported (node, node-slim, deno, deno-slim, bun, 5 browser pages)', Object.keys(results).length === 5 + pages.length && pages.length === 5, Object.keys(results).join(', '));

// ---- 5. an uncaught RnnError in Node ---------------------------------------------------------
writeFileSync(join(app, 'throw.mjs'), `import { init, GRU, randn } from 'wasm-rnn';\nawait init();\nnew GRU(4, 8).forward(randn([5, 3, 4]), randn([1, 5, 8]));\n`);
const thrown = sh(process.execPath, ['throw.mjs'], app);
const longest = Math.max(...thrown.out.split('\n').map((l) => l.length));
check('an uncaught RnnError prints `RnnError: …`, a stack with real function names, no long line',
  thrown.code !== 0 && thrown.out.length < 2000 && longest < 400 && /^RnnError: h0: expected shape \[1, 3, 8\], got \[1, 5, 8\] \(input shape \[5, 3, 4\] is read as \(T, B, I\)/m.test(thrown.out)
  && thrown.out.includes('at GRU.checkState (') && !thrown.out.includes('[RnnError]'), thrown.out);

finish();

function finish() {
  if (!keep) rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
