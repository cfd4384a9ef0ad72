// The type of `import wasm from 'wasm-rnn/wasm'` (package.json exports "./wasm": this file for
// types, dist/wasm-rnn.wasm for code; scripts/build.mjs copies it to dist/).
//
// What a `.wasm` import gives is decided by whoever loads it, not by this package:
// - Cloudflare Workers (wrangler's default rule for *.wasm, "CompiledWasm"; also Miniflare/workerd):
//   a precompiled WebAssembly.Module. `initSync(wasm)` or `await init(wasm)` from 'wasm-rnn/slim'.
// - esbuild with `--loader:.wasm=binary`: the bytes, a Uint8Array. `initSync(wasm)` / `await init(wasm)`.
// - esbuild's `file` loader, or Vite's `import url from 'wasm-rnn/wasm?url'`: a URL string (not this
//   type): `await init(fetch(url))`. Vite's `?init` gives an instantiate function, which wasm-rnn
//   cannot use (it instantiates the module itself): use `?url`.
// - Node, Deno: no default export from a .wasm import; read the file instead:
//   `init(await readFile(new URL(import.meta.resolve('wasm-rnn/wasm'))))`.

/** The wasm-rnn WebAssembly module, as your bundler or runtime loads a `.wasm` import: a compiled `WebAssembly.Module` (Cloudflare Workers) or its bytes (esbuild's `binary` loader). Pass it to `init`/`initSync` of `wasm-rnn/slim`. */
declare const wasm: WebAssembly.Module | Uint8Array;
export default wasm;
