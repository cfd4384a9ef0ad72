// The type of `import wasm from 'wasm-rnn/wasm'` (package.json exports "./wasm": this file for
// types, dist/wasm-rnn.wasm for code; scripts/build.mjs copies it to dist/).
//
// What a `.wasm` import gives is decided by whoever loads it, not by this package (checked by
// scripts/consumer.mjs where marked ✓):
// - Cloudflare Workers (wrangler's default rule for *.wasm, "CompiledWasm"; Miniflare, workerd ✓):
//   a precompiled WebAssembly.Module: `initSync(wasm)` or `await init(wasm)` from 'wasm-rnn/slim'.
// - esbuild with `--loader:.wasm=binary` ✓: the bytes, a Uint8Array: `initSync(wasm)` / `await init(wasm)`.
// - esbuild with `--loader:.wasm=file` ✓: a URL string (not this type): `await init(fetch(url))`.
//   (esbuild has no default loader for .wasm: without one it stops with "No loader is configured".)
// - Vite: `import url from 'wasm-rnn/wasm?url'` ✓ (a string, typed by vite/client): `await init(fetch(url))`.
//   A plain import is Wasm's ESM integration in Vite 8 (the instance's exports, no default export);
//   `?init` gives an instantiate function, which wasm-rnn cannot use (it instantiates the module itself).
// - Node, Deno ✓: a plain import is the ESM integration too (Deno), or refused (Node 20); read the file:
//   `init(await readFile(new URL(import.meta.resolve('wasm-rnn/wasm'))))` (Deno: `Deno.readFile`).

/** The wasm-rnn WebAssembly module, as your bundler or runtime loads a `.wasm` import: a compiled `WebAssembly.Module` (Cloudflare Workers) or its bytes (esbuild's `binary` loader). Pass it to `init`/`initSync` of `wasm-rnn/slim`. */
declare const wasm: WebAssembly.Module | Uint8Array;
export default wasm;
