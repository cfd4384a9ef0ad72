// wasm-rnn: the default entry, with the Wasm bytes embedded.
import wasmBytes from 'wasm-rnn-embedded-bytes';
import { initFrom, initSyncFrom, ready, type WasmSource } from './wasm.js';

export * from './api.js';

/**
 * Loads the module. With no argument it compiles the embedded bytes; pass a precompiled
 * WebAssembly.Module, bytes or a Response to use those instead. Safe to call twice.
 */
export async function init(source?: WasmSource): Promise<void> {
  if (source === undefined && ready()) return;
  await initFrom(source ?? wasmBytes);
}

/** Synchronous init (workers, worklets, Node): embedded bytes, or the given bytes/module. */
export function initSync(source?: WebAssembly.Module | BufferSource): void {
  if (source === undefined && ready()) return;
  initSyncFrom(source ?? wasmBytes);
}
