// Every TypeScript/JavaScript snippet of README.md and docs/*.md compiles under `--strict` (with
// `moduleResolution` node16 and bundler) against the package as a user installs it, and runs.
//
// Conventions (docs/CONTRIBUTING.md): a ```ts / ```typescript / ```js / ```javascript block is a whole
// ES module: it imports what it uses from 'wasm-rnn' (and 'wasm-rnn/slim', 'wasm-rnn/onnx', 'node:…')
// and defines every name it uses. It is compiled and then run in Node (a fresh Worker per snippet, so
// a fresh library: call `await init()`; the working directory is a scratch directory). An HTML
// comment on the line(s) just above the fence changes that:
//   <!-- snippet: compile-only -->        compiled, not run (a browser, a worker global, files or network)
//   <!-- snippet: continue -->            the block continues the previous block of the same file
//                                         (compiled and run as one module with it)
//   <!-- snippet: prelude CODE -->        CODE, hidden, goes before the block (e.g. `declare const bytes: Uint8Array`,
//                                         which also needs compile-only); prefer a complete block
//   <!-- snippet: skip REASON -->         not compiled (code TypeScript cannot check as a module, e.g. an
//                                         AudioWorklet's globals); say why
// ```html, ```sh and unlabelled blocks are not code here.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = new URL('..', import.meta.url).pathname;
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

export interface Snippet {
  file: string;              // README.md, docs/layers.md, …
  line: number;              // the fence's line, 1-based
  lang: 'ts' | 'js';
  code: string;              // the module as compiled: preludes, continued blocks, then this block
  run: boolean;
  skip: string | null;
}

const LANGS: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };

/** The snippets of one Markdown text. */
export function extract(file: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  let previous: Snippet | null = null;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, langTag] = open;
    let j = i + 1;
    while (j < lines.length && !(lines[j].trimStart().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === '')) j++;
    const body = lines.slice(i + 1, j).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l)).join('\n');
    const lang = LANGS[langTag.toLowerCase()];
    const start = i;
    i = j;
    if (!lang) continue;
    // directives: the HTML comments just above the fence (blank lines between are fine)
    const directives: string[] = [];
    for (let k = start - 1; k >= 0; k--) {
      const t = lines[k].trim();
      if (t === '') continue;
      const d = /^<!--\s*snippet:\s*([\s\S]*?)\s*-->$/.exec(t);
      if (!d) break;
      directives.unshift(d[1]);
    }
    let run = true, skip: string | null = null, cont = false;
    const prelude: string[] = [];
    for (const d of directives) {
      const [word] = d.split(/\s/, 1);
      const rest = d.slice(word.length).trim();
      if (word === 'compile-only') run = false;
      else if (word === 'continue') cont = true;
      else if (word === 'prelude') prelude.push(rest);
      else if (word === 'skip') skip = rest || 'no reason given';
      else throw new Error(`${file}:${start + 1}: unknown snippet directive "${d}" (compile-only, continue, prelude CODE, skip REASON)`);
    }
    if (cont && !previous) throw new Error(`${file}:${start + 1}: "snippet: continue" with no block before it`);
    const code = [...(cont ? [previous!.code] : []), ...prelude, body].join('\n');
    const s: Snippet = { file, line: start + 1, lang, code, run: run && (!cont || previous!.run), skip };
    out.push(s);
    previous = s;
  }
  return out;
}

function allSnippets(): Snippet[] {
  const files = ['README.md', ...readdirSync(root + 'docs').filter((f) => f.endsWith('.md')).sort().map((f) => 'docs/' + f)];
  return files.flatMap((f) => extract(f, readFileSync(root + f, 'utf8')));
}

const snippets = allSnippets();
const checked = snippets.filter((s) => !s.skip);
const nameOf = (s: Snippet) => `${s.file.replace(/[/.]/g, '_')}_L${s.line}.${s.lang}`;
const label = (s: Snippet) => `${s.file}:${s.line}`;

