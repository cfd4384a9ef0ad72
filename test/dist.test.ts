// dist/ as a user's Node meets it: an uncaught RnnError prints a short, readable report (the class
// name, the message, a source line of normal length, real function names in the stack), the
// `./wasm` entry has a type declaration, and the files npm would pack are dist/ and the README only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;

test('an uncaught RnnError in Node prints `RnnError: message`, a short source line and real function names', () => {
  const script = `import { init, RNN, randn, zeros } from ${JSON.stringify(root + 'dist/index.js')};
await init();
new RNN(4, 8).forward(randn([5, 3, 4]), zeros([1, 5, 8]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is.not(r.status, 0);
  const err = r.stderr.replace(/\x1b\[[0-9;]*m/g, '');   // Node colours the stack's paths when the parent forces colour
  assert.ok(err.length < 2000, `stderr is ${err.length} characters:\n${err.slice(0, 500)}`);
  const lines = err.split('\n');
  assert.ok(Math.max(...lines.map((l) => l.length)) < 400, 'no line longer than 400 characters (a minified bundle prints one line of 20,000)');
  assert.ok(lines.some((l) => l.startsWith('RnnError: h0: expected shape [1, 3, 8], got [1, 5, 8]')), err);
  assert.not.ok(/\[RnnError\]/.test(err), 'the class prints under its own name (not `_ [RnnError]`)');
  for (const frame of ['at fail (', 'at RNN.checkState (', 'at RNN.forward (']) assert.ok(err.includes(frame), `no "${frame}" in:\n${err}`);
  assert.ok(err.includes('dist/slim.js:'), err);
});

test('the library\'s exported classes and functions keep their names in dist/ (stack traces, `constructor.name`)', async () => {
  // esbuild names a class that refers to itself `_Name` and renames a colliding one `Name2`:
  // exported names must at least start from the export's name, never a minified letter
  const slim = await import(root + 'dist/slim.js');
  const onnx = await import(root + 'dist/onnx.js');
  for (const [k, v] of [...Object.entries(slim), ...Object.entries(onnx)]) {
    if (typeof v !== 'function') continue;
    const name = (v as { name: string }).name;
    assert.ok(name === k || name === '_' + k || (k === 'KerasSequential' && name.startsWith('Sequential')), `export ${k} is named ${JSON.stringify(name)}`);
  }
});

test('package.json: engines, typed exports (./wasm included), what npm packs, no install-time script in the tarball', () => {
  const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
  assert.equal(pkg.engines, { node: '>=20' });
  for (const [entry, target] of Object.entries(pkg.exports) as [string, { types?: string; default: string } | string][]) {
    if (entry === './package.json') continue;
    assert.type(target, 'object', entry);
    const t = target as { types: string; default: string };
    assert.ok(existsSync(root + t.types) && existsSync(root + t.default), `${entry}: ${t.types}, ${t.default}`);
  }
  assert.ok(readFileSync(root + pkg.exports['./wasm'].types, 'utf8').includes('export default'));
  // moduleResolution node10 reads no exports: typesVersions gives it the same declarations
  for (const [sub, [file]] of Object.entries(pkg.typesVersions['*']) as [string, string[]][]) assert.is(file, pkg.exports['./' + sub].types, sub);
  assert.equal(Object.keys(pkg.typesVersions['*']).sort(), ['onnx', 'slim', 'wasm']);
  assert.equal(pkg.files, ['dist', 'README.md']);
  // `prepare` builds dist/ in the repository; scripts/pack-manifest.mjs takes it out of the packed
  // package.json (the consumer script checks the tarball); no script runs for a user's install
  assert.ok(pkg.scripts.prepare && pkg.scripts.prepack.includes('pack-manifest.mjs strip') && pkg.scripts.postpack.includes('pack-manifest.mjs restore'));
  for (const s of ['preinstall', 'install', 'postinstall']) assert.not.ok(pkg.scripts[s], s);
  assert.not.ok(existsSync(root + 'build/package.json.before-pack'), 'a pack left package.json stripped: run node scripts/pack-manifest.mjs restore');
});

test.run();
