// Runs test/runtimes/worker.mjs in workerd (through miniflare) and prints one `RESULT {json}` line
// per worker. Usage: node test/runtimes/run-workerd.mjs
// Two workers in one workerd process, differing only in compatibility date:
//   workerd       2025-01-01: before `enable_weak_ref` (2025-05-05), so no WeakRef and no
//                 FinalizationRegistry — what many deployed Workers still have
//   workerd-2026  2026-04-01: a current date (WeakRef and FinalizationRegistry present)
import { readFileSync } from 'node:fs';
import { Miniflare } from 'miniflare';

const root = new URL('../../', import.meta.url);
const mod = (type, rel) => ({ type, path: new URL(rel, root).pathname, contents: readFileSync(new URL(rel, root)) });
const modules = [
  mod('ESModule', 'test/runtimes/worker.mjs'),
  mod('ESModule', 'test/runtimes/cases.mjs'),
  mod('ESModule', 'dist/slim.js'),
  mod('CompiledWasm', 'dist/wasm-rnn.wasm'),
];
const dates = { workerd: '2025-01-01', 'workerd-2026': '2026-04-01' };
const mf = new Miniflare({
  workers: Object.entries(dates).map(([name, compatibilityDate]) => ({ name, modulesRoot: root.pathname, modules, compatibilityDate })),
});
const version = JSON.parse(readFileSync(new URL('node_modules/workerd/package.json', root))).version;
let failed = false;
try {
  for (const [name, date] of Object.entries(dates)) {
    const worker = await mf.getWorker(name);
    const res = await worker.fetch('http://localhost/');
    const body = await res.json();
    if (body.error) { console.error(`${name}: ${body.error}`); failed = true; continue; }
    body.runtime = name;
    body.engine = `workerd ${version} (V8, miniflare, compatibility date ${date}, WeakRef ${body.globals?.WeakRef})`;
    console.log('RESULT ' + JSON.stringify(body));
  }
} finally {
  await mf.dispose();
}
process.exit(failed ? 1 : 0);