// one scratch app: node_modules/wasm-rnn → this repository (resolved through package.json exports
// and dist/*.d.ts, as an installed package is), every snippet a module file in it
const dir = mkdtempSync(join(tmpdir(), 'wasm-rnn-snippets-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(root.replace(/\/$/, ''), join(dir, 'node_modules', 'wasm-rnn'), 'dir');
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'snippets', private: true, type: 'module' }));
mkdirSync(join(dir, 'src'));
for (const s of checked) writeFileSync(join(dir, 'src', nameOf(s)), s.code + '\nexport {};\n');
// what the app would declare: a Workers project its Data modules (wrangler), a Vite project vite/client's `?url`
writeFileSync(join(dir, 'src', 'env.d.ts'), "declare module '*.bin' { const data: ArrayBuffer; export default data; }\n"
  + "declare module '*?url' { const url: string; export default url; }\n");

const baseOptions = {
  strict: true, noImplicitOverride: true, target: 'es2022', lib: ['es2022', 'dom'], types: ['node'],
  typeRoots: [root + 'node_modules/@types'], allowJs: true, checkJs: true, skipLibCheck: true,
  forceConsistentCasingInFileNames: true,
  paths: { 'npm:wasm-rnn': ['./node_modules/wasm-rnn/dist/index.d.ts'], 'npm:wasm-rnn/*': ['./node_modules/wasm-rnn/dist/*.d.ts'] },   // Deno's specifiers
};
const configs = {
  node16: { ...baseOptions, module: 'node16', moduleResolution: 'node16', noEmit: true },
  bundler: { ...baseOptions, module: 'esnext', moduleResolution: 'bundler', noEmit: true },
};
for (const [name, compilerOptions] of Object.entries(configs)) {
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, include: ['src'] }, null, 1));
}
// the package's own declarations, checked as a strict user's `skipLibCheck: false` checks them
// (stripInternal can leave a reference to a stripped name); lib.*.d.ts and @types are not rechecked
writeFileSync(join(dir, 'tsconfig.dts.json'), JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], module: 'node16', moduleResolution: 'node16', skipLibCheck: false, skipDefaultLibCheck: true },
  files: ['node_modules/wasm-rnn/dist/index.d.ts', 'node_modules/wasm-rnn/dist/slim.d.ts', 'node_modules/wasm-rnn/dist/onnx.d.ts', 'node_modules/wasm-rnn/dist/wasm-rnn.wasm.d.ts'],
}, null, 1));

function exec(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const p = spawn(process.execPath, args, { cwd, env });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('close', (code) => resolve({ code, out }));
  });
}

/**
 * tsc's errors per snippet file. A JavaScript snippet has no type annotations to give: the
 * implicit-any errors (TS7005, TS7006, TS7031, TS7034) do not count there; every other error does.
 */
