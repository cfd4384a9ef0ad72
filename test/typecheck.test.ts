// The whole project type-checks (src, tests, bench, examples) against the declarations of dist/; and a
// user's code compiles against them: Module declares forward(...args: any[]): any, so any module's
// forward can be called with types, and a subclass may narrow it (`forward(x: Tensor): Tensor`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

test('tsc --noEmit over src, test, bench and examples', () => {
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

/** Compiles `code` (importing the built bundle as `lib`) with tsc --strict plus the compiler options `flags`; returns tsc's output and status. */
function compile(code: string, flags: Record<string, boolean> = {}): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-tc-'));
  try {
    const file = join(dir, 'user.ts');
    writeFileSync(file, `import * as lib from ${JSON.stringify(root + 'dist/index.js')};\n${code}\n`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, lib: ['es2022', 'dom'], types: [], ...flags },
      files: ['user.ts'],
    }));
    const r = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout + r.stderr };
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const USER = `
class Classifier extends lib.Module {
  rnn = new lib.LSTM(5, 8);
  fc = new lib.Linear(8, 2);
  forward(x: lib.Tensor): lib.Tensor { const [out] = this.rnn.forward(x); return this.fc.forward(out.select(0, -1)); }
}
const m = new Classifier();
const y: lib.Tensor = m.forward(lib.zeros([3, 2, 5]));
// any module's forward, through the base type
const mods: lib.Module[] = [new lib.Linear(2, 3), new lib.RNN(2, 3), new lib.Embedding(4, 2), m];
const r: unknown = mods[0].forward(lib.zeros([1, 2]));
// the concrete types are kept
const [o, [h, c]] = new lib.LSTM(2, 3).forward(lib.zeros([4, 1, 2]));
const e: lib.Tensor = new lib.Embedding(4, 2).forward([[1, 2]]);
// @ts-expect-error: Linear.forward takes a Tensor
new lib.Linear(2, 3).forward('x');
// @ts-expect-error: Embedding.forward takes indices
new lib.Embedding(4, 2).forward({});
export { y, r, o, h, c, e };
`;

test('a user subclass with forward(x: Tensor): Tensor compiles under --strict; Module.forward is callable with types', () => {
  const r = compile(USER);
  assert.is(r.status, 0, r.out);
});

test('under noImplicitOverride a subclass writes `override forward`; type errors in user code are reported', () => {
  // the one error expected is the deliberate one: the check can fail
  const r = compile(USER.replace('  forward(x', '  override forward(x') + '\nconst z: number = m.forward(lib.zeros([1]));\nexport { z };', { noImplicitOverride: true });
  assert.is.not(r.status, 0);
  const errors = r.out.split('\n').filter((l) => l.includes('error TS'));
  assert.is(errors.length, 1, r.out);
  assert.ok(errors[0].includes("Type 'Tensor' is not assignable to type 'number'"), r.out);
});

test.run();
