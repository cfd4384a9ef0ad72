// wasm-rnn: the default entry. It is wasm-rnn/slim (imported at run time, not copied: one
// module state, one copy of the code) plus the Wasm bytes embedded, so init() needs no argument.
import wasmBytes from 'wasm-rnn-embedded-bytes';
import { init as initFromSource, initSync as initSyncFromSource, isInitialized } from './slim.js';
import type { WasmSource } from './wasm.js';

export * from './slim.js';

/**
 * Loads the module. With no argument it compiles the embedded bytes; pass a precompiled
 * WebAssembly.Module, bytes or a Response to use those instead. The library loads once: a later
 * call (with any source) does nothing, and never resets memory — every tensor and parameter stays.
 */
export async function init(source?: WasmSource): Promise<void> {
  if (source === undefined && isInitialized()) return;
  await initFromSource(source ?? wasmBytes);
}

/** Synchronous init (workers, worklets, Node): embedded bytes, or the given bytes/module. A no-op once loaded. */
export function initSync(source?: WebAssembly.Module | BufferSource): void {
  if (source === undefined && isInitialized()) return;
  initSyncFromSource(source ?? wasmBytes);
}