function errorsByFile(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  m.set('', []);   // the ignored ones
  let current: string[] | null = null;
  for (const line of out.split('\n')) {
    const e = /^(?:src\/)?([^(\s]+)\(\d+,\d+\): error TS(\d+)/.exec(line);
    if (e && e[1].endsWith('.js') && ['7005', '7006', '7031', '7034'].includes(e[2])) { m.get('')!.push(line); current = null; }
    else if (e) { current = m.get(e[1]) ?? []; m.set(e[1], current); current.push(line); } else if (current && line.startsWith(' ')) current.push(line);
    else current = null;
  }
  return m;
}

// both compilations start at once (in parallel), when the first test runs
let compiled: Promise<Record<string, { code: number | null; out: string }>> | null = null;
const compile = () => compiled ??= (async () => {
  const [node16, bundler, dts] = await Promise.all([...Object.keys(configs), 'dts'].map((c) => exec([tsc, '-p', `tsconfig.${c}.json`], dir)));
  return { node16, bundler, dts };
})();

test('the snippet extractor: languages, directives, continue and prelude', () => {
  const md = [
    '```ts', 'const a = 1;', '```',
    '```sh', 'npm test', '```',
    '<!-- snippet: compile-only -->', '', '```js', 'fetch("/x");', '```',
    '<!-- snippet: continue -->', '```typescript', 'const b: number = a;', '```',
    '<!-- snippet: prelude declare const q: number -->', '<!-- snippet: compile-only -->', '```ts', 'q;', '```',
    '<!-- snippet: skip an AudioWorklet -->', '```javascript', 'registerProcessor();', '```',
  ].join('\n');
  const s = extract('x.md', md);
  assert.equal(s.map((x) => [x.line, x.lang, x.run, x.skip]), [[1, 'ts', true, null], [9, 'js', false, null], [13, 'ts', false, null], [18, 'ts', false, null], [22, 'js', true, 'an AudioWorklet']]);
  assert.is(s[2].code, 'fetch("/x");\nconst b: number = a;');
  assert.is(s[3].code, 'declare const q: number\nq;');
  assert.throws(() => extract('x.md', '<!-- snippet: compileonly -->\n```ts\n1\n```'), /unknown snippet directive/);
});

test('the runnable snippets run in Node (each in a fresh Worker: a fresh library)', async () => {
  const runnable = checked.filter((s) => s.run);
  assert.ok(runnable.length >= 5, `only ${runnable.length} runnable snippets`);
  // type-checking starts now and goes on while the snippets run, stripped of their types by esbuild
  compile();
  mkdirSync(join(dir, 'out'));
  for (const s of runnable) {
    const js = s.lang === 'ts' ? transformSync(s.code + '\nexport {};\n', { loader: 'ts', format: 'esm', target: 'es2022' }).code : s.code + '\nexport {};\n';
    writeFileSync(join(dir, 'out', nameOf(s).replace(/\.ts$/, '.js')), js);
  }
  const runner = join(dir, 'run.mjs');
  writeFileSync(runner, `import { Worker } from 'node:worker_threads';
const results = {};
for (const f of process.argv.slice(2)) {
  results[f] = await new Promise((resolve) => {
    const w = new Worker(new URL('./out/' + f, import.meta.url), { stdout: true, stderr: true });
    w.stdout.resume(); w.stderr.resume();
    const timer = setTimeout(() => { w.terminate(); resolve('timed out after 60 s'); }, 60000);
    w.on('error', (e) => { clearTimeout(timer); resolve(String(e && e.stack || e)); });
    w.on('exit', (code) => { clearTimeout(timer); resolve(code === 0 ? null : 'exit code ' + code); });
  });
}
console.log(JSON.stringify(results));
`);
  const files = runnable.map((s) => nameOf(s).replace(/\.ts$/, '.js'));
  const r = await exec([runner, ...files], dir);
  let results: Record<string, string | null>;
  try { results = JSON.parse(r.out.split('\n').find((l) => l.startsWith('{'))!); } catch { assert.unreachable(r.out); return; }
  const failed = runnable.filter((s, i) => results[files[i]] !== null).map((s, i) => `${label(s)}: ${results[nameOf(s).replace(/\.ts$/, '.js')]}`);
  assert.ok(failed.length === 0, '\n' + failed.join('\n\n'));
});

test(`README.md and docs/*.md: ${checked.length} snippets (${snippets.length - checked.length} skipped) compile under --strict, moduleResolution node16 and bundler`, async () => {
  assert.ok(checked.length >= 10, `only ${checked.length} snippets found`);
  const { dts, ...results } = await compile();
  const problems: string[] = [];
  for (const [config, r] of Object.entries(results)) {
    const errs = errorsByFile(r.out);
    for (const s of checked) {
      const e = errs.get(nameOf(s));
      if (e) problems.push(`${label(s)} (${config}):\n  ${e.join('\n  ')}`);
    }
    const other = [...errs.keys()].filter((f) => f && !checked.some((s) => nameOf(s) === f));
    const counted = [...errs.values()].reduce((n, e) => n + e.length, 0);
    if (other.length || (r.code !== 0 && counted === 0)) problems.push(`${config}: ${r.out.slice(0, 3000)}`);
  }
  assert.ok(problems.length === 0, '\n' + problems.join('\n\n') + `\n(snippets in ${dir}/src)`);
});

test('dist/*.d.ts are valid declarations under --strict with skipLibCheck false', async () => {
  const { dts } = await compile();
  assert.ok(dts.code === 0, dts.out.slice(0, 3000));
});

test.after(() => { if (!process.env.KEEP_SNIPPETS) rmSync(dir, { recursive: true, force: true }); });

test.run();
