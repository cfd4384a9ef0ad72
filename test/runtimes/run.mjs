// Runs the determinism suite in the current JS runtime (Node, Deno or Bun) and prints one line
// `RESULT {json}` with the hashes. Usage: <runtime> test/runtimes/run.mjs [index|slim]
//   index: the default entry (dist/index.js, wasm bytes embedded), `await init()`
//   slim:  dist/slim.js + dist/wasm-rnn.wasm read from disk, `initSync(new WebAssembly.Module(bytes))`
import { hashSuite } from './cases.mjs';

const entry = (globalThis.process?.argv ?? globalThis.Deno?.args ?? []).find((a) => a === 'slim' || a === 'index') ?? 'index';
const dist = new URL('../../dist/', import.meta.url);
const lib = await import(new URL(entry + '.js', dist).href);
if (entry === 'slim') {
  const { readFileSync } = await import('node:fs');
  lib.initSync(new WebAssembly.Module(readFileSync(new URL('wasm-rnn.wasm', dist))));
} else {
  await lib.init();
}
const engine = globalThis.Deno ? `deno ${Deno.version.deno} (V8 ${Deno.version.v8})`
  : globalThis.Bun ? `bun ${Bun.version} (JavaScriptCore)`
  : `node ${process.versions.node} (V8 ${process.versions.v8})`;
console.log('RESULT ' + JSON.stringify({ engine, entry, ...(await hashSuite(lib)) }));
